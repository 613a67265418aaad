// The org file's [[validation_rules]]: read and checked against the org's schema when the org loads,
// and applied by the DML engine to every create and update of their object (check_validation_rules).
// An error condition is a SOQL WHERE condition, evaluated by the SOQL executor over the one record
// about to be stored (in a scratch table of the object's schema, so only the object's own fields
// mean anything: a relationship path reads as null there).
#include <memory>

#include "common/text.h"
#include "emulator/org/org.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator {
namespace {

Error rule_error(const OrgFile& file, const std::string& key, const std::string& message) {
  return Error(ErrorKind::kConfig, "ORG_FILE_INVALID", file.path + ": " + key + ": " + message);
}

// The rule's condition as a query over the object: SELECT Id FROM X WHERE (condition).
Result<soql::Query> condition_query(const ValidationRule& rule) {
  return soql::parse("SELECT Id FROM " + rule.object + " WHERE (" + rule.error_condition + ")");
}

// Whether `row` meets the condition: the executor over a scratch table holding only that row.
Result<bool> meets(const ValidationRule& rule, const Table& table, const Row* row) {
  auto query = condition_query(rule);
  if (!query) return query.error();
  Database scratch;
  Table& copy = scratch.add_table(std::make_unique<Table>(table.name(), table.key_prefix(), table.fields()));
  if (row != nullptr) {
    Row candidate = *row;
    const auto* id = std::get_if<std::string>(&candidate[0]);
    if (id == nullptr || id->size() != 18) candidate[0] = table.key_prefix() + std::string(15, '0');  // not created yet
    copy.insert(std::move(candidate));
  }
  auto result = soql::execute(*query, scratch, {.include_deleted = true});
  if (!result) return result.error();
  return !result->rows.empty();
}

}  // namespace

Status read_validation_rules(const OrgFile& file, const Database& db, std::vector<ValidationRule>& out) {
  if (!file.doc.contains("validation_rules")) return ok_status();
  const auto& list = file.doc["validation_rules"];
  if (!list.is_array()) return rule_error(file, "validation_rules", "must be a list of tables (TOML [[validation_rules]])");
  const std::vector<std::string> keys = {"object", "name", "error_condition", "message", "field"};
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string key = "validation_rules[" + std::to_string(i) + "]";
    const auto& e = list[i];
    if (!e.is_object()) return rule_error(file, key, "must be a table (an object)");
    for (const auto& [k, v] : e.items()) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
        return rule_error(file, key + "." + k, "unknown key; the keys here are object, name, error_condition, message, field");
      }
      if (!v.is_string() || v.get<std::string>().empty()) return rule_error(file, key + "." + k, "must be a non-empty string");
    }
    for (const char* required : {"object", "error_condition", "message"}) {
      if (!e.contains(required)) return rule_error(file, key + "." + required, "is missing; add it");
    }
    const Table* table = db.find(e["object"].get<std::string>());
    if (table == nullptr) return rule_error(file, key + ".object", "no object " + e["object"].get<std::string>() + " in the org");
    ValidationRule rule{table->name(), e.value("name", "Rule" + std::to_string(i + 1)), e["error_condition"],
                        e["message"], e.value("field", "")};
    if (!rule.field.empty()) {
      auto f = table->field_index(rule.field);
      if (!f) return rule_error(file, key + ".field", "no field " + rule.field + " on " + rule.object);
      rule.field = table->field(*f).name;
    }
    if (auto checked = meets(rule, *table, nullptr); !checked) {
      return rule_error(file, key + ".error_condition", "'" + rule.error_condition + "' is not a SOQL condition over " +
                                                            rule.object + ": " + checked.error().message);
    }
    out.push_back(std::move(rule));
  }
  return ok_status();
}

Status check_validation_rules(const std::vector<ValidationRule>& rules, const Table& table, const Row& row) {
  for (const auto& rule : rules) {
    if (!iequals(rule.object, table.name())) continue;
    auto met = meets(rule, table, &row);
    if (!met || !*met) continue;  // checked when the org loaded
    Error e(ErrorKind::kSalesforce, "FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.message, 400);
    e.fields = rule.field.empty() ? std::vector<std::string>{} : std::vector<std::string>{rule.field};
    return e;
  }
  return ok_status();
}

}  // namespace crmsync::emulator
