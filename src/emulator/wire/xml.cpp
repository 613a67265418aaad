// A small XML reader for Bulk API 1.0 request bodies (jobInfo, sObjects): elements, attributes
// (only xsi:nil is kept), text with the five predefined entities and numeric character references,
// CDATA, comments and processing instructions skipped. No DTDs: a <!DOCTYPE is refused, so that no
// entity expands. And the writer of Bulk API 1.0 query results in XML (records as sObjects).
#include <algorithm>

#include "emulator/sf_error.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

constexpr int kMaxXmlDepth = 32;

class XmlReader {
 public:
  explicit XmlReader(std::string_view text) : t_(text) {}

  Result<XmlElement> document() {
    skip_misc();
    if (at("<!DOCTYPE") || at("<!doctype")) return fail("a DOCTYPE is not allowed");
    auto root = element(0);
    if (!root) return root;
    skip_misc();
    if (i_ != t_.size()) return fail("content after the root element");
    return root;
  }

 private:
  Error fail(const std::string& why) const {
    return request_error(400, "InvalidXML", "Malformed XML at byte " + std::to_string(i_) + ": " + why);
  }
  bool at(std::string_view s) const { return t_.substr(i_, s.size()) == s; }
  void skip_space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\r' || t_[i_] == '\n')) ++i_;
  }
  // Whitespace, <?...?> and <!-- ... -->.
  void skip_misc() {
    for (;;) {
      skip_space();
      std::string_view end;
      if (at("<?")) end = "?>";
      else if (at("<!--")) end = "-->";
      else return;
      const std::size_t e = t_.find(end, i_);
      i_ = e == std::string_view::npos ? t_.size() : e + end.size();
    }
  }
  std::string name() {
    const std::size_t start = i_;
    while (i_ < t_.size() && t_[i_] != '>' && t_[i_] != '/' && t_[i_] != '=' && t_[i_] != ' ' && t_[i_] != '\t' &&
           t_[i_] != '\r' && t_[i_] != '\n') {
      ++i_;
    }
    return std::string(t_.substr(start, i_ - start));
  }
  static std::string local(const std::string& qname) {
    const std::size_t colon = qname.find(':');
    return colon == std::string::npos ? qname : qname.substr(colon + 1);
  }
  Status decode(std::string_view raw, std::string& out) {
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] != '&') {
        out.push_back(raw[k]);
        continue;
      }
      const std::size_t semi = raw.find(';', k);
      if (semi == std::string_view::npos) return fail("an unterminated entity");
      const std::string_view ent = raw.substr(k + 1, semi - k - 1);
      if (ent == "amp") out.push_back('&');
      else if (ent == "lt") out.push_back('<');
      else if (ent == "gt") out.push_back('>');
      else if (ent == "quot") out.push_back('"');
      else if (ent == "apos") out.push_back('\'');
      else if (!ent.empty() && ent[0] == '#') {
        const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
        unsigned long cp = std::strtoul(std::string(ent.substr(hex ? 2 : 1)).c_str(), nullptr, hex ? 16 : 10);
        if (cp == 0 || cp > 0x10FFFF) return fail("a character reference out of range");
        append_utf8(out, static_cast<std::uint32_t>(cp));
      } else {
        return fail("an unknown entity &" + std::string(ent) + ";");
      }
      k = semi;
    }
    return ok_status();
  }
  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  // Attributes up to '>' or '/>'; sets nil for xsi:nil="true".
  Status attributes(XmlElement& e) {
    for (;;) {
      skip_space();
      if (i_ >= t_.size()) return fail("an unterminated start tag");
      if (t_[i_] == '>' || at("/>")) return ok_status();
      const std::string attr = name();
      skip_space();
      if (i_ >= t_.size() || t_[i_] != '=') return fail("an attribute without a value");
      ++i_;
      skip_space();
      if (i_ >= t_.size() || (t_[i_] != '"' && t_[i_] != '\'')) return fail("an unquoted attribute value");
      const char q = t_[i_++];
      const std::size_t end = t_.find(q, i_);
      if (end == std::string_view::npos) return fail("an unterminated attribute value");
      if (local(attr) == "nil" && t_.substr(i_, end - i_) == "true") e.nil = true;
      i_ = end + 1;
    }
  }
  Result<XmlElement> element(int depth) {
    if (depth >= kMaxXmlDepth) return fail("elements nested deeper than " + std::to_string(kMaxXmlDepth));
    if (i_ >= t_.size() || t_[i_] != '<') return fail("an element was expected");
    ++i_;
    XmlElement e;
    const std::string qname = name();
    if (qname.empty()) return fail("an element without a name");
    e.name = local(qname);
    CRMSYNC_TRY(attributes(e));
    if (at("/>")) {
      i_ += 2;
      return e;
    }
    ++i_;  // '>'
    for (;;) {
      if (i_ >= t_.size()) return fail("<" + qname + "> is not closed");
      if (at("</")) {
        i_ += 2;
        const std::string closing = name();
        skip_space();
        if (closing != qname || i_ >= t_.size() || t_[i_] != '>') return fail("</" + closing + "> does not close <" + qname + ">");
        ++i_;
        return e;
      }
      if (at("<![CDATA[")) {
        const std::size_t end = t_.find("]]>", i_);
        if (end == std::string_view::npos) return fail("an unterminated CDATA section");
        e.text.append(t_.substr(i_ + 9, end - i_ - 9));
        i_ = end + 3;
      } else if (at("<!--") || at("<?")) {
        skip_misc();
      } else if (t_[i_] == '<') {
        auto child = element(depth + 1);
        if (!child) return child;
        e.children.push_back(std::move(*child));
      } else {
        const std::size_t end = std::min(t_.find('<', i_), t_.size());
        CRMSYNC_TRY(decode(t_.substr(i_, end - i_), e.text));
        i_ = end;
      }
    }
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view local_name) const {
  for (const auto& c : children) {
    if (c.name == local_name) return &c;
  }
  return nullptr;
}

