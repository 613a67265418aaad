#include "emulator/wire/wire.h"

#include <charconv>
#include <cmath>

#include "common/text.h"

namespace crmsync::emulator {
namespace {

void append_digits(std::string& out, int value, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

// Howard Hinnant's civil_from_days.
void civil(EpochDays z, int& y, int& m, int& d) {
  long zz = static_cast<long>(z) + 719468;
  const long era = (zz >= 0 ? zz : zz - 146096) / 146097;
  const long doe = zz - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}


// As Java's Double.toString writes it (Salesforce's JSON does): 15000.0, 0.25, 2.88E8, 1.0E-4.
void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[40];
  const double mag = std::fabs(v);
  if (mag == 0 || (mag >= 1e-3 && mag < 1e7)) {
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
    out += text;
    if (text.find('.') == std::string_view::npos) out += ".0";
    return;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
  const auto e = text.find('e');
  std::string_view mantissa = text.substr(0, e);
  out += mantissa;
  if (mantissa.find('.') == std::string_view::npos) out += ".0";
  out.push_back('E');
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(), exponent);
  out += std::to_string(exponent);
}

// A compound address is written as an object built from its component fields.
void append_address(std::string& out, const Table& table, const FieldDef& address, const Row& row) {
  std::string body;
  bool any = false;
  for (std::size_t i = 0; i < table.fields().size(); ++i) {
    const FieldDef& f = table.field(i);
    if (f.compound_field_name != address.name) continue;
    std::string_view part = f.name;
    std::string_view prefix = std::string_view(address.name).substr(0, address.name.size() - 7);  // "Address"
    part.remove_prefix(prefix.size());
    if (!body.empty()) body.push_back(',');
    body.push_back('"');
    body.push_back(static_cast<char>(part[0] - 'A' + 'a'));
    body.append(part.substr(1));
    body += "\":";
    append_value(body, f, row[i]);
    any = any || !is_null(row[i]);
  }
  if (!any) {
    out += "null";
    return;
  }
  out.push_back('{');
  out += body;
  out.push_back('}');
}

}  // namespace

void append_date_text(std::string& out, EpochDays days) {
  int y, m, d;
  civil(days, y, m, d);
  append_digits(out, y, 4);
  out.push_back('-');
  append_digits(out, m, 2);
  out.push_back('-');
  append_digits(out, d, 2);
}

void append_datetime_text(std::string& out, EpochMs ms, std::string_view zone) {
  EpochMs days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  EpochMs rem = ms - days * 86400000;
  append_date_text(out, static_cast<EpochDays>(days));
  out.push_back('T');
  append_digits(out, static_cast<int>(rem / 3600000), 2);
  out.push_back(':');
  append_digits(out, static_cast<int>(rem / 60000 % 60), 2);
  out.push_back(':');
  append_digits(out, static_cast<int>(rem / 1000 % 60), 2);
  out.push_back('.');
  append_digits(out, static_cast<int>(rem % 1000), 3);
  out += zone;
}

void append_value(std::string& out, const FieldDef& field, const Value& value) {
  switch (value.index()) {
    case 0: out += "null"; break;
    case 1: out += std::get<bool>(value) ? "true" : "false"; break;
    case 2: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, std::get<std::int64_t>(value));
      out.append(buf, r.ptr);
      break;
    }
    case 3:
      if (field.type == "int") {
        append_double(out, std::round(std::get<double>(value)));
      } else {
        append_double(out, std::get<double>(value));
      }
      break;
    case 4: append_json_string(out, std::get<std::string>(value)); break;
    case 5:
      out.push_back('"');
      append_date_text(out, std::get<Date>(value).days);
      out.push_back('"');
      break;
    case 6:
      out.push_back('"');
      append_datetime_text(out, std::get<DateTime>(value).ms, "+0000");
      out.push_back('"');
      break;
    case 7: {
      std::int32_t ms = std::get<Time>(value).ms;
      out.push_back('"');
      append_digits(out, ms / 3600000, 2);
      out.push_back(':');
      append_digits(out, ms / 60000 % 60, 2);
      out.push_back(':');
      append_digits(out, ms / 1000 % 60, 2);
      out.push_back('.');
      append_digits(out, ms % 1000, 3);
      out += "Z\"";
      break;
    }
  }
}

RecordWriter::RecordWriter(const Table& table, std::string_view version, const std::vector<std::size_t>& columns)
    : table_(table) {
  prefix_ = "{\"attributes\":{\"type\":";
  append_json_string(prefix_, table.name());
  prefix_ += ",\"url\":\"/services/data/v";
  prefix_ += version;
  prefix_ += "/sobjects/";
  prefix_ += table.name();
  prefix_.push_back('/');
  columns_.reserve(columns.size());
  for (std::size_t c : columns) {
    const FieldDef& f = table.field(c);
    columns_.push_back(Column{c, ",\"" + f.name + "\":", f.type == "address"});
  }
}

void RecordWriter::prefetch_cells(const Row& row) const {
  const char* begin = reinterpret_cast<const char*>(row.data());
  const char* end = reinterpret_cast<const char*>(row.data() + row.size());
  for (const char* p = begin; p < end; p += 64) __builtin_prefetch(p);
}

void RecordWriter::prefetch_text(const Row& row) const {
  for (const Column& c : columns_) {
    if (const auto* text = std::get_if<std::string>(&row[c.index])) __builtin_prefetch(text->data());
  }
}

void RecordWriter::append(std::string& out, const Row& row) const {
  out += prefix_;
  if (const auto* id = std::get_if<std::string>(&row[0])) out += *id;
  out += "\"}";
  for (const Column& c : columns_) {
    out += c.key;
    const Value& v = row[c.index];
    // The common alternatives inline; numbers, dates, times and addresses through the general path.
    if (c.address) {
      append_address(out, table_, table_.field(c.index), row);
    } else if (const auto* text = std::get_if<std::string>(&v)) {
      append_json_string(out, *text);
    } else if (is_null(v)) {
      out += "null";
    } else {
      append_value(out, table_.field(c.index), v);
    }
  }
  out.push_back('}');
}

void append_record(std::string& out, const Table& table, std::string_view version, const Row& row,
                   const std::vector<std::size_t>& columns) {
  RecordWriter(table, version, columns).append(out, row);
}

}  // namespace crmsync::emulator

namespace crmsync::emulator {

void append_field(std::string& out, const Table& table, std::size_t field, const Row& row) {
  const FieldDef& f = table.field(field);
  if (f.type == "address") {
    append_address(out, table, f, row);
  } else {
    append_value(out, f, row[field]);
  }
}

}  // namespace crmsync::emulator
