// The SOQL executor: resolves a parsed statement against a table once (field indexes, typed
// constants, LIKE patterns, relative dates), then scans row numbers with the compiled filter.
#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <limits>
#include <string>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/soql/ast.h"
#include "emulator/soql/dates.h"
#include "emulator/soql/lexer.h"
#include "emulator/soql/paths.h"
#include "emulator/soql/select.h"
#include "emulator/soql/soql.h"

namespace crmsync::emulator::soql {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr std::int64_t kMaxOffset = 2000;

// How a field's values compare, from its describe type.
enum class FieldClass { kText, kId, kBoolean, kInteger, kDouble, kDate, kDateTime, kTime, kOther };

FieldClass classify(const FieldDef& f) {
  const std::string& t = f.type;
  if (t == "id" || t == "reference") return FieldClass::kId;
  if (t == "string" || t == "textarea" || t == "picklist" || t == "multipicklist" || t == "email" || t == "phone" ||
      t == "url" || t == "combobox" || t == "encryptedstring") {
    return FieldClass::kText;
  }
  if (t == "boolean") return FieldClass::kBoolean;
  if (t == "int" || t == "long") return FieldClass::kInteger;
  if (t == "double" || t == "currency" || t == "percent") return FieldClass::kDouble;
  if (t == "date") return FieldClass::kDate;
  if (t == "datetime") return FieldClass::kDateTime;
  if (t == "time") return FieldClass::kTime;
  return FieldClass::kOther;
}

// The word Salesforce uses for a field's type in "must be of type X" messages.
const char* type_word(FieldClass c, const FieldDef& f) {
  switch (c) {
    case FieldClass::kText: return "string";
    case FieldClass::kId: return "id";
    case FieldClass::kBoolean: return "boolean";
    case FieldClass::kInteger: return f.type == "long" ? "long" : "integer";
    case FieldClass::kDouble: return "double";
    case FieldClass::kDate: return "date";
    case FieldClass::kDateTime: return "dateTime";
    case FieldClass::kTime: return "time";
    case FieldClass::kOther: return "string";
  }
  return "string";
}

inline unsigned char fold(unsigned char c) { return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c; }

// Case-insensitive (ASCII letters) three-way comparison, as Salesforce compares text.
int ci_compare(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = fold(static_cast<unsigned char>(a[i])), y = fold(static_cast<unsigned char>(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// A LIKE pattern: % any run, _ one character (code point), \% \_ \\ literal; case-insensitive.
class LikePattern {
 public:
  LikePattern() = default;
  explicit LikePattern(std::string_view p) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '\\' && i + 1 < p.size()) {
        items_.push_back({kChar, fold(static_cast<unsigned char>(p[++i]))});
      } else if (p[i] == '%') {
        items_.push_back({kAnyRun, 0});
      } else if (p[i] == '_') {
        items_.push_back({kAnyOne, 0});
      } else {
        items_.push_back({kChar, fold(static_cast<unsigned char>(p[i]))});
      }
    }
  }

  bool matches(std::string_view s) const {
    std::size_t si = 0, pi = 0;
    std::size_t star_p = std::string::npos, star_s = 0;
    while (si < s.size()) {
      if (pi < items_.size() && items_[pi].kind == kAnyRun) {
        star_p = pi++;
        star_s = si;
      } else if (pi < items_.size() && items_[pi].kind == kAnyOne) {
        si = next_code_point(s, si);
        ++pi;
      } else if (pi < items_.size() && items_[pi].c == fold(static_cast<unsigned char>(s[si]))) {
        ++si;
        ++pi;
      } else if (star_p != std::string::npos) {
        pi = star_p + 1;
        star_s = next_code_point(s, star_s);
        si = star_s;
      } else {
        return false;
      }
    }
    while (pi < items_.size() && items_[pi].kind == kAnyRun) ++pi;
    return pi == items_.size();
  }

 private:
  enum Kind : unsigned char { kChar, kAnyOne, kAnyRun };
  struct Item {
    Kind kind;
    unsigned char c;
  };
  static std::size_t next_code_point(std::string_view s, std::size_t i) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    return i;
  }
  std::vector<Item> items_;
};

// One comparison with its constants resolved for the field's class.
struct Leaf {
  FieldClass cls = FieldClass::kText;
  std::size_t field = 0;
  CompareOp op = CompareOp::kEq;
  bool has_null = false;               // a null among the values (= null, IN (null, ...))
  std::vector<std::string> texts;      // kText: sorted case-insensitively; kId: sorted 15-char Ids
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;  // boolean/date/datetime: [lo, hi)
  std::vector<double> numbers;         // kInteger / kDouble
  LikePattern like;
  // INCLUDES / EXCLUDES: each value's ';'-separated items, sorted case-insensitively.
  std::vector<std::vector<std::string>> groups;
  // A relationship path (WHERE Account.Name = ...): the value comes from the parent record.
  std::shared_ptr<const ResolvedPath> path;
  const ExecOptions* options = nullptr;  // path only: the user's hooks
};

struct Node {
  Condition::Kind kind = Condition::Kind::kCompare;
  std::vector<Node> children;
  std::size_t leaf = 0;  // into Plan::leaves
};

// The integer a boolean, date, datetime or time value orders by.
bool int_key(const Value& v, std::int64_t* out) {
  switch (v.index()) {
    case 1: *out = std::get<bool>(v) ? 1 : 0; return true;
    case 5: *out = std::get<Date>(v).days; return true;
    case 6: *out = std::get<DateTime>(v).ms; return true;
    case 7: *out = std::get<Time>(v).ms; return true;
    default: return false;
  }
}

bool number_key(const Value& v, double* out) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    *out = static_cast<double>(*i);
    return true;
  }
  if (const auto* d = std::get_if<double>(&v)) {
    *out = *d;
    return true;
  }
  return false;
}

bool ci_less(std::string_view a, std::string_view b) { return ci_compare(a, b) < 0; }

