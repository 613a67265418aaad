// Store::open and WriterLock::acquire: pick the backend from the url's scheme.
#include "store/store.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <iterator>

#include "common/text.h"

#include "store/backend.h"
#include "store/identifier.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace crmsync::store {

namespace {

Result<std::string> sqlite_path(std::string_view url) {
  std::string_view path = url.substr(7);  // after "sqlite:"
  if (path.starts_with("//")) {
    return Error(ErrorKind::kConfig, "INVALID_URL",
                 "The store url '" + mask_url_credentials(url) +
                     "' is not accepted: write sqlite:PATH with a plain file path, e.g. sqlite:/var/lib/crmsync.db.");
  }
  return std::string(path);
}

Error unknown_scheme(std::string_view url) {
  return Error(ErrorKind::kConfig, "INVALID_URL",
               "The store url '" + mask_url_credentials(url) +
                   "' is not accepted: use sqlite:PATH (for example sqlite:crmsync.db) or "
                   "postgresql://user@host:port/dbname.");
}

}  // namespace

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

Status TableWriter::upsert_rows(const RowBuffer& rows) {
  for (std::size_t r = 0; r < rows.size(); ++r) CRMSYNC_TRY(upsert(rows.row(r)));
  return ok_status();
}

Result<std::unique_ptr<Store>> Store::open(const OpenOptions& options) {
  const std::string& url = options.url;
  if (url.starts_with("sqlite:")) {
    auto path = sqlite_path(url);
    if (!path) return path.error();
    sqlite::SqliteOptions sqlite_options;
    sqlite_options.create_if_missing = options.create_if_missing;
    return sqlite::SqliteStore::open(*path, sqlite_options);
  }
  if (is_postgres_url(url)) return postgres::PostgresStore::open(options);
  return unknown_scheme(url);
}

Status Store::ensure_search_index(std::string_view, const std::vector<std::string>&) { return ok_status(); }

std::optional<catalog::FieldType> parse_field_type(std::string_view name) {
  for (int t = static_cast<int>(catalog::FieldType::kBoolean); t <= static_cast<int>(catalog::FieldType::kUrl); ++t) {
    auto type = static_cast<catalog::FieldType>(t);
    if (name == catalog::to_string(type)) return type;
  }
  return std::nullopt;
}

namespace {

bool word_byte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) return false;
  }
  return true;
}

}  // namespace

std::string search_meta_key(std::string_view object) { return "search_columns:" + std::string(object); }

