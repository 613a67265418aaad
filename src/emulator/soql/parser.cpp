// The recursive-descent SOQL parser. Grammar (keywords in any case):
//
//   query      := SELECT select FROM object [WHERE where] [GROUP BY field {, field} [HAVING where]]
//                 [ORDER BY order {, order}] [LIMIT integer] [OFFSET integer] [FOR VIEW|FOR REFERENCE]
//   select     := COUNT ( ) | item {, item}
//   item       := field | ( query ) | aggregate [alias] | toLabel ( field ) | FIELDS ( STANDARD|ALL|CUSTOM )
//                 | TYPEOF field WHEN object THEN field {, field} {WHEN ...} [ELSE field {, field}] END
//   aggregate  := COUNT ( [field] ) | COUNT_DISTINCT ( field ) | SUM|AVG|MIN|MAX ( field )
//   where      := [NOT] operand | chain
//   chain      := operand {AND operand} | operand {OR operand}   -- mixing needs parentheses
//   operand    := ( where ) | field op value | field [NOT] IN ( value {, value} ) | field LIKE value
//                 | field [NOT] IN ( query ) | field INCLUDES|EXCLUDES ( value {, value} )
//   order      := field [ASC|DESC] [NULLS FIRST|NULLS LAST]
//   value      := 'string' | number | date | datetime | TRUE | FALSE | NULL | relative [: integer]
//
// A subquery (in the SELECT list or after IN) is a query without OFFSET, GROUP BY or FOR; in
// HAVING and in ORDER BY `field` may be an aggregate.
#include <charconv>
#include <string>

#include "common/text.h"
#include "common/timeutil.h"
#include "emulator/soql/ast.h"
#include "emulator/soql/dates.h"
#include "emulator/soql/lexer.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator::soql {

Query::Query() : ast_(std::make_unique<QueryAst>()) {}
Query::~Query() = default;
Query::Query(Query&&) noexcept = default;
Query& Query::operator=(Query&&) noexcept = default;
Query::Query(std::unique_ptr<QueryAst> ast) : ast_(std::move(ast)) {}
const std::string& Query::text() const { return ast_->text; }
const std::string& Query::object_name() const { return ast_->object.name; }

namespace {

// Words that end a field list or clause, or start a feature the emulator does not offer; a field
// may not be named like one of them.
constexpr const char* kReserved[] = {
    "select", "from",   "where",    "and",      "or",       "not",   "in",     "like",   "order", "by",
    "asc",    "desc",   "nulls",    "limit",    "offset",   "group", "having", "with",   "for",   "using",
    "typeof", "true",   "false",    "null",     "includes", "excludes", "rollup", "cube", "update",
    "view",   "reference", "tracking", "end",  "when",     "then",  "else",   "all",    "rows",
};

// How deep parentheses may nest in WHERE (the emulator's bound; Salesforce documents none).
constexpr std::size_t kMaxNesting = 100;

bool is_reserved(std::string_view word) {
  for (const char* r : kReserved) {
    if (iequals(word, r)) return true;
  }
  return false;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens) : text_(text), tokens_(std::move(tokens)) {}

  Result<std::unique_ptr<QueryAst>> parse_query() {
    auto ast = parse_statement(false);
    if (!ast) return ast.error();
    if (peek().kind != TokenKind::kEnd) return unexpected();
    return ast;
  }