// A multi-select picklist value ('a;b') as its sorted items.
std::vector<std::string> split_values(std::string_view v) {
  std::vector<std::string> items;
  for (std::string_view rest = v; !rest.empty();) {
    std::size_t semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  std::sort(items.begin(), items.end(), ci_less);
  return items;
}

// INCLUDES: the record's items hold every item of one of the values; EXCLUDES: of none of them.
bool eval_includes(const Leaf& leaf, const Value& v) {
  const auto* s = std::get_if<std::string>(&v);
  const std::vector<std::string> items = s ? split_values(*s) : std::vector<std::string>{};
  bool any = false;
  for (const auto& group : leaf.groups) {
    if (std::includes(items.begin(), items.end(), group.begin(), group.end(), ci_less)) any = true;
  }
  return leaf.op == CompareOp::kIncludes ? any : !any;
}

bool is_membership(CompareOp op) { return op == CompareOp::kEq || op == CompareOp::kIn; }
bool is_exclusion(CompareOp op) { return op == CompareOp::kNe || op == CompareOp::kNotIn; }

bool eval_value(const Leaf& leaf, const Value& v) {
  if (leaf.op == CompareOp::kIncludes || leaf.op == CompareOp::kExcludes) [[unlikely]] {
    return eval_includes(leaf, v);
  }
  if (is_null(v)) {
    if (is_membership(leaf.op)) return leaf.has_null;
    if (is_exclusion(leaf.op)) return !leaf.has_null;
    return false;
  }
  bool found = false;  // for =/IN/!=/NOT IN: whether a non-null constant equals the value
  switch (leaf.cls) {
    case FieldClass::kText: {
      const auto* s = std::get_if<std::string>(&v);
      if (s == nullptr) return is_exclusion(leaf.op);
      if (leaf.op == CompareOp::kLike) return leaf.like.matches(*s);
      if (is_membership(leaf.op) || is_exclusion(leaf.op)) {
        found = std::binary_search(leaf.texts.begin(), leaf.texts.end(), *s,
                                   [](std::string_view a, std::string_view b) { return ci_compare(a, b) < 0; });
        break;
      }
      if (leaf.texts.empty()) return false;
      int c = ci_compare(*s, leaf.texts[0]);
      switch (leaf.op) {
        case CompareOp::kLt: return c < 0;
        case CompareOp::kLe: return c <= 0;
        case CompareOp::kGt: return c > 0;
        default: return c >= 0;
      }
    }
    case FieldClass::kId: {
      const auto* s = std::get_if<std::string>(&v);
      if (s == nullptr) return is_exclusion(leaf.op);
      const std::string key = sf_id15(*s);
      if (is_membership(leaf.op) || is_exclusion(leaf.op)) {
        found = std::binary_search(leaf.texts.begin(), leaf.texts.end(), key,
                                   [](std::string_view a, std::string_view b) { return a < b; });
        break;
      }
      if (leaf.texts.empty()) return false;
      int c = key.compare(leaf.texts[0]);
      switch (leaf.op) {
        case CompareOp::kLt: return c < 0;
        case CompareOp::kLe: return c <= 0;
        case CompareOp::kGt: return c > 0;
        default: return c >= 0;
      }
    }
    case FieldClass::kInteger:
    case FieldClass::kDouble: {
      double x = 0;
      if (!number_key(v, &x)) return is_exclusion(leaf.op);
      if (is_membership(leaf.op) || is_exclusion(leaf.op)) {
        found = std::find(leaf.numbers.begin(), leaf.numbers.end(), x) != leaf.numbers.end();
        break;
      }
      if (leaf.numbers.empty()) return false;
      double k = leaf.numbers[0];
      switch (leaf.op) {
        case CompareOp::kLt: return x < k;
        case CompareOp::kLe: return x <= k;
        case CompareOp::kGt: return x > k;
        default: return x >= k;
      }
    }
    default: {
      std::int64_t x = 0;
      if (!int_key(v, &x)) return is_exclusion(leaf.op);
      if (is_membership(leaf.op) || is_exclusion(leaf.op)) {
        for (const auto& [lo, hi] : leaf.ranges) {
          if (x >= lo && x < hi) found = true;
        }
        break;
      }
      if (leaf.ranges.empty()) return false;
      auto [lo, hi] = leaf.ranges[0];
      switch (leaf.op) {
        case CompareOp::kLt: return x < lo;
        case CompareOp::kLe: return x < hi;
        case CompareOp::kGt: return x >= hi;
        default: return x >= lo;
      }
    }
  }
  return is_membership(leaf.op) ? found : !found;
}

bool eval_leaf(const Leaf& leaf, const Row& row) {
  if (leaf.path) [[unlikely]] {
    Value scratch;
    return eval_value(leaf, path_value(*leaf.path, row, *leaf.options, scratch));
  }
  return eval_value(leaf, row[leaf.field]);
}

struct Plan {
  std::vector<Leaf> leaves;
};

bool eval(const Node& n, const Plan& plan, const Row& row) {
  switch (n.kind) {
    case Condition::Kind::kAnd:
      for (const auto& c : n.children) {
        if (!eval(c, plan, row)) return false;
      }
      return true;
    case Condition::Kind::kOr:
      for (const auto& c : n.children) {
        if (eval(c, plan, row)) return true;
      }
      return false;
    case Condition::Kind::kNot:
      return !eval(n.children[0], plan, row);
    case Condition::Kind::kCompare:
      return eval_leaf(plan.leaves[n.leaf], row);
  }
  return false;
}

}  // namespace

Error unknown_object_error(const QueryAst& ast, const FieldRef& object) { return unknown_object_error(ast.text, object); }

Error unknown_object_error(std::string_view text, const FieldRef& object) {
  return query_error("INVALID_TYPE", text, object.offset,
                     "sObject type '" + object.name +
                         "' is not supported. If you are attempting to use a custom object, be sure to append the "
                         "'__c' after the entity name. Please reference your WSDL or the describe call for the "
                         "appropriate names.");
}

namespace {

// What a HAVING or aggregate ORDER BY names: a column of the aggregate rows and its type.
struct AggregateTarget {
  std::size_t column = 0;
  FieldDef def;
};
using AggregateResolver = std::function<Result<AggregateTarget>(const FieldRef&)>;

// Compiles a statement against one table, reporting errors as Salesforce does.
class Compiler {
 public:
  Compiler(const QueryAst& ast, const Table& table, const Database& db, const ExecOptions& options)
      : ast_(ast), table_(table), db_(db), options_(options) {
    EpochMs now = options.now != 0 ? options.now : now_ms();
    today_ = days_of(now);
  }