Result<XmlElement> read_xml(std::string_view text) { return XmlReader(text).document(); }

// ---- writing ------------------------------------------------------------------------------------

void append_xml_text(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\r': out += "&#13;"; break;  // a parser would read a bare CR as LF
      default:
        // C0 controls other than tab and LF cannot appear in XML 1.0, not even as references.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out.push_back(c);
    }
  }
}

void append_xml_element(std::string& out, std::string_view name, const FieldDef& field, const Value& value) {
  const auto* text = std::get_if<std::string>(&value);
  if (is_null(value) || (text != nullptr && text->empty())) {  // Salesforce keeps no empty strings
    out.push_back('<');
    out += name;
    out += " xsi:nil=\"true\"/>";
    return;
  }
  out.push_back('<');
  out += name;
  out.push_back('>');
  if (text != nullptr) {
    append_xml_text(out, *text);
  } else if (const auto* at = std::get_if<DateTime>(&value)) {
    append_datetime_text(out, at->ms, "Z");
  } else {
    // Numbers and booleans as JSON writes them; dates and times without JSON's quotes.
    std::string json;
    append_value(json, field, value);
    if (json.size() >= 2 && json.front() == '"') json = json.substr(1, json.size() - 2);
    out += json;
  }
  out += "</";
  out += name;
  out.push_back('>');
}

namespace {

void append_xml_record_id(std::string& out, const Table& table, const Row& row, const std::vector<std::size_t>& columns) {
  // The sObject's own Id comes first, as in SOAP's sObject; nil unless the SELECT holds Id.
  const bool has_id = std::find(columns.begin(), columns.end(), std::size_t{0}) != columns.end();
  append_xml_element(out, "Id", table.field(0), has_id ? row[0] : Value{});
}

}  // namespace

void append_xml_record(std::string& out, const Table& table, const Row& row, const std::vector<std::size_t>& columns) {
  out += "<records xsi:type=\"sObject\"><type>";
  out += table.name();
  out += "</type>";
  append_xml_record_id(out, table, row, columns);
  for (std::size_t c : columns) append_xml_element(out, table.field(c).name, table.field(c), row[c]);
  out += "</records>";
}

}  // namespace crmsync::emulator