 private:
  // A statement up to its end (top level) or up to its closing parenthesis (nested, which the
  // caller consumes).
  Result<std::unique_ptr<QueryAst>> parse_statement(bool nested) {
    auto ast = std::make_unique<QueryAst>();
    ast->text = std::string(text_);
    CRMSYNC_TRY(expect_keyword("select"));
    CRMSYNC_TRY(parse_select(*ast));
    CRMSYNC_TRY(expect_keyword("from"));
    if (peek().kind != TokenKind::kIdent || is_reserved(peek().text)) return unexpected();
    ast->object = FieldRef{std::string(peek().text), peek().offset};
    next();
    if (accept_keyword("where")) {
      auto where = parse_where();
      if (!where) return where.error();
      ast->where = std::move(*where);
    }
    if (!nested && is_keyword(peek(), "group") && is_keyword(peek(1), "by")) {
      next();
      next();
      do {
        auto f = parse_field();
        if (!f) return f.error();
        ast->group_by.push_back(std::move(*f));
      } while (accept(TokenKind::kComma));
      if (accept_keyword("having")) {
        allow_aggregates_ = true;
        auto having = parse_where();
        allow_aggregates_ = false;
        if (!having) return having.error();
        ast->having = std::move(*having);
      }
    }
    if (accept_keyword("order")) {
      CRMSYNC_TRY(expect_keyword("by"));
      allow_aggregates_ = true;
      do {
        if (auto s = parse_order_item(*ast); !s) {
          allow_aggregates_ = false;
          return s.error();
        }
      } while (accept(TokenKind::kComma));
      allow_aggregates_ = false;
    }
    if (accept_keyword("limit")) {
      ast->limit_offset = peek().offset;
      auto n = parse_count();
      if (!n) return n.error();
      ast->limit = *n;
    }
    if (!nested && accept_keyword("offset")) {
      ast->offset_offset = peek().offset;
      auto n = parse_count();
      if (!n) return n.error();
      ast->offset = *n;
    }
    if (!nested && accept_keyword("for")) {
      if (accept_keyword("view")) {
        ast->for_view = true;
      } else if (accept_keyword("reference")) {
        ast->for_reference = true;
      } else {
        return unexpected();
      }
    }
    if (nested && peek().kind != TokenKind::kRParen) return unexpected();
    return ast;
  }

  // `( SELECT ... )` after its opening parenthesis: the nested statement and the `)`.
  Result<std::shared_ptr<const QueryAst>> parse_subquery() {
    if (depth_ == kMaxNesting) return unexpected();
    ++depth_;
    auto sub = parse_statement(true);
    --depth_;
    if (!sub) return sub.error();
    CRMSYNC_TRY(expect(TokenKind::kRParen));
    return std::shared_ptr<const QueryAst>(std::move(*sub));
  }

