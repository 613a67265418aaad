#include "sync/page_parser.h"

#include <simdjson.h>

#include "salesforce/page_records.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "common/text.h"

namespace crmsync::sync {

namespace {
// What Salesforce writes: "2016-08-19T14:35:34.000+0000" in JSON, "2016-08-19T14:35:34.000Z" in
// Bulk CSV. Both are already UTC, so only the zone changes (no parse and format per value;
// datetimes are a large share of every row).
bool is_plain_utc(std::string_view s) {
  const bool zone = (s.size() == 28 && s.substr(23) == "+0000") || (s.size() == 24 && s[23] == 'Z');
  if (!zone || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto two = [&](std::size_t i) { return (s[i] - '0') * 10 + (s[i + 1] - '0'); };
  // A day the calendar has (not 2025-02-29): the watermark is read back with parse_datetime.
  return two(11) <= 23 && two(14) <= 59 && two(17) <= 59 && parse_date(s.substr(0, 10)).has_value();
}
}  // namespace

std::optional<std::string> datetime_to_store(std::string_view salesforce_datetime) {
  std::string_view s = salesforce_datetime;
  if (is_plain_utc(s)) {
    std::string out(s.substr(0, 23));
    out += 'Z';
    return out;
  }
  auto ms = parse_datetime(salesforce_datetime);
  if (!ms) return std::nullopt;
  return format_datetime_iso(*ms);
}

bool datetime_into(std::string_view s, store::RowBuffer& rows, std::size_t k) {
  if (is_plain_utc(s)) {  // the common forms convert without an allocation
    char iso[24];
    std::memcpy(iso, s.data(), 23);
    iso[23] = 'Z';
    rows.set_text(k, std::string_view(iso, sizeof iso));
    return true;
  }
  auto iso = datetime_to_store(s);
  if (!iso) return false;
  rows.set_text(k, *iso);
  return true;
}

bool int64_of_double(double d, std::int64_t& out) {
  // -2^63 and 2^63 are exact doubles; NaN fails both comparisons.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
  out = static_cast<std::int64_t>(d);
  return true;
}

std::string_view text_to_store(const catalog::SyncedField& f, std::string_view text, bool& cut) {
  cut = false;
  const std::size_t length = f.length > 0 ? static_cast<std::size_t>(f.length) : std::string_view::npos;
  const std::size_t keep =
      f.type == catalog::FieldType::kLongTextArea ? std::min(length, catalog::kLongTextMaxChars) : length;
  // Fast path (almost every value): a text of at most `keep` bytes has at most `keep` code points.
  if (text.size() <= keep) return text;
  if (text.size() > length) cut = utf8_prefix(text, length).size() < text.size();
  return utf8_prefix(text, keep);
}

void set_text_cell(const catalog::SyncedField& f, std::string_view text, store::RowBuffer& rows, std::size_t k,
                   LengthCuts* cuts) {
  bool cut = false;
  rows.set_text(k, text_to_store(f, text, cut));
  if (cut && cuts != nullptr) ++(*cuts)[f.name];
}

void add_cuts(LengthCuts& into, const LengthCuts& from) {
  for (const auto& [field, values] : from) into[field] += values;
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

  Error malformed(const char* what) const {
    return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE",
                 "Salesforce's answer to the " + selection.object + " query is not the JSON crmsync expects (" +
                     what + "); the page was not stored");
  }

  // A JSON error inside the records: a wrong type is Salesforce's answer, anything else means the
  // body is cut off or damaged, which the client retries (kNetwork).
  Error json_error(simdjson::error_code e, const char* what) const {
    if (e == simdjson::INCORRECT_TYPE || e == simdjson::NO_SUCH_FIELD) return malformed(what);
    return Error(ErrorKind::kNetwork, "MALFORMED_RESPONSE",
                 "Salesforce's answer to the " + selection.object + " query is invalid or cut off (" +
                     simdjson::error_message(e) + "); the page was not stored");
  }

