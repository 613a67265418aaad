#include "common/json.h"

namespace crmsync {
namespace {

using json = nlohmann::json;

// nlohmann's own DOM builder behind a depth count: an array or object opened past the bound stops
// the parse before anything deeper is built.
class BoundedDomSax {
 public:
  BoundedDomSax(json& out, std::size_t max_depth, JsonProblem& problem)
      : dom_(out, /*allow_exceptions=*/false), max_depth_(max_depth), problem_(problem) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return dom_.number_float(v, s); }
  bool string(json::string_t& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
  bool key(json::string_t& k) { return dom_.key(k); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& last_token, const Exception& ex) {
    // 406: the lexer read a number that no double holds (nlohmann's out_of_range "number overflow").
    problem_.kind = ex.id == 406 ? JsonProblem::Kind::kNumberTooLarge : JsonProblem::Kind::kSyntax;
    problem_.byte = position;
    problem_.token = last_token;
    return false;
  }

 private:
  bool enter() {
    if (++depth_ <= max_depth_) return true;
    problem_.kind = JsonProblem::Kind::kTooDeep;
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  JsonProblem& problem_;
};

}  // namespace

json parse_json(std::string_view text, JsonProblem& problem, std::size_t max_depth) {
  problem = {};
  json out;
  BoundedDomSax sax(out, max_depth, problem);
  const bool ok = json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true);
  if (!ok || problem.kind != JsonProblem::Kind::kNone) {
    if (problem.kind == JsonProblem::Kind::kNone) problem.kind = JsonProblem::Kind::kSyntax;
    return json(json::value_t::discarded);
  }
  return out;
}

json parse_json(std::string_view text, std::size_t max_depth) {
  JsonProblem ignored;
  return parse_json(text, ignored, max_depth);
}

}  // namespace crmsync
