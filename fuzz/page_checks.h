// The promises sync/page_parser.h and sync/csv_parser.h make about a parsed page, checked on every
// page json_page.cpp and csv_page.cpp parse, and the field selection both targets parse for: the
// parser tests' Opportunity selection with Salesforce's describe lengths.
#pragma once

#include <string_view>

#include "common/text.h"
#include "common/timeutil.h"
#include "fuzz_support.h"
#include "selection_fixture.h"  // tests/unit/sync
#include "sync/page_parser.h"

namespace crmsync::fuzz {

inline catalog::FieldSelection fuzz_selection() {
  catalog::FieldSelection sel = testing::opportunity_selection();
  for (auto& f : sel.fields) {
    if (f.name == "Name") f.length = 120;
    if (f.name == "Description") f.length = 32000;
  }
  return sel;
}

// YYYY-MM-DDTHH:MM:SS.sssZ
inline bool is_store_datetime(std::string_view s) {
  if (s.size() != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
      s[23] != 'Z') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

inline store::RowBuffer::Kind kind_of(catalog::StorageClass storage) {
  using K = store::RowBuffer::Kind;
  switch (storage) {
    case catalog::StorageClass::kBoolean: return K::kBool;
    case catalog::StorageClass::kInteger: return K::kInteger;
    case catalog::StorageClass::kReal: return K::kReal;
    default: return K::kText;
  }
}

// The index of `name` in the selection (which holds it).
inline std::size_t index_of(const catalog::FieldSelection& sel, std::string_view name) {
  return static_cast<std::size_t>(sel.find(name) - sel.fields.data());
}

inline void check_page(const catalog::FieldSelection& sel, const sync::ParsedPage& page) {
  const store::RowBuffer& rows = page.rows;
  if (rows.empty()) return;
  const std::size_t is_deleted = index_of(sel, "IsDeleted");
  const std::size_t modstamp = index_of(sel, sel.modstamp_field);
  FUZZ_CHECK(rows.width() == sel.fields.size(), "rows of %zu cells for %zu fields", rows.width(), sel.fields.size());
  std::int64_t deleted = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    FUZZ_CHECK(rows.kind(r, 0) == store::RowBuffer::Kind::kText, "row %zu has no Id", r);
    for (std::size_t k = 0; k < sel.fields.size(); ++k) {
      const catalog::SyncedField& f = sel.fields[k];
      if (rows.is_null(r, k)) continue;
      FUZZ_CHECK(rows.kind(r, k) == kind_of(f.storage), "%s holds a value of another kind", f.name.c_str());
      if (f.storage == catalog::StorageClass::kDateTime) {
        FUZZ_CHECK(is_store_datetime(rows.text(r, k)), "%s stored as '%.*s'", f.name.c_str(),
                   static_cast<int>(rows.text(r, k).size()), rows.text(r, k).data());
      }
      if (f.storage != catalog::StorageClass::kText) continue;
      const std::size_t chars = utf8_length(rows.text(r, k));
      if (f.length > 0) FUZZ_CHECK(chars <= static_cast<std::size_t>(f.length), "%s longer than its length", f.name.c_str());
      if (f.type == catalog::FieldType::kLongTextArea) {
        FUZZ_CHECK(chars <= catalog::kLongTextMaxChars, "%s not trimmed to 10,000 characters", f.name.c_str());
      }
    }
    if (rows.kind(r, is_deleted) == store::RowBuffer::Kind::kBool && rows.get_bool(r, is_deleted)) ++deleted;
  }
  FUZZ_CHECK(page.deleted == deleted, "deleted counts %lld rows, the rows say %lld", static_cast<long long>(page.deleted),
             static_cast<long long>(deleted));
  const std::size_t last = rows.size() - 1;
  FUZZ_CHECK(page.last_id == rows.text(last, 0), "last_id is not the last row's Id");
  // The watermark: the last row's modstamp, read back exactly.
  if (!rows.is_null(last, modstamp)) {
    FUZZ_CHECK(page.last_modstamp && format_datetime_iso(*page.last_modstamp) == rows.text(last, modstamp),
               "last_modstamp is not the last row's %s", sel.modstamp_field.c_str());
  }
}

}  // namespace crmsync::fuzz