  // Converts one value into cell k of the page's last row.
  Status convert(const catalog::SyncedField& f, std::size_t k, simdjson::ondemand::value v, ParsedPage& page) {
    store::RowBuffer& rows = page.rows;
    using simdjson::ondemand::json_type;
    json_type t;
    if (auto e = v.type().get(t)) return json_error(e, "unreadable value");
    if (t == json_type::null) return ok_status();  // the row starts as NULLs
    switch (f.storage) {
      case catalog::StorageClass::kBoolean: {
        bool b;
        if (v.get_bool().get(b)) return bad_value(f, "expected true or false");
        rows.set_bool(k, b);
        return ok_status();
      }
      case catalog::StorageClass::kInteger: {
        std::int64_t i;
        if (!v.get_int64().get(i)) {
          rows.set_int(k, i);
          return ok_status();
        }
        double d;  // Salesforce writes some integers as 5.0
        if (v.get_double().get(d) || !int64_of_double(d, i)) return bad_value(f, "expected a whole number");
        rows.set_int(k, i);
        return ok_status();
      }
      case catalog::StorageClass::kReal: {
        double d;
        if (v.get_double().get(d)) return bad_value(f, "expected a number");
        rows.set_real(k, d);
        return ok_status();
      }
      case catalog::StorageClass::kDateTime: {
        std::string_view s;
        if (v.get_string().get(s)) return bad_value(f, "expected a datetime string");
        if (!datetime_into(s, rows, k)) return bad_value(f, "'" + std::string(s) + "' is not a datetime");
        return ok_status();
      }
      case catalog::StorageClass::kDate:
      case catalog::StorageClass::kTime:
      case catalog::StorageClass::kText: {
        std::string_view s;
        if (t == json_type::string) {
          if (auto e = v.get_string().get(s)) return json_error(e, "invalid string");
        } else {
          // A number or boolean in a text field: keep its JSON text.
          s = v.raw_json_token();
          while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
            s.remove_suffix(1);
          }
        }
        set_text_cell(f, s, rows, k, &page.cuts);
        return ok_status();
      }
    }
    return bad_value(f, "unknown storage class");
  }

  // Appends every record of `records` to `page`.
  Status read_records(simdjson::ondemand::array records, ParsedPage& page) {
    const auto& fields = selection.fields;
    for (auto element : records) {
      simdjson::ondemand::object rec;
      if (auto e = element.get_object().get(rec)) return json_error(e, "a record is not an object");
      page.rows.add_row();
      for (auto field_r : rec) {
        simdjson::ondemand::field field;
        if (auto e = std::move(field_r).get(field)) return json_error(e, "unreadable record");
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return json_error(e, "unreadable field name");
        const std::size_t* idx = find(key);
        if (idx == nullptr) continue;  // attributes, relationship objects, fields we did not select
        CRMSYNC_TRY(convert(fields[*idx], *idx, field.value(), page));
      }
      std::size_t last = page.rows.size() - 1;
      if (page.rows.kind(last, 0) != store::RowBuffer::Kind::kText) return malformed("a record has no Id");
      if (deleted_index >= 0 && page.rows.kind(last, static_cast<std::size_t>(deleted_index)) ==
                                    store::RowBuffer::Kind::kBool &&
          page.rows.get_bool(last, static_cast<std::size_t>(deleted_index))) {
        ++page.deleted;
      }
    }
    finish(page);
    return ok_status();
  }

  void finish(ParsedPage& page) const {
    if (page.rows.empty()) return;
    std::size_t last = page.rows.size() - 1;
    if (modstamp_index >= 0) {
      std::string_view s = page.rows.text(last, static_cast<std::size_t>(modstamp_index));
      if (!s.empty()) page.last_modstamp = parse_datetime(s);
    }
    page.last_id = std::string(page.rows.text(last, 0));
  }

  void start(ParsedPage& page) const {
    page.rows.reset(selection.fields.size());
    page.last_modstamp.reset();
    page.last_id.clear();
    page.deleted = 0;
    page.cuts.clear();
  }
};

PageParser::PageParser(const catalog::FieldSelection& selection) : impl_(std::make_unique<Impl>(selection)) {}
PageParser::~PageParser() = default;

Result<ParsedPage> PageParser::parse(std::string& body) {
  std::size_t len = body.size();
  body.reserve(len + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(body.data(), len, body.capacity()).get(doc)) return impl_->malformed("unreadable JSON");
  simdjson::ondemand::object top;
  if (doc.get_object().get(top)) return impl_->malformed("not an object");
  simdjson::ondemand::array records;
  if (top.find_field_unordered("records").get_array().get(records)) return impl_->malformed("no records array");
  ParsedPage page;
  impl_->start(page);
  Status s = impl_->read_records(records, page);
  if (!s) {
    Error e = s.error();
    e.kind = ErrorKind::kSalesforce;  // no client to retry: the body is what it is
    return e;
  }
  return page;
}

salesforce::RecordsReader PageParser::reader(ParsedPage& page) {
  return [this, &page](salesforce::PageRecords& records) -> Status {
    impl_->start(page);
    return impl_->read_records(records.array, page);
  };
}

}  // namespace crmsync::sync
