// The local Salesforce org emulator: an HTTP server that speaks Salesforce's REST wire format
// (OAuth token endpoint, versions, describeGlobal, describe, query/queryAll with nextRecordsUrl
// paging, sObject create/read/update/delete, Sforce-Limit-Info) over a generated, deterministic
// org. Standard Salesforce clients work against it unchanged; crmsync's own tests and demo use it
// over loopback.
//
//   Emulator emu({.port = 0, .org = {.seed = 42, .scale = 50}});
//   if (auto s = emu.start(); !s) fail(s.error());
//   std::string url = emu.base_url();   // http://127.0.0.1:PORT
//   ...
//   emu.stop();
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "emulator/table.h"

namespace crmsync::emulator {

struct OrgOptions {
  std::uint64_t seed = 42;  // same seed and scale, same org
  int scale = 100;          // number of accounts; other objects in realistic proportion
};

// Builds the org's schema (every catalog object and the setup objects, with Salesforce's API
// names, key prefixes and describe metadata), its users and its generated data.
std::unique_ptr<Database> generate_org(const OrgOptions& options);

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  int port = 8787;                 // 0 picks a free port
  OrgOptions org;
  int default_batch_size = 2000;   // query page size unless Sforce-Query-Options asks for less
  std::int64_t daily_api_max = 100000;  // reported in Sforce-Limit-Info
  int threads = 8;
  // Bulk API 2.0 query jobs: a job is InProgress at its first poll and completes at a later poll
  // once this much time has passed since its creation; results pages hold at most maxRecords rows,
  // this many when the call does not say.
  int bulk_processing_ms = 20;
  int bulk_default_max_records = 10000;
  // The connected app and users of the default org.
  std::string client_id = "crmsync-local";
  std::string client_secret = "crmsync-local-secret";
};

class Emulator {
 public:
  explicit Emulator(EmulatorOptions options);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Generates the org, binds and starts serving on background threads. Errors: the port is taken.
  Status start();
  // Blocks until stop() is called from another thread (or a signal handler path calls it).
  void wait();
  void stop();

  std::string base_url() const;  // http://HOST:PORT, valid after start()
  int port() const;

  Database& database();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmsync::emulator
