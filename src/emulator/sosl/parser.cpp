// The SOSL parsers: the search string (a small recursive-descent parser over words, phrases,
// operators and parentheses) and the FIND statement around it (a scan of its clauses in
// Salesforce's order: FIND {...} [IN x FIELDS] [RETURNING object[(...)] {, object[(...)]}]
// [LIMIT n] [UPDATE TRACKING|VIEWSTAT]).
//
// Salesforce reports a statement error like a query error, but counts the column from 0:
//   "\nFIND {name} IN ALL TYPE\n                  ^\nERROR at Row:1:Column:19\nMalformed search token: TYPE"
#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/text.h"
#include "emulator/sf_error.h"
#include "emulator/sosl/sosl.h"
#include "emulator/sosl/words.h"

namespace crmsync::emulator::sosl {
namespace {

bool is_word_char(char c) { return is_text_char(c) || c == kAny || c == kOne; }

// Characters FIND's braces refuse unless escaped with a backslash.
bool is_reserved(char c) {
  return std::string_view("&|!{}[]^~:'+-").find(c) != std::string_view::npos;
}

// The error layout of a statement error at byte `offset` of `text`.
Error statement_error(std::string code, std::string_view text, std::size_t offset, std::string_view message) {
  offset = std::min(offset, text.size());
  std::size_t begin = 0;
  if (offset > 0) {
    const std::size_t nl = text.rfind('\n', offset - 1);
    if (nl != std::string_view::npos) begin = nl + 1;
  }
  const std::size_t end = std::min(text.find('\n', offset), text.size());
  const std::size_t row = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  const std::size_t col = offset - begin;
  std::string out = "\n";
  out.append(text.substr(begin, end - begin));
  out += "\n";
  out.append(col > 0 ? col - 1 : 0, ' ');
  out += "^\nERROR at Row:" + std::to_string(row) + ":Column:" + std::to_string(col) + "\n";
  out.append(message);
  return request_error(400, std::move(code), std::move(out));
}

Error malformed(std::string message) { return request_error(400, "MALFORMED_SEARCH", std::move(message)); }

// The words of a search term: letters and digits (wildcards kept), lower case; what separates
// record text into words separates a term too ("jane.gray@uoa.edu" is the phrase jane gray uoa
// edu, "abc123" the phrase abc 123).
std::vector<std::string> term_words(std::string_view raw) {
  std::vector<std::string> words;
  std::string current;
  int kind = 0;  // the current word's: 1 letters, 2 digits, 0 none yet (wildcards join either)
  for (char c : raw) {
    if (!is_word_char(c)) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
      kind = 0;
      continue;
    }
    const int cls = c == kAny || c == kOne ? kind : std::isdigit(static_cast<unsigned char>(c)) ? 2 : 1;
    if (!current.empty() && kind != 0 && cls != kind) {
      words.push_back(std::move(current));
      current.clear();
    }
    current.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    kind = cls;
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

// The search string's tokens: words and phrases (escapes resolved), parentheses, operators.
struct SearchToken {
  enum class Kind { kWord, kPhrase, kOpen, kClose, kAnd, kOr, kNot, kEnd };
  Kind kind = Kind::kEnd;
  std::string raw;
  std::size_t offset = 0;
};

class SearchParser {
 public:
  // `strict`: a reserved character is an error (FIND's braces); otherwise it separates words
  // (parameterizedSearch's q, which takes plain text).
  SearchParser(std::string_view text, bool strict) : text_(text), strict_(strict) {}

  Result<SearchExpression> parse() {
    CRMSYNC_TRY(lex());
    std::size_t significant = 0;
    for (char c : text_) {
      if (!std::isspace(static_cast<unsigned char>(c)) && std::string_view("*?\"()\\").find(c) == std::string_view::npos) {
        ++significant;
      }
    }
    if (significant < 2) {
      return request_error(400, "INVALID_SEARCH",
                           "search term must be longer than one character: " + std::string(text_));
    }
    auto root = parse_or(0);
    if (!root) return root.error();
    if (tokens_[at_].kind != SearchToken::Kind::kEnd) return unexpected(tokens_[at_]);
    return SearchExpression{std::move(*root), std::string(text_)};
  }

  std::size_t failed_at() const { return failed_at_; }

 private:
  using Node = std::unique_ptr<SearchNode>;

  Status lex() {
    std::size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '(' || c == ')') {
        tokens_.push_back({c == '(' ? SearchToken::Kind::kOpen : SearchToken::Kind::kClose, std::string(1, c), i});
        ++i;
      } else if (c == '"') {
        std::size_t start = i++;
        std::string raw;
        while (i < text_.size() && text_[i] != '"') {
          if (text_[i] == '\\' && i + 1 < text_.size()) ++i;
          raw.push_back(text_[i] == '*' ? kAny : text_[i] == '?' ? kOne : text_[i]);
          ++i;
        }
        if (i >= text_.size()) return fail(start, "unmatched quote in the search string");
        ++i;
        tokens_.push_back({SearchToken::Kind::kPhrase, std::move(raw), start});
      } else if (is_reserved(c) && strict_) {
        return fail(i, std::string("mismatched character '") + c + "' expecting '}'");
      } else {
        std::size_t start = i;
        std::string raw;
        while (i < text_.size() && !std::isspace(static_cast<unsigned char>(text_[i])) && text_[i] != '(' &&
               text_[i] != ')' && text_[i] != '"') {
          const char d = text_[i];
          if (d == '\\' && i + 1 < text_.size()) {
            raw.push_back(text_[++i]);
          } else if (is_reserved(d) && strict_) {
            return fail(i, std::string("mismatched character '") + d + "' expecting '}'");
          } else {
            raw.push_back(d == '*' ? kAny : d == '?' ? kOne : is_reserved(d) ? ' ' : d);
          }
          ++i;
        }
        SearchToken::Kind kind = SearchToken::Kind::kWord;
        if (iequals(raw, "AND")) kind = SearchToken::Kind::kAnd;
        if (iequals(raw, "OR")) kind = SearchToken::Kind::kOr;
        if (iequals(raw, "NOT")) kind = SearchToken::Kind::kNot;
        tokens_.push_back({kind, std::move(raw), start});
      }
    }
    tokens_.push_back({SearchToken::Kind::kEnd, "", text_.size()});
    return ok_status();
  }

