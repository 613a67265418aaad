// Field selections built by hand for the sync's parser tests and bench/csv_parse.cpp (no describe
// call): one field of a type, the 8-field Opportunity selection the parser tests share, and a value
// quoted as Salesforce's Bulk CSV quotes every cell.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "catalog/catalog.h"

namespace crmsync::testing {

inline catalog::SyncedField field(std::string name, catalog::FieldType type) {
  return {std::move(name), type, catalog::storage_of(type), catalog::Mark::kRequired, false, {}, 0};
}

// Ids, text, money, a boolean, a date, a datetime, a long text area and an integer.
inline catalog::FieldSelection opportunity_selection() {
  using catalog::FieldType;
  catalog::FieldSelection sel;
  sel.object = "Opportunity";
  sel.modstamp_field = "SystemModstamp";
  sel.fields = {field("Id", FieldType::kId),
                field("Name", FieldType::kString),
                field("Amount", FieldType::kCurrency),
                field("IsDeleted", FieldType::kBoolean),
                field("CloseDate", FieldType::kDate),
                field("SystemModstamp", FieldType::kDateTime),
                field("Description", FieldType::kLongTextArea),
                field("NumberOfEmployees__c", FieldType::kInt)};
  return sel;
}

// `s` in double quotes, its quotes doubled.
inline std::string csv_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace crmsync::testing
