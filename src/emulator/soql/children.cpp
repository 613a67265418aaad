// Parent-to-child subqueries: `SELECT Name, (SELECT LastName FROM Contacts) FROM Account`. The
// subquery names a child relationship as describe lists it (child_relationship_name: a standard
// one such as Contacts, or a custom lookup's Invoices__r); it
// runs once over the child object as the same user (object, field and sharing rules apply inside
// it as in any query), and its rows are handed to the parent rows their lookup points at, in the
// subquery's ORDER BY, with its LIMIT applied per parent record, as Salesforce applies it.
#include <unordered_map>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/org/org.h"
#include "emulator/soql/lexer.h"
#include "emulator/soql/select.h"

namespace crmsync::emulator::soql {
namespace {

struct ChildRelationship {
  const Table* child = nullptr;
  std::size_t field = 0;  // the child's lookup to the parent
  std::string name;       // as describe spells it
};

// The child relationship `name` of `parent` among the objects the user may see.
std::optional<ChildRelationship> find_child_relationship(const Database& db, const Table& parent,
                                                         std::string_view name, const ExecOptions& options) {
  for (const Table* child : db.tables()) {
    const ObjectSpec* spec = object_spec(db, child->name());
    for (std::size_t index = 0; index < child->fields().size(); ++index) {
      const FieldDef& f = child->field(index);
      if (f.type != "reference") continue;
      const std::string& relationship = child_relationship_name(spec, f);
      if (relationship.empty() || !iequals(relationship, name)) continue;
      bool refers = false;
      for (const auto& to : f.reference_to) refers = refers || iequals(to, parent.name());
      if (!refers) continue;
      if (options.table_visible && !options.table_visible(*child)) continue;
      return ChildRelationship{child, index, relationship};
    }
  }
  return std::nullopt;
}

Error unknown_relationship(const QueryAst& sub) {
  return query_error("INVALID_TYPE", sub.text, sub.object.offset,
                     "Didn't understand relationship '" + sub.object.name +
                         "' in FROM part of query call. If you are attempting to use a custom relationship, be sure "
                         "to append the '__r' after the custom relationship name. Please reference your WSDL or the "
                         "describe call for the appropriate names.");
}

Result<ChildRecords> select_child(const QueryAst& sub, const Table& parent, const std::vector<std::uint32_t>& rows,
                                  const Database& db, const ExecOptions& options) {
  std::string_view name = sub.object.name;
  if (std::size_t dot = name.find('.'); dot != std::string_view::npos && iequals(name.substr(0, dot), parent.name())) {
    name = name.substr(dot + 1);  // FROM Account.Contacts
  }
  auto rel = find_child_relationship(db, parent, name, options);
  if (!rel) return unknown_relationship(sub);
  if (sub.is_count || sub.is_aggregate() || !sub.subqueries.empty()) {
    return query_error("MALFORMED_QUERY", sub.text, sub.object.offset,
                       "a parent-to-child subquery selects fields of its child object only");
  }
  auto fields = expand_fields(sub, *rel->child, options);
  if (!fields) return fields.error();
  // ORDER BY holds, LIMIT is per parent: select every child row, in order, then hand them out.
  auto all = select_rows(sub, *fields, *rel->child, db, options, Bounds::kNoLimit);
  if (!all) return all.error();
  std::unordered_map<std::string, std::size_t> position;  // parent Id (15) -> result row
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (const auto* id = std::get_if<std::string>(&parent.row(rows[i])[0])) position.emplace(sf_id15(*id), i);
  }
  ChildRecords out;
  out.relationship = rel->name;
  out.per_row.resize(rows.size());
  const std::size_t limit = sub.limit ? static_cast<std::size_t>(*sub.limit) : static_cast<std::size_t>(-1);
  for (std::size_t j = 0; j < all->rows.size(); ++j) {
    const auto* to = std::get_if<std::string>(&rel->child->row(all->rows[j])[rel->field]);
    if (to == nullptr) continue;
    auto it = position.find(sf_id15(*to));
    if (it == position.end() || out.per_row[it->second].size() >= limit) continue;
    out.per_row[it->second].push_back(static_cast<std::uint32_t>(j));
  }
  out.result = std::make_shared<const QueryResult>(std::move(*all));
  return out;
}

}  // namespace

Result<std::vector<ChildRecords>> select_children(const QueryAst& ast, const Table& parent,
                                                  const std::vector<std::uint32_t>& rows, const Database& db,
                                                  const ExecOptions& options) {
  std::vector<ChildRecords> out;
  for (const auto& sub : ast.subqueries) {
    for (const auto& done : out) {
      if (iequals(done.relationship, sub->object.name)) {
        return plain_query_error("INVALID_FIELD", "duplicate field selected: " + sub->object.name);
      }
    }
    auto child = select_child(*sub, parent, rows, db, options);
    if (!child) return child.error();
    out.push_back(std::move(*child));
  }
  return out;
}

}  // namespace crmsync::emulator::soql
