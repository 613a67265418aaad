// An RSA key and a self-signed certificate of it, for JWT bearer logins against the emulator
// (EmulatorOptions::jwt_certificate_file, ConnectOptions::private_key_file).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>

namespace crmsync::testing {

// An RSA key (PEM, for the client) and a self-signed certificate of it (PEM, for the emulator's app).
inline void write_key_and_certificate(const std::string& key_path, const std::string& cert_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("crmsync"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  FILE* k = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(k, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(k);
  FILE* c = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(c, cert.get());
  std::fclose(c);
}

}  // namespace crmsync::testing
