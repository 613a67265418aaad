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
//   DmlError err;
//   auto id = create_record(org, user_id, *db.find("Account"), body, err, &journal);
//   if (!id) ...answer err...
#pragma once

#include <nlohmann/json.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "emulator/access/access.h"
#include "emulator/table.h"

namespace crmsync::emulator {

// A refused record: HTTP status (single-record routes), Salesforce's errorCode / statusCode,
// message and fields. `with_fields` is false where the single-record error body has no "fields".
struct DmlError {
  int status = 400;
  std::string code;
  std::string message;
  std::vector<std::string> fields;
  bool with_fields = true;
};

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

// What a write reads and changes besides its table: the org (the caller holds db.mutex()
// exclusively), the permission model (the writer's access; dropped when a setup object changes)
// and the write clock.
struct DmlContext {
  Database& db;
  AccessModel& access;
  WriteClock& clock;
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
std::optional<nlohmann::json> parse_record_body(const std::string& body, const std::string& type, DmlError& err);
// A request value of the wrong JSON type for `type` ("boolean", "double", ...): Salesforce's
// JSON_PARSER_ERROR "Cannot deserialize instance of boolean from VALUE_STRING value yes ...".
DmlError json_type_error(const std::string& type, const nlohmann::json& v);
// Why parse_json refused `text`, in the words of Salesforce's JSON_PARSER_ERROR.
std::string json_problem_message(std::string_view text, const JsonProblem& problem);

// INVALID_TYPE_FOR_OPERATION when the object's records cannot be inserted through the API.
// create_record checks it too; the /sobjects route asks first, so that it answers before reading
// the body, as Salesforce does.
std::optional<DmlError> insert_refused(const Table& table);

// Whether the record is in the recycle bin (IsDeleted true).
bool row_deleted(const Table& table, const Row& row);

// The single-record writes. `journal` may be null. create_record returns the new record's Id.
std::optional<std::string> create_record(const DmlContext& org, const std::string& user_id, Table& table,
                                         const nlohmann::json& body, DmlError& err, DmlJournal* journal);
// Update and delete answer 404 NOT_FOUND for an Id that does not exist for the user.
bool update_record(const DmlContext& org, const std::string& user_id, Table& table, const std::string& id,
                   const nlohmann::json& body, DmlError& err, DmlJournal* journal);
bool delete_record(const DmlContext& org, const std::string& user_id, Table& table, const std::string& id,
                   DmlError& err, DmlJournal* journal);

// Upsert matching: the live records whose `field` equals `value` (case-insensitive for text).
// `field` must be Id or an external ID field the user can read; otherwise nullopt and `err` is
// Salesforce's 404 NOT_FOUND for the field.
std::optional<std::size_t> upsert_field(const DmlContext& org, const std::string& user_id, const Table& table,
                                        const std::string& field, DmlError& err);
std::vector<std::size_t> upsert_matches(const Table& table, std::size_t field, const std::string& value);

}  // namespace crmsync::emulator
