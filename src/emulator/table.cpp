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
  invalidate_order();
  std::size_t index = fields_.size() - 1;
  field_by_lower_name_.emplace(std::move(key), index);
  for (auto& r : rows_) r.resize(fields_.size());
  return index;
}

std::optional<std::size_t> Table::find(std::string_view id) const {
  if (id.size() != 15 && id.size() != 18) return std::nullopt;
  auto it = row_by_id15_.find(sf_id15(id));
  if (it == row_by_id15_.end() || purged_[it->second]) return std::nullopt;
  return it->second;
}

std::size_t Table::insert(Row row) {
  const auto* id = std::get_if<std::string>(&row.at(0));
  if (id == nullptr || id->size() != 18) throw std::logic_error("Table " + name_ + ": row without an 18-char Id");
  std::string id15 = sf_id15(*id);  // before resize(), which may move the row's values
  row.resize(fields_.size());
  std::size_t index = rows_.size();
  row_by_id15_.emplace(std::move(id15), index);
  rows_.push_back(std::move(row));
  purged_.push_back(false);
  ++live_;  // the modstamp index takes rows past indexed_rows_ in on its next use
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
}

void Table::remove_last(std::size_t index) {
  if (index + 1 != rows_.size()) throw std::logic_error("Table " + name_ + ": remove_last of a row that is not last");
  const auto& id = std::get<std::string>(rows_[index][0]);
  row_by_id15_.erase(sf_id15(id));
  if (!purged_[index]) --live_;
  rows_.pop_back();
  purged_.pop_back();
  // A row inserted since the index's last update is not in it; one that is needs a rebuild.
  std::lock_guard lock(index_mu_);
  if (index < indexed_rows_) order_valid_ = false;
  reference_indexes_.clear();  // rollbacks are rare: the next lookup rebuilds
}

namespace {

EpochMs stamp_or_min(const Row& row, std::size_t stamp) {
  const auto* d = std::get_if<DateTime>(&row[stamp]);
  return d ? d->ms : std::numeric_limits<EpochMs>::min();
}

std::string_view id_of(const Row& row) {
  const auto* id = std::get_if<std::string>(&row[0]);
  return id ? std::string_view(*id) : std::string_view();
}

// One index entry decorated with its sort key, so sorting and merging touch no variant.
struct OrderKey {
  EpochMs ms;
  std::string_view id;
  std::uint32_t row;
  bool operator<(const OrderKey& o) const {
    if (ms != o.ms) return ms < o.ms;
    if (id != o.id) return id < o.id;
    return row < o.row;
  }
};

// The key a reference index files a row under: its value's 15-character Id, or "" (none).
std::string reference_key(const Row& row, std::size_t field) {
  const auto* id = std::get_if<std::string>(&row[field]);
  return id ? sf_id15(*id) : std::string();
}

}  // namespace

void Table::note_write(std::size_t row) {
  std::lock_guard lock(index_mu_);
  for (auto& [field, index] : reference_indexes_) {
    if (row < index.indexed_rows) index.moved.try_emplace(static_cast<std::uint32_t>(row), reference_key(rows_[row], field));
  }
  if (!order_valid_ || row >= indexed_rows_) return;  // the next use rebuilds, or takes the row in
  auto col = field_index("SystemModstamp");
  if (!col) return;
  moved_.try_emplace(static_cast<std::uint32_t>(row), stamp_or_min(rows_[row], *col));
  // Past this many, one sort of everything is as cheap as finding each.
  if (moved_.size() > rows_.size() / 4 + 1024) {
    order_valid_ = false;
    moved_.clear();
  }
}

void Table::invalidate_order() {
  std::lock_guard lock(index_mu_);
  order_valid_ = false;
  moved_.clear();
}

void Table::rebuild_order(std::size_t stamp) const {
  std::vector<OrderKey> keys;
  keys.reserve(rows_.size());
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    keys.push_back({stamp_or_min(rows_[r], stamp), id_of(rows_[r]), static_cast<std::uint32_t>(r)});
  }
  std::sort(keys.begin(), keys.end());
  auto order = std::make_shared<std::vector<std::uint32_t>>();
  order->reserve(keys.size());
  for (const OrderKey& k : keys) order->push_back(k.row);
  modstamp_order_ = std::move(order);
}

