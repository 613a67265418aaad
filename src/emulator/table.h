// The emulator's in-memory org data: tables of typed rows, one per sObject, with their field
// definitions (what describe reports) and an Id index. Shared by the SOQL executor and the HTTP
// routes. Rows are never moved or erased (a hard delete marks the slot purged), so a query cursor
// can hold row numbers while writes go on; callers serialise access through Database::mutex().
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/timeutil.h"

namespace crmsync::emulator {

struct Date {
  EpochDays days = 0;
  auto operator<=>(const Date&) const = default;
};
struct DateTime {
  EpochMs ms = 0;
  auto operator<=>(const DateTime&) const = default;
};
struct Time {
  std::int32_t ms = 0;  // milliseconds since midnight
  auto operator<=>(const Time&) const = default;
};

// A field value. Which alternative a field holds follows its describe type:
// boolean -> bool; int/long -> int64; double/currency/percent -> double; date -> Date;
// datetime -> DateTime; time -> Time; everything else (id, reference, string, textarea, picklist,
// multipicklist "a;b", email, phone, url, combobox, encryptedstring) -> std::string; null -> monostate.
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string, Date, DateTime, Time>;
using Row = std::vector<Value>;

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

// One field as describe reports it (the subset of describe keys the emulator varies).
struct FieldDef {
  std::string name;
  std::string label;
  std::string type;  // Salesforce describe type: id, reference, string, textarea, picklist, ...
  int length = 0;
  int precision = 0;
  int scale = 0;
  int digits = 0;
  std::string extra_type_info;  // plaintextarea, richtextarea, personname, imageurl, ...
  bool html_formatted = false;
  std::vector<std::string> reference_to;
  std::string relationship_name;
  // A custom lookup's child relationship on its parent, as describe and subqueries name it
  // ("Invoices__r"); standard objects keep theirs on ObjectSpec::child_relationships.
  std::string child_relationship;
  bool polymorphic = false;
  bool calculated = false;
  std::string formula;
  bool nillable = true;
  bool createable = true;
  bool updateable = true;
  bool defaulted_on_create = false;
  bool external_id = false;
  bool unique = false;
  bool filterable = true;
  bool sortable = true;
  bool groupable = true;
  bool name_field = false;
  bool id_lookup = false;
  bool custom = false;
  std::string compound_field_name;
  std::vector<std::string> picklist_values;
  std::string picklist_default;  // the value a create without one gets (describe: defaultValue true)
  // A standard auto-number field (Case.CaseNumber): assigned on insert (Database::next_auto_number),
  // never written by a client.
  bool auto_number = false;
  // Whether field-level security governs the field: true for the org's schema and the org file's
  // custom fields; a field added straight to a Table (tests simulating schema drift) has none.
  bool field_security = false;
  std::string mask;       // encryptedstring: the mask character and type ("X", "all")
  std::string mask_type;
};

class Table {
 public:
  // `fields[0]` must be the Id field.
  Table(std::string name, std::string key_prefix, std::vector<FieldDef> fields);

  const std::string& name() const { return name_; }
  const std::string& key_prefix() const { return key_prefix_; }
  const std::vector<FieldDef>& fields() const { return fields_; }
  const FieldDef& field(std::size_t index) const { return fields_[index]; }

  // Case-insensitive, as SOQL and the REST API are.
  std::optional<std::size_t> field_index(std::string_view name) const;

  // Adds a field (custom fields, schema drift); every existing row gets null. Returns its index.
  std::size_t add_field(FieldDef field);

  // Number of row slots, purged ones included; valid row numbers are 0 .. slot_count()-1.
  std::size_t slot_count() const { return rows_.size(); }
  std::size_t live_count() const { return live_; }
  bool purged(std::size_t row) const { return purged_[row]; }
  const Row& row(std::size_t index) const { return rows_[index]; }
  // Call before changing the row (it notes the stamp the modstamp index holds the row under).
  Row& mutable_row(std::size_t index) {
    note_write(index);
    return rows_[index];
  }

  // Every row number (purged ones included) ordered by (SystemModstamp, Id) with null stamps
  // first, as ORDER BY SystemModstamp, Id sorts; nullptr when the table has no datetime
  // SystemModstamp. Built in full on first use (O(n log n)); after that, writes are applied
  // incrementally on the next use: rows written with a new stamp are taken out (one sequential
  // pass over the index) and merged back in at their new place with the rows inserted since
  // (O(k log k), plus the index's tail from the first new place: nothing when they are stamped
  // "now"). Holders of an older result keep it unchanged (copy on write). Call under the
  // Database's shared (or exclusive) lock.
  std::shared_ptr<const std::vector<std::uint32_t>> modstamp_order() const;

