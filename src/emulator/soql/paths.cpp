#include "emulator/soql/paths.h"

#include <algorithm>
#include <map>

#include "common/text.h"
#include "emulator/soql/lexer.h"
#include "emulator/soql/select.h"

namespace crmsync::emulator::soql {
namespace {

// The Name entity's fields (Object Reference, "Name") that the emulator's objects can fill.
struct NameField {
  const char* name;
  const char* type;
};
constexpr NameField kNameFields[] = {
    {"Id", "id"},
    {"Name", "string"},
    {"Type", "string"},
    {"Alias", "string"},
    {"Email", "email"},
    {"FirstName", "string"},
    {"LastName", "string"},
    {"MiddleName", "string"},
    {"Suffix", "string"},
    {"IsActive", "boolean"},
    {"Phone", "phone"},
    {"Title", "string"},
    {"Username", "string"},
    {"CommunityNickname", "string"},
    {"ProfileId", "reference"},
    {"UserRoleId", "reference"},
    {"RecordTypeId", "reference"},
    {"LastReferencedDate", "datetime"},
    {"LastViewedDate", "datetime"},
};

const NameField* name_field(std::string_view name) {
  for (const NameField& f : kNameFields) {
    if (iequals(f.name, name)) return &f;
  }
  return nullptr;
}

bool implicit_parent(const Table& from, const FieldDef& ref) {
  return iequals(ref.name, "AccountId") &&
         (iequals(from.name(), "Contact") || iequals(from.name(), "Opportunity") || iequals(from.name(), "Case"));
}

Error unknown_relationship(std::string_view text, std::size_t offset, std::string_view head) {
  return query_error("INVALID_FIELD", text, offset,
                     "Didn't understand relationship '" + std::string(head) +
                         "' in field path. If you are attempting to use a custom relationship, be sure to append the "
                         "'__r' after the custom relationship name. Please reference your WSDL or the describe call "
                         "for the appropriate names.");
}

Error no_such_column(std::string_view text, std::size_t offset, std::string_view field, std::string_view entity) {
  return query_error("INVALID_FIELD", text, offset,
                     "No such column '" + std::string(field) + "' on entity '" + std::string(entity) +
                         "'. If you are attempting to use a custom field, be sure to append the '__c' after the "
                         "custom field name. Please reference your WSDL or the describe call for the appropriate "
                         "names.");
}

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

std::size_t is_deleted_index(const Table& table) {
  auto idx = table.field_index("IsDeleted");
  return idx && table.field(*idx).type == "boolean" ? *idx : kNone;
}

bool deleted(std::size_t is_deleted, const Row& row) {
  if (is_deleted == kNone) return false;
  const auto* b = std::get_if<bool>(&row[is_deleted]);
  return b != nullptr && *b;
}

// The objects a polymorphic hop reaches whose field `name` the user's field-level security hides
// (the Name entity's fields are the record's own; `Type` is computed, not a field).
std::vector<const Table*> hidden_name_fields(const Hop& hop, std::string_view name, const ExecOptions& options) {
  std::vector<const Table*> hidden;
  if (!options.field_visible || iequals(name, "Type")) return hidden;
  for (const Table* t : hop.targets) {
    auto index = t->field_index(name);
    if (index && !options.field_visible(*t, t->field(*index))) hidden.push_back(t);
  }
  return hidden;
}

// The leaf of a path through a polymorphic hop: a field of the Name entity.
Status name_entity_leaf(ResolvedPath& path, std::string_view leaf, std::string_view text, std::size_t offset,
                        const ExecOptions& options) {
  const NameField* nf = name_field(leaf);
  if (nf == nullptr) return no_such_column(text, offset, leaf, "Name");
  path.field_name = nf->name;
  path.def.name = nf->name;
  path.def.type = nf->type;
  path.hidden_on = hidden_name_fields(path.hops.back(), nf->name, options);
  return ok_status();
}

// The object of a TYPEOF's WHEN clause among the polymorphic hop's readable targets.
Result<const Table*> when_object(const Hop& hop, const FieldRef& relationship, const FieldRef& type,
                                 std::string_view text, const Database& db, const ExecOptions& options) {
  for (const Table* t : hop.targets) {
    if (iequals(t->name(), type.name)) return t;
  }
  const Table* known = db.find(type.name);
  if (known == nullptr || (options.table_visible && !options.table_visible(*known))) {
    return unknown_object_error(text, type);
  }
  return query_error("MALFORMED_QUERY", text, type.offset,
                     "'" + known->name() + "' is not a valid type for the polymorphic relationship field '" +
                         relationship.name + "'");
}

}  // namespace

Result<std::vector<ResolvedPath>> resolve_typeof(const Table& table, const FieldRef& ref, std::string_view text,
                                                 const Database& db, const ExecOptions& options) {
  FieldRef probe{ref.name + ".Id", ref.offset};
  auto reached = resolve_path(table, probe, text, db, options);
  if (!reached) {
    if (ref.name.find('.') == std::string::npos) return reached.error();
    return unknown_relationship(text, ref.offset, ref.name);  // TYPEOF Account.Owner: one hop only
  }
  if (reached->hops.size() != 1 || reached->hops[0].target != nullptr) {
    return query_error("MALFORMED_QUERY", text, ref.offset,
                       "TYPEOF can only be used on a polymorphic relationship field, and '" + ref.name +
                           "' on " + table.name() + " is not one");
  }
  ResolvedPath base;
  base.hops = std::move(reached->hops);
  base.type_of = true;
  const TypeOf& clauses = *ref.type_of;
  for (const TypeOfWhen& when : clauses.whens) {
    auto object = when_object(base.hops[0], ref, when.type, text, db, options);
    if (!object) return object.error();
    base.when_types.push_back(*object);
  }
  std::vector<ResolvedPath> out;
  for (std::size_t w = 0; w < clauses.whens.size(); ++w) {
    const Table& at = *base.when_types[w];
    for (const FieldRef& f : clauses.whens[w].fields) {
      if (is_path(at, f)) {  // WHEN Account THEN Owner.Name: a path from the WHEN object
        auto sub = resolve_path(at, f, text, db, options);
        if (!sub) return sub.error();
        ResolvedPath p = base;
        p.when = &at;
        p.hops.insert(p.hops.end(), sub->hops.begin(), sub->hops.end());
        p.field = sub->field;
        p.def = sub->def;
        p.field_name = sub->field_name;
        p.hidden_on = sub->hidden_on;
        out.push_back(std::move(p));
        continue;
      }
      auto index = at.field_index(f.name);
      if (!index || (options.field_visible && !options.field_visible(at, at.field(*index)))) {
        return no_such_column(text, f.offset, f.name, at.name());
      }
      ResolvedPath p = base;
      p.when = &at;
      p.field = *index;
      p.def = at.field(*index);
      p.field_name = p.def.name;
      out.push_back(std::move(p));
    }
  }
  for (const FieldRef& f : clauses.else_fields) {
    ResolvedPath p = base;
    p.otherwise = true;
    CRMSYNC_TRY(name_entity_leaf(p, f.name, text, f.offset, options));
    out.push_back(std::move(p));
  }
  return out;
}

std::string ResolvedPath::dotted() const {
  std::string out;
  for (const Hop& h : hops) {
    out += h.relationship;
    out.push_back('.');
  }
  return out + field_name;
}

bool is_path(const Table& table, const FieldRef& ref) {
  std::string_view name = ref.name;
  std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return false;
  std::string_view rest = name.substr(dot + 1);
  // SELECT Account.Name FROM Account: the object's own name as a prefix.
  return !(iequals(name.substr(0, dot), table.name()) && rest.find('.') == std::string_view::npos);
}

Result<ResolvedPath> resolve_path(const Table& table, const FieldRef& ref, std::string_view text, const Database& db,
                                  const ExecOptions& options) {
  std::vector<std::string_view> parts;
  std::string_view name = ref.name;
  for (std::size_t start = 0;;) {
    std::size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() > 2 && iequals(parts[0], table.name())) parts.erase(parts.begin());  // Contact.Account.Name

  ResolvedPath path;
  const Table* at = &table;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (at == nullptr) return unknown_relationship(text, ref.offset, parts[i]);  // no hops past the Name entity
    const FieldDef* ref_field = nullptr;
    std::size_t ref_index = 0;
    for (std::size_t k = 0; k < at->fields().size(); ++k) {
      const FieldDef& f = at->field(k);
      if (f.type == "reference" && !f.relationship_name.empty() && iequals(f.relationship_name, parts[i])) {
        ref_field = &f;
        ref_index = k;
        break;
      }
    }
    if (ref_field == nullptr || (options.field_visible && !options.field_visible(*at, *ref_field))) {
      return unknown_relationship(text, ref.offset, parts[i]);
    }
    Hop hop;
    hop.ref_field = ref_index;
    hop.relationship = ref_field->relationship_name;
    hop.implicit_read = implicit_parent(*at, *ref_field);
    if (!ref_field->polymorphic && ref_field->reference_to.size() == 1) {
      hop.target = db.find(ref_field->reference_to[0]);
      // A parent object the user cannot read is not a relationship it can follow.
      if (hop.target == nullptr || (options.table_visible && !options.table_visible(*hop.target))) {
        return unknown_relationship(text, ref.offset, parts[i]);
      }
      hop.target_deleted = is_deleted_index(*hop.target);
    } else {
      for (const std::string& to : ref_field->reference_to) {
        const Table* t = db.find(to);
        if (t != nullptr && !t->key_prefix().empty() && (!options.table_visible || options.table_visible(*t))) {
          hop.targets.push_back(t);
          hop.targets_deleted.push_back(is_deleted_index(*t));
        }
      }
    }
    path.hops.push_back(std::move(hop));
    at = path.hops.back().target;
  }