  Result<std::size_t> resolve(const FieldRef& ref) {
    std::string_view name = ref.name;
    if (is_path(table_, ref)) {  // only ORDER BY gets here: SELECT and WHERE resolve paths themselves
      auto path = resolve_path(ref);
      if (!path) return path.error();
      return query_error("MALFORMED_QUERY", ast_.text, ref.offset,
                         "relationship paths in ORDER BY are not supported by the crmsync emulator: " + ref.name);
    }
    if (std::size_t dot = name.find('.'); dot != std::string_view::npos) {
      name = name.substr(dot + 1);  // SELECT Account.Name FROM Account
    }
    auto index = table_.field_index(name);
    if (!index || !visible(table_.field(*index))) {
      return query_error("INVALID_FIELD", ast_.text, ref.offset,
                         "No such column '" + std::string(name) + "' on entity '" + table_.name() +
                             "'. If you are attempting to use a custom field, be sure to append the '__c' after the "
                             "custom field name. Please reference your WSDL or the describe call for the appropriate "
                             "names.");
    }
    return *index;
  }

  Result<ResolvedPath> resolve_path(const FieldRef& ref) const {
    return soql::resolve_path(table_, ref, ast_.text, db_, options_);
  }

  // HAVING: leaves name aggregate-row columns (through `resolver`) instead of the table's fields.
  void set_aggregate_resolver(AggregateResolver resolver) { aggregate_ = std::move(resolver); }

  Result<Node> compile(const Condition& c, Plan& plan) {
    Node node;
    node.kind = c.kind;
    if (c.kind != Condition::Kind::kCompare) {
      for (const auto& child : c.children) {
        auto n = compile(*child, plan);
        if (!n) return n.error();
        node.children.push_back(std::move(*n));
      }
      return node;
    }
    auto leaf = compile_leaf(c);
    if (!leaf) return leaf.error();
    node.leaf = plan.leaves.size();
    plan.leaves.push_back(std::move(*leaf));
    return node;
  }

 private:
  bool visible(const FieldDef& f) const { return !options_.field_visible || options_.field_visible(table_, f); }

  Error filter_error(const FieldDef& f, const Literal& v, FieldClass cls, bool should_quote) const {
    std::string msg = "value of filter criterion for field '" + f.name + "' must be of type " + type_word(cls, f) +
                      (should_quote ? " and should be enclosed in quotes" : " and should not be enclosed in quotes");
    return query_error("INVALID_QUERY_FILTER_OPERATOR", ast_.text, v.offset, msg);
  }

  Result<Leaf> compile_leaf(const Condition& c) {
    Leaf leaf;
    const FieldDef* def = nullptr;
    AggregateTarget target;
    if (aggregate_) {
      auto t = aggregate_(c.field);
      if (!t) return t.error();
      target = std::move(*t);
      leaf.field = target.column;
      def = &target.def;
    } else if (is_path(table_, c.field)) {
      auto path = resolve_path(c.field);
      if (!path) return path.error();
      leaf.path = std::make_shared<const ResolvedPath>(std::move(*path));
      leaf.options = &options_;
      leaf.field = std::numeric_limits<std::size_t>::max();  // never the Id or SystemModstamp index
      def = &leaf.path->def;
    } else {
      auto index = resolve(c.field);
      if (!index) return index.error();
      leaf.field = *index;
      def = &table_.field(*index);
    }
    const FieldDef& f = *def;
    leaf.op = c.op;
    leaf.cls = classify(f);
    if (!f.filterable || leaf.cls == FieldClass::kOther) {
      return query_error("INVALID_FIELD", ast_.text, c.field.offset,
                         "field '" + f.name + "' can not be filtered in a query call");
    }
    if (c.op == CompareOp::kLike && leaf.cls != FieldClass::kText) {
      return query_error("INVALID_QUERY_FILTER_OPERATOR", ast_.text, c.field.offset,
                         std::string("invalid operator on ") + type_word(leaf.cls, f) + " field");
    }
    if ((c.op == CompareOp::kIncludes || c.op == CompareOp::kExcludes) && f.type != "multipicklist") {
      return query_error("INVALID_QUERY_FILTER_OPERATOR", ast_.text, c.field.offset,
                         "includes or excludes operator only valid on multipicklist field");
    }
    if (c.subquery) {
      CRMSYNC_TRY(add_semi_join(leaf, f, c));
      return leaf;
    }
    for (const Literal& v : c.values) {
      if (v.kind == LiteralKind::kNull) {
        leaf.has_null = true;
        continue;
      }
      CRMSYNC_TRY(add_value(leaf, f, v));
    }
    if (leaf.cls == FieldClass::kText) {
      std::sort(leaf.texts.begin(), leaf.texts.end(),
                [](const std::string& a, const std::string& b) { return ci_compare(a, b) < 0; });
    } else if (leaf.cls == FieldClass::kId) {
      std::sort(leaf.texts.begin(), leaf.texts.end());
    }
    return leaf;
  }

