// SOSL for the emulator: the FIND statement of GET /search and the search string of
// /parameterizedSearch, parsed into a search expression and per-object RETURNING clauses, and the
// text matching that decides whether a record is a hit. The routes (routes/search.cpp) run each
// RETURNING clause as a SOQL statement (soql/) with the hit test added to the user's row
// visibility, so the permission model applies exactly as it does to queries.
//
// The search expression: words and "quoted phrases", * (any characters) and ? (one character)
// inside a word, AND / OR / AND NOT and parentheses; words side by side are AND-ed. A record is a
// hit when the expression holds over the text of its searched fields (a word may match one field
// and the next word another). Text is compared case-insensitively, word by word: letters and
// digits make words, everything else separates them; phone fields also match on their digits.
//
//   auto statement = sosl::parse("FIND {Acme*} IN NAME FIELDS RETURNING Account(Id, Name LIMIT 5)");
//   statement->returning[0].soql  // "SELECT Id, Name FROM Account LIMIT 5"
//   sosl::matches(statement->search, texts)
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "emulator/table.h"

namespace crmsync::emulator::sosl {

// IN ... FIELDS: which fields of a record are searched (searched_fields()).
enum class Scope { kAll, kName, kEmail, kPhone, kSidebar };

// One node of the search expression: a word (with its wildcards), a phrase (consecutive words),
// or AND / OR / AND NOT over children (AND NOT: children[0] and not children[1]).
struct SearchNode {
  enum class Kind { kWord, kPhrase, kAnd, kOr, kAndNot };
  Kind kind = Kind::kWord;
  std::vector<std::string> words;  // kWord: one lower-case word; kPhrase: its words in order
  std::vector<std::unique_ptr<SearchNode>> children;
};

struct SearchExpression {
  std::unique_ptr<SearchNode> root;
  std::string text;  // as written between the braces
};

// One RETURNING object: its name as written and the SOQL statement it runs as
// (SELECT <fields, or Id> FROM <object> [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n]).
struct Returning {
  std::string object;
  std::string soql;
  std::size_t offset = 0;  // where the object's name starts in the statement, for errors
};

struct Statement {
  std::string text;
  SearchExpression search;
  Scope scope = Scope::kAll;
  std::vector<Returning> returning;  // empty: every searchable object, Id only
  std::optional<std::int64_t> limit; // the statement's LIMIT (all objects together)
  bool metadata_labels = false;      // WITH METADATA='LABELS': the answer carries field labels
};

// Salesforce's bound on search results of one statement (LIMIT may not raise it).
inline constexpr std::int64_t kMaxResults = 2000;

// The search string alone (what FIND's braces hold, or parameterizedSearch's q). Errors:
// MALFORMED_SEARCH for a reserved character that is not escaped, unbalanced parentheses or quotes,
// an operator without a term; INVALID_SEARCH "search term must be longer than one character" when
// the string holds fewer than two characters besides wildcards.
Result<SearchExpression> parse_search(std::string_view text);

// A whole FIND statement: FIND {...} [IN x FIELDS] [RETURNING ...] [WITH METADATA='LABELS']
// [LIMIT n] [UPDATE TRACKING|VIEWSTAT]. Errors: MALFORMED_SEARCH with Salesforce's caret layout (an unknown
// search group, a clause out of place, an unclosed brace or parenthesis), and parse_search's.
Result<Statement> parse(std::string_view text);

// Whether the expression holds over `texts` (the values of the searched fields), with `phones`
// the subset of them that are phone numbers.
bool matches(const SearchExpression& search, const std::vector<std::string_view>& texts,
             const std::vector<std::string_view>& phones);

// A SOQL error of a RETURNING clause as the statement's error: the caret at the object (none for
// a statement built from parameterizedSearch's parameters, whose `text` is empty), MALFORMED_QUERY
// reported as MALFORMED_SEARCH, other codes (INVALID_FIELD, INVALID_TYPE) kept.
Error returning_error(const Statement& statement, const Returning& returning, const Error& error);

// The fields of `table` a scope searches (the route drops those hidden from the user): NAME the name fields
// (and a person's first and last name), EMAIL the email fields, PHONE the phone fields, ALL and
// SIDEBAR every text field (string, textarea, email, phone, url); never picklists, numbers,
// dates, Ids, formulas or encrypted text.
std::vector<std::size_t> searched_fields(const Table& table, Scope scope);

// A Scope from "ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR" (any case); nullopt for anything else.
std::optional<Scope> scope_named(std::string_view name);

}  // namespace crmsync::emulator::sosl
