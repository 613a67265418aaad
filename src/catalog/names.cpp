// Names of the catalog's enums as users and docs/catalog.md spell them, and each type's storage.
#include "catalog/catalog.h"

namespace crmsync::catalog {

const char* to_string(Mark mark) {
  switch (mark) {
    case Mark::kRequired: return "required";
    case Mark::kRecommended: return "recommended";
    case Mark::kBookkeeping: return "bookkeeping";
    case Mark::kOther: return "other";
    case Mark::kBoard: return "board";
  }
  return "?";
}

const char* to_string(Group group) {
  switch (group) {
    case Group::kCore: return "core";
    case Group::kDeals: return "deals";
    case Group::kEngage: return "engage";
    case Group::kBoards: return "boards";
  }
  return "?";
}

const char* title(Group group) {
  switch (group) {
    case Group::kCore: return "Core";
    case Group::kDeals: return "Deals and forecast";
    case Group::kEngage: return "Engage";
    case Group::kBoards: return "Boards";
  }
  return "?";
}

const char* availability(Group group) {
  switch (group) {
    case Group::kCore: return "always on";
    case Group::kDeals: return "on by default, off when the org lacks the object";
    case Group::kEngage: return "off by default";
    case Group::kBoards: return "on by default, each object skipped when the org lacks it";
  }
  return "?";
}

const char* to_string(FieldType type) {
  switch (type) {
    case FieldType::kBoolean: return "BOOLEAN";
    case FieldType::kCombobox: return "COMBOBOX";
    case FieldType::kCurrency: return "CURRENCY";
    case FieldType::kDate: return "DATE";
    case FieldType::kDateTime: return "DATETIME";
    case FieldType::kDouble: return "DOUBLE";
    case FieldType::kNumber: return "NUMBER";
    case FieldType::kEmail: return "EMAIL";
    case FieldType::kId: return "ID";
    case FieldType::kInt: return "INT";
    case FieldType::kTextArea: return "TEXTAREA";
    case FieldType::kLongTextArea: return "LONG TEXT AREA";
    case FieldType::kRichText: return "RICHTEXT";
    case FieldType::kPercent: return "PERCENT";
    case FieldType::kPhone: return "PHONE";
    case FieldType::kPicklist: return "PICKLIST";
    case FieldType::kLookup: return "LOOKUP";
    case FieldType::kReference: return "REFERENCE";
    case FieldType::kString: return "STRING";
    case FieldType::kTime: return "TIME";
    case FieldType::kUrl: return "URL";
  }
  return "?";
}

StorageClass storage_of(FieldType type) {
  switch (type) {
    case FieldType::kBoolean: return StorageClass::kBoolean;
    case FieldType::kInt: return StorageClass::kInteger;
    case FieldType::kCurrency:
    case FieldType::kDouble:
    case FieldType::kNumber:
    case FieldType::kPercent: return StorageClass::kReal;
    case FieldType::kDate: return StorageClass::kDate;
    case FieldType::kDateTime: return StorageClass::kDateTime;
    case FieldType::kTime: return StorageClass::kTime;
    case FieldType::kCombobox:
    case FieldType::kEmail:
    case FieldType::kId:
    case FieldType::kTextArea:
    case FieldType::kLongTextArea:
    case FieldType::kRichText:
    case FieldType::kPhone:
    case FieldType::kPicklist:
    case FieldType::kLookup:
    case FieldType::kReference:
    case FieldType::kString:
    case FieldType::kUrl: return StorageClass::kText;
  }
  return StorageClass::kText;
}

const char* to_string(StorageClass storage) {
  switch (storage) {
    case StorageClass::kBoolean: return "boolean";
    case StorageClass::kInteger: return "integer";
    case StorageClass::kReal: return "real";
    case StorageClass::kText: return "text";
    case StorageClass::kDate: return "date";
    case StorageClass::kDateTime: return "datetime";
    case StorageClass::kTime: return "time";
  }
  return "?";
}

bool is_search_object(std::string_view object) {
  for (auto o : kSearchObjects) {
    if (o == object) return true;
  }
  return false;
}

bool is_searchable(FieldType type) {
  switch (type) {
    case FieldType::kString:
    case FieldType::kEmail:
    case FieldType::kPhone:
    case FieldType::kTextArea:
    case FieldType::kLongTextArea:
    case FieldType::kCombobox: return true;
    default: return false;
  }
}

std::vector<std::string> search_columns(const FieldSelection& selection) {
  std::vector<std::string> out;
  if (!is_search_object(selection.object)) return out;
  for (const auto& f : selection.fields) {
    if (is_searchable(f.type)) out.push_back(f.name);
  }
  return out;
}

const char* postgresql_type(StorageClass storage) {
  switch (storage) {
    case StorageClass::kBoolean: return "boolean";
    case StorageClass::kInteger: return "bigint";
    case StorageClass::kReal: return "numeric";
    case StorageClass::kText: return "text";
    case StorageClass::kDate: return "date";
    case StorageClass::kDateTime: return "timestamp with time zone";
    case StorageClass::kTime: return "time without time zone";
  }
  return "text";
}

}  // namespace crmsync::catalog