  std::string_view leaf = parts.back();
  if (at == nullptr) {
    CRMSYNC_TRY(name_entity_leaf(path, leaf, text, ref.offset, options));
    return path;
  }
  auto index = at->field_index(leaf);
  if (!index || (options.field_visible && !options.field_visible(*at, at->field(*index)))) {
    return no_such_column(text, ref.offset, leaf, at->name());
  }
  path.field = *index;
  path.def = at->field(*index);
  path.field_name = path.def.name;
  return path;
}

ParentRef follow(const Hop& hop, const Row& from, const ExecOptions& options) {
  const auto* id = std::get_if<std::string>(&from[hop.ref_field]);
  if (id == nullptr || id->empty()) return {};
  const Table* target = hop.target;
  std::size_t is_deleted = hop.target_deleted;
  if (target == nullptr) {
    std::string_view prefix = std::string_view(*id).substr(0, 3);
    for (std::size_t k = 0; k < hop.targets.size(); ++k) {
      if (hop.targets[k]->key_prefix() == prefix) {
        target = hop.targets[k];
        is_deleted = hop.targets_deleted[k];
      }
    }
    if (target == nullptr) return {};
  }
  auto row = target->find(*id);
  if (!row || target->purged(*row)) return {};
  if (deleted(is_deleted, target->row(*row))) return {};
  if (!hop.implicit_read && options.row_visible && !options.row_visible(*target, *row)) return {};
  return ParentRef{target, static_cast<std::uint32_t>(*row)};
}

