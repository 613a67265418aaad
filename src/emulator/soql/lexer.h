// SOQL tokens and the error layout Salesforce uses for query errors.
//
// Salesforce reports a query error at a position by echoing a window of the statement, a caret under
// the offending token, the row and column, and the message:
//   "\nSELECT Naem FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Naem' on entity ..."
// The window is the offending token with up to four tokens either side (what recorded errors show).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace crmsync::emulator::soql {

enum class TokenKind {
  kIdent,     // Name, Account.Name, Custom__c, keywords (the parser decides which)
  kString,    // 'text' (the token text keeps the quotes and escapes)
  kNumber,    // 12, -3, 4.5
  kDate,      // 2024-01-31
  kDateTime,  // 2024-01-31T10:00:00Z
  kComma,
  kLParen,
  kRParen,
  kColon,
  kOperator,  // = != <> < <= > >=
  kEnd,       // end of the statement
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // a view into the statement
  std::size_t offset = 0;
};

// Salesforce's bound on a SOQL statement's length, in characters.
inline constexpr std::size_t kMaxStatementChars = 100000;

// The tokens of `text`, ending with kEnd. Errors: MALFORMED_QUERY with the caret layout, or
// without it for a statement over kMaxStatementChars.
Result<std::vector<Token>> lex(std::string_view text);

// A Salesforce query error (ErrorKind::kSalesforce, HTTP 400) pointing at byte `offset` of `text`.
Error query_error(std::string code, std::string_view text, std::size_t offset, std::string_view message);
// The same without the caret block (Salesforce gives some errors, e.g. duplicate fields, bare).
Error plain_query_error(std::string code, std::string message);

// "unexpected token: 'X'" at `token` (X is <EOF> at the end).
Error unexpected_token(std::string_view text, const Token& token);

}  // namespace crmsync::emulator::soql
