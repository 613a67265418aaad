// The parsed form of a SOQL statement (the parser's output, the executor's input). Every node keeps
// the byte offset of the token it came from so that errors found later (unknown field, wrong value
// type) can point their caret at the right place in the original text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/timeutil.h"

namespace crmsync::emulator::soql {

// Aggregate functions (SELECT lists, HAVING, ORDER BY of aggregate queries).
enum class AggregateFn { kNone, kCount, kCountDistinct, kSum, kAvg, kMin, kMax };

// FIELDS(STANDARD | ALL | CUSTOM) in a SELECT list.
enum class FieldsGroup { kNone, kStandard, kAll, kCustom };

struct TypeOf;

// A field as written: `Name`, `Account.Name`, `Custom__c`. `offset` is the byte offset in the text.
// In a SELECT list (and HAVING / ORDER BY) it may be wrapped: `SUM(Amount) total` (fn, alias),
// `COUNT()` (kCount, empty name), `toLabel(StageName)`, stand for `FIELDS(ALL)` (group), or be a
// `TYPEOF What WHEN ... END` (type_of; `name` is then the polymorphic relationship, What).
struct FieldRef {
  std::string name;
  std::size_t offset = 0;
  AggregateFn fn = AggregateFn::kNone;
  bool to_label = false;
  FieldsGroup group = FieldsGroup::kNone;
  std::string alias;  // SELECT lists of aggregate queries only
  std::shared_ptr<const TypeOf> type_of;
};

// TYPEOF's clauses: per WHEN, the object type and its fields; ELSE's fields (the Name entity's).
struct TypeOfWhen {
  FieldRef type;
  std::vector<FieldRef> fields;
};
struct TypeOf {
  std::vector<TypeOfWhen> whens;
  std::vector<FieldRef> else_fields;
};

// TODAY, LAST_N_DAYS:n, ... : a unit, a direction and a count; evaluated against "now" at execution.
enum class RelativeUnit { kDay, kWeek, kMonth, kQuarter, kYear };
struct RelativeDate {
  RelativeUnit unit = RelativeUnit::kDay;
  // The range is periods [first, last] counted from the current period (0 = this period,
  // -1 = the previous one); LAST_N_DAYS:3 is days [-3, 0], NEXT_N_WEEKS:2 is weeks [1, 2].
  std::int64_t first = 0;
  std::int64_t last = 0;
};

enum class LiteralKind { kString, kInteger, kDecimal, kBoolean, kNull, kDate, kDateTime, kRelativeDate };

struct Literal {
  LiteralKind kind = LiteralKind::kNull;
  std::string text;  // the token as written (quotes included for strings)
  std::size_t offset = 0;
  std::string str;   // kString: the unescaped value
  std::string like_pattern;  // kString: the value with LIKE's \% and \_ kept as escapes
  std::int64_t integer = 0;
  double decimal = 0;  // kInteger and kDecimal
  bool boolean = false;
  EpochDays date = 0;
  EpochMs datetime = 0;
  RelativeDate relative;
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kLike, kIn, kNotIn, kIncludes, kExcludes };

struct Condition;
struct QueryAst;
using ConditionPtr = std::unique_ptr<Condition>;

// A WHERE tree: AND / OR over children, NOT over one child, or a comparison leaf.
struct Condition {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<ConditionPtr> children;
  FieldRef field;                 // kCompare
  CompareOp op = CompareOp::kEq;  // kCompare
  std::vector<Literal> values;    // kCompare: one value, or the IN / INCLUDES list
  std::shared_ptr<const QueryAst> subquery;  // kIn / kNotIn: a semi-join (anti-join) sub-select
};

struct OrderItem {
  FieldRef field;
  bool descending = false;
  bool nulls_last = false;  // explicit or Salesforce's default (ASC: nulls first, DESC: nulls last)
};

struct QueryAst {
  std::string text;
  bool is_count = false;
  std::vector<FieldRef> fields;  // empty for COUNT()
  // Parent-to-child subqueries of the SELECT list, `(SELECT LastName FROM Contacts)`; their
  // `object` is the child relationship name.
  std::vector<std::shared_ptr<const QueryAst>> subqueries;
  FieldRef object;
  ConditionPtr where;            // null when there is no WHERE
  std::vector<FieldRef> group_by;
  ConditionPtr having;           // over aggregates and GROUP BY fields
  std::vector<OrderItem> order_by;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
  std::optional<std::size_t> offset_offset;  // where OFFSET's value was written, for its error
  std::optional<std::size_t> limit_offset;   // where LIMIT's value was written
  bool for_view = false;       // FOR VIEW / FOR REFERENCE: accepted; they only update
  bool for_reference = false;  // LastViewedDate / LastReferencedDate in Salesforce

  bool is_aggregate() const {
    if (!group_by.empty()) return true;
    for (const auto& f : fields) {
      if (f.fn != AggregateFn::kNone) return true;
    }
    return false;
  }
};

}  // namespace crmsync::emulator::soql
