// The executor's own interface between its files (not part of soql.h): the row selection that
// execute(), semi-joins and parent-to-child subqueries share.
#pragma once

#include <cstdint>
#include <vector>

#include "emulator/soql/ast.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator::soql {

// How much of ORDER BY / LIMIT / OFFSET select_rows applies: all of it (a statement, a semi-join's
// sub-select), the order only (a parent-to-child subquery: its LIMIT is per parent record), or
// neither (an aggregate query: its ORDER BY and LIMIT apply to the groups).
enum class Bounds { kStatement, kNoLimit, kFilterOnly };

// The rows a statement selects from `table` with `fields` as its SELECT list (FIELDS() expanded).
Result<QueryResult> select_rows(const QueryAst& ast, const std::vector<FieldRef>& fields, const Table& table,
                                const Database& db, const ExecOptions& options, Bounds bounds);

// The SELECT list with FIELDS(STANDARD|ALL|CUSTOM) replaced by the fields the user may read;
// FIELDS(ALL) and FIELDS(CUSTOM) need a LIMIT of at most 200, as in Salesforce.
Result<std::vector<FieldRef>> expand_fields(const QueryAst& ast, const Table& table, const ExecOptions& options);

// INVALID_TYPE for an object that is unknown or that the user cannot see.
Error unknown_object_error(const QueryAst& ast, const FieldRef& object);
Error unknown_object_error(std::string_view text, const FieldRef& object);

// The records of each parent-to-child subquery of `ast` for the result rows `rows` of `parent`.
Result<std::vector<ChildRecords>> select_children(const QueryAst& ast, const Table& parent,
                                                  const std::vector<std::uint32_t>& rows, const Database& db,
                                                  const ExecOptions& options);

}  // namespace crmsync::emulator::soql