  // `Id IN (SELECT AccountId FROM Contact ...)`: the sub-select runs now, as the same user (its
  // object, fields and rows as that user may see them), and its values become the IN list.
  Status add_semi_join(Leaf& leaf, const FieldDef& f, const Condition& c) {
    const QueryAst& sub = *c.subquery;
    if (leaf.cls != FieldClass::kId) {
      return query_error("INVALID_FIELD", ast_.text, c.field.offset,
                         "Invalid semi join: the left operand '" + f.name + "' must be an Id or a reference field");
    }
    const Table* inner = db_.find(sub.object.name);
    if (inner == nullptr || (options_.table_visible && !options_.table_visible(*inner))) {
      return unknown_object_error(sub, sub.object);
    }
    if (sub.fields.size() != 1 || !sub.subqueries.empty() || sub.is_count || sub.is_aggregate() ||
        sub.fields[0].group != FieldsGroup::kNone) {
      return query_error("MALFORMED_QUERY", ast_.text, sub.object.offset,
                         "Invalid semi join: the sub-select must select exactly one Id or reference field");
    }
    auto r = select_rows(sub, sub.fields, *inner, db_, options_, Bounds::kStatement);
    if (!r) return r.error();
    const std::size_t column = r->columns.empty() ? 0 : r->columns[0].field_index;
    if (r->paths || r->columns.empty() || classify(inner->field(column)) != FieldClass::kId) {
      return query_error("MALFORMED_QUERY", ast_.text, sub.fields[0].offset,
                         "Invalid semi join: the sub-select must select exactly one Id or reference field");
    }
    for (std::uint32_t row : r->rows) {
      if (const auto* id = std::get_if<std::string>(&inner->row(row)[column])) leaf.texts.emplace_back(sf_id15(*id));
    }
    leaf.op = c.op == CompareOp::kNotIn ? CompareOp::kNotIn : CompareOp::kIn;
    std::sort(leaf.texts.begin(), leaf.texts.end());
    leaf.texts.erase(std::unique(leaf.texts.begin(), leaf.texts.end()), leaf.texts.end());
    return ok_status();
  }

  Status add_value(Leaf& leaf, const FieldDef& f, const Literal& v) {
    const bool is_string = v.kind == LiteralKind::kString;
    if (leaf.op == CompareOp::kIncludes || leaf.op == CompareOp::kExcludes) {
      if (!is_string) return filter_error(f, v, leaf.cls, true);
      leaf.groups.push_back(split_values(v.str));  // 'a;b': a record holding both
      return ok_status();
    }
    switch (leaf.cls) {
      case FieldClass::kText:
        if (!is_string) return filter_error(f, v, leaf.cls, true);
        if (leaf.op == CompareOp::kLike) {
          leaf.like = LikePattern(v.like_pattern);
        } else {
          leaf.texts.push_back(v.str);
        }
        return ok_status();
      case FieldClass::kId:
        if (!is_string) return filter_error(f, v, leaf.cls, true);
        if (!is_sf_id(v.str)) {
          return query_error("INVALID_QUERY_FILTER_OPERATOR", ast_.text, v.offset, "invalid ID field: " + v.str);
        }
        leaf.texts.emplace_back(sf_id15(v.str));
        return ok_status();
      case FieldClass::kBoolean:
        if (v.kind != LiteralKind::kBoolean) return filter_error(f, v, leaf.cls, false);
        leaf.ranges.emplace_back(v.boolean ? 1 : 0, v.boolean ? 2 : 1);
        return ok_status();
      case FieldClass::kInteger:
      case FieldClass::kDouble:
        if (v.kind != LiteralKind::kInteger && v.kind != LiteralKind::kDecimal) {
          return filter_error(f, v, leaf.cls, false);
        }
        leaf.numbers.push_back(v.decimal);
        return ok_status();
      case FieldClass::kDate:
        if (v.kind == LiteralKind::kDate) {
          leaf.ranges.emplace_back(v.date, v.date + 1);
        } else if (v.kind == LiteralKind::kRelativeDate) {
          DayRange r = evaluate(v.relative, today_);
          leaf.ranges.emplace_back(r.first, r.end);
        } else {
          return filter_error(f, v, leaf.cls, false);
        }
        return ok_status();
      case FieldClass::kDateTime:
        if (v.kind == LiteralKind::kDateTime) {
          leaf.ranges.emplace_back(v.datetime, v.datetime + 1);
        } else if (v.kind == LiteralKind::kRelativeDate) {
          DayRange r = evaluate(v.relative, today_);
          leaf.ranges.emplace_back(r.first * kMsPerDay, r.end * kMsPerDay);
        } else {
          return filter_error(f, v, leaf.cls, false);
        }
        return ok_status();
      case FieldClass::kTime:
      case FieldClass::kOther:
        return filter_error(f, v, leaf.cls, false);
    }
    return ok_status();
  }

  const QueryAst& ast_;
  const Table& table_;
  const Database& db_;
  const ExecOptions& options_;
  EpochDays today_ = 0;
  AggregateResolver aggregate_;
};

struct SortKey {
  std::size_t field;
  FieldClass cls;
  bool descending;
  bool nulls_last;
};

// -1, 0, 1 for two non-null values of one field.
int compare_values(const Value& a, const Value& b, FieldClass cls) {
  switch (cls) {
    case FieldClass::kText: {
      const auto* x = std::get_if<std::string>(&a);
      const auto* y = std::get_if<std::string>(&b);
      if (x && y) return ci_compare(*x, *y);
      break;
    }
    case FieldClass::kInteger:
    case FieldClass::kDouble: {
      double x = 0, y = 0;
      if (number_key(a, &x) && number_key(b, &y)) return x < y ? -1 : (y < x ? 1 : 0);
      break;
    }
    default: {
      std::int64_t x = 0, y = 0;
      if (int_key(a, &x) && int_key(b, &y)) return x < y ? -1 : (y < x ? 1 : 0);
      const auto* s = std::get_if<std::string>(&a);
      const auto* t = std::get_if<std::string>(&b);
      if (s && t) return s->compare(*t) < 0 ? -1 : (*s == *t ? 0 : 1);
      break;
    }
  }
  return a < b ? -1 : (b < a ? 1 : 0);  // mismatched alternatives: a stable, arbitrary order
}

// Whether the WHERE pins Id to a list (Id = 'x', Id IN (...), possibly AND-ed with more), so the
// Id index can supply the candidates; returns that comparison (its texts are 15-character Ids).
const Leaf* id_lookup(const Node& where, const Plan& plan) {
  auto pinned = [&](const Node& n) -> const Leaf* {
    if (n.kind != Condition::Kind::kCompare) return nullptr;
    const Leaf& l = plan.leaves[n.leaf];
    return (l.field == 0 && is_membership(l.op)) ? &l : nullptr;
  };
  if (const Leaf* l = pinned(where)) return l;
  if (where.kind == Condition::Kind::kAnd) {
    for (const auto& c : where.children) {
      if (const Leaf* l = pinned(c)) return l;
    }
  }
  return nullptr;
}

// The smallest SystemModstamp a WHERE admits when it holds `SystemModstamp >= X` or `> X` alone
// or AND-ed at the top; rows below it cannot match, so a scan in modstamp order may start there.
std::optional<std::int64_t> modstamp_floor(const Node& where, const Plan& plan, std::size_t stamp_field) {
  std::optional<std::int64_t> floor;
  auto consider = [&](const Node& n) {
    if (n.kind != Condition::Kind::kCompare) return;
    const Leaf& l = plan.leaves[n.leaf];
    if (l.field != stamp_field || l.cls != FieldClass::kDateTime || l.ranges.empty()) return;
    std::optional<std::int64_t> bound;
    if (l.op == CompareOp::kGe) bound = l.ranges[0].first;
    if (l.op == CompareOp::kGt) bound = l.ranges[0].second;
    if (bound && (!floor || *bound > *floor)) floor = bound;
  };
  consider(where);
  if (where.kind == Condition::Kind::kAnd) {
    for (const auto& c : where.children) consider(c);
  }
  return floor;
}

}  // namespace