  Error fail(std::size_t offset, std::string message) {
    failed_at_ = offset;
    return malformed(std::move(message));
  }
  Error unexpected(const SearchToken& t) {
    return fail(t.offset, t.kind == SearchToken::Kind::kEnd ? "unexpected end of the search string"
                                                            : "unexpected token: " + std::string(text_.substr(t.offset, t.raw.size())));
  }

  static Node combine(SearchNode::Kind kind, Node left, Node right) {
    auto n = std::make_unique<SearchNode>();
    n->kind = kind;
    n->children.push_back(std::move(left));
    n->children.push_back(std::move(right));
    return n;
  }

  Result<Node> parse_or(int depth) {
    auto left = parse_and(depth);
    if (!left) return left;
    Node node = std::move(*left);
    while (tokens_[at_].kind == SearchToken::Kind::kOr) {
      ++at_;
      auto right = parse_and(depth);
      if (!right) return right;
      node = combine(SearchNode::Kind::kOr, std::move(node), std::move(*right));
    }
    return node;
  }

  Result<Node> parse_and(int depth) {
    auto left = parse_primary(depth);
    if (!left) return left;
    Node node = std::move(*left);
    for (;;) {
      const auto k = tokens_[at_].kind;
      if (k == SearchToken::Kind::kEnd || k == SearchToken::Kind::kOr || k == SearchToken::Kind::kClose) break;
      if (k == SearchToken::Kind::kAnd) ++at_;
      SearchNode::Kind kind = SearchNode::Kind::kAnd;
      if (tokens_[at_].kind == SearchToken::Kind::kNot) {
        ++at_;
        kind = SearchNode::Kind::kAndNot;
      }
      auto right = parse_primary(depth);
      if (!right) return right;
      node = combine(kind, std::move(node), std::move(*right));
    }
    return node;
  }

  Result<Node> parse_primary(int depth) {
    const SearchToken& t = tokens_[at_];
    if (t.kind == SearchToken::Kind::kOpen) {
      if (depth > 50) return fail(t.offset, "the search string nests parentheses too deeply");
      ++at_;
      auto inner = parse_or(depth + 1);
      if (!inner) return inner;
      if (tokens_[at_].kind != SearchToken::Kind::kClose) return unexpected(tokens_[at_]);
      ++at_;
      return inner;
    }
    if (t.kind != SearchToken::Kind::kWord && t.kind != SearchToken::Kind::kPhrase) return unexpected(t);
    ++at_;
    auto n = std::make_unique<SearchNode>();
    n->words = term_words(t.raw);
    if (n->words.empty()) {  // punctuation only: matches nothing, as an empty word would
      n->words.push_back(std::string());
    }
    n->kind = n->words.size() == 1 ? SearchNode::Kind::kWord : SearchNode::Kind::kPhrase;
    return Node(std::move(n));
  }

  std::string_view text_;
  bool strict_;
  std::vector<SearchToken> tokens_;
  std::size_t at_ = 0;
  std::size_t failed_at_ = 0;
};

// ---- the statement ----------------------------------------------------------------------------

class StatementParser {
 public:
  explicit StatementParser(std::string_view text) : text_(text) {}