Value name_entity_value(const Table& table, const Row& row, std::string_view field,
                        const std::vector<const Table*>& hidden_on) {
  if (iequals(field, "Type")) return table.name();
  if (std::find(hidden_on.begin(), hidden_on.end(), &table) != hidden_on.end()) return Value{};
  auto idx = table.field_index(field);
  return idx ? row[*idx] : Value{};
}

Value leaf_value(const ResolvedPath& path, ParentRef parent) {
  if (parent.table == nullptr) return path.def.type == "boolean" ? Value{false} : Value{};
  const Row& row = parent.table->row(parent.row);
  if (path.field == Column::kByName) return name_entity_value(*parent.table, row, path.field_name, path.hidden_on);
  return row[path.field];
}

const Value& path_value(const ResolvedPath& path, const Row& row, const ExecOptions& options, Value& scratch) {
  const Row* current = &row;
  ParentRef parent;
  for (const Hop& hop : path.hops) {
    parent = follow(hop, *current, options);
    if (parent.table == nullptr) break;
    current = &parent.table->row(parent.row);
  }
  if (parent.table != nullptr && path.field != Column::kByName) return (*current)[path.field];
  scratch = leaf_value(path, parent);
  return scratch;
}

std::shared_ptr<Selection> build_selection(const Table& table, const std::vector<SelectItem>& items,
                                           const std::vector<std::uint32_t>& rows, const ExecOptions& options) {
  auto sel = std::make_shared<Selection>();
  std::map<std::string, int> by_prefix;  // lower-case "account.owner" -> relationship index
  std::vector<const Hop*> hop_of;        // per relationship: the hop that reaches it
  for (const SelectItem& item : items) {
    if (item.own_field) {
      sel->columns.push_back(Column{table.field(*item.own_field).name, *item.own_field});
      continue;
    }
    const ResolvedPath& p = *item.path;
    std::string prefix = p.type_of ? "typeof:" : "";  // TYPEOF What is not the What of What.Name
    int parent = -1;
    for (std::size_t h = 0; h < p.hops.size(); ++h) {
      const Hop& hop = p.hops[h];
      // Inside a WHEN, one object's Owner is not another's.
      if (p.type_of && h == 1) prefix += to_lower(p.when->name()) + ":";
      prefix += to_lower(hop.relationship);
      prefix.push_back('.');
      auto [it, added] = by_prefix.emplace(prefix, static_cast<int>(sel->relationships.size()));
      if (added) {
        Relationship r;
        r.name = hop.relationship;
        r.parent = parent;
        r.polymorphic = hop.target == nullptr;
        r.object = hop.target;
        r.type_of = p.type_of && h == 0;
        if (r.type_of) r.when_types = p.when_types;
        if (p.type_of && h == 1) r.when = p.when;
        sel->relationships.push_back(std::move(r));
        hop_of.push_back(&hop);
      }
      parent = it->second;
    }
    Column c{p.field_name, p.field};
    c.relationship = parent;
    c.path = p.dotted();
    c.hidden_on = p.hidden_on;
    c.when = p.when;
    c.otherwise = p.otherwise;
    sel->columns.push_back(std::move(c));
  }
  for (std::size_t k = 0; k < sel->relationships.size(); ++k) {
    Relationship& r = sel->relationships[k];
    r.rows.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row* from = &table.row(rows[i]);
      if (r.parent >= 0) {
        ParentRef up = sel->relationships[static_cast<std::size_t>(r.parent)].rows[i];
        if (up.table == nullptr || (r.when != nullptr && up.table != r.when)) continue;
        from = &up.table->row(up.row);
      }
      r.rows[i] = follow(*hop_of[k], *from, options);
    }
  }
  return sel;
}

}  // namespace crmsync::emulator::soql
