#include "sync/page_parser.h"

#include <simdjson.h>

#include <unordered_map>

#include "common/text.h"

namespace crmsync::sync {

std::optional<std::string> datetime_to_store(std::string_view salesforce_datetime) {
  // Fast path for what Salesforce writes, "2016-08-19T14:35:34.000+0000": already UTC, so only the
  // zone changes (no parse and format per value; datetimes are a large share of every row).
  std::string_view s = salesforce_datetime;
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
  };
  if (s.size() == 28 && s.substr(23) == "+0000" && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
      s[16] == ':' && s[19] == '.' && digits(0, 4) && digits(5, 2) && digits(8, 2) && digits(11, 2) &&
      digits(14, 2) && digits(17, 2) && digits(20, 3) && s.substr(5, 2) >= "01" && s.substr(5, 2) <= "12" &&
      s.substr(8, 2) >= "01" && s.substr(8, 2) <= "31" && s.substr(11, 2) <= "23" && s.substr(14, 2) <= "59" &&
      s.substr(17, 2) <= "59") {
    std::string out(s.substr(0, 23));
    out += 'Z';
    return out;
  }
  auto ms = parse_datetime(salesforce_datetime);
  if (!ms) return std::nullopt;
  return format_datetime_iso(*ms);
}

std::string_view trim_long_text(std::string_view text) {
  // Fast path: a string of at most 10,000 bytes has at most 10,000 code points.
  if (text.size() <= catalog::kLongTextMaxChars) return text;
  return utf8_prefix(text, catalog::kLongTextMaxChars);
}

struct PageParser::Impl {
  const catalog::FieldSelection& selection;
  std::unordered_map<std::string, std::size_t> index_by_lower_name;
  int modstamp_index = -1;
  int deleted_index = -1;
  simdjson::ondemand::parser parser;

  explicit Impl(const catalog::FieldSelection& sel) : selection(sel) {
    for (std::size_t i = 0; i < sel.fields.size(); ++i) {
      index_by_lower_name.emplace(to_lower(sel.fields[i].name), i);
      if (!sel.modstamp_field.empty() && iequals(sel.fields[i].name, sel.modstamp_field)) {
        modstamp_index = static_cast<int>(i);
      }
      if (iequals(sel.fields[i].name, "IsDeleted")) deleted_index = static_cast<int>(i);
    }
  }

  // Looks a key up without allocating for the common case of names already lower-case-equal.
  const std::size_t* find(std::string_view key) {
    thread_local std::string lowered;
    lowered.assign(key);
    for (char& c : lowered) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    auto it = index_by_lower_name.find(lowered);
    return it == index_by_lower_name.end() ? nullptr : &it->second;
  }

  Error bad_value(const catalog::SyncedField& f, std::string_view why) const {
    return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                 "Salesforce returned a value for " + selection.object + "." + f.name + " (" +
                     catalog::to_string(f.type) + ") that crmsync cannot read: " + std::string(why));
  }

  Result<store::Value> convert(const catalog::SyncedField& f, simdjson::ondemand::value v) {
    using simdjson::ondemand::json_type;
    json_type t;
    if (v.type().get(t)) return bad_value(f, "not valid JSON");
    if (t == json_type::null) return store::Value{};
    switch (f.storage) {
      case catalog::StorageClass::kBoolean: {
        bool b;
        if (v.get_bool().get(b)) return bad_value(f, "expected true or false");
        return store::Value{b};
      }
      case catalog::StorageClass::kInteger: {
        std::int64_t i;
        if (!v.get_int64().get(i)) return store::Value{i};
        double d;  // Salesforce writes some integers as 5.0
        if (v.get_double().get(d)) return bad_value(f, "expected a whole number");
        return store::Value{static_cast<std::int64_t>(d)};
      }
      case catalog::StorageClass::kReal: {
        double d;
        if (v.get_double().get(d)) return bad_value(f, "expected a number");
        return store::Value{d};
      }
      case catalog::StorageClass::kDateTime: {
        std::string_view s;
        if (v.get_string().get(s)) return bad_value(f, "expected a datetime string");
        auto iso = datetime_to_store(s);
        if (!iso) return bad_value(f, "'" + std::string(s) + "' is not a datetime");
        return store::Value{std::move(*iso)};
      }
      case catalog::StorageClass::kDate:
      case catalog::StorageClass::kTime:
      case catalog::StorageClass::kText: {
        std::string_view s;
        if (t == json_type::string) {
          if (v.get_string().get(s)) return bad_value(f, "invalid string");
        } else {
          // A number or boolean in a text field: keep its JSON text.
          s = v.raw_json_token();
          while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
            s.remove_suffix(1);
          }
        }
        if (f.type == catalog::FieldType::kLongTextArea) s = trim_long_text(s);
        return store::Value{std::string(s)};
      }
    }
    return bad_value(f, "unknown storage class");
  }
};

PageParser::PageParser(const catalog::FieldSelection& selection) : impl_(std::make_unique<Impl>(selection)) {}
PageParser::~PageParser() = default;

Result<ParsedPage> PageParser::parse(std::string& body) {
  const std::string& object = impl_->selection.object;
  auto malformed = [&](const char* what) {
    return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                 "Salesforce's answer to the " + object + " query is not the JSON crmsync expects (" + what +
                     "); the page was not stored");
  };
  std::size_t len = body.size();
  body.reserve(len + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(body.data(), len, body.capacity()).get(doc)) return malformed("unreadable JSON");
  simdjson::ondemand::object top;
  if (doc.get_object().get(top)) return malformed("not an object");
  simdjson::ondemand::array records;
  if (top.find_field_unordered("records").get_array().get(records)) return malformed("no records array");

  ParsedPage page;
  const auto& fields = impl_->selection.fields;
  for (auto element : records) {
    simdjson::ondemand::object rec;
    if (element.get_object().get(rec)) return malformed("a record is not an object");
    std::vector<store::Value> row(fields.size());
    for (auto field : rec) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return malformed("unreadable field name");
      const std::size_t* idx = impl_->find(key);
      if (idx == nullptr) continue;  // attributes, relationship objects, fields we did not select
      auto value = impl_->convert(fields[*idx], field.value());
      if (!value) return value.error();
      row[*idx] = std::move(*value);
    }
    if (!std::holds_alternative<std::string>(row[0])) return malformed("a record has no Id");
    if (impl_->deleted_index >= 0) {
      const auto* b = std::get_if<bool>(&row[static_cast<std::size_t>(impl_->deleted_index)]);
      if (b != nullptr && *b) ++page.deleted;
    }
    if (impl_->modstamp_index >= 0) {
      const auto* s = std::get_if<std::string>(&row[static_cast<std::size_t>(impl_->modstamp_index)]);
      if (s != nullptr) page.last_modstamp = parse_datetime(*s);
    }
    page.last_id = std::get<std::string>(row[0]);
    page.rows.push_back(std::move(row));
  }
  return page;
}

}  // namespace crmsync::sync
