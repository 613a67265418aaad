// The SQLite TableWriter: one prepared upsert (or append) and one prepared delete for a (table, columns) pair.
// Internal to src/store/sqlite.
#pragma once

#include <memory>

#include "store/sqlite/sqlite_store.h"

namespace crmsync::store::sqlite {

// INSERT INTO "T" ("Id", "A", ...) VALUES (?1, ?2, ...) ON CONFLICT("Id") DO UPDATE SET "A" = excluded."A", ...
// Columns the writer was not given are left as they are on update (NULL on insert).
std::string build_upsert_sql(std::string_view table, const std::vector<Column>& columns, std::size_t id_index);
// INSERT INTO "T" ("Id", "A", ...) VALUES (?1, ?2, ...): appends to a table without its Id index.
std::string build_insert_sql(std::string_view table, const std::vector<Column>& columns);
std::string build_delete_sql(std::string_view table);

std::unique_ptr<TableWriter> make_writer(std::shared_ptr<SqliteStore::WriterStatements> statements);

}  // namespace crmsync::store::sqlite
