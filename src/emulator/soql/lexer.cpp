#include "emulator/soql/lexer.h"

#include <algorithm>
#include <optional>

#include "common/text.h"

namespace crmsync::emulator::soql {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool digits_at(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return false;
  for (std::size_t i = 0; i < count; ++i) {
    if (!is_digit(s[pos + i])) return false;
  }
  return true;
}

// A lexical failure: where, and Salesforce's (ANTLR's) message for it.
struct LexFailure {
  std::size_t offset = 0;
  std::string message;
  std::size_t token_start = 0;  // where the offending text starts (an unterminated string's quote)
};

// Bytes of the character at `offset` (at least 1).
std::size_t char_len_at(std::string_view text, std::size_t offset) {
  return std::max<std::size_t>(1, utf8_prefix(text.substr(std::min(offset, text.size())), 1).size());
}

std::size_t line_start(std::string_view text, std::size_t offset) {
  std::size_t nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  if (offset == 0 || nl == std::string_view::npos) return 0;
  return nl + 1;
}

std::string antlr_position(std::string_view text, std::size_t offset) {
  std::size_t row = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  return "line " + std::to_string(row) + ":" + std::to_string(offset - line_start(text, offset));
}

// Scans a datetime's time and zone after the 'T': hh:mm:ss[.fff](Z|+hh:mm|-hh:mm|+hhmm|-hhmm).
std::size_t scan_time_part(std::string_view s, std::size_t pos) {
  while (pos < s.size() && (is_digit(s[pos]) || s[pos] == ':' || s[pos] == '.')) ++pos;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) return pos + 1;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    ++pos;
    while (pos < s.size() && (is_digit(s[pos]) || s[pos] == ':')) ++pos;
  }
  return pos;
}

// Tokenizes as far as possible; the failure (if any) says where and why it stopped.
std::vector<Token> scan(std::string_view s, std::optional<LexFailure>* failure) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto push = [&](TokenKind kind, std::size_t start, std::size_t end) {
    out.push_back(Token{kind, s.substr(start, end - start), start});
  };
  while (true) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size()) break;
    const std::size_t start = i;
    const char c = s[i];
    if (is_ident_start(c)) {
      ++i;
      while (i < s.size()) {
        if (is_ident_char(s[i])) {
          ++i;
        } else if (s[i] == '.' && i + 1 < s.size() && is_ident_start(s[i + 1])) {
          i += 2;
        } else {
          break;
        }
      }
      push(TokenKind::kIdent, start, i);
    } else if (is_digit(c) || (c == '-' && i + 1 < s.size() && is_digit(s[i + 1]))) {
      if (digits_at(s, i, 4) && i + 4 < s.size() && s[i + 4] == '-' && digits_at(s, i + 5, 2) &&
          i + 7 < s.size() && s[i + 7] == '-' && digits_at(s, i + 8, 2)) {
        i += 10;
        if (i < s.size() && (s[i] == 'T' || s[i] == 't')) {
          i = scan_time_part(s, i + 1);
          push(TokenKind::kDateTime, start, i);
        } else {
          push(TokenKind::kDate, start, i);
        }
      } else {
        ++i;
        while (i < s.size() && is_digit(s[i])) ++i;
        if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
          ++i;
          while (i < s.size() && is_digit(s[i])) ++i;
        }
        push(TokenKind::kNumber, start, i);
      }
    } else if (c == '\'') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          i += 2;
        } else if (s[i] == '\'') {
          ++i;
          closed = true;
          break;
        } else {
          ++i;
        }
      }
      if (!closed) {
        *failure = LexFailure{s.size(), antlr_position(s, s.size()) + " mismatched character '<EOF>' expecting '''",
                              start};
        return out;
      }
      push(TokenKind::kString, start, i);
    } else if (c == ',') {
      push(TokenKind::kComma, start, ++i);
    } else if (c == '(') {
      push(TokenKind::kLParen, start, ++i);
    } else if (c == ')') {
      push(TokenKind::kRParen, start, ++i);
    } else if (c == ':') {
      push(TokenKind::kColon, start, ++i);
    } else if (c == '=') {
      push(TokenKind::kOperator, start, ++i);
    } else if (c == '!' && i + 1 < s.size() && s[i + 1] == '=') {
      i += 2;
      push(TokenKind::kOperator, start, i);
    } else if (c == '<' || c == '>') {
      ++i;
      if (i < s.size() && (s[i] == '=' || (c == '<' && s[i] == '>'))) ++i;
      push(TokenKind::kOperator, start, i);
    } else {
      // The whole character, not its first byte: the message is sent as JSON.
      *failure = LexFailure{start, antlr_position(s, start) + " no viable alternative at character '" +
                                       std::string(utf8_prefix(s.substr(start), 1)) + "'",
                              start};
      return out;
    }
  }
  std::size_t end = s.size();
  while (end > 0 && is_space(s[end - 1])) --end;
  out.push_back(Token{TokenKind::kEnd, s.substr(end, 0), end});
  return out;
}