std::vector<std::string> split_column_list(const std::string& list) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start <= list.size();) {
    std::size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Result<std::string> search_column_list(std::string_view object, const std::vector<std::string>& columns,
                                       const std::function<bool(std::string_view)>& table_has) {
  CRMSYNC_TRY(check_table_name(object));
  std::string list;
  for (const auto& c : columns) {
    CRMSYNC_TRY(check_identifier("column of " + std::string(object), c));
    if (!table_has(c)) {
      return Error(ErrorKind::kInternal, "NO_SUCH_COLUMN",
                   "The search index of " + std::string(object) + " names the column " + c + ", which " +
                       std::string(object) + " does not have; ensure_table() adds it first.");
    }
    list += (list.empty() ? "" : ",") + c;
  }
  return list;
}

std::string make_snippet(const std::vector<std::string>& texts, const std::vector<std::string>& words) {
  constexpr std::size_t kWords = 12, kBefore = 3;
  const std::string* chosen = nullptr;
  std::size_t hit = 0;  // index of the matching word in the chosen text
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // [begin, end) of each word of the chosen text
  for (const auto& text : texts) {
    std::vector<std::pair<std::size_t, std::size_t>> found;
    std::optional<std::size_t> match;
    for (std::size_t i = 0; i < text.size();) {
      if (!word_byte(static_cast<unsigned char>(text[i]))) {
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < text.size() && word_byte(static_cast<unsigned char>(text[end]))) ++end;
      std::string_view w(text.data() + i, end - i);
      if (!match && std::any_of(words.begin(), words.end(), [&](const std::string& q) { return starts_with_ci(w, q); })) {
        match = found.size();
      }
      found.emplace_back(i, end);
      i = end;
    }
    if (found.empty()) continue;
    if (match || chosen == nullptr) {
      chosen = &text;
      spans = std::move(found);
      hit = match.value_or(0);
    }
    if (match) break;
  }
  if (chosen == nullptr) return {};
  std::size_t first = hit > kBefore ? hit - kBefore : 0;
  std::size_t last = std::min(spans.size(), first + kWords);  // one past
  first = last > kWords ? last - kWords : 0;
  // Uncut ends keep the text's own first and last characters ("Acme Inc." keeps its period).
  std::size_t begin = first > 0 ? spans[first].first : 0;
  std::size_t end = last < spans.size() ? spans[last - 1].second : chosen->size();
  std::string_view kept = std::string_view(*chosen).substr(begin, end - begin);
  while (!kept.empty() && std::isspace(static_cast<unsigned char>(kept.front()))) kept.remove_prefix(1);
  while (!kept.empty() && std::isspace(static_cast<unsigned char>(kept.back()))) kept.remove_suffix(1);
  return (first > 0 ? "..." : "") + std::string(kept) + (last < spans.size() ? "..." : "");
}

std::string version_of(const std::vector<SyncState>& states) {
  // Every field, so that any commit of a sync (a page moves the watermark, a run's end its times)
  // changes it; hashed to keep it short.
  std::string all;
  for (const SyncState& s : states) {
    all += s.object + '\x1f' + std::to_string(s.watermark.value_or(-1)) + '\x1f' + s.watermark_id + '\x1f' +
           (s.full_sync_done ? "1" : "0") + '\x1f' + std::to_string(s.last_run_started) + '\x1f' +
           std::to_string(s.last_run_finished) + '\x1f' + std::to_string(s.rows) + '\x1f' +
           std::to_string(s.deleted) + '\x1f' + std::to_string(s.api_calls) + '\x1f' + s.last_error + '\x1f' +
           std::to_string(s.last_success) + '\x1f' + std::to_string(s.formulas_refreshed) + '\x1f' +
           s.pending_backfill + '\x1f' + s.bulk_job_id + '\x1f' + s.bulk_locator + '\x1f' +
           std::to_string(s.bulk_window_end.value_or(-1)) + '\x1e';
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%zu-%016zx", states.size(), std::hash<std::string>{}(all));
  return buf;
}

Result<std::optional<std::string>> ReadSnapshot::meta(std::string_view) { return std::optional<std::string>(); }

Result<std::vector<SearchHit>> ReadSnapshot::search_all(const std::vector<SearchRequest>& requests) {
  std::vector<SearchHit> all;
  for (const auto& request : requests) {
    auto hits = search(request);
    if (!hits) return hits.error();
    all.insert(all.end(), std::make_move_iterator(hits->begin()), std::make_move_iterator(hits->end()));
  }
  return all;
}

Status ReadSnapshot::find(std::string_view table, std::string_view id, const std::vector<std::string>& columns,
                          const Store::RowCallback& on_row) {
  std::vector<std::string> with_id = columns;
  with_id.push_back("Id");
  return scan(table, with_id, [&](std::span<const Value> values) -> Status {
    const auto* row_id = std::get_if<std::string>(&values.back());
    if (row_id == nullptr || *row_id != id) return ok_status();
    return on_row(values.first(columns.size()));
  });
}

Result<std::unique_ptr<StoreReader>> StoreReader::open(const OpenOptions& options) {
  const std::string& url = options.url;
  if (url.starts_with("sqlite:")) {
    auto path = sqlite_path(url);
    if (!path) return path.error();
    return sqlite::open_reader(*path);
  }
  if (is_postgres_url(url)) return postgres::open_reader(options);
  return unknown_scheme(url);
}

Result<std::unique_ptr<WriterLock>> WriterLock::acquire(const OpenOptions& options) {
  const std::string& url = options.url;
  if (url.starts_with("sqlite:")) {
    auto path = sqlite_path(url);
    if (!path) return path.error();
    return sqlite::lock_file(*path, url);
  }
  if (is_postgres_url(url)) return postgres::lock_schema(options);
  return unknown_scheme(url);
}

bool fits(catalog::StorageClass storage, RowBuffer::Kind kind) {
  using catalog::StorageClass;
  switch (kind) {
    case RowBuffer::Kind::kNull: return true;
    case RowBuffer::Kind::kBool: return storage == StorageClass::kBoolean;
    case RowBuffer::Kind::kInteger: return storage == StorageClass::kInteger || storage == StorageClass::kReal;
    case RowBuffer::Kind::kReal: return storage == StorageClass::kReal;
    case RowBuffer::Kind::kText:
      return storage == StorageClass::kText || storage == StorageClass::kDate || storage == StorageClass::kDateTime ||
             storage == StorageClass::kTime;
  }
  return false;
}

const char* kind_name(RowBuffer::Kind kind) {
  static const char* const kinds[] = {"null", "bool", "integer", "real", "text"};
  return kinds[static_cast<std::size_t>(kind)];
}

}  // namespace crmsync::store
