// Holds the code's catalog against docs/catalog.md: the page's groups paragraph, objects table,
// hard-delete remark and field-types table are parsed and compared with objects(), type_rules()
// and classify_field. Either side changing without the other fails here.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "describe_fixtures.h"

namespace crmsync::catalog {
namespace {

using testing::json;
using testing::sf_field;

std::string read_page() {
  // The shared page is the spec; the repo's copy stands in where the shared tree is absent.
  std::string path = CRMSYNC_SOURCE_DIR "/../shared/catalog.md";
  if (!std::filesystem::exists(path)) path = CRMSYNC_SOURCE_DIR "/docs/catalog.md";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string strip_backticks(std::string s) {
  std::erase(s, '`');
  return s;
}

// Splits on ", " outside parentheses.
std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')') --depth;
    if (depth == 0 && s[i] == ',') {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  if (!trim(cur).empty()) out.push_back(trim(cur));
  return out;
}

std::vector<std::string> cells_of(const std::string& row) {
  std::vector<std::string> cells;
  std::string inner = trim(row);
  inner = inner.substr(1, inner.size() - 2);  // drop the outer pipes
  std::istringstream in(inner);
  for (std::string c; std::getline(in, c, '|');) cells.push_back(trim(c));
  return cells;
}

// The table rows (header and separator dropped) of the first table after `heading`.
std::vector<std::vector<std::string>> table_after(const std::vector<std::string>& lines, const std::string& heading) {
  std::vector<std::vector<std::string>> rows;
  bool in_section = false, in_table = false;
  int seen = 0;
  for (const auto& line : lines) {
    if (line.starts_with("## ")) {
      if (in_section) break;
      in_section = line.starts_with(heading);
      continue;
    }
    if (!in_section) continue;
    if (line.starts_with("|")) {
      in_table = true;
      if (++seen > 2) rows.push_back(cells_of(line));
    } else if (in_table) {
      break;
    }
  }
  return rows;
}

struct PageField {
  std::string name, mark, note;
  bool operator==(const PageField&) const = default;
};
std::ostream& operator<<(std::ostream& os, const PageField& f) {
  return os << f.name << "/" << f.mark << (f.note.empty() ? "" : " (" + f.note + ")");
}

std::vector<PageField> fields_of(std::string cell, const std::string& mark) {
  std::vector<PageField> out;
  if (cell == "-") return out;
  cell = std::regex_replace(cell, std::regex("^all listed[^:]*: "), "");
  for (const auto& item : split_list(cell)) {
    std::smatch m;
    if (std::regex_match(item, m, std::regex(R"(^(\w+) \((.*)\)$)"))) {
      out.push_back({m[1], mark, m[2]});
    } else {
      out.push_back({item, mark, ""});
    }
  }
  return out;
}

const std::string kObjectsHeading = "## Objects, in groups";

TEST(CatalogPageTest, GroupsMatchThePage) {
  // The paragraph wraps: a group starts a line ("Core (always on): ..."), its list may continue on
  // the next lines, and it ends with a full stop.
  std::vector<std::string> entries;
  bool in_section = false;
  const std::regex group_start(R"(^[A-Z][\w ]* \([^)]*\): )");
  for (const auto& line : lines_of(read_page())) {
    if (line.starts_with("## ")) in_section = line.starts_with(kObjectsHeading);
    if (!in_section || line.empty() || line.starts_with("|") || line.starts_with("#")) continue;
    if (std::regex_search(line, group_start)) {
      entries.push_back(line);
    } else if (!entries.empty() && !entries.back().ends_with(".")) {
      entries.back() += " " + line;
    }
  }
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> page;  // title, availability, object, label
  ASSERT_EQ(entries.size(), 3u);
  for (const auto& entry_text : entries) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(entry_text, m, std::regex(R"(^([A-Z][\w ]*) \(([^)]*)\): (.*)\.$)"))) << entry_text;
    for (const auto& entry : split_list(m[3])) {
      std::smatch e;
      if (std::regex_match(entry, e, std::regex(R"re(^(\w+) \("(.*)"\)$)re"))) {
        page.emplace_back(m[1], m[2], e[1], e[2]);
      } else {
        page.emplace_back(m[1], m[2], entry, "");
      }
    }
  }
  ASSERT_EQ(page.size(), objects().size()) << "the groups paragraph and the code list different objects";
  for (const auto& [group_title, availability_text, name, label] : page) {
    const CatalogObject* o = find_object(name);
    ASSERT_NE(o, nullptr) << name << " is on the page but not in the code";
    EXPECT_EQ(title(o->group), group_title) << name;
    EXPECT_EQ(availability(o->group), availability_text) << name;
    if (!label.empty()) {
      EXPECT_EQ(o->label, label) << name;
    } else {
      // The page gives a label only where it is not the name split into words.
      EXPECT_EQ(o->label, std::regex_replace(name, std::regex("([a-z])([A-Z])"), "$1 $2")) << name;
    }
  }
}

