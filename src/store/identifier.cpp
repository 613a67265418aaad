#include "store/identifier.h"

#include <unordered_set>

#include "common/text.h"
#include "store/store.h"

namespace crmsync::store {

namespace {
bool is_start_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_body_char(char c) { return is_start_char(c) || (c >= '0' && c <= '9'); }
}  // namespace

bool is_identifier(std::string_view name) {
  if (name.empty() || !is_start_char(name.front())) return false;
  for (char c : name) {
    if (!is_body_char(c)) return false;
  }
  return true;
}

Status check_identifier(std::string_view what, std::string_view name) {
  if (is_identifier(name)) return ok_status();
  return Error(ErrorKind::kConfig, "INVALID_IDENTIFIER",
               "The " + std::string(what) + " name '" + std::string(name) +
                   "' is not accepted by the store: names must match [A-Za-z_][A-Za-z0-9_]*.");
}

std::string reload_table_name(std::string_view object) { return std::string(kReloadTablePrefix) + std::string(object); }

Status check_table_name(std::string_view object) {
  CRMSYNC_TRY(check_identifier("table", object));
  if (object.size() > kReloadTablePrefix.size() && object.starts_with(kReloadTablePrefix)) {
    return check_table_name(object.substr(kReloadTablePrefix.size()));
  }
  for (std::string_view reserved : {"crmsync_", "sqlite_", "pg_"}) {
    if (object.size() >= reserved.size() && iequals(object.substr(0, reserved.size()), reserved)) {
      return Error(ErrorKind::kConfig, "RESERVED_IDENTIFIER",
                   "The table name '" + std::string(object) + "' starts with '" + std::string(reserved) +
                       "', which is reserved for the store's own tables.");
    }
  }
  return ok_status();
}

Status check_columns(std::string_view object, const std::vector<Column>& columns) {
  std::string what = "column of " + std::string(object);
  std::unordered_set<std::string> seen;
  for (const Column& c : columns) {
    CRMSYNC_TRY(check_identifier(what, c.name));
    if (!seen.insert(to_lower(c.name)).second) {
      return Error(ErrorKind::kConfig, "DUPLICATE_COLUMN",
                   "The column " + std::string(object) + "." + c.name + " is listed twice.");
    }
    if (iequals(c.name, "Id") && c.type != catalog::StorageClass::kText) {
      return Error(ErrorKind::kConfig, "INVALID_ID_COLUMN",
                   "The column " + std::string(object) + ".Id must be stored as text (it identifies the row).");
    }
  }
  return ok_status();
}

Error no_such_column(std::string_view table, std::string_view column) {
  return Error(ErrorKind::kConfig, "NO_SUCH_COLUMN",
               "The table " + std::string(table) + " has no column " + std::string(column) +
                   "; add the field to the sync ([objects." + std::string(table) + "] include) and sync again.");
}

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  out += name;
  out += '"';
  return out;
}

}  // namespace crmsync::store