  // The row number of an Id given in 15- or 18-character form, or nullopt (purged rows too).
  std::optional<std::size_t> find(std::string_view id) const;

  // The rows (purged ones included, ascending) whose reference field `field` holds `id` (15- or
  // 18-character), as a lookup costs: an index of the field by the 15-character key, built in
  // full on first use (O(n)); after that, rows written or inserted since are filed again on the
  // next use (O(k)). Call under the Database's shared (or exclusive) lock.
  std::vector<std::size_t> rows_referencing(std::size_t field, std::string_view id) const;

  // Appends a row; `row[0]` must hold the record's 18-character Id. Short rows are padded with nulls.
  std::size_t insert(Row row);
  // A hard delete: the record is gone for every API except getDeleted's history.
  void purge(std::size_t index);
  // Transaction rollback (an allOrNone collection): restore() undoes a purge; remove_last() undoes
  // the insert of the table's last row, which then never existed (its Id is not reused).
  void restore(std::size_t index);
  void remove_last(std::size_t index);

 private:
  std::string name_;
  std::string key_prefix_;
  std::vector<FieldDef> fields_;
  std::unordered_map<std::string, std::size_t> field_by_lower_name_;
  std::vector<Row> rows_;
  std::vector<bool> purged_;
  std::unordered_map<std::string, std::size_t> row_by_id15_;
  std::size_t live_ = 0;

  // The modstamp index. Readers bring it up to date under index_mu_; writers (mutable_row,
  // insert, ...) only note what changed. Rows at or past indexed_rows_ were inserted since the
  // last update and are not in it yet; moved_ holds the rows written since, with the stamp the
  // index holds them under (a row whose stamp did not change keeps its place).
  void note_write(std::size_t row);
  void invalidate_order();
  void rebuild_order(std::size_t stamp) const;
  void update_order(std::size_t stamp) const;
  mutable std::mutex index_mu_;
  mutable std::shared_ptr<std::vector<std::uint32_t>> modstamp_order_;
  mutable bool order_valid_ = false;  // false: the next use rebuilds in full
  mutable std::size_t indexed_rows_ = 0;
  mutable std::unordered_map<std::uint32_t, EpochMs> moved_;

  // The reference indexes (rows_referencing), by field, under index_mu_ as the modstamp index.
  // `moved` holds the rows written since the last use, with the key the index files them under.
  struct ReferenceIndex {
    std::unordered_map<std::string, std::vector<std::uint32_t>> rows;  // by 15-character Id
    std::size_t indexed_rows = 0;
    std::unordered_map<std::uint32_t, std::string> moved;
  };
  void update_reference_index(std::size_t field, ReferenceIndex& index) const;
  mutable std::unordered_map<std::size_t, ReferenceIndex> reference_indexes_;
};

struct ObjectSpec;  // org/org.h

// The whole org: every table by name, and new Ids per key prefix.
class Database {
 public:
  Table& add_table(std::unique_ptr<Table> table);
  Table* find(std::string_view name);  // case-insensitive
  const Table* find(std::string_view name) const;
  // The table whose key prefix starts `id`, or nullptr.
  Table* find_by_id(std::string_view id);
  std::vector<const Table*> tables() const;

  // A fresh, never reused 18-character Id for the table's key prefix.
  std::string new_id(const Table& table);
  // The next value of an auto-number field, never reused: Salesforce's standard display format
  // {00000000}, the first record of the org numbered 00001001.
  std::string next_auto_number(const Table& table, const FieldDef& field);

  // The custom objects an org file defines ([[custom_objects]]): their describe flags, beside the
  // fixed schema's (org/org.h object_spec() looks here first).
  void add_custom_object(const std::string& name, std::shared_ptr<const ObjectSpec> spec);
  const ObjectSpec* custom_object(std::string_view name) const;  // case-insensitive; nullptr: none
  std::vector<const ObjectSpec*> custom_objects() const;

  // Readers (queries, describe) take it shared; writers (DML, org edits) take it exclusive.
  std::shared_mutex& mutex() const { return mutex_; }

 private:
  std::map<std::string, std::unique_ptr<Table>> tables_;  // by lower-case name
  std::unordered_map<std::string, std::uint64_t> next_serial_;
  std::unordered_map<std::string, std::uint64_t> next_auto_number_;  // by "Table.Field"
  std::map<std::string, std::shared_ptr<const ObjectSpec>> custom_objects_;  // by lower-case name
  mutable std::shared_mutex mutex_;
};

}  // namespace crmsync::emulator
