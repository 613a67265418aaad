// SOQL for the emulator: a lexer and recursive-descent parser for the SOQL crmsync and standard
// clients use, and an executor over the emulator's tables.
//
// Supported: SELECT field list (incl. COUNT() and child-to-parent paths such as Account.Owner.Name),
// FROM, WHERE with = != <> < <= > >=, AND/OR/NOT, parentheses, IN / NOT IN (...), LIKE,
// `= null` / `!= null`, string/number/boolean/null, date and datetime literals (never quoted) and
// the common relative date literals, ORDER BY (ASC/DESC, NULLS FIRST/LAST) over several fields,
// LIMIT, OFFSET. Beyond those:
//   - parent-to-child subqueries `(SELECT LastName FROM Contacts WHERE ... ORDER BY ... LIMIT n)`
//     over the child relationships describe lists (QueryResult::children; LIMIT per parent);
//   - aggregates COUNT(), COUNT(f), COUNT_DISTINCT(f), SUM, AVG, MIN, MAX with aliases, GROUP BY,
//     HAVING and ORDER BY over aggregates (QueryResult::aggregate: AggregateResult rows, expr0...);
//   - semi-joins and anti-joins `Id IN (SELECT AccountId FROM Contact)`, `NOT IN`, run as the user;
//   - INCLUDES / EXCLUDES on multi-select picklists ('a;b' means both);
//   - toLabel(f) (labels are the API values in the emulator's org), FIELDS(STANDARD|ALL|CUSTOM)
//     (ALL and CUSTOM need LIMIT <= 200), FOR VIEW / FOR REFERENCE (accepted, nothing recorded);
//   - TYPEOF on polymorphic relationships (`TYPEOF What WHEN Account THEN Name ELSE Name END`):
//     Selection columns per WHEN object (Column::when) and ELSE (Column::otherwise), written with
//     the related record's own type (Relationship::type_of); see paths.h;
//   - child relationships of custom lookups (Invoices__r) as well as the standard ones.
// The permission hooks (ExecOptions) apply inside subqueries, aggregates and semi-joins as in the
// outer statement. Not offered: GROUP BY ROLLUP/CUBE, date functions
// (CALENDAR_YEAR()), WITH, FOR UPDATE, bind variables. Anything else is refused with
// MALFORMED_QUERY worded as Salesforce words it; unknown objects get INVALID_TYPE and unknown
// fields INVALID_FIELD, with Salesforce's caret layout.
//
// Cost: parse is linear in the statement. execute resolves every field, constant, LIKE pattern and
// relative date once, then visits each row slot once with the compiled filter (O(rows x filter
// size), no per-row name lookups, parsing or allocation); `Id = 'x'` / `Id IN (...)` (alone or
// AND-ed at the top) visit only the rows the Id index finds. Results are row numbers, never copies.
// Without ORDER BY the scan stops after OFFSET+LIMIT matches; with ORDER BY and LIMIT only the first
// OFFSET+LIMIT matches are fully sorted (partial sort, O(m log(offset+limit)) over m matches).
// ORDER BY SystemModstamp, Id (the sync's order) sorts nothing: it walks the table's modstamp index
// (Table::modstamp_order, kept up to date incrementally after writes) from the floor of a top-level
// `SystemModstamp >= X` / `> X`, and stops after OFFSET+LIMIT matches.
//
//   auto q = soql::parse("SELECT Id, Name FROM Account WHERE SystemModstamp > 2024-01-01T00:00:00Z");
//   auto r = soql::execute(*q, db, {.include_deleted = true});
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "emulator/table.h"

namespace crmsync::emulator::soql {

struct QueryAst;  // the parsed statement; its shape is the parser's business

// A parsed statement. Cheap to move; keeps the original text for error messages.
class Query {
 public:
  Query();
  ~Query();
  Query(Query&&) noexcept;
  Query& operator=(Query&&) noexcept;
  const QueryAst& ast() const { return *ast_; }
  const std::string& text() const;
  const std::string& object_name() const;  // FROM, as written

  explicit Query(std::unique_ptr<QueryAst> ast);

