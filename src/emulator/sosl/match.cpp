// Whether a record's text holds a search expression, and which fields a scope searches.
//
// Cost: per record and word of the expression, one pass over the searched text, split into words on
// the fly and compared case-insensitively in place (only a term of digits against a phone allocates).
#include <cctype>

#include "emulator/sosl/sosl.h"
#include "emulator/sosl/words.h"

namespace crmsync::emulator::sosl {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// A pattern word (lower case, kAny / kOne wildcards) against one word of the text.
bool word_matches(std::string_view pattern, std::string_view word) {
  std::size_t p = 0, w = 0, star = std::string_view::npos, resume = 0;
  while (w < word.size()) {
    if (p < pattern.size() && (pattern[p] == kOne || pattern[p] == lower(word[w]))) {
      ++p;
      ++w;
    } else if (p < pattern.size() && pattern[p] == kAny) {
      star = p++;
      resume = w;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      w = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == kAny) ++p;
  return p == pattern.size();
}

// The words of `text` in order, one at a time.
class Words {
 public:
  explicit Words(std::string_view text) : text_(text) {}
  // Letters and digits make words, and a change from letters to digits (or back) ends one, as
  // Salesforce's index splits "abc123" into abc and 123.
  bool next(std::string_view& word) {
    while (at_ < text_.size() && !is_text_char(text_[at_])) ++at_;
    if (at_ >= text_.size()) return false;
    const std::size_t start = at_;
    const bool digits = std::isdigit(static_cast<unsigned char>(text_[at_])) != 0;
    while (at_ < text_.size() && is_text_char(text_[at_]) &&
           (std::isdigit(static_cast<unsigned char>(text_[at_])) != 0) == digits) {
      ++at_;
    }
    word = text_.substr(start, at_ - start);
    return true;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

// Whether `words` occur one after the other somewhere in `text`.
bool holds_phrase(const std::vector<std::string>& words, std::string_view text) {
  Words scan(text);
  std::string_view w;
  while (scan.next(w)) {
    if (!word_matches(words[0], w)) continue;
    Words rest = scan;
    bool all = true;
    for (std::size_t i = 1; i < words.size() && all; ++i) all = rest.next(w) && word_matches(words[i], w);
    if (all) return true;
  }
  return false;
}

std::string digits_of(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

// A phone number matches a term of digits (at least four, separators ignored) that ends it:
// "555-1212" and "(415) 555-1212" both find +1 415 555 1212.
bool phone_matches(const SearchNode& node, std::string_view phone) {
  std::string term;
  for (const auto& w : node.words) {
    for (char c : w) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    term += w;
  }
  if (term.size() < 4) return false;
  const std::string number = digits_of(phone);
  return number.size() >= term.size() && number.compare(number.size() - term.size(), term.size(), term) == 0;
}

bool holds(const SearchNode& node, const std::vector<std::string_view>& texts,
           const std::vector<std::string_view>& phones) {
  switch (node.kind) {
    case SearchNode::Kind::kAnd:
      return holds(*node.children[0], texts, phones) && holds(*node.children[1], texts, phones);
    case SearchNode::Kind::kOr:
      return holds(*node.children[0], texts, phones) || holds(*node.children[1], texts, phones);
    case SearchNode::Kind::kAndNot:
      return holds(*node.children[0], texts, phones) && !holds(*node.children[1], texts, phones);
    case SearchNode::Kind::kWord:
    case SearchNode::Kind::kPhrase:
      break;
  }
  for (std::string_view text : texts) {
    if (holds_phrase(node.words, text)) return true;
  }
  for (std::string_view phone : phones) {
    if (phone_matches(node, phone)) return true;
  }
  return false;
}

bool is_text_type(const FieldDef& f) {
  return f.type == "string" || f.type == "textarea" || f.type == "email" || f.type == "phone" || f.type == "url" ||
         f.type == "combobox";
}

}  // namespace

bool matches(const SearchExpression& search, const std::vector<std::string_view>& texts,
             const std::vector<std::string_view>& phones) {
  return search.root && holds(*search.root, texts, phones);
}

std::vector<std::size_t> searched_fields(const Table& table, Scope scope) {
  std::vector<std::size_t> out;
  bool has_name_field = false;
  for (const auto& f : table.fields()) has_name_field = has_name_field || f.name_field;
  for (std::size_t i = 0; i < table.fields().size(); ++i) {
    const FieldDef& f = table.field(i);
    if (f.calculated || !is_text_type(f)) continue;
    bool searched = false;
    switch (scope) {
      case Scope::kName:
        // A person's Name is FirstName and LastName too; objects without a name field (Task,
        // Event) are found by their Subject.
        searched = f.name_field || ((f.name == "FirstName" || f.name == "LastName") && has_name_field) ||
                   (!has_name_field && f.name == "Subject");
        break;
      case Scope::kEmail: searched = f.type == "email"; break;
      case Scope::kPhone: searched = f.type == "phone"; break;
      case Scope::kAll:
      case Scope::kSidebar: searched = true; break;
    }
    if (searched) out.push_back(i);
  }
  return out;
}

}  // namespace crmsync::emulator::sosl