  const Token& peek(std::size_t ahead = 0) const {
    std::size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool is_keyword(const Token& t, const char* word) const { return t.kind == TokenKind::kIdent && iequals(t.text, word); }
  bool accept_keyword(const char* word) {
    if (!is_keyword(peek(), word)) return false;
    next();
    return true;
  }
  bool accept(TokenKind kind) {
    if (peek().kind != kind) return false;
    next();
    return true;
  }
  Error unexpected() const { return unexpected_token(text_, peek()); }
  Status expect_keyword(const char* word) {
    if (!accept_keyword(word)) return unexpected();
    return ok_status();
  }
  Status expect(TokenKind kind) {
    if (!accept(kind)) return unexpected();
    return ok_status();
  }

  Result<FieldRef> parse_field() {
    const Token& t = peek();
    if (t.kind != TokenKind::kIdent || is_reserved(t.text)) return unexpected();
    if (peek(1).kind == TokenKind::kLParen) {
      // A function call is a field only where aggregates are (HAVING, ORDER BY).
      if (allow_aggregates_ && aggregate_fn(t.text) != AggregateFn::kNone) return parse_aggregate();
      return unexpected_token(text_, peek(1));
    }
    next();
    return FieldRef{std::string(t.text), t.offset};
  }

  static AggregateFn aggregate_fn(std::string_view word) {
    if (iequals(word, "count")) return AggregateFn::kCount;
    if (iequals(word, "count_distinct")) return AggregateFn::kCountDistinct;
    if (iequals(word, "sum")) return AggregateFn::kSum;
    if (iequals(word, "avg")) return AggregateFn::kAvg;
    if (iequals(word, "min")) return AggregateFn::kMin;
    if (iequals(word, "max")) return AggregateFn::kMax;
    return AggregateFn::kNone;
  }

  // COUNT(), COUNT(Id), SUM(Amount), ...: the function word is the current token.
  Result<FieldRef> parse_aggregate() {
    const Token& fn = next();
    next();  // (
    FieldRef ref;
    ref.fn = aggregate_fn(fn.text);
    ref.offset = fn.offset;
    if (ref.fn == AggregateFn::kCount && peek().kind == TokenKind::kRParen) {
      next();
      return ref;
    }
    const Token& arg = peek();
    if (arg.kind != TokenKind::kIdent || is_reserved(arg.text) || peek(1).kind == TokenKind::kLParen) {
      return unexpected();
    }
    next();
    ref.name = std::string(arg.text);
    CRMSYNC_TRY(expect(TokenKind::kRParen));
    return ref;
  }

  // toLabel(Field) and FIELDS(STANDARD|ALL|CUSTOM): the function word is the current token.
  Result<FieldRef> parse_select_function() {
    const Token& fn = peek();
    if (iequals(fn.text, "tolabel")) {
      next();
      next();
      auto f = parse_field();
      if (!f) return f.error();
      f->to_label = true;
      CRMSYNC_TRY(expect(TokenKind::kRParen));
      return f;
    }
    if (iequals(fn.text, "fields")) {
      next();
      next();
      const Token& g = peek();
      FieldRef ref{"FIELDS(" + to_upper(g.text) + ")", fn.offset};
      if (is_keyword(g, "standard")) ref.group = FieldsGroup::kStandard;
      else if (is_keyword(g, "all")) ref.group = FieldsGroup::kAll;
      else if (is_keyword(g, "custom")) ref.group = FieldsGroup::kCustom;
      else return unexpected();
      next();
      CRMSYNC_TRY(expect(TokenKind::kRParen));
      return ref;
    }
    if (aggregate_fn(fn.text) != AggregateFn::kNone) return parse_aggregate();
    return unexpected_token(text_, peek(1));
  }

  // A field list of TYPEOF's WHEN or ELSE: fields separated by commas.
  Result<std::vector<FieldRef>> parse_typeof_fields() {
    std::vector<FieldRef> out;
    do {
      auto f = parse_field();
      if (!f) return f.error();
      out.push_back(std::move(*f));
    } while (accept(TokenKind::kComma));
    return out;
  }

  // TYPEOF What WHEN Account THEN Name, Industry ... [ELSE Name] END: TYPEOF is the current token.
  Result<FieldRef> parse_typeof() {
    next();
    auto field = parse_field();
    if (!field) return field.error();
    auto clauses = std::make_shared<TypeOf>();
    while (accept_keyword("when")) {
      TypeOfWhen when;
      auto type = parse_field();
      if (!type) return type.error();
      when.type = std::move(*type);
      CRMSYNC_TRY(expect_keyword("then"));
      auto fields = parse_typeof_fields();
      if (!fields) return fields.error();
      when.fields = std::move(*fields);
      clauses->whens.push_back(std::move(when));
    }
    if (clauses->whens.empty()) return unexpected();  // at least one WHEN, as the grammar says
    if (accept_keyword("else")) {
      auto fields = parse_typeof_fields();
      if (!fields) return fields.error();
      clauses->else_fields = std::move(*fields);
    }
    CRMSYNC_TRY(expect_keyword("end"));
    field->type_of = std::move(clauses);
    return field;
  }

  Result<FieldRef> parse_select_item() {
    const Token& t = peek();
    if (is_keyword(t, "typeof")) return parse_typeof();
    if (t.kind != TokenKind::kIdent || is_reserved(t.text)) return unexpected();
    if (peek(1).kind != TokenKind::kLParen) return parse_field();
    auto f = parse_select_function();
    if (!f) return f.error();
    // An alias: a word that is not a keyword (`SUM(Amount) total`).
    if (f->fn != AggregateFn::kNone && peek().kind == TokenKind::kIdent && !is_reserved(peek().text)) {
      f->alias = std::string(next().text);
    }
    return f;
  }

  Status parse_select(QueryAst& ast) {
    if (is_keyword(peek(), "count") && peek(1).kind == TokenKind::kLParen && peek(2).kind == TokenKind::kRParen) {
      next();
      next();
      next();
      ast.is_count = true;
      return ok_status();  // COUNT() stands alone: a following ',' is an unexpected token at FROM
    }
    do {
      if (peek().kind == TokenKind::kLParen) {  // a parent-to-child subquery
        next();
        auto sub = parse_subquery();
        if (!sub) return sub.error();
        ast.subqueries.push_back(std::move(*sub));
        continue;
      }
      auto f = parse_select_item();
      if (!f) return f.error();
      ast.fields.push_back(std::move(*f));
    } while (accept(TokenKind::kComma));
    return ok_status();
  }

  Status parse_order_item(QueryAst& ast) {
    auto f = parse_field();
    if (!f) return f.error();
    OrderItem item;
    item.field = std::move(*f);
    if (accept_keyword("desc")) {
      item.descending = true;
    } else {
      accept_keyword("asc");
    }
    item.nulls_last = item.descending;
    if (accept_keyword("nulls")) {
      if (accept_keyword("last")) {
        item.nulls_last = true;
      } else if (accept_keyword("first")) {
        item.nulls_last = false;
      } else {
        return unexpected();
      }
    }
    ast.order_by.push_back(std::move(item));
    return ok_status();
  }

  // LIMIT / OFFSET / LAST_N_DAYS counts: a non-negative 32-bit integer.
  Result<std::int64_t> parse_count() {
    const Token& t = peek();
    if (t.kind != TokenKind::kNumber || t.text.find_first_of(".-") != std::string_view::npos) return unexpected();
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
    if (ec != std::errc() || n > 2147483647) {
      return query_error("MALFORMED_QUERY", text_, t.offset, "numeric value out of range: " + std::string(t.text));
    }
    next();
    return n;
  }

  // where := [NOT] operand | chain  (at the top of WHERE and right inside parentheses)
  Result<ConditionPtr> parse_where() {
    ConditionPtr first;
    if (accept_keyword("not")) {
      auto operand = parse_operand();
      if (!operand) return operand.error();
      first = std::make_unique<Condition>();
      first->kind = Condition::Kind::kNot;
      first->children.push_back(std::move(*operand));
    } else {
      auto operand = parse_operand();
      if (!operand) return operand.error();
      first = std::move(*operand);
    }
    if (!is_keyword(peek(), "and") && !is_keyword(peek(), "or")) return first;
    const bool is_and = is_keyword(peek(), "and");
    const char* op = is_and ? "and" : "or";
    const char* other = is_and ? "or" : "and";
    auto chain = std::make_unique<Condition>();
    chain->kind = is_and ? Condition::Kind::kAnd : Condition::Kind::kOr;
    chain->children.push_back(std::move(first));
    while (accept_keyword(op)) {
      auto operand = parse_operand();  // NOT after AND/OR needs parentheses, as in Salesforce
      if (!operand) return operand.error();
      chain->children.push_back(std::move(*operand));
    }
    if (is_keyword(peek(), other)) return unexpected();
    return ConditionPtr(std::move(chain));
  }

  Result<ConditionPtr> parse_operand() {
    if (peek().kind == TokenKind::kLParen) {
      // Each level is a recursion here and in the executor: bounded, or a query of 40 KB of
      // parentheses would overflow the stack.
      if (depth_ == kMaxNesting) {
        return query_error("MALFORMED_QUERY", text_, peek().offset,
                           "Parentheses nest more than " + std::to_string(kMaxNesting) + " levels deep");
      }
      next();
      ++depth_;
      auto inner = parse_where();
      --depth_;
      if (!inner) return inner.error();
      CRMSYNC_TRY(expect(TokenKind::kRParen));
      return std::move(*inner);
    }
    auto field = parse_field();
    if (!field) return field.error();
    auto c = std::make_unique<Condition>();
    c->kind = Condition::Kind::kCompare;
    c->field = std::move(*field);
    const Token& op = peek();
    if (op.kind == TokenKind::kOperator) {
      next();
      if (op.text == "=") c->op = CompareOp::kEq;
      else if (op.text == "!=" || op.text == "<>") c->op = CompareOp::kNe;
      else if (op.text == "<") c->op = CompareOp::kLt;
      else if (op.text == "<=") c->op = CompareOp::kLe;
      else if (op.text == ">") c->op = CompareOp::kGt;
      else c->op = CompareOp::kGe;
      auto v = parse_value();
      if (!v) return v.error();
      c->values.push_back(std::move(*v));
      return ConditionPtr(std::move(c));
    }
    if (accept_keyword("like")) {
      c->op = CompareOp::kLike;
      auto v = parse_value();
      if (!v) return v.error();
      c->values.push_back(std::move(*v));
      return ConditionPtr(std::move(c));
    }
    if (is_keyword(peek(), "includes") || is_keyword(peek(), "excludes")) {
      c->op = is_keyword(next(), "includes") ? CompareOp::kIncludes : CompareOp::kExcludes;
      CRMSYNC_TRY(expect(TokenKind::kLParen));
      return parse_value_list(std::move(c));
    }
    if (is_keyword(peek(), "not") && is_keyword(peek(1), "in")) {
      next();
      c->op = CompareOp::kNotIn;
    } else if (is_keyword(peek(), "in")) {
      c->op = CompareOp::kIn;
    } else {
      return unexpected();
    }
    next();  // IN
    CRMSYNC_TRY(expect(TokenKind::kLParen));
    if (is_keyword(peek(), "select")) {  // a semi-join (IN) or anti-join (NOT IN)
      auto sub = parse_subquery();
      if (!sub) return sub.error();
      c->subquery = std::move(*sub);
      return ConditionPtr(std::move(c));
    }
    return parse_value_list(std::move(c));
  }

  // `value {, value} )` after the opening parenthesis of IN, NOT IN, INCLUDES or EXCLUDES.
  Result<ConditionPtr> parse_value_list(std::unique_ptr<Condition> c) {
    do {
      auto v = parse_value();
      if (!v) return v.error();
      c->values.push_back(std::move(*v));
    } while (accept(TokenKind::kComma));
    CRMSYNC_TRY(expect(TokenKind::kRParen));
    return ConditionPtr(std::move(c));
  }

  Result<Literal> parse_value() {
    const Token& t = peek();
    Literal lit;
    lit.text = std::string(t.text);
    lit.offset = t.offset;
    switch (t.kind) {
      case TokenKind::kString: {
        CRMSYNC_TRY(unescape(t, lit));
        lit.kind = LiteralKind::kString;
        next();
        return lit;
      }
      case TokenKind::kNumber: {
        if (t.text.find('.') == std::string_view::npos) {
          auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), lit.integer);
          if (ec != std::errc()) {
            return query_error("MALFORMED_QUERY", text_, t.offset, "numeric value out of range: " + lit.text);
          }
          lit.kind = LiteralKind::kInteger;
          lit.decimal = static_cast<double>(lit.integer);
        } else {
          lit.kind = LiteralKind::kDecimal;
          auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), lit.decimal);
          if (ec != std::errc()) {  // a few hundred digits: beyond a double
            return query_error("MALFORMED_QUERY", text_, t.offset, "numeric value out of range: " + lit.text);
          }
        }
        next();
        return lit;
      }
      case TokenKind::kDate: {
        auto d = parse_date(t.text);
        if (!d) return unexpected();
        lit.kind = LiteralKind::kDate;
        lit.date = *d;
        next();
        return lit;
      }
      case TokenKind::kDateTime: {
        // SOQL wants the zone (Z or +hh:mm); timeutil accepts the same forms.
        char last = t.text.back();
        bool zoned = last == 'Z' || last == 'z' || t.text.find_first_of("+-", 19) != std::string_view::npos;
        auto ms = zoned ? parse_datetime(t.text) : std::nullopt;
        if (!ms) return unexpected();
        lit.kind = LiteralKind::kDateTime;
        lit.datetime = *ms;
        next();
        return lit;
      }
      case TokenKind::kIdent: {
        if (iequals(t.text, "true") || iequals(t.text, "false")) {
          lit.kind = LiteralKind::kBoolean;
          lit.boolean = iequals(t.text, "true");
          next();
          return lit;
        }
        if (iequals(t.text, "null")) {
          lit.kind = LiteralKind::kNull;
          next();
          return lit;
        }
        return parse_relative(lit);
      }
      default:
        return unexpected();
    }
  }

  Result<Literal> parse_relative(Literal& lit) {
    const Token& name = peek();
    RelativeArity arity = relative_date_arity(name.text);
    if (arity == RelativeArity::kNone) return unexpected();
    next();
    std::int64_t n = 0;
    if (arity == RelativeArity::kWithCount) {
      CRMSYNC_TRY(expect(TokenKind::kColon));
      auto count = parse_count();
      if (!count) return count.error();
      n = *count;
      lit.text = std::string(text_.substr(name.offset, peek().offset - name.offset));
      while (!lit.text.empty() && lit.text.back() == ' ') lit.text.pop_back();
    }
    lit.kind = LiteralKind::kRelativeDate;
    lit.relative = *make_relative_date(name.text, n);
    return std::move(lit);
  }

  // SOQL escapes: \n \r \t \b \f \" \' \\ and, for LIKE, \% \_ (kept escaped in like_pattern).
  Status unescape(const Token& t, Literal& lit) {
    std::string_view body = t.text.substr(1, t.text.size() - 2);
    for (std::size_t i = 0; i < body.size(); ++i) {
      char c = body[i];
      if (c != '\\') {
        lit.str.push_back(c);
        lit.like_pattern.push_back(c);
        continue;
      }
      char e = ++i < body.size() ? body[i] : '\0';
      char out = 0;
      switch (e) {
        case 'n': case 'N': out = '\n'; break;
        case 'r': case 'R': out = '\r'; break;
        case 't': case 'T': out = '\t'; break;
        case 'b': case 'B': out = '\b'; break;
        case 'f': case 'F': out = '\f'; break;
        case '"': case '\'': case '\\': out = e; break;
        case '%': case '_':
          lit.str.push_back(e);
          lit.like_pattern.push_back('\\');
          lit.like_pattern.push_back(e);
          continue;
        default:
          return query_error("MALFORMED_QUERY", text_, t.offset,
                             "Invalid string literal '" + std::string(body) + "'. Illegal character sequence '\\" +
                                 std::string(utf8_prefix(body.substr(i), 1)) + "' in string literal.");
      }
      lit.str.push_back(out);
      if (out == '\\') lit.like_pattern.push_back('\\');
      lit.like_pattern.push_back(out);
    }
    return ok_status();
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;  // parentheses open around the current operand
  bool allow_aggregates_ = false;  // in HAVING and ORDER BY
};

}  // namespace

Result<Query> parse(std::string_view text) {
  bool blank = true;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') blank = false;
  }
  if (blank) return plain_query_error("MALFORMED_QUERY", "SOQL statements cannot be empty or null");
  auto tokens = lex(text);
  if (!tokens) return tokens.error();
  Parser parser(text, std::move(*tokens));
  auto ast = parser.parse_query();
  if (!ast) return ast.error();
  return Query(std::move(*ast));
}

}  // namespace crmsync::emulator::soql
