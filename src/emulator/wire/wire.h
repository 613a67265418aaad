// Salesforce's wire format for records, written by hand for speed (2,000-record query pages without
// a JSON library): REST JSON records (query pages, sObject retrieves), Bulk API 2.0 CSV results,
// and both for SELECT lists that hold child-to-parent relationship paths.
//
// JSON: typed values as Salesforce writes them (numbers, booleans, null,
// 2016-08-19T14:35:34.000+0000, 2016-08-19) and the record's attributes.
//
// CSV, as Salesforce writes Bulk API 2.0 query results: a header row of the selected fields' API
// names, then one line per record with every value double-quoted (inner quotes doubled, delimiters
// and line breaks kept inside the quotes), nulls as empty cells, booleans true/false, datetimes
// 2016-08-19T14:35:34.000Z, dates 2016-08-19, numbers as in JSON.
//
// Relationship paths (soql::Selection): REST records with each relationship as a nested record
// that has its own `attributes` (or null when there is no parent to show), and CSV with dotted
// column headers (`Account.Name`). Plain statements never take these writers.
//
//   {"attributes":{...},"Id":"003...","Account":{"attributes":{"type":"Account","url":"..."},"Name":"Acme"}}
//   "Id","Account.Name"
//
// Parent-to-child subqueries (soql::ChildRecords): the child records as a nested query result
// after the record's own fields, `"Contacts":{"totalSize":2,"done":true,"records":[...]}`, or
// null when the record has none. Aggregate queries (soql::AggregateRows): AggregateResult records,
// `{"attributes":{"type":"AggregateResult"},"Industry":"Energy","expr0":3}`.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "emulator/soql/soql.h"
#include "emulator/table.h"

namespace crmsync::emulator {

// ---- JSON ---------------------------------------------------------------------------------------

void append_value(std::string& out, const FieldDef& field, const Value& value);

// 2016-08-19, and 2016-08-19T14:35:34.000 followed by `zone` ("+0000" in JSON, "Z" in Bulk CSV).
void append_date_text(std::string& out, EpochDays days);
void append_datetime_text(std::string& out, EpochMs ms, std::string_view zone);

// {"attributes":{"type":"Account","url":"/services/data/vXX.X/sobjects/Account/<Id>"},"F":v,...}
void append_record(std::string& out, const Table& table, std::string_view version, const Row& row,
                   const std::vector<std::size_t>& columns);

// One field's value as append_record writes it (a compound address as its object).
void append_field(std::string& out, const Table& table, std::size_t field, const Row& row);

// The same record text for many rows of one table and one column list (a query page): the
// attributes prefix and every column's `,"Name":` are built once, so a page costs its values only.
// Holds field indexes, not pointers: use it under the Database lock that the rows are read under.
class RecordWriter {
 public:
  RecordWriter(const Table& table, std::string_view version, const std::vector<std::size_t>& columns);
  void append(std::string& out, const Row& row) const;
  // A page's rows lie scattered in memory (modstamp order is not insertion order), so writing
  // them is bound by cache misses. Called a few rows ahead of append(): prefetch_cells() asks for
  // a row's cells, prefetch_text() (later, once the cells are near) for the text they point to.
  void prefetch_cells(const Row& row) const;
  void prefetch_text(const Row& row) const;

