#include "emulator/wire/wire.h"

#include <algorithm>
#include <vector>

#include "common/text.h"
#include "emulator/soql/paths.h"

namespace crmsync::emulator {
namespace {

using soql::Column;
using soql::ParentRef;
using soql::Selection;

// A field read through the Name entity has the type of the record's own field of that name.
FieldDef name_entity_def(const Table& table, const std::string& field) {
  if (auto idx = table.field_index(field)) return table.field(*idx);
  FieldDef d;
  d.name = field;
  d.type = "string";
  return d;
}

// The column's value on the parent record `parent` (a row of its relationship's object).
void append_parent_value(std::string& out, const Column& c, const Table& table, const Row& row) {
  if (c.field_index != Column::kByName) return append_field(out, table, c.field_index, row);
  append_value(out, name_entity_def(table, c.name), soql::name_entity_value(table, row, c.name, c.hidden_on));
}

// The child of `rel` on the way from `rel` down to `descendant`, or -1 when it is not below `rel`.
int child_toward(const Selection& sel, int rel, int descendant) {
  for (int r = descendant; r >= 0; r = sel.relationships[static_cast<std::size_t>(r)].parent) {
    if (sel.relationships[static_cast<std::size_t>(r)].parent == rel) return r;
  }
  return -1;
}

// Whether a TYPEOF column is written for a parent of object `table`: its WHEN's, or ELSE's when
// no WHEN names the parent's object.
bool typeof_applies(const soql::Relationship& r, const Column& c, const Table& table) {
  if (c.when != nullptr) return c.when == &table;
  return c.otherwise && std::find(r.when_types.begin(), r.when_types.end(), &table) == r.when_types.end();
}

void append_object(std::string& out, const Selection& sel, int rel, const Table& table, const Row& row,
                   std::string_view version, std::size_t index) {
  const soql::Relationship* self = rel >= 0 ? &sel.relationships[static_cast<std::size_t>(rel)] : nullptr;
  const bool name_entity = self != nullptr && self->polymorphic && !self->type_of;
  out += "{\"attributes\":{\"type\":";
  append_json_string(out, name_entity ? std::string("Name") : table.name());
  out += ",\"url\":\"/services/data/v";
  out += version;
  out += "/sobjects/";
  out += table.name();
  out.push_back('/');
  if (const auto* id = std::get_if<std::string>(&row[0])) out += *id;
  out += "\"}";
  std::vector<bool> written(sel.relationships.size(), false);
  for (const Column& c : sel.columns) {
    if (c.relationship == rel) {
      if (self != nullptr && self->type_of && !typeof_applies(*self, c, table)) continue;
      out += ",\"";
      out += c.name;
      out += "\":";
      if (rel < 0) {
        append_field(out, table, c.field_index, row);
      } else {
        append_parent_value(out, c, table, row);
      }
      continue;
    }
    const int child = child_toward(sel, rel, c.relationship);
    if (child < 0 || written[static_cast<std::size_t>(child)]) continue;
    const soql::Relationship& r = sel.relationships[static_cast<std::size_t>(child)];
    if (r.when != nullptr && r.when != &table) continue;  // another WHEN's relationship
    written[static_cast<std::size_t>(child)] = true;
    out += ",\"";
    out += r.name;
    out += "\":";
    const ParentRef p = r.rows[index];
    if (p.table == nullptr) {
      out += "null";
    } else {
      append_object(out, sel, child, *p.table, p.table->row(p.row), version, index);
    }
  }
  out.push_back('}');
}

// The record's (or a parent's) fields as XML elements, parents nested as sObjects (Bulk 1.0 XML).
void append_xml_object(std::string& out, const Selection& sel, int rel, const Table& table, const Row& row,
                       std::size_t index) {
  const bool polymorphic = rel >= 0 && sel.relationships[static_cast<std::size_t>(rel)].polymorphic;
  out += "<type>";
  out += polymorphic ? std::string("Name") : table.name();
  out += "</type>";
  bool has_id = false;
  for (const Column& c : sel.columns) has_id = has_id || (c.relationship == rel && c.name == "Id");
  append_xml_element(out, "Id", table.field(0), has_id ? row[0] : Value{});
  std::vector<bool> written(sel.relationships.size(), false);
  for (const Column& c : sel.columns) {
    if (c.relationship == rel) {
      if (rel < 0 || c.field_index != Column::kByName) {
        append_xml_element(out, c.name, table.field(c.field_index), row[c.field_index]);
      } else {
        append_xml_element(out, c.name, name_entity_def(table, c.name),
                           soql::name_entity_value(table, row, c.name, c.hidden_on));
      }
      continue;
    }
    const int child = child_toward(sel, rel, c.relationship);
    if (child < 0 || written[static_cast<std::size_t>(child)]) continue;
    written[static_cast<std::size_t>(child)] = true;
    const soql::Relationship& r = sel.relationships[static_cast<std::size_t>(child)];
    const ParentRef p = r.rows[index];
    out.push_back('<');
    out += r.name;
    if (p.table == nullptr) {
      out += " xsi:nil=\"true\"/>";
      continue;
    }
    out += " xsi:type=\"sObject\">";
    append_xml_object(out, sel, child, *p.table, p.table->row(p.row), index);
    out += "</";
    out += r.name;
    out.push_back('>');
  }
}

}  // namespace

void append_xml_record_with_paths(std::string& out, const Table& table, const Row& row, const Selection& selection,
                                  std::size_t index) {
  out += "<records xsi:type=\"sObject\">";
  append_xml_object(out, selection, -1, table, row, index);
  out += "</records>";
}

void append_record_with_paths(std::string& out, const Table& table, std::string_view version, const Row& row,
                              const Selection& selection, std::size_t index) {
  append_object(out, selection, -1, table, row, version, index);
}

void append_csv_header_with_paths(std::string& out, const Selection& selection, char delimiter, std::string_view eol) {
  for (std::size_t i = 0; i < selection.columns.size(); ++i) {
    if (i) out.push_back(delimiter);
    const Column& c = selection.columns[i];
    out.push_back('"');
    out += c.relationship < 0 ? c.name : c.path;
    out.push_back('"');
  }
  out.append(eol);
}

void append_csv_record_with_paths(std::string& out, const Table& table, const Row& row, const Selection& selection,
                                  std::size_t index, char delimiter, std::string_view eol) {
  for (std::size_t i = 0; i < selection.columns.size(); ++i) {
    if (i) out.push_back(delimiter);
    const Column& c = selection.columns[i];
    if (c.relationship < 0) {
      append_csv_value(out, table.field(c.field_index), row[c.field_index]);
      continue;
    }
    const ParentRef p = selection.relationships[static_cast<std::size_t>(c.relationship)].rows[index];
    if (p.table == nullptr) continue;  // no parent: an empty cell
    const Row& parent = p.table->row(p.row);
    if (c.field_index != Column::kByName) {
      append_csv_value(out, p.table->field(c.field_index), parent[c.field_index]);
    } else {
      append_csv_value(out, name_entity_def(*p.table, c.name),
                       soql::name_entity_value(*p.table, parent, c.name, c.hidden_on));
    }
  }
  out.append(eol);
}

}  // namespace crmsync::emulator