void Table::update_order(std::size_t stamp) const {
  if (modstamp_order_.use_count() > 1) {  // someone still reads the old order: leave it to them
    modstamp_order_ = std::make_shared<std::vector<std::uint32_t>>(*modstamp_order_);
  }
  std::vector<std::uint32_t>& order = *modstamp_order_;

  // Rows written with their stamp unchanged keep their place. The others are taken out in one
  // sequential pass over the index (a bitmap test per entry), which is cheaper than finding each
  // by its old key: that costs cache misses into the rows themselves.
  std::vector<OrderKey> fresh;
  fresh.reserve(moved_.size() + rows_.size() - indexed_rows_);
  for (const auto& [row, ms] : moved_) {
    const EpochMs now = stamp_or_min(rows_[row], stamp);
    if (now != ms) fresh.push_back({now, id_of(rows_[row]), row});
  }
  if (!fresh.empty()) {
    std::vector<bool> written(rows_.size(), false);
    for (const OrderKey& k : fresh) written[k.row] = true;
    order.erase(std::remove_if(order.begin(), order.end(), [&](std::uint32_t r) { return written[r]; }), order.end());
  }

  // Put them back, with the rows inserted since, at their current keys.
  for (std::size_t r = indexed_rows_; r < rows_.size(); ++r) {
    fresh.push_back({stamp_or_min(rows_[r], stamp), id_of(rows_[r]), static_cast<std::uint32_t>(r)});
  }
  std::sort(fresh.begin(), fresh.end());
  moved_.clear();
  if (fresh.empty()) return;
  auto current_key = [&](std::uint32_t r) { return OrderKey{stamp_or_min(rows_[r], stamp), id_of(rows_[r]), r}; };
  // Only the tail from the first new key onwards changes (all of it past the end, usually).
  const auto tail = std::lower_bound(order.begin(), order.end(), fresh.front(),
                                     [&](std::uint32_t r, const OrderKey& k) { return current_key(r) < k; });
  std::vector<std::uint32_t> merged;
  merged.reserve(static_cast<std::size_t>(order.end() - tail) + fresh.size());
  auto f = fresh.begin();
  for (auto it = tail; it != order.end(); ++it) {
    const OrderKey k = current_key(*it);
    while (f != fresh.end() && *f < k) merged.push_back((f++)->row);
    merged.push_back(*it);
  }
  for (; f != fresh.end(); ++f) merged.push_back(f->row);
  order.erase(tail, order.end());
  order.insert(order.end(), merged.begin(), merged.end());
}

void Table::update_reference_index(std::size_t field, ReferenceIndex& index) const {
  for (const auto& [row, filed] : index.moved) {
    std::string now = reference_key(rows_[row], field);
    if (now == filed) continue;
    if (auto it = index.rows.find(filed); it != index.rows.end()) {
      auto& rows = it->second;
      rows.erase(std::find(rows.begin(), rows.end(), row));
      if (rows.empty()) index.rows.erase(it);
    }
    if (!now.empty()) index.rows[now].push_back(row);
  }
  index.moved.clear();
  for (std::size_t r = index.indexed_rows; r < rows_.size(); ++r) {
    std::string key = reference_key(rows_[r], field);
    if (!key.empty()) index.rows[key].push_back(static_cast<std::uint32_t>(r));
  }
  index.indexed_rows = rows_.size();
}

std::vector<std::size_t> Table::rows_referencing(std::size_t field, std::string_view id) const {
  if (id.size() < 15) return {};
  std::lock_guard lock(index_mu_);
  ReferenceIndex& index = reference_indexes_[field];
  update_reference_index(field, index);
  auto it = index.rows.find(sf_id15(id));
  if (it == index.rows.end()) return {};
  std::vector<std::size_t> out(it->second.begin(), it->second.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::shared_ptr<const std::vector<std::uint32_t>> Table::modstamp_order() const {
  std::lock_guard lock(index_mu_);
  auto col = field_index("SystemModstamp");
  if (!col || fields_[*col].type != "datetime") return nullptr;
  if (!order_valid_ || !modstamp_order_) {
    rebuild_order(*col);
    order_valid_ = true;
  } else if (!moved_.empty() || indexed_rows_ != rows_.size()) {
    update_order(*col);
  }
  indexed_rows_ = rows_.size();
  moved_.clear();
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

std::string Database::next_auto_number(const Table& table, const FieldDef& field) {
  const std::uint64_t n = 1000 + ++next_auto_number_[table.name() + "." + field.name];
  std::string digits = std::to_string(n);
  return std::string(digits.size() < 8 ? 8 - digits.size() : 0, '0') + digits;
}

void Database::add_custom_object(const std::string& name, std::shared_ptr<const ObjectSpec> spec) {
  custom_objects_[to_lower(name)] = std::move(spec);
}

const ObjectSpec* Database::custom_object(std::string_view name) const {
  auto it = custom_objects_.find(to_lower(name));
  return it == custom_objects_.end() ? nullptr : it->second.get();
}

std::vector<const ObjectSpec*> Database::custom_objects() const {
  std::vector<const ObjectSpec*> out;
  for (const auto& [_, spec] : custom_objects_) out.push_back(spec.get());
  return out;
}

}  // namespace crmsync::emulator