 private:
  std::unique_ptr<QueryAst> ast_;
};

// Errors: ErrorKind::kSalesforce, http_status 400, code MALFORMED_QUERY.
Result<Query> parse(std::string_view text);

struct ExecOptions {
  bool include_deleted = false;  // queryAll: rows with IsDeleted = true are returned too
  // Permission hooks (the emulator's permission model fills these; empty means "allowed").
  std::function<bool(const Table&, std::size_t row)> row_visible;
  std::function<bool(const Table&, const FieldDef&)> field_visible;
  // An object the user cannot see is reported as unknown (INVALID_TYPE), as Salesforce does.
  std::function<bool(const Table&)> table_visible;
  EpochMs now = 0;  // for relative date literals; 0 means the wall clock
  // An extra condition on the queried object's rows (not on parents a path reaches): SOSL's
  // search, which RETURNING's WHERE, ORDER BY and LIMIT then apply to.
  std::function<bool(const Row&)> row_filter;
};

// One column of the result, in SELECT order.
struct Column {
  std::string name;          // the field's API name as describe spells it
  std::size_t field_index;   // into table->fields(); for a relationship path, into its parent's fields
  // Relationship paths only (Selection): the relationship the field is read from (an index into
  // Selection::relationships), and the whole path as describe spells it ("Account.Owner.Name").
  // field_index is kByName when the parent's type varies (a polymorphic lookup: Salesforce's
  // Name entity), and the field is then looked up by name on each parent record.
  int relationship = -1;
  std::string path;
  // kByName only: the objects whose field of that name the user may not read (field-level
  // security); on a parent record of one of them the column reads as null.
  std::vector<const Table*> hidden_on;
  // TYPEOF only: the column of a WHEN clause is written for parents of that object (`when`), an
  // ELSE column for parents of none of the WHEN objects (`otherwise`).
  const Table* when = nullptr;
  bool otherwise = false;
  static constexpr std::size_t kByName = static_cast<std::size_t>(-1);
};

// A parent record a relationship path reaches from one result row; table null when the lookup is
// empty, points to a deleted or missing record, or to one the user cannot see.
struct ParentRef {
  const Table* table = nullptr;
  std::uint32_t row = 0;
};

// A child-to-parent relationship the SELECT list reads (Account, Account.Owner, Who).
struct Relationship {
  std::string name;        // as describe spells it: Account, Owner, Who, Custom__r
  int parent = -1;         // the enclosing relationship; -1: the queried object
  bool polymorphic = false;  // the Name entity: REST writes attributes.type "Name"
  const Table* object = nullptr;  // the parent's object; nullptr when polymorphic
  // TYPEOF: attributes.type is the parent's own object, and its WHEN clauses' objects.
  bool type_of = false;
  std::vector<const Table*> when_types;
  // A relationship inside a TYPEOF's WHEN (`WHEN Account THEN Owner.Name`): followed, and
  // written, only from a parent of that object.
  const Table* when = nullptr;
  std::vector<ParentRef> rows;  // per result row (QueryResult::rows order)
};

// The SELECT list when it holds relationship paths: its columns and every relationship's parent
// record per result row, resolved by execute (so writers need neither permission hooks nor
// lookups; the parents' values are read when a page is written, like the rows' own).
struct Selection {
  std::vector<Column> columns;
  std::vector<Relationship> relationships;
};

struct QueryResult;

// A parent-to-child subquery's records (`(SELECT LastName FROM Contacts)`), for every result row.
struct ChildRecords {
  std::string relationship;  // as describe spells it (Contacts)
  // The child rows of all result rows, in the subquery's order, with their columns and paths.
  std::shared_ptr<const QueryResult> result;
  // Per result row (QueryResult::rows order): positions into result->rows, after the subquery's
  // LIMIT (which Salesforce applies per parent record).
  std::vector<std::vector<std::uint32_t>> per_row;
};

// The rows of an aggregate query (SUM(), COUNT(Id), GROUP BY ...): AggregateResult records.
struct AggregateRows {
  std::vector<std::string> names;  // per column: the alias, exprN, or the grouped field's name
  std::vector<FieldDef> defs;      // per column: how its values are written (int for COUNT)
  std::vector<std::vector<Value>> rows;
};

struct QueryResult {
  const Table* table = nullptr;
  bool is_count = false;           // SELECT COUNT() ...: no records, totalSize = count
  std::vector<Column> columns;     // empty for COUNT()
  std::vector<std::uint32_t> rows; // matching row numbers, ordered, after OFFSET/LIMIT
  std::size_t total_size = 0;      // what totalSize reports
  bool id_lookup = false;          // the Id index supplied the candidate rows (explain: Index)
  // Set only when the SELECT list holds a relationship path (Account.Name); `columns` then holds
  // the queried object's own fields only and `paths->columns` every column in SELECT order.
  std::shared_ptr<const Selection> paths;
  // Set only for a SELECT list with parent-to-child subqueries: one entry per subquery.
  std::shared_ptr<const std::vector<ChildRecords>> children;
  // Set only for an aggregate query; `rows` and `columns` are then empty.
  std::shared_ptr<const AggregateRows> aggregate;
};

// Errors (all HTTP 400, Salesforce's wording): INVALID_TYPE (unknown or invisible object),
// INVALID_FIELD (unknown or invisible field, duplicate selected field, field not filterable or
// sortable), INVALID_QUERY_FILTER_OPERATOR (a value of the wrong type for the field, e.g. a quoted
// or date value against a datetime field, a malformed Id, LIKE on a non-text field),
// NUMBER_OUTSIDE_VALID_RANGE (OFFSET above 2000), MALFORMED_QUERY (relationship paths in ORDER BY).
// Child-to-parent relationship paths (Account.Name, Account.Owner.Name, Who.Name) work in the
// SELECT list and WHERE as outer joins: an empty lookup, a deleted parent or one the user cannot
// see gives null (false for a boolean), as Salesforce documents; see paths.h.
Result<QueryResult> execute(const Query& query, const Database& db, const ExecOptions& options);

}  // namespace crmsync::emulator::soql