Error make_error(std::string code, std::string message) {
  return Error(ErrorKind::kSalesforce, std::move(code), std::move(message), 400);
}

}  // namespace

Result<std::vector<Token>> lex(std::string_view text) {
  // Salesforce's own bound, in its words; it also bounds what a statement costs to lex and parse.
  if (utf8_length(text) > kMaxStatementChars) {
    return plain_query_error("MALFORMED_QUERY", "SOQL statements can not be longer than " +
                                                    std::to_string(kMaxStatementChars) + " characters");
  }
  std::optional<LexFailure> failure;
  std::vector<Token> tokens = scan(text, &failure);
  if (failure) {
    return query_error("MALFORMED_QUERY", text, failure->offset, failure->message);
  }
  return tokens;
}

Error query_error(std::string code, std::string_view text, std::size_t offset, std::string_view message) {
  // At the end of the statement Salesforce puts the caret under the last character.
  std::size_t trimmed = text.size();
  while (trimmed > 0 && is_space(text[trimmed - 1])) --trimmed;
  if (offset >= trimmed && trimmed > 0) offset = trimmed - 1;
  std::optional<LexFailure> failure;
  std::vector<Token> tokens = scan(text, &failure);
  if (failure) {  // the text that stopped the lexer counts as one token of the window
    std::size_t from = std::min(failure->token_start, text.size());
    std::size_t len = from < text.size() && text[from] == '\'' ? text.size() - from : char_len_at(text, from);
    tokens.push_back(Token{TokenKind::kEnd, text.substr(from, len), from});
  }
  // The index of the token at (or just after) the offset; tokens.size() when past the last one.
  std::size_t at = 0;
  while (at < tokens.size() && tokens[at].offset + tokens[at].text.size() <= offset &&
         tokens[at].kind != TokenKind::kEnd) {
    ++at;
  }
  if (at >= tokens.size()) at = tokens.empty() ? 0 : tokens.size() - 1;
  std::size_t first = at >= 4 ? at - 4 : 0;
  std::size_t last = std::min(at + 4, tokens.empty() ? 0 : tokens.size() - 1);
  std::size_t start = tokens.empty() ? 0 : std::min(tokens[first].offset, offset);
  std::size_t end = tokens.empty() ? text.size()
                                   : std::max(tokens[last].offset + tokens[last].text.size(),
                                              offset + char_len_at(text, offset));
  // Never let the window cross a line break: the caret must sit under the token.
  start = std::max(start, line_start(text, offset));
  std::size_t nl = text.find('\n', offset);
  if (nl != std::string_view::npos) end = std::min(end, nl);
  end = std::min(end, text.size());

  std::size_t row = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  std::size_t col = offset - line_start(text, offset) + 1;
  std::string out = "\n";
  out.append(text.substr(start, end - start));
  out += "\n";
  out.append(offset - start, ' ');
  out += "^\nERROR at Row:" + std::to_string(row) + ":Column:" + std::to_string(col) + "\n";
  out.append(message);
  return make_error(std::move(code), std::move(out));
}

Error plain_query_error(std::string code, std::string message) {
  return make_error(std::move(code), std::move(message));
}

Error unexpected_token(std::string_view text, const Token& token) {
  std::string shown = token.kind == TokenKind::kEnd ? std::string("<EOF>") : std::string(token.text);
  return query_error("MALFORMED_QUERY", text, token.offset, "unexpected token: '" + shown + "'");
}

}  // namespace crmsync::emulator::soql
