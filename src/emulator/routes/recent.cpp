// GET /recent, /tabs and /theme for the calling user.
//   /recent[?limit=n]  -> [{attributes:{type,url}, Id, Name}, ...]: the records the user retrieved,
//                          created, updated or upserted through the REST API (RecentItems), newest
//                          first, at most `limit` (default and maximum 200); records since deleted
//                          or no longer visible are left out.
//   /tabs              -> [{colors, custom, iconUrl, icons, label, miniIconUrl, name, sobjectName, url}]:
//                          a tab per searchable object with a layout that the user may read.
//   /theme             -> {themeItems:[{colors, icons, name}]}: the same objects' colors and icons.
// The icon URLs are where Salesforce serves them (/img/icon/...); the emulator serves no images.
#include <algorithm>
#include <shared_mutex>

#include <nlohmann/json.hpp>

#include "emulator/dml/dml.h"
#include "emulator/org/org.h"
#include "emulator/routes/routes.h"
#include "emulator/wire/wire.h"

namespace crmsync::emulator {
namespace {

using ojson = nlohmann::ordered_json;

constexpr std::size_t kMaxRecent = 200;

// The color Salesforce gives an object's tab (Lightning's standard object colors); custom
// objects get the one of the first custom tab style.
std::string tab_color(const std::string& object) {
  static const std::pair<const char*, const char*> kColors[] = {
      {"Account", "7F8DE1"}, {"Contact", "A094ED"}, {"Lead", "F88962"},  {"Opportunity", "FCB95B"},
      {"Campaign", "F49756"}, {"Case", "F2CF5B"},   {"Task", "4BC076"}, {"Event", "EB7092"},
      {"User", "65CAE4"},
  };
  for (const auto& [name, color] : kColors) {
    if (object == name) return color;
  }
  return "E8C83B";
}

// The objects with a tab that the user may read (searchable_objects with a layout), by label.
std::vector<const ObjectSpec*> tabbed_objects(EmuState& s, const UserAccess& access) {
  std::vector<const ObjectSpec*> out;
  for (const Table* t : searchable_objects(s, access)) {
    const ObjectSpec* spec = object_spec(*s.db, t->name());
    if (spec->layoutable) out.push_back(spec);
  }
  std::sort(out.begin(), out.end(), [](const ObjectSpec* a, const ObjectSpec* b) { return a->label_plural < b->label_plural; });
  return out;
}

std::string lower_name(const ObjectSpec& o) {
  std::string n;
  for (char c : o.name) n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return n;
}

ojson colors(const ObjectSpec& o) {
  const std::string color = tab_color(o.name);
  return ojson::array({{{"color", color}, {"context", "primary"}, {"theme", "theme4"}},
                       {{"color", color}, {"context", "primary"}, {"theme", "theme3"}}});
}

ojson icons(const EmuState& s, const ObjectSpec& o) {
  const std::string base = s.base_url + "/img/icon/";
  const std::string name = o.custom ? "custom" : lower_name(o);
  return ojson::array({{{"contentType", "image/png"}, {"height", 32}, {"theme", "theme3"},
                        {"url", base + name + "32.png"}, {"width", 32}},
                       {{"contentType", "image/png"}, {"height", 16}, {"theme", "theme3"},
                        {"url", base + name + "16.png"}, {"width", 16}},
                       {{"contentType", "image/svg+xml"}, {"height", 0}, {"theme", "theme4"},
                        {"url", base + "t4v35/standard/" + name + ".svg"}, {"width", 0}}});
}

}  // namespace

void RecentItems::note(const std::string& user_id, const std::string& record_id) {
  std::lock_guard lock(mu_);
  auto& items = by_user_[user_id];
  auto it = std::find(items.begin(), items.end(), record_id);
  if (it != items.end()) items.erase(it);
  items.push_front(record_id);
  if (items.size() > kMaxRecent) items.pop_back();
}

std::vector<std::string> RecentItems::list(const std::string& user_id) const {
  std::lock_guard lock(mu_);
  auto it = by_user_.find(user_id);
  if (it == by_user_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void handle_recent(EmuState& s, ApiCall& call) {
  std::size_t limit = kMaxRecent;
  if (call.req.has_param("limit")) {
    const std::string text = call.req.get_param_value("limit");
    try {
      const long n = std::stol(text);
      if (n < 1) throw std::out_of_range(text);
      limit = std::min(kMaxRecent, static_cast<std::size_t>(n));
    } catch (const std::exception&) {
      return send_error(call.res, 400, "INVALID_QUERY_FILTER_OPERATOR",
                        "limit must be a whole number from 1 to 200, not '" + text + "'");
    }
  }
  std::string out = "[";
  std::size_t written = 0;
  {
    std::shared_lock lock(s.db->mutex());
    auto access = user_access(s, call.user_id);
    for (const std::string& id : s.recent.list(call.user_id)) {
      if (written >= limit) break;
      const Table* table = s.db->find_by_id(id);
      auto row = table ? table->find(id) : std::nullopt;
      if (!row || row_deleted(*table, table->row(*row)) || !access->object(*table).read ||
          !access->sees(*s.db, *table, *row)) {
        continue;
      }
      std::vector<std::size_t> columns{0};
      for (std::size_t i = 0; i < table->fields().size(); ++i) {
        if (table->field(i).name_field && access->field(*table, table->field(i)).read) {
          columns.push_back(i);
          break;
        }
      }
      if (written++ > 0) out.push_back(',');
      append_record(out, *table, call.version, table->row(*row), columns);
    }
  }
  out.push_back(']');
  send_json(call.res, 200, std::move(out));
}

void handle_tabs(EmuState& s, ApiCall& call) {
  ojson out = ojson::array();
  std::shared_lock lock(s.db->mutex());
  auto access = user_access(s, call.user_id);
  for (const ObjectSpec* o : tabbed_objects(s, *access)) {
    const ojson all_icons = icons(s, *o);
    out.push_back({{"colors", colors(*o)},
                   {"custom", o->custom},
                   {"iconUrl", all_icons[0]["url"]},
                   {"icons", all_icons},
                   {"label", o->label_plural},
                   {"miniIconUrl", all_icons[1]["url"]},
                   {"name", o->custom ? o->name : "standard-" + o->name},
                   {"sobjectName", o->name},
                   {"url", s.base_url + "/" + o->key_prefix + "/o"}});
  }
  send_json(call.res, 200, out.dump());
}

void handle_theme(EmuState& s, ApiCall& call) {
  ojson items = ojson::array();
  std::shared_lock lock(s.db->mutex());
  auto access = user_access(s, call.user_id);
  for (const ObjectSpec* o : tabbed_objects(s, *access)) {
    items.push_back({{"colors", colors(*o)}, {"icons", icons(s, *o)}, {"name", o->name}});
  }
  send_json(call.res, 200, ojson{{"themeItems", items}}.dump());
}

}  // namespace crmsync::emulator