Result<QueryResult> select_rows(const QueryAst& ast, const std::vector<FieldRef>& fields, const Table& table_ref,
                                const Database& db, const ExecOptions& options, Bounds bounds) {
  const Table* table = &table_ref;
  const bool unbounded = bounds != Bounds::kStatement;
  Compiler compiler(ast, *table, db, options);
  QueryResult result;
  result.table = table;
  result.is_count = ast.is_count;

  std::vector<bool> selected(table->fields().size(), false);
  // Relationship paths in the SELECT list; without one, no relationship is resolved below.
  std::vector<std::unique_ptr<ResolvedPath>> paths;
  std::vector<SelectItem> items;
  // TYPEOF What may not stand beside What.Name (the SOQL reference's rule; the wording is ours).
  auto same_relationship = [](const ResolvedPath& a, const ResolvedPath& b) {
    return (a.type_of || b.type_of) && iequals(a.hops[0].relationship, b.hops[0].relationship);
  };
  for (const FieldRef& ref : fields) {
    if (ref.type_of) {
      auto typed = resolve_typeof(*table, ref, ast.text, db, options);
      if (!typed) return typed.error();
      const std::size_t before = paths.size();  // the paths of the SELECT items before this TYPEOF
      for (ResolvedPath& path : *typed) {
        for (std::size_t k = 0; k < before; ++k) {
          if (same_relationship(*paths[k], path)) {
            return plain_query_error("INVALID_FIELD", "duplicate field selected: " + ref.name);
          }
        }
        paths.push_back(std::make_unique<ResolvedPath>(std::move(path)));
        items.push_back(SelectItem{std::nullopt, paths.back().get()});
      }
      continue;
    }
    if (is_path(*table, ref)) {
      auto path = compiler.resolve_path(ref);
      if (!path) return path.error();
      for (const auto& p : paths) {
        if (same_relationship(*p, *path) || (!p->type_of && iequals(p->dotted(), path->dotted()))) {
          return plain_query_error("INVALID_FIELD", "duplicate field selected: " + ref.name);
        }
      }
      paths.push_back(std::make_unique<ResolvedPath>(std::move(*path)));
      items.push_back(SelectItem{std::nullopt, paths.back().get()});
      continue;
    }
    auto index = compiler.resolve(ref);
    if (!index) return index.error();
    if (selected[*index]) return plain_query_error("INVALID_FIELD", "duplicate field selected: " + ref.name);
    selected[*index] = true;
    result.columns.push_back(Column{table->field(*index).name, *index});
    items.push_back(SelectItem{*index, nullptr});
  }

  Plan plan;
  Node where;
  bool has_where = ast.where != nullptr;
  if (has_where) {
    auto compiled = compiler.compile(*ast.where, plan);
    if (!compiled) return compiled.error();
    where = std::move(*compiled);
  }

  std::vector<SortKey> keys;
  for (const OrderItem& item : bounds == Bounds::kFilterOnly ? std::vector<OrderItem>{} : ast.order_by) {
    if (item.field.fn != AggregateFn::kNone) {
      return query_error("MALFORMED_QUERY", ast.text, item.field.offset,
                         "an aggregate function in ORDER BY needs an aggregate query (GROUP BY or aggregates in "
                         "the SELECT list)");
    }
    auto index = compiler.resolve(item.field);
    if (!index) return index.error();
    const FieldDef& f = table->field(*index);
    if (!f.sortable || classify(f) == FieldClass::kOther) {
      return query_error("INVALID_FIELD", ast.text, item.field.offset,
                         "field '" + f.name + "' can not be sorted in a query call");
    }
    keys.push_back(SortKey{*index, classify(f), item.descending, item.nulls_last});
  }

  const std::int64_t offset = unbounded ? 0 : ast.offset.value_or(0);
  if (offset > kMaxOffset) {
    return plain_query_error("NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000");
  }
  const std::optional<std::int64_t> ast_limit = unbounded ? std::nullopt : ast.limit;
  const std::int64_t limit = ast_limit.value_or(std::numeric_limits<std::int64_t>::max());
  // Without ORDER BY the first offset+limit matches in row order are the answer: stop there.
  const std::uint64_t enough = keys.empty() && ast_limit ? static_cast<std::uint64_t>(offset + limit)
                                                         : std::numeric_limits<std::uint64_t>::max();

  std::optional<std::size_t> is_deleted;
  if (!options.include_deleted) {
    auto idx = table->field_index("IsDeleted");
    if (idx && table->field(*idx).type == "boolean") is_deleted = idx;
  }
  std::vector<std::uint32_t> matches;
  auto consider = [&](std::size_t r) {
    if (table->purged(r)) return;
    const Row& row = table->row(r);
    if (is_deleted) {
      const auto* b = std::get_if<bool>(&row[*is_deleted]);
      if (b != nullptr && *b) return;
    }
    if (options.row_visible && !options.row_visible(*table, r)) return;
    if (options.row_filter && !options.row_filter(row)) return;
    if (has_where && !eval(where, plan, row)) return;
    matches.push_back(static_cast<std::uint32_t>(r));
  };

  const Leaf* by_id = has_where ? id_lookup(where, plan) : nullptr;
  result.id_lookup = by_id != nullptr;
  // ORDER BY SystemModstamp, Id (the sync's order): walk the table's modstamp index from the
  // WHERE's floor instead of sorting the matches; with LIMIT, stop once enough rows matched.
  std::shared_ptr<const std::vector<std::uint32_t>> order;
  if (by_id == nullptr && keys.size() == 2 && keys[1].field == 0 && !keys[1].descending && !keys[0].descending &&
      !keys[0].nulls_last && keys[0].cls == FieldClass::kDateTime &&
      iequals(table->field(keys[0].field).name, "SystemModstamp")) {
    order = table->modstamp_order();
  }
  if (order) {
    const std::size_t stamp = keys[0].field;
    auto stamp_of = [&](std::uint32_t r) {
      const auto* d = std::get_if<DateTime>(&table->row(r)[stamp]);
      return d ? d->ms : std::numeric_limits<EpochMs>::min();
    };
    auto it = order->begin();
    if (has_where) {
      if (auto floor = modstamp_floor(where, plan, stamp)) {
        it = std::partition_point(order->begin(), order->end(), [&](std::uint32_t r) { return stamp_of(r) < *floor; });
      }
    }
    const std::uint64_t wanted = ast_limit ? static_cast<std::uint64_t>(offset + limit)
                                           : std::numeric_limits<std::uint64_t>::max();
    for (; it != order->end() && matches.size() < wanted; ++it) consider(*it);
    keys.clear();  // already in order
  } else if (by_id != nullptr) {
    std::vector<std::size_t> candidates;
    for (const std::string& id : by_id->texts) {
      if (auto r = table->find(id)) candidates.push_back(*r);
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (std::size_t r : candidates) {
      if (matches.size() >= enough) break;
      consider(r);
    }
  } else {
    const std::size_t slots = table->slot_count();
    for (std::size_t r = 0; r < slots && matches.size() < enough; ++r) consider(r);
  }

  const std::size_t begin = std::min<std::size_t>(matches.size(), static_cast<std::size_t>(offset));
  const std::size_t available = matches.size() - begin;
  const std::size_t end =
      begin + (static_cast<std::uint64_t>(limit) < available ? static_cast<std::size_t>(limit) : available);
  if (ast.is_count && !unbounded) {
    result.total_size = end - begin;
    return result;
  }
  if (!keys.empty()) {
    auto less = [&](std::uint32_t a, std::uint32_t b) {
      const Row& ra = table->row(a);
      const Row& rb = table->row(b);
      for (const SortKey& k : keys) {
        const Value& va = ra[k.field];
        const Value& vb = rb[k.field];
        bool na = is_null(va), nb = is_null(vb);
        if (na || nb) {
          if (na && nb) continue;
          return na != k.nulls_last;  // a null sorts before a value unless NULLS LAST
        }
        int c = compare_values(va, vb, k.cls);
        if (c != 0) return k.descending ? c > 0 : c < 0;
      }
      return a < b;  // ties keep row (creation) order
    };
    const SortKey& first = keys[0];
    if (first.cls == FieldClass::kText || first.cls == FieldClass::kId) {
      if (end < matches.size()) {
        std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(end), matches.end(), less);
      } else {
        std::sort(matches.begin(), matches.end(), less);
      }
    } else {
      // Numbers, dates, datetimes and booleans: sort on a precomputed key that is monotone in the
      // wanted order (nulls at the right end, DESC negated); only ties consult the full comparator.
      const double null_key = first.nulls_last ? std::numeric_limits<double>::infinity()
                                               : -std::numeric_limits<double>::infinity();
      std::vector<std::pair<double, std::uint32_t>> decorated;
      decorated.reserve(matches.size());
      for (std::uint32_t r : matches) {
        const Value& v = table->row(r)[first.field];
        double key = null_key;
        double x = 0;
        std::int64_t i = 0;
        if (number_key(v, &x)) {
          key = first.descending ? -x : x;
        } else if (int_key(v, &i)) {
          key = first.descending ? -static_cast<double>(i) : static_cast<double>(i);
        }
        decorated.emplace_back(key, r);
      }
      auto dless = [&](const std::pair<double, std::uint32_t>& a, const std::pair<double, std::uint32_t>& b) {
        if (a.first != b.first) return a.first < b.first;
        return less(a.second, b.second);
      };
      if (end < decorated.size()) {
        std::partial_sort(decorated.begin(), decorated.begin() + static_cast<std::ptrdiff_t>(end), decorated.end(),
                          dless);
      } else {
        std::sort(decorated.begin(), decorated.end(), dless);
      }
      for (std::size_t k = 0; k < end; ++k) matches[k] = decorated[k].second;
    }
  }
  result.rows.assign(matches.begin() + static_cast<std::ptrdiff_t>(begin),
                     matches.begin() + static_cast<std::ptrdiff_t>(end));
  result.total_size = result.rows.size();
  if (!paths.empty()) result.paths = build_selection(*table, items, result.rows, options);
  return result;
}

