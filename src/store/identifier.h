// Table and column names as every store backend accepts them. Object and field API names become
// SQL identifiers verbatim, so they are checked against [A-Za-z_][A-Za-z0-9_]* before any SQL is
// built: that rules out injection and keeps quoting trivial in SQLite and PostgreSQL alike.
#pragma once

#include <string>
#include <string_view>

#include <vector>

#include "common/result.h"
#include "store/store.h"  // Column

namespace crmsync::store {

bool is_identifier(std::string_view name);

// kConfig naming `what` ("table", "column of Account") and the name when it is not an identifier.
Status check_identifier(std::string_view what, std::string_view name);

// A table name crmsync may create for an object: an identifier that does not start with the
// prefixes reserved for the store's own tables (crmsync_, sqlite_, pg_; case-insensitive), or the
// reload table of such a name (store.h reload_table_name).
Status check_table_name(std::string_view object);

// Every column name of a table's column list is an identifier, none is listed twice (names are
// compared case-insensitively, as SQLite does and Salesforce's API names are), and Id is text.
Status check_columns(std::string_view object, const std::vector<Column>& columns);

// kConfig NO_SUCH_COLUMN for a scan of a column the table lacks, naming the [objects] include fix.
Error no_such_column(std::string_view table, std::string_view column);

// "name" with double quotes; only for names that passed check_identifier.
std::string quote_identifier(std::string_view name);

}  // namespace crmsync::store
