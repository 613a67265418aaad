// The emulator's SOQL: a statement as any logged-in user may send it to /query, /queryAll or a
// Bulk API query job, lexed, parsed and (when it parses) executed over a small generated org, as
// Salesforce's answers go: every refusal is a 400 with Salesforce's code, never a crash.
#include <cstddef>
#include <cstdint>

#include "emulator/emulator.h"
#include "emulator/soql/lexer.h"
#include "emulator/soql/soql.h"
#include "fuzz_support.h"

namespace {

using namespace crmsync;
using namespace crmsync::emulator;

void check_refusal(const Error& e, std::string_view text) {
  FUZZ_CHECK(e.kind == ErrorKind::kSalesforce && e.http_status == 400 && !e.code.empty(),
             "a refusal is Salesforce's 400 with an errorCode: %s", e.to_string().c_str());
  // The message echoes the statement (Salesforce's caret layout); an emulator answer is JSON.
  if (fuzz::valid_utf8(text)) FUZZ_CHECK(fuzz::valid_utf8(e.message), "the message is not UTF-8");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Two accounts and their records: enough for every object, relationship and index path.
  static const std::unique_ptr<Database> db = generate_org({.seed = 42, .scale = 2});
  const std::string_view text = fuzz::as_text(data, size);

  auto tokens = soql::lex(text);
  if (!tokens) check_refusal(tokens.error(), text);
  auto query = soql::parse(text);
  if (!query) {
    check_refusal(query.error(), text);
    return 0;
  }
  FUZZ_CHECK(tokens.ok(), "parsed a statement the lexer refused");

  // The first byte picks query or queryAll, so both paths see every statement shape.
  soql::ExecOptions options{.include_deleted = size > 0 && (data[0] & 1) != 0, .now = 1735689600000};
  auto result = soql::execute(*query, *db, options);
  if (!result) {
    check_refusal(result.error(), text);
    return 0;
  }
  FUZZ_CHECK(result->table != nullptr, "a result without its object");
  if (!result->is_count) FUZZ_CHECK(result->total_size >= result->rows.size(), "totalSize below the rows returned");
  for (std::uint32_t row : result->rows) {
    FUZZ_CHECK(row < result->table->slot_count(), "row %u beyond the table", row);
  }
  return 0;
}
