// The org file's [multi_currency] section and users' `currency`: turns the org into a
// multi-currency org the way Salesforce models one. The CurrencyType object appears (one row per
// currency, one of them IsCorporate), User gains DefaultCurrencyIsoCode and CurrencyIsoCode, and
// the records of the data objects gain CurrencyIsoCode (their owner's currency). In a
// single-currency org none of these exist, so a query naming them fails with INVALID_FIELD /
// INVALID_TYPE, as in Salesforce.
#include <algorithm>
#include <map>

#include "common/sfid.h"
#include "common/text.h"
#include "emulator/org/generate.h"
#include "emulator/org/org.h"
#include "emulator/org/schema.h"

namespace crmsync::emulator {
namespace {

using json = nlohmann::json;

struct Currency {
  std::string code;
  double rate = 1.0;
  std::int64_t decimal_places = 2;
  bool active = true;
};

Error currency_error(const OrgFile& file, const std::string& key, const std::string& message) {
  return Error(ErrorKind::kConfig, "ORG_FILE_INVALID", file.path + ": " + key + ": " + message);
}

bool is_iso_code(const std::string& code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

Result<Currency> parse_currency(const OrgFile& file, const json& v, const std::string& key) {
  Currency c;
  if (v.is_string()) {
    c.code = v.get<std::string>();
  } else if (v.is_object()) {
    for (const auto& [k, _] : v.items()) {
      if (k != "iso_code" && k != "rate" && k != "decimal_places" && k != "active") {
        return currency_error(file, key + "." + k, "unknown key; the keys here are iso_code, rate, decimal_places, active");
      }
    }
    c.code = v.value("iso_code", std::string());
    c.rate = v.value("rate", 1.0);
    c.decimal_places = v.value("decimal_places", std::int64_t{2});
    c.active = v.value("active", true);
  } else {
    return currency_error(file, key, "must be an ISO code such as \"EUR\" or a table { iso_code = \"EUR\", rate = 0.92 }");
  }
  if (!is_iso_code(c.code)) {
    return currency_error(file, key, "'" + c.code + "' is not a three-letter upper-case ISO 4217 code such as \"EUR\"");
  }
  if (c.rate <= 0) return currency_error(file, key + ".rate", "must be greater than 0 (units per corporate unit)");
  if (c.decimal_places < 0 || c.decimal_places > 9) {
    return currency_error(file, key + ".decimal_places", "must be between 0 and 9");
  }
  return c;
}

// The currencies, the corporate one first (added when `currencies` leaves it out, at rate 1).
Result<std::vector<Currency>> parse_currencies(const OrgFile& file, const json& section) {
  if (!section.is_object()) {
    return currency_error(file, "multi_currency", "must be a table: [multi_currency] corporate = \"USD\", currencies = [\"EUR\"]");
  }
  for (const auto& [k, _] : section.items()) {
    if (k != "corporate" && k != "currencies") {
      return currency_error(file, "multi_currency." + k, "unknown key; the keys here are corporate, currencies");
    }
  }
  if (!section.contains("corporate") || !section["corporate"].is_string() ||
      !is_iso_code(section["corporate"].get<std::string>())) {
    return currency_error(file, "multi_currency.corporate",
                          "give the corporate currency as a three-letter ISO code, e.g. corporate = \"USD\"");
  }
  std::vector<Currency> out = {Currency{section["corporate"].get<std::string>(), 1.0, 2, true}};
  const json list = section.value("currencies", json::array());
  if (!list.is_array()) return currency_error(file, "multi_currency.currencies", "must be a list, e.g. [\"EUR\", \"GBP\"]");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string key = "multi_currency.currencies[" + std::to_string(i) + "]";
    auto c = parse_currency(file, list[i], key);
    if (!c) return c.error();
    if (c->code == out[0].code) {
      if (!c->active || c->rate != 1.0) {
        return currency_error(file, key, "the corporate currency is always active at rate 1");
      }
      out[0].decimal_places = c->decimal_places;
      continue;
    }
    auto same = [&](const Currency& o) { return o.code == c->code; };
    if (std::any_of(out.begin(), out.end(), same)) return currency_error(file, key, c->code + " is listed twice");
    out.push_back(*c);
  }
  return out;
}

FieldDef currency_field(const char* name, const char* label, const std::vector<Currency>& currencies) {
  std::vector<std::string> codes;
  for (const auto& c : currencies) {
    if (c.active) codes.push_back(c.code);
  }
  FieldDef d = F(f_picklist(name, label, codes)).defaulted();
  d.length = 3;
  d.nillable = false;
  d.field_security = false;  // not governed by field-level security in Salesforce
  return d;
}

// The objects whose records carry a currency: those with an owner (what a user enters amounts on),
// their line items, and the user itself.
bool carries_currency(const Table& t) {
  if (t.name() == "User" || t.name() == "OpportunityLineItem" || t.name() == "CampaignMember") return true;
  return t.field_index("OwnerId").has_value();
}

void add_currency_type_table(Database& db, const std::vector<Currency>& currencies, const std::string& admin_id) {
  const ObjectSpec& spec = *find_object_spec("CurrencyType");
  std::vector<FieldDef> fields = spec.fields;
  for (auto& f : fields) {
    if (f.name == "IsoCode") {
      for (const auto& c : currencies) f.picklist_values.push_back(c.code);
    }
  }
  Table& table = db.add_table(std::make_unique<Table>(spec.name, spec.key_prefix, std::move(fields)));
  const DateTime created{kOrgEpochStart};
  for (const auto& c : currencies) {
    Row row(table.fields().size());
    row[0] = db.new_id(table);
    auto set = [&](const char* field, Value v) { row[*table.field_index(field)] = std::move(v); };
    set("IsoCode", c.code);
    set("ConversionRate", c.rate);
    set("DecimalPlaces", c.decimal_places);
    set("IsActive", c.active);
    set("IsCorporate", c.code == currencies.front().code);
    set("CreatedDate", created);
    set("LastModifiedDate", created);
    set("SystemModstamp", created);
    set("CreatedById", admin_id);
    set("LastModifiedById", admin_id);
    table.insert(std::move(row));
  }
}

}  // namespace

Status apply_multi_currency(const OrgFile& file, Database& db) {
  const json users = file.doc.value("users", json::array());
  if (!file.doc.contains("multi_currency")) {
    for (std::size_t i = 0; users.is_array() && i < users.size(); ++i) {
      if (users[i].is_object() && users[i].contains("currency")) {
        return currency_error(file, "users[" + std::to_string(i) + "].currency",
                              "the org has a single currency; add [multi_currency] corporate = \"USD\", currencies = "
                              "[...] to give users their own");
      }
    }
    return ok_status();
  }
  auto currencies = parse_currencies(file, file.doc["multi_currency"]);
  if (!currencies) return currencies.error();
  const std::string corporate = currencies->front().code;

  Table& user_table = *db.find("User");
  const std::size_t username = *user_table.field_index("Username");
  // username -> currency, from users[].currency.
  std::map<std::string, std::string> chosen;
  for (std::size_t i = 0; users.is_array() && i < users.size(); ++i) {
    if (!users[i].is_object() || !users[i].contains("currency")) continue;
    const std::string key = "users[" + std::to_string(i) + "].currency";
    const json& v = users[i]["currency"];
    const std::string code = v.is_string() ? v.get<std::string>() : std::string();
    auto known = std::find_if(currencies->begin(), currencies->end(),
                              [&](const Currency& c) { return c.code == code && c.active; });
    if (known == currencies->end()) {
      return currency_error(file, key, "'" + code + "' is not an active currency of the org; add it to "
                                       "[multi_currency] currencies or use " + corporate);
    }
    chosen[to_lower(users[i].value("username", std::string()))] = code;
  }

  std::string admin_id;
  std::map<std::string, std::string> by_user_id15;  // the currency of every user, by 15-character Id
  const std::size_t user_default = user_table.add_field(currency_field("DefaultCurrencyIsoCode", "Currency", *currencies));
  for (std::size_t r = 0; r < user_table.slot_count(); ++r) {
    if (user_table.purged(r)) continue;
    Row& row = user_table.mutable_row(r);
    const auto* name = std::get_if<std::string>(&row[username]);
    auto it = name ? chosen.find(to_lower(*name)) : chosen.end();
    const std::string code = it != chosen.end() ? it->second : corporate;
    row[user_default] = code;
    const std::string id = std::get<std::string>(row[0]);
    by_user_id15[sf_id15(id)] = code;
    if (name && *name == "admin@crmsync.test") admin_id = id;
  }
  for (const Table* t : db.tables()) {
    if (!carries_currency(*t)) continue;
    Table& table = *db.find(t->name());
    const std::size_t column = table.add_field(currency_field("CurrencyIsoCode", "Currency ISO Code", *currencies));
    const auto owner = table.name() == "User" ? std::optional<std::size_t>(0) : table.field_index("OwnerId");
    for (std::size_t r = 0; r < table.slot_count(); ++r) {
      Row& row = table.mutable_row(r);
      const auto* who = owner ? std::get_if<std::string>(&row[*owner]) : nullptr;
      auto it = who ? by_user_id15.find(sf_id15(*who)) : by_user_id15.end();
      row[column] = it != by_user_id15.end() ? it->second : corporate;
    }
  }
  add_currency_type_table(db, *currencies, admin_id);
  return ok_status();
}

}  // namespace crmsync::emulator