  Result<Statement> parse() {
    Statement st;
    st.text = std::string(text_);
    skip_space();
    const std::size_t find_at = pos_;
    if (!iequals(word(), "FIND")) {
      if (pos_ == find_at) return malformed("No search term found. The search term must be enclosed in braces.");
      return statement_error("MALFORMED_SEARCH", text_, find_at,
                             "unexpected token: " + std::string(text_.substr(find_at, pos_ - find_at)));
    }
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '{') {
      return malformed("No search term found. The search term must be enclosed in braces.");
    }
    auto search = read_braces();
    if (!search) return search.error();
    st.search = std::move(*search);
    return parse_clauses(std::move(st));
  }

 private:
  Result<Statement> parse_clauses(Statement st) {
    int stage = 0;  // 1 IN, 2 RETURNING, 3 WITH, 4 LIMIT, 5 UPDATE: each clause in its place, once
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) return st;
      const std::size_t at = pos_;
      const std::string w = word();
      if (w.empty()) return unexpected_at(at);
      if (iequals(w, "IN") && stage < 1) {
        stage = 1;
        CRMSYNC_TRY(parse_scope(st));
      } else if (iequals(w, "RETURNING") && stage < 2) {
        stage = 2;
        CRMSYNC_TRY(parse_returning(st));
      } else if (iequals(w, "WITH") && stage < 3) {
        stage = 3;
        CRMSYNC_TRY(parse_metadata(st));
      } else if (iequals(w, "LIMIT") && stage < 4) {
        stage = 4;
        auto n = integer();
        if (!n) return n.error();
        st.limit = *n;
      } else if (iequals(w, "UPDATE") && stage < 5) {
        stage = 5;
        skip_space();
        const std::size_t what_at = pos_;
        const std::string what = word();
        if (!iequals(what, "TRACKING") && !iequals(what, "VIEWSTAT")) return unexpected_at(what_at);
      } else {
        return statement_error("MALFORMED_SEARCH", text_, at, "unexpected token: " + w);
      }
    }
  }

  Status parse_scope(Statement& st) {
    skip_space();
    const std::size_t at = pos_;
    const std::string group = word();
    auto scope = scope_named(group);
    if (!scope) return statement_error("MALFORMED_SEARCH", text_, at, "Malformed search token: " + group);
    skip_space();
    const std::size_t fields_at = pos_;
    const std::string fields = word();
    if (!iequals(fields, "FIELDS")) {
      return statement_error("MALFORMED_SEARCH", text_, fields_at,
                             "Malformed search token: " + (fields.empty() ? std::string("<EOF>") : fields));
    }
    st.scope = *scope;
    return ok_status();
  }

  // WITH METADATA='LABELS' (the only WITH clause the emulator takes).
  Status parse_metadata(Statement& st) {
    skip_space();
    const std::size_t at = pos_;
    if (!iequals(word(), "METADATA")) return unexpected_at(at);
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '=') return unexpected_at(pos_);
    ++pos_;
    skip_space();
    const std::size_t value_at = pos_;
    if (pos_ >= text_.size() || text_[pos_] != '\'') return unexpected_at(value_at);
    ++pos_;
    const std::string value = word();
    if (!iequals(value, "LABELS") || pos_ >= text_.size() || text_[pos_] != '\'') return unexpected_at(value_at);
    ++pos_;
    st.metadata_labels = true;
    return ok_status();
  }

  Status parse_returning(Statement& st) {
    for (;;) {
      skip_space();
      const std::size_t at = pos_;
      const std::string object = word();
      if (object.empty()) return unexpected_at(at);
      Returning r{object, "SELECT Id FROM " + object, at};
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        auto inner = read_parens();
        if (!inner) return inner.error();
        CRMSYNC_TRY(returning_soql(r, *inner));
      }
      st.returning.push_back(std::move(r));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      return ok_status();
    }
  }

  // The SOQL statement of `object(inner)`: the field list, then FROM, then the rest of `inner`
  // (WHERE, ORDER BY, LIMIT, OFFSET) as written. `inner_at` is where `inner` starts.
  Status returning_soql(Returning& r, std::pair<std::size_t, std::size_t> inner) {
    const auto [begin, end] = inner;
    std::size_t split = end;
    bool quoted = false;
    for (std::size_t i = begin; i < end; ++i) {
      const char c = text_[i];
      if (c == '\\' && quoted) {
        ++i;
        continue;
      }
      if (c == '\'') quoted = !quoted;
      if (quoted || (i > begin && is_word_char(text_[i - 1]))) continue;
      for (const char* kw : {"WHERE", "ORDER", "LIMIT", "OFFSET", "USING", "WITH"}) {
        const std::string_view k(kw);
        if (i + k.size() <= end && iequals(text_.substr(i, k.size()), k) &&
            (i + k.size() == end || !is_word_char(text_[i + k.size()]))) {
          split = std::min(split, i);
        }
      }
      if (split != end) break;
    }
    std::string_view fields = text_.substr(begin, split - begin);
    while (!fields.empty() && std::isspace(static_cast<unsigned char>(fields.back()))) fields.remove_suffix(1);
    if (fields.find_first_not_of(" \t\r\n") == std::string_view::npos) return unexpected_at(split);
    r.soql = "SELECT " + std::string(fields) + " FROM " + r.object;
    if (split < end) r.soql += " " + std::string(text_.substr(split, end - split));
    return ok_status();
  }

  // FIND's braces: the search string up to the first unescaped '}'.
  Result<SearchExpression> read_braces() {
    const std::size_t open = pos_++;
    std::size_t i = pos_;
    bool quoted = false;
    while (i < text_.size() && (text_[i] != '}' || quoted)) {
      if (text_[i] == '\\') ++i;
      else if (text_[i] == '"') quoted = !quoted;
      ++i;
    }
    if (i >= text_.size()) {
      return statement_error("MALFORMED_SEARCH", text_, text_.size(),
                             "line 1:" + std::to_string(text_.size()) + " mismatched character '<EOF>' expecting '}'");
    }
    SearchParser p(text_.substr(open + 1, i - open - 1), true);
    auto search = p.parse();
    pos_ = i + 1;
    if (!search) {
      if (search.error().code != "MALFORMED_SEARCH") return search.error();
      const std::size_t at = open + 1 + p.failed_at();
      std::string message = search.error().message;
      if (message.rfind("mismatched", 0) == 0) message = "line 1:" + std::to_string(at) + " " + message;
      return statement_error("MALFORMED_SEARCH", text_, at, message);
    }
    return search;
  }

  // The text between a '(' at pos_ and its ')', quotes respected: [begin, end).
  Result<std::pair<std::size_t, std::size_t>> read_parens() {
    const std::size_t open = pos_;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = open; i < text_.size(); ++i) {
      const char c = text_[i];
      if (quoted) {
        if (c == '\\') ++i;
        else if (c == '\'') quoted = false;
        continue;
      }
      if (c == '\'') quoted = true;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) {
        pos_ = i + 1;
        return std::pair{open + 1, i};
      }
    }
    return statement_error("MALFORMED_SEARCH", text_, text_.size(), "unexpected token: <EOF>");
  }

  Result<std::int64_t> integer() {
    skip_space();
    const std::size_t at = pos_;
    const std::string w = word();
    std::int64_t n = 0;
    auto r = std::from_chars(w.data(), w.data() + w.size(), n);
    if (w.empty() || r.ec != std::errc() || r.ptr != w.data() + w.size() || n < 0) return unexpected_at(at);
    return n;
  }

  Error unexpected_at(std::size_t at) {
    if (at >= text_.size()) return statement_error("MALFORMED_SEARCH", text_, at, "unexpected token: <EOF>");
    std::size_t end = at + 1;
    while (end < text_.size() && is_word_char(text_[end]) && is_word_char(text_[at])) ++end;
    return statement_error("MALFORMED_SEARCH", text_, at, "unexpected token: " + std::string(text_.substr(at, end - at)));
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  // A name (letters, digits, _ and .) at pos_; empty when none starts there.
  std::string word() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' ||
                                   text_[pos_] == '.')) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<Scope> scope_named(std::string_view name) {
  if (iequals(name, "ALL")) return Scope::kAll;
  if (iequals(name, "NAME")) return Scope::kName;
  if (iequals(name, "EMAIL")) return Scope::kEmail;
  if (iequals(name, "PHONE")) return Scope::kPhone;
  if (iequals(name, "SIDEBAR")) return Scope::kSidebar;
  return std::nullopt;
}

Result<SearchExpression> parse_search(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return malformed("No search term found. The search term must be enclosed in braces.");
  }
  return SearchParser(text, false).parse();
}

Result<Statement> parse(std::string_view text) { return StatementParser(text).parse(); }

Error returning_error(const Statement& statement, const Returning& returning, const Error& error) {
  std::string code = error.code == "MALFORMED_QUERY" ? "MALFORMED_SEARCH" : error.code;
  const std::size_t last_line = error.message.rfind('\n');
  std::string message = last_line == std::string::npos ? error.message : error.message.substr(last_line + 1);
  if (statement.text.empty()) return request_error(error.http_status, std::move(code), std::move(message));
  return statement_error(std::move(code), statement.text, returning.offset, message);
}

}  // namespace crmsync::emulator::sosl