 private:
  struct Column {
    std::size_t index;
    std::string key;  // ,"Name":
    bool address;     // a compound address, written from its component fields
  };
  const Table& table_;
  std::string prefix_;  // {"attributes":{"type":"T","url":"/services/data/vXX.X/sobjects/T/
  std::vector<Column> columns_;
};

// ---- CSV ----------------------------------------------------------------------------------------

// "Id","Name"<eol>
void append_csv_header(std::string& out, const Table& table, const std::vector<std::size_t>& columns, char delimiter,
                       std::string_view eol);
// "001...","Acme"<eol>
void append_csv_record(std::string& out, const Table& table, const Row& row, const std::vector<std::size_t>& columns,
                       char delimiter, std::string_view eol);

// One cell (no delimiter): what append_csv_record writes for `value` of `field`.
void append_csv_value(std::string& out, const FieldDef& field, const Value& value);

// A text cell as Salesforce writes it in Bulk results: double-quoted, inner quotes doubled.
void append_csv_text(std::string& out, std::string_view text);

// ---- reading CSV (Bulk ingest uploads) -----------------------------------------------------------

// An uploaded CSV document: its header row and its records, each cell's text without its quotes.
struct CsvDocument {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> records;
};

// Reads CSV as Bulk API 2.0 takes it (RFC 4180 with the job's delimiter): values may be quoted
// (inner quotes doubled, delimiters and line breaks inside the quotes); records end with the job's
// line ending, "\n" (LF) or "\r\n" (CRLF). Errors (kSalesforce, message only, as a failed job's
// errorMessage): a record line ending that is not the job's, a quote left open, a record whose
// number of cells is not the header's, an empty document.
Result<CsvDocument> read_csv(std::string_view text, char delimiter, bool crlf);

// ---- XML (Bulk API 1.0 bodies) -------------------------------------------------------------------

// An element of a small XML document: its local name (namespace prefix dropped), its text (entities
// decoded, CDATA kept), whether it is xsi:nil="true", and its child elements in order.
struct XmlElement {
  std::string name;
  std::string text;
  bool nil = false;
  std::vector<XmlElement> children;
  const XmlElement* child(std::string_view local_name) const;  // the first one so named, or null
};

// Reads a document's root element (the XML declaration, comments and whitespace around it skipped;
// elements nested at most 32 deep). Errors (kSalesforce "InvalidXML", message only): what is
// malformed and where.
Result<XmlElement> read_xml(std::string_view text);

// Bulk API 1.0 query results in XML, as Salesforce writes them:
//   <queryResult xmlns="http://www.force.com/2009/06/asyncapi/dataload"
//       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
//     <records xsi:type="sObject"><type>Account</type><Id>001...</Id><Id>001...</Id>
//       <Name>Acme</Name><Industry xsi:nil="true"/></records>
// The first <Id> is the sObject's own (nil when the SELECT has no Id), then the selected fields in
// order; values as in Bulk CSV (datetimes ...Z), nulls and empty text as xsi:nil. A relationship
// path's parent is a nested sObject element (`<Account xsi:type="sObject"><type>Account</type>
// <Id xsi:nil="true"/><Name>Acme</Name></Account>`), or `<Account xsi:nil="true"/>` without one.
void append_xml_text(std::string& out, std::string_view text);  // element text, escaped
void append_xml_element(std::string& out, std::string_view name, const FieldDef& field, const Value& value);
void append_xml_record(std::string& out, const Table& table, const Row& row, const std::vector<std::size_t>& columns);
void append_xml_record_with_paths(std::string& out, const Table& table, const Row& row,
                                  const soql::Selection& selection, std::size_t index);

// ---- relationship paths -------------------------------------------------------------------------

// The record at position `index` of the result (row `row` of `table`).
void append_record_with_paths(std::string& out, const Table& table, std::string_view version, const Row& row,
                              const soql::Selection& selection, std::size_t index);

void append_csv_header_with_paths(std::string& out, const soql::Selection& selection, char delimiter,
                                  std::string_view eol);
void append_csv_record_with_paths(std::string& out, const Table& table, const Row& row,
                                  const soql::Selection& selection, std::size_t index, char delimiter,
                                  std::string_view eol);

// ---- subqueries and aggregates ----------------------------------------------------------------

// How many child records of one parent a subquery writes inline; past it the nested result has
// done false and a nextRecordsUrl (the emulator's figure: Salesforce documents that child results
// may need queryMore, not where it cuts them; docs/decisions.md).
inline constexpr std::size_t kInlineChildRecords = 200;

// The nextRecordsUrl of the child records of result row `index` past the first
// kInlineChildRecords (the caller registers a query locator for them), e.g.
// "/services/data/v62.0/query/01g...-200".
using ChildPager = std::function<std::string(const soql::ChildRecords& child, std::size_t index)>;

// Result row `index` of `result` as a REST record: its fields, relationship paths and subqueries.
// Without a pager every child record is written inline.
void append_result_record(std::string& out, const soql::QueryResult& result, std::string_view version,
                          std::size_t index, const ChildPager* pager = nullptr);
// The child records of result row `index`: a nested query result, or null.
void append_child_records(std::string& out, const soql::ChildRecords& child, std::size_t index,
                          std::string_view version, const ChildPager* pager = nullptr);
// Row `index` of an aggregate query as an AggregateResult record.
void append_aggregate_record(std::string& out, const soql::AggregateRows& rows, std::size_t index);

}  // namespace crmsync::emulator