Result<std::vector<FieldRef>> expand_fields(const QueryAst& ast, const Table& table, const ExecOptions& options) {
  std::vector<FieldRef> out;
  for (const FieldRef& ref : ast.fields) {
    if (ref.group == FieldsGroup::kNone) {
      out.push_back(ref);
      continue;
    }
    if (ref.group != FieldsGroup::kStandard && (!ast.limit || *ast.limit > 200)) {
      return query_error("MALFORMED_QUERY", ast.text, ref.offset,
                         "The SOQL FIELDS function must have a LIMIT of at most 200");
    }
    for (const FieldDef& f : table.fields()) {
      if (ref.group == FieldsGroup::kStandard && f.custom) continue;
      if (ref.group == FieldsGroup::kCustom && !f.custom) continue;
      if (options.field_visible && !options.field_visible(table, f)) continue;
      out.push_back(FieldRef{f.name, ref.offset});
    }
  }
  return out;
}

namespace {

const char* aggregate_word(AggregateFn fn) {
  switch (fn) {
    case AggregateFn::kCount: return "COUNT";
    case AggregateFn::kCountDistinct: return "COUNT_DISTINCT";
    case AggregateFn::kSum: return "SUM";
    case AggregateFn::kAvg: return "AVG";
    case AggregateFn::kMin: return "MIN";
    case AggregateFn::kMax: return "MAX";
    case AggregateFn::kNone: break;
  }
  return "";
}

// One column of the aggregate rows: a grouped field or an aggregate over a field (or COUNT()).
struct AggregateColumn {
  AggregateFn fn = AggregateFn::kNone;
  std::optional<std::size_t> field;  // none for COUNT()
  std::string name;                  // alias, exprN, or the grouped field's name
  FieldDef def;                      // how the value is typed and written
  bool hidden = false;               // only HAVING or ORDER BY asked for it
};

// The state of one aggregate over one group.
struct Accumulator {
  std::int64_t count = 0;
  double sum = 0;
  Value best;  // MIN / MAX
  std::set<Value> distinct;
};

class AggregatePlanner {
 public:
  AggregatePlanner(const QueryAst& ast, const Table& table, Compiler& compiler)
      : ast_(ast), table_(table), compiler_(compiler) {}

