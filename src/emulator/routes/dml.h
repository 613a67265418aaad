// One record's create, update or delete with every check the REST API runs (object type,
// permissions and record access, field-level security, field types, required fields, references,
// record types), shared by the /sobjects routes, sObject Collections and upserts, so that a record
// is refused the same way whichever route wrote it. A DmlJournal records what changed so that an
// allOrNone collection can undo it. Internal to the emulator; the caller holds db->mutex()
// exclusively for the whole operation (and its rollback).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "emulator/routes/routes.h"

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

// What a transaction changed, newest last; rollback() restores every row as it was.
class DmlJournal {
 public:
  void inserted(Table& table, std::size_t row);
  void changed(Table& table, std::size_t row, const Row& before);  // update, soft or hard delete
  bool empty() const { return entries_.empty(); }
  void rollback(EmuState& s);

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

// The single-record writes. `journal` may be null. create_record returns the new record's Id.
std::optional<std::string> create_record(EmuState& s, const std::string& user_id, Table& table,
                                         const nlohmann::json& body, DmlError& err, DmlJournal* journal);
// Update and delete answer 404 NOT_FOUND for an Id that does not exist for the user.
bool update_record(EmuState& s, const std::string& user_id, Table& table, const std::string& id,
                   const nlohmann::json& body, DmlError& err, DmlJournal* journal);
bool delete_record(EmuState& s, const std::string& user_id, Table& table, const std::string& id, DmlError& err,
                   DmlJournal* journal);

// Upsert matching: the live records whose `field` equals `value` (case-insensitive for text).
// `field` must be Id or an external ID field the user can read; otherwise nullopt and `err` is
// Salesforce's 404 NOT_FOUND for the field.
std::optional<std::size_t> upsert_field(EmuState& s, const std::string& user_id, const Table& table,
                                        const std::string& field, DmlError& err);
std::vector<std::size_t> upsert_matches(const Table& table, std::size_t field, const std::string& value);

}  // namespace crmsync::emulator
