#include "common/result.h"

namespace crmsync {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConfig: return "config";
    case ErrorKind::kNetwork: return "network";
    case ErrorKind::kAuth: return "auth";
    case ErrorKind::kSalesforce: return "salesforce";
    case ErrorKind::kPermission: return "permission";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kNotFound: return "not-found";
    case ErrorKind::kStore: return "store";
    case ErrorKind::kLimit: return "limit";
    case ErrorKind::kInternal: return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const {
  if (code.empty()) return message;
  return code + ": " + message;
}

}  // namespace crmsync