  Status add_group(const FieldRef& ref) {
    if (is_path(table_, ref)) {
      return query_error("MALFORMED_QUERY", ast_.text, ref.offset,
                         "relationship paths in GROUP BY are not supported by the crmsync emulator: " + ref.name);
    }
    auto index = compiler_.resolve(ref);
    if (!index) return index.error();
    const FieldDef& f = table_.field(*index);
    if (!f.groupable || classify(f) == FieldClass::kOther) {
      return query_error("INVALID_FIELD", ast_.text, ref.offset,
                         "field '" + f.name + "' can not be grouped in a query call");
    }
    groups_.push_back(*index);
    return ok_status();
  }

  // A SELECT item (visible) or a HAVING / ORDER BY operand (hidden unless already selected).
  Result<std::size_t> column(const FieldRef& ref, bool hidden) {
    AggregateColumn c;
    c.fn = ref.fn;
    c.hidden = hidden;
    if (is_path(table_, ref)) {
      return query_error("MALFORMED_QUERY", ast_.text, ref.offset,
                         "relationship paths in aggregate queries are not supported by the crmsync emulator: " +
                             ref.name);
    }
    if (!ref.name.empty()) {
      auto index = compiler_.resolve(ref);
      if (!index) return index.error();
      c.field = *index;
    }
    if (c.fn == AggregateFn::kNone) {
      if (std::find(groups_.begin(), groups_.end(), *c.field) == groups_.end()) {
        return query_error("MALFORMED_QUERY", ast_.text, ref.offset,
                           "Field must be grouped or aggregated: " + table_.field(*c.field).name);
      }
      c.def = table_.field(*c.field);
      c.name = ref.alias.empty() ? c.def.name : ref.alias;
    } else {
      CRMSYNC_TRY(type_aggregate(ref, c));
    }
    if (hidden) {
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (columns_[i].fn == c.fn && columns_[i].field == c.field) return i;
      }
    } else if (c.fn != AggregateFn::kNone && ref.alias.empty()) {
      c.name = "expr" + std::to_string(expr_count_++);
    } else if (c.fn != AggregateFn::kNone) {
      c.name = ref.alias;
    }
    if (!hidden) {
      for (const auto& other : columns_) {
        if (!other.hidden && iequals(other.name, c.name)) {
          return plain_query_error("INVALID_FIELD", "duplicate alias: " + c.name);
        }
      }
    }
    columns_.push_back(std::move(c));
    return columns_.size() - 1;
  }

  const std::vector<std::size_t>& groups() const { return groups_; }
  const std::vector<AggregateColumn>& columns() const { return columns_; }

 private:
  Status type_aggregate(const FieldRef& ref, AggregateColumn& c) {
    if (!c.field) {  // COUNT()
      c.def.type = "int";
      return ok_status();
    }
    const FieldDef& f = table_.field(*c.field);
    const FieldClass cls = classify(f);
    const bool numeric = cls == FieldClass::kInteger || cls == FieldClass::kDouble;
    bool ok = cls != FieldClass::kOther;
    if (c.fn == AggregateFn::kSum || c.fn == AggregateFn::kAvg) ok = numeric;
    if (c.fn == AggregateFn::kMin || c.fn == AggregateFn::kMax) ok = ok && cls != FieldClass::kBoolean;
    if (!ok) {
      return query_error("INVALID_FIELD", ast_.text, ref.offset,
                         "field " + f.name + " does not support aggregate operator " + aggregate_word(c.fn));
    }
    if (c.fn == AggregateFn::kCount || c.fn == AggregateFn::kCountDistinct) {
      c.def.type = "int";
    } else if (c.fn == AggregateFn::kSum || c.fn == AggregateFn::kAvg) {
      c.def.type = "double";
    } else {
      c.def = f;
    }
    return ok_status();
  }

  const QueryAst& ast_;
  const Table& table_;
  Compiler& compiler_;
  std::vector<std::size_t> groups_;  // field indexes
  std::vector<AggregateColumn> columns_;
  int expr_count_ = 0;
};

void accumulate(const AggregateColumn& c, Accumulator& a, const Row& row) {
  if (!c.field) {
    ++a.count;
    return;
  }
  const Value& v = row[*c.field];
  if (is_null(v)) return;
  ++a.count;
  double x = 0;
  if (number_key(v, &x)) a.sum += x;
  if (c.fn == AggregateFn::kCountDistinct) {
    const auto* s = std::get_if<std::string>(&v);
    a.distinct.insert(s && classify(c.def) != FieldClass::kId ? Value(to_lower(*s)) : v);
  }
  if (c.fn == AggregateFn::kMin || c.fn == AggregateFn::kMax) {
    const FieldClass cls = classify(c.def);
    if (is_null(a.best)) {
      a.best = v;
    } else {
      const int cmp = compare_values(v, a.best, cls);
      if (c.fn == AggregateFn::kMin ? cmp < 0 : cmp > 0) a.best = v;
    }
  }
}

