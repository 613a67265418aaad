// The emulator's DML engine: one record's create, update or delete with every check the REST API
// runs (object type, permissions and record access, field-level security, field types, required
// fields, references, record types) and what Salesforce does to a saved record (defaults, derived
// values such as Name and IsClosed, the creating user's currency and record type, audit fields,
// soft and hard deletes). The /sobjects routes, sObject Collections and upserts all write through
// it, so that a record is refused the same way whichever route wrote it. A DmlJournal records what
// changed so that an allOrNone collection can undo it.
//
//   std::unique_lock lock(db.mutex());                    // exclusive, for the whole operation
//   DmlContext org{db, access_model, clock};
//   Result<std::string> id = create_record(org, user_id, *db.find("Account"), body, &journal);
//   if (!id) ...answer id.error(), Salesforce's error for the record (sf_error.h)...
#pragma once

#include <nlohmann/json.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "emulator/access/access.h"
#include "emulator/table.h"

namespace crmsync::emulator {

// SystemModstamp for writes: now, but strictly later than every earlier write and every generated
// row. Thread-safe.
class WriteClock {
 public:
  EpochMs next();
  // Before the first write: every stamp after this is later than `latest` (the generated org's).
  void start_after(EpochMs latest);

 private:
  std::mutex mu_;
  EpochMs last_ = 0;
};

struct ValidationRule;  // org/org.h

// What a write reads and changes besides its table: the org (the caller holds db.mutex()
// exclusively), the permission model (the writer's access; dropped when a setup object changes),
// the write clock and the org's validation rules (none when null).
struct DmlContext {
  Database& db;
  AccessModel& access;
  WriteClock& clock;
  const std::vector<ValidationRule>* validation_rules = nullptr;
};

// What a transaction changed, newest last; rollback() restores every row as it was.
class DmlJournal {
 public:
  void inserted(Table& table, std::size_t row);
  void changed(Table& table, std::size_t row, const Row& before);  // update, soft or hard delete
  bool empty() const { return entries_.empty(); }
  void rollback(AccessModel& access);  // drops cached access when a setup row is restored

 private:
  struct Entry {
    Table* table;
    std::size_t row;
    std::optional<Row> before;  // nullopt: the row was inserted
  };
  std::vector<Entry> entries_;
};

// Parses a request body that must be a JSON object (JSON_PARSER_ERROR worded as Salesforce does;
// nesting bounded by common/json.h).
Result<nlohmann::json> parse_record_body(const std::string& body, const std::string& type);
// A request value of the wrong JSON type for `type` ("boolean", "double", ...): Salesforce's
// JSON_PARSER_ERROR "Cannot deserialize instance of boolean from VALUE_STRING value yes ...".
Error json_type_error(const std::string& type, const nlohmann::json& v);
// Why parse_json refused `text`, in the words of Salesforce's JSON_PARSER_ERROR.
std::string json_problem_message(std::string_view text, const JsonProblem& problem);

// Whether the object's records can be inserted through the API; errors: INVALID_TYPE_FOR_OPERATION.
// create_record checks it too; the /sobjects route asks first, so that it answers before reading
// the body, as Salesforce does.
Status check_insertable(const Database& db, const Table& table);

// Whether the record is in the recycle bin (IsDeleted true).
bool row_deleted(const Table& table, const Row& row);

// The single-record writes, as `user_id`. `journal` may be null. create_record returns the new
// record's Id. Errors (sf_error.h) are Salesforce's for the record: its fields' values, the
// user's access (access/access.h), required fields, the record type, the currency. Update and
// delete answer 404 NOT_FOUND (not_found()) for an Id that does not exist for the user, and
// create for an object the user cannot see.
Result<std::string> create_record(const DmlContext& org, const std::string& user_id, Table& table,
                                  const nlohmann::json& body, DmlJournal* journal);
Status update_record(const DmlContext& org, const std::string& user_id, Table& table, const std::string& id,
                     const nlohmann::json& body, DmlJournal* journal);
Status delete_record(const DmlContext& org, const std::string& user_id, Table& table, const std::string& id,
                     DmlJournal* journal);

// Upsert matching: the live records whose `field` equals `value` (case-insensitive for text).
// `field` must be Id or an external ID field the user can read; errors: Salesforce's 404
// NOT_FOUND for the field.
Result<std::size_t> upsert_field(const DmlContext& org, const std::string& user_id, const Table& table,
                                 const std::string& field);
std::vector<std::size_t> upsert_matches(const Table& table, std::size_t field, const std::string& value);
// The key `column`'s value in an upsert record body (text as given, other JSON as written), or
// nullopt when the body has none or null.
std::optional<std::string> upsert_key_value(const Table& table, std::size_t column, const nlohmann::json& body);
// Which record an upsert of one record writes, as sObject Collections and Bulk ingest decide it:
// the Id of the one live record whose key `column` equals `value`, or "" to insert a new one (no
// match; or no Id given when the key is Id). Errors: MISSING_ARGUMENT (an external ID without a
// value), DUPLICATE_EXTERNAL_ID (several records match), INVALID_CROSS_REFERENCE_KEY (an Id that
// matches nothing).
Result<std::string> upsert_target(const Table& table, std::size_t column, const std::optional<std::string>& value);

// One record of a Bulk API job (2.0 ingest or 1.0 batch), written as `user_id` without a journal
// (each record stands alone, as with allOrNone false): `operation` is insert, update, upsert,
// delete or hardDelete; `body` holds the record's fields, with its Id for update and the deletes
// and its key `upsert_key` (upsert_field) for upsert. hardDelete purges the record (the caller
// checked the Bulk API Hard Delete permission). Errors are the record's, per_record_error applied.
struct BulkRecordResult {
  std::string id;  // the record written or named; empty when none
  bool created = false;
  std::optional<Error> error;
};
BulkRecordResult write_bulk_record(const DmlContext& org, const std::string& user_id, const std::string& operation,
                                   Table& table, std::optional<std::size_t> upsert_key, nlohmann::json body);

// A record's error in a many-record write (sObject Collections, Bulk ingest) where the
// single-record route would answer 404 NOT_FOUND: INVALID_TYPE for a create on an object the user
// cannot see, INVALID_CROSS_REFERENCE_KEY for a record the user cannot see. Other errors unchanged.
Error per_record_error(Error e, bool create);

}  // namespace crmsync::emulator
