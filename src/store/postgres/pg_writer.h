// The PostgreSQL TableWriter and the SQL it runs. Internal to src/store/postgres.
//
// upsert_rows() writes a whole page per round trip: an appending writer (a first full load, the
// table without its Id index) COPYs it straight into the table; an upserting one COPYs it into a
// temporary staging table and merges it with one INSERT ... SELECT DISTINCT ON ("Id") ... ON
// CONFLICT ("Id") DO UPDATE (the last row of an Id in the page wins). upsert() of one row and
// remove() are single parameterised statements.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace crmsync::store::postgres {

struct WriterPlan {
  std::string object;     // for messages
  std::vector<Column> columns;
  std::size_t id_index = 0;
  bool append = false;    // the table has no Id index: plain COPY / INSERT, remove() refused
  std::string copy;       // COPY <table or stage> (cols) FROM STDIN
  std::string create_stage;  // CREATE TEMP TABLE IF NOT EXISTS ... (upserting writers)
  std::string merge;         // INSERT ... SELECT FROM the stage ...; TRUNCATE the stage
  std::string insert_one;    // INSERT ... VALUES ($1, ...) [ON CONFLICT ...]
  std::string remove;        // DELETE ... WHERE "Id" = $1
};

// `table` is the qualified table ("schema"."Object"); `stage` the staging table's name.
WriterPlan plan_writer(std::string_view object, const std::string& table, const std::vector<Column>& columns,
                       std::size_t id_index, bool append, const std::string& stage);

std::unique_ptr<TableWriter> make_writer(Connection& conn, WriterPlan plan);

// One cell in COPY's text format (\N for NULL; backslash, tab, newline and CR escaped; NUL bytes,
// which PostgreSQL text cannot hold, dropped), appended to `out`.
void append_copy_cell(std::string& out, const RowBuffer& rows, std::size_t r, std::size_t k);

}  // namespace crmsync::store::postgres