Value result_of(const AggregateColumn& c, const Accumulator& a) {
  switch (c.fn) {
    case AggregateFn::kCount: return a.count;
    case AggregateFn::kCountDistinct: return static_cast<std::int64_t>(a.distinct.size());
    case AggregateFn::kSum: return a.count == 0 ? Value() : Value(a.sum);
    case AggregateFn::kAvg: return a.count == 0 ? Value() : Value(a.sum / static_cast<double>(a.count));
    case AggregateFn::kMin:
    case AggregateFn::kMax: return a.best;
    case AggregateFn::kNone: break;
  }
  return Value();
}

// SELECT Industry, COUNT(Id) n, SUM(AnnualRevenue) FROM Account WHERE ... GROUP BY Industry
// HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC LIMIT 10: AggregateResult rows, computed over
// the rows the user may see, with the fields the user may read.
Result<QueryResult> aggregate(const QueryAst& ast, const std::vector<FieldRef>& fields, const Table& table,
                              const Database& db, const ExecOptions& options) {
  Compiler compiler(ast, table, db, options);
  AggregatePlanner planner(ast, table, compiler);
  for (const FieldRef& g : ast.group_by) CRMSYNC_TRY(planner.add_group(g));
  for (const FieldRef& f : fields) {
    if (auto c = planner.column(f, false); !c) return c.error();
  }
  Plan plan;
  Node having;
  if (ast.having) {
    compiler.set_aggregate_resolver([&](const FieldRef& ref) -> Result<AggregateTarget> {
      auto c = planner.column(ref, true);
      if (!c) return c.error();
      return AggregateTarget{*c, planner.columns()[*c].def};
    });
    auto compiled = compiler.compile(*ast.having, plan);
    if (!compiled) return compiled.error();
    having = std::move(*compiled);
  }
  std::vector<SortKey> keys;
  for (const OrderItem& item : ast.order_by) {
    auto c = planner.column(item.field, true);
    if (!c) return c.error();
    keys.push_back(SortKey{*c, classify(planner.columns()[*c].def), item.descending, item.nulls_last});
  }
  auto matched = select_rows(ast, {}, table, db, options, Bounds::kFilterOnly);
  if (!matched) return matched.error();

  const auto& columns = planner.columns();
  std::map<std::vector<Value>, std::size_t> group_of;
  std::vector<std::vector<Accumulator>> state;
  std::vector<std::vector<Value>> keys_of;
  for (std::uint32_t r : matched->rows) {
    const Row& row = table.row(r);
    std::vector<Value> key;
    for (std::size_t g : planner.groups()) key.push_back(row[g]);
    auto [it, added] = group_of.emplace(key, state.size());
    if (added) {
      state.emplace_back(columns.size());
      keys_of.push_back(std::move(key));
    }
    for (std::size_t c = 0; c < columns.size(); ++c) accumulate(columns[c], state[it->second][c], row);
  }
  if (planner.groups().empty() && state.empty()) {  // no GROUP BY: one row even over no records
    state.emplace_back(columns.size());
    keys_of.emplace_back();
  }
  std::vector<Row> out;
  for (std::size_t g = 0; g < state.size(); ++g) {
    Row row(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c].fn == AggregateFn::kNone) {
        auto pos = std::find(planner.groups().begin(), planner.groups().end(), *columns[c].field);
        row[c] = keys_of[g][static_cast<std::size_t>(pos - planner.groups().begin())];
      } else {
        row[c] = result_of(columns[c], state[g][c]);
      }
    }
    if (ast.having && !eval(having, plan, row)) continue;
    out.push_back(std::move(row));
  }
  std::stable_sort(out.begin(), out.end(), [&](const Row& a, const Row& b) {
    for (const SortKey& k : keys) {
      const bool na = is_null(a[k.field]), nb = is_null(b[k.field]);
      if (na || nb) {
        if (na && nb) continue;
        return na != k.nulls_last;
      }
      const int c = compare_values(a[k.field], b[k.field], k.cls);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  });
  const std::size_t offset = std::min<std::size_t>(out.size(), static_cast<std::size_t>(ast.offset.value_or(0)));
  const std::size_t end = ast.limit ? std::min(out.size(), offset + static_cast<std::size_t>(*ast.limit)) : out.size();
  auto rows = std::make_shared<AggregateRows>();
  for (const auto& c : columns) {
    if (c.hidden) break;  // hidden columns come after every SELECT item
    rows->names.push_back(c.name);
    rows->defs.push_back(c.def);
  }
  for (std::size_t i = offset; i < end; ++i) {
    out[i].resize(rows->names.size());
    rows->rows.push_back(std::move(out[i]));
  }
  QueryResult result;
  result.table = &table;
  result.total_size = rows->rows.size();
  result.aggregate = std::move(rows);
  return result;
}

}  // namespace

Result<QueryResult> execute(const Query& query, const Database& db, const ExecOptions& options) {
  const QueryAst& ast = query.ast();
  const Table* table = db.find(ast.object.name);
  if (table == nullptr || (options.table_visible && !options.table_visible(*table))) {
    return unknown_object_error(ast, ast.object);
  }
  auto fields = expand_fields(ast, *table, options);
  if (!fields) return fields.error();
  if (ast.is_count && !ast.group_by.empty()) {  // the SOQL reference: use COUNT(fieldName) with GROUP BY
    return query_error("MALFORMED_QUERY", ast.text, ast.group_by[0].offset,
                       "COUNT() cannot be used with GROUP BY; use COUNT(fieldName)");
  }
  if (ast.is_aggregate()) {
    for (const FieldRef& f : *fields) {
      if (f.type_of) {
        return query_error("MALFORMED_QUERY", ast.text, f.offset, "TYPEOF cannot be used in an aggregate query");
      }
    }
    return aggregate(ast, *fields, *table, db, options);
  }
  auto result = select_rows(ast, *fields, *table, db, options, Bounds::kStatement);
  if (!result) return result.error();
  if (!ast.subqueries.empty()) {
    auto children = select_children(ast, *table, result->rows, db, options);
    if (!children) return children.error();
    result->children = std::make_shared<const std::vector<ChildRecords>>(std::move(*children));
  }
  return result;
}

}  // namespace crmsync::emulator::soql
