#include "emulator/table.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "common/sfid.h"
#include "common/text.h"

namespace crmsync::emulator {

Table::Table(std::string name, std::string key_prefix, std::vector<FieldDef> fields)
    : name_(std::move(name)), key_prefix_(std::move(key_prefix)) {
  if (fields.empty() || !iequals(fields[0].name, "Id")) {
    throw std::logic_error("Table " + name_ + ": the first field must be Id");
  }
  for (auto& f : fields) add_field(std::move(f));
}

std::optional<std::size_t> Table::field_index(std::string_view name) const {
  auto it = field_by_lower_name_.find(to_lower(name));
  if (it == field_by_lower_name_.end()) return std::nullopt;
  return it->second;
}

std::size_t Table::add_field(FieldDef field) {
  std::string key = to_lower(field.name);
  if (field_by_lower_name_.count(key)) {
    throw std::logic_error("Table " + name_ + ": duplicate field " + field.name);
  }
  fields_.push_back(std::move(field));
  order_dirty_ = true;
  std::size_t index = fields_.size() - 1;
  field_by_lower_name_.emplace(std::move(key), index);
  for (auto& r : rows_) r.resize(fields_.size());
  return index;
}

std::optional<std::size_t> Table::find(std::string_view id) const {
  if (id.size() != 15 && id.size() != 18) return std::nullopt;
  auto it = row_by_id15_.find(std::string(id.substr(0, 15)));
  if (it == row_by_id15_.end() || purged_[it->second]) return std::nullopt;
  return it->second;
}

std::size_t Table::insert(Row row) {
  const auto* id = std::get_if<std::string>(&row.at(0));
  if (id == nullptr || id->size() != 18) throw std::logic_error("Table " + name_ + ": row without an 18-char Id");
  std::string id15 = id->substr(0, 15);  // before resize(), which may move the row's values
  row.resize(fields_.size());
  std::size_t index = rows_.size();
  row_by_id15_.emplace(std::move(id15), index);
  rows_.push_back(std::move(row));
  purged_.push_back(false);
  order_dirty_ = true;
  ++live_;
  return index;
}

void Table::purge(std::size_t index) {
  if (!purged_[index]) {
    purged_[index] = true;
    --live_;
  }
}

void Table::restore(std::size_t index) {
  if (purged_[index]) {
    purged_[index] = false;
    ++live_;
  }
  order_dirty_ = true;
}

void Table::remove_last(std::size_t index) {
  if (index + 1 != rows_.size()) throw std::logic_error("Table " + name_ + ": remove_last of a row that is not last");
  const auto& id = std::get<std::string>(rows_[index][0]);
  row_by_id15_.erase(id.substr(0, 15));
  if (!purged_[index]) --live_;
  rows_.pop_back();
  purged_.pop_back();
  order_dirty_ = true;
}

std::shared_ptr<const std::vector<std::uint32_t>> Table::modstamp_order() const {
  std::lock_guard lock(index_mu_);
  if (!order_dirty_) return modstamp_order_;
  order_dirty_ = false;
  modstamp_order_.reset();
  auto col = field_index("SystemModstamp");
  if (!col || fields_[*col].type != "datetime") return nullptr;
  const std::size_t stamp = *col;
  // Decorate once (stamp, Id) so the sort touches no variant; null stamps sort first.
  struct Key {
    EpochMs ms;
    std::string_view id;
    std::uint32_t row;
  };
  std::vector<Key> keys;
  keys.reserve(rows_.size());
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const auto* d = std::get_if<DateTime>(&rows_[r][stamp]);
    const auto* id = std::get_if<std::string>(&rows_[r][0]);
    keys.push_back({d ? d->ms : std::numeric_limits<EpochMs>::min(), id ? std::string_view(*id) : std::string_view(),
                    static_cast<std::uint32_t>(r)});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.ms != b.ms) return a.ms < b.ms;
    if (a.id != b.id) return a.id < b.id;
    return a.row < b.row;
  });
  auto order = std::make_shared<std::vector<std::uint32_t>>();
  order->reserve(keys.size());
  for (const Key& k : keys) order->push_back(k.row);
  modstamp_order_ = std::move(order);
  return modstamp_order_;
}

Table& Database::add_table(std::unique_ptr<Table> table) {
  std::string key = to_lower(table->name());
  auto [it, inserted] = tables_.emplace(key, std::move(table));
  if (!inserted) throw std::logic_error("duplicate table " + key);
  return *it->second;
}

Table* Database::find(std::string_view name) {
  auto it = tables_.find(to_lower(name));
  return it == tables_.end() ? nullptr : it->second.get();
}

const Table* Database::find(std::string_view name) const {
  auto it = tables_.find(to_lower(name));
  return it == tables_.end() ? nullptr : it->second.get();
}

Table* Database::find_by_id(std::string_view id) {
  if (id.size() < 3) return nullptr;
  for (auto& [_, t] : tables_) {
    if (!t->key_prefix().empty() && id.substr(0, 3) == t->key_prefix()) return t.get();
  }
  return nullptr;
}

std::vector<const Table*> Database::tables() const {
  std::vector<const Table*> out;
  for (const auto& [_, t] : tables_) out.push_back(t.get());
  return out;
}

std::string Database::new_id(const Table& table) {
  return make_sf_id(table.key_prefix(), ++next_serial_[table.key_prefix()]);
}

}  // namespace crmsync::emulator