TEST(CatalogPageTest, ObjectsAndFieldsMatchThePage) {
  const auto rows = table_after(lines_of(read_page()), kObjectsHeading);
  ASSERT_EQ(rows.size(), objects().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 3u) << "row " << i;
    const CatalogObject& o = objects()[i];
    EXPECT_EQ(o.name, rows[i][0]) << "objects() must follow the table's order";
    std::vector<PageField> expected = fields_of(rows[i][1], "required");
    for (auto& f : fields_of(rows[i][2], "recommended")) expected.push_back(f);
    std::vector<PageField> actual;
    for (const auto& f : o.fields) actual.push_back({f.name, to_string(f.mark), f.note});
    EXPECT_EQ(actual, expected) << o.name;
  }
}

TEST(CatalogPageTest, HardDeletedObjectsMatchThePage) {
  std::smatch m;
  const std::string page = read_page();
  ASSERT_TRUE(std::regex_search(page, m, std::regex(R"(\n([\w, ]+) rows are often hard-deleted)")));
  std::vector<std::string> page_names;
  for (auto& n : split_list(std::regex_replace(std::string(m[1]), std::regex(" and "), ", "))) page_names.push_back(n);
  std::vector<std::string> code_names;
  for (const auto& o : objects()) {
    if (o.often_hard_deleted) code_names.push_back(o.name);
  }
  std::sort(page_names.begin(), page_names.end());
  EXPECT_EQ(code_names, (std::vector<std::string>{"OpportunityLineItem", "CampaignMember"}));
  std::sort(code_names.begin(), code_names.end());
  EXPECT_EQ(code_names, page_names);
}

// The describe fields the page's first column stands for, each with the catalog type it must get
// ("" for unsupported).
std::vector<std::pair<json, std::string>> fixtures_for(const std::string& describe_cell, const std::string& catalog_cell,
                                                       const std::string& note) {
  std::vector<std::pair<json, std::string>> out;
  std::smatch m;
  if (describe_cell == "reference to User only") {
    out.emplace_back(sf_field("X__c", "reference", {{"referenceTo", {"User"}}}), catalog_cell);
  } else if (describe_cell == "reference to other objects") {
    out.emplace_back(sf_field("X__c", "reference", {{"referenceTo", {"Account"}}}), catalog_cell);
    out.emplace_back(sf_field("X__c", "reference", {{"referenceTo", {"Contact", "Lead"}}}), catalog_cell);
    out.emplace_back(sf_field("X__c", "reference", {{"referenceTo", {"Group", "User"}}}), catalog_cell);
    if (note.find("a reference to Campaign is not supported") != std::string::npos) {
      out.emplace_back(sf_field("X__c", "reference", {{"referenceTo", {"Campaign"}}}), "");
    }
  } else if (std::regex_match(describe_cell, m, std::regex(R"(^textarea, (\w+)(, length (<=|>) 255)?$)"))) {
    std::vector<int> lengths = m[3] == "<=" ? std::vector<int>{1, 255} : m[3] == ">" ? std::vector<int>{256, 32000}
                                                                                     : std::vector<int>{32768};
    for (int len : lengths) {
      out.emplace_back(sf_field("X__c", "textarea", {{"extraTypeInfo", m[1]}, {"length", len}}), catalog_cell);
    }
  } else if (catalog_cell == "unsupported") {
    for (auto type : split_list(describe_cell)) {
      if (type == "and any type not above") {
        for (auto t : {"complexvalue", "datacategorygroupreference", "hologram"}) out.emplace_back(sf_field("X__c", t), "");
      } else {
        out.emplace_back(sf_field("X__c", type), "");
      }
    }
  } else if (std::regex_match(catalog_cell, m, std::regex(R"(^(\w+) \((\w+) when scale is 0\)$)"))) {
    out.emplace_back(sf_field("X__c", describe_cell, {{"scale", 2}, {"precision", 18}}), m[1]);
    out.emplace_back(sf_field("X__c", describe_cell, {{"scale", 0}, {"precision", 18}}), m[2]);
  } else {
    for (auto type : split_list(describe_cell)) out.emplace_back(sf_field("X__c", type), catalog_cell);
  }
  return out;
}

TEST(CatalogPageTest, FieldTypeTableMatchesThePage) {
  const auto rows = table_after(lines_of(read_page()), "## Field types");
  const auto& rules = type_rules();
  ASSERT_EQ(rows.size(), rules.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 4u) << "row " << i;
    const std::string describe_cell = rows[i][0], catalog_cell = rows[i][1], stored = strip_backticks(rows[i][2]),
                      note = rows[i][3];
    const TypeRule& r = rules[i];
    EXPECT_EQ(r.describe_type, describe_cell);
    EXPECT_EQ(r.supported, catalog_cell != "unsupported") << describe_cell;
    EXPECT_EQ(r.catalog_type, r.supported ? catalog_cell : "") << describe_cell;
    if (stored == "-") {
      EXPECT_EQ(r.sqlite, "") << describe_cell;
      EXPECT_EQ(r.postgresql, "") << describe_cell;
    } else {
      auto slash = stored.find(" / ");
      ASSERT_NE(slash, std::string::npos) << stored;
      EXPECT_EQ(r.sqlite, stored.substr(0, slash)) << describe_cell;
      EXPECT_EQ(r.postgresql, stored.substr(slash + 3)) << describe_cell;
    }
    EXPECT_EQ(r.note, note) << describe_cell;
  }
}

// The first word of the page's SQLite column and its PostgreSQL column for each storage class.
std::pair<std::string, std::string> storage_columns(StorageClass s) {
  switch (s) {
    case StorageClass::kBoolean: return {"INTEGER", "boolean"};
    case StorageClass::kInteger: return {"INTEGER", "bigint"};
    case StorageClass::kReal: return {"REAL", ""};  // numeric or double precision: the backend's choice
    case StorageClass::kText: return {"TEXT", "text"};
    case StorageClass::kDate: return {"TEXT", "date"};
    case StorageClass::kDateTime: return {"TEXT", "timestamptz"};
    case StorageClass::kTime: return {"TEXT", "time"};
  }
  return {};
}

TEST(CatalogPageTest, EveryDescribeTypeOnThePageClassifiesAsThePageSays) {
  int checked = 0;
  for (const auto& row : table_after(lines_of(read_page()), "## Field types")) {
    const std::string stored = strip_backticks(row[2]);
    for (const auto& [field, expected] : fixtures_for(row[0], row[1], row[3])) {
      for (bool formula : {false, true}) {  // formulas are classified by their result type
        json f = field;
        f["calculated"] = formula;
        Result<FieldType> got = classify_field("Account", f);
        ++checked;
        if (expected.empty()) {
          ASSERT_FALSE(got) << row[0] << ": " << f.dump();
          EXPECT_EQ(got.error().kind, ErrorKind::kUnsupported);
          EXPECT_NE(got.error().message.find("Account.X__c has type " + f["type"].get<std::string>()),
                    std::string::npos)
              << got.error().message;
        } else {
          ASSERT_TRUE(got) << row[0] << ": " << got.error().to_string();
          EXPECT_EQ(to_string(*got), expected) << row[0] << ": " << f.dump();
          auto [sqlite_word, postgres] = storage_columns(storage_of(*got));
          EXPECT_TRUE(stored.starts_with(sqlite_word)) << row[0] << ": " << stored;
          if (!postgres.empty()) {
            EXPECT_TRUE(stored.ends_with("/ " + postgres)) << row[0] << ": " << stored;
          }
        }
      }
    }
  }
  EXPECT_GE(checked, 2 * 30);
}

}  // namespace
}  // namespace crmsync::catalog
