// What the store backends (sqlite/, postgres/) share beyond store.h. Internal to src/store.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "store/store.h"

namespace crmsync::store {

// The field type catalog::to_string spelled as `name` (crmsync_columns.field_type); nullopt for
// anything else.
std::optional<catalog::FieldType> parse_field_type(std::string_view name);

// ReadSnapshot::version() of a snapshot whose crmsync_sync_state holds `states`: every field of
// every row, hashed, so any commit of a sync changes it and the same state reads the same anywhere.
std::string version_of(const std::vector<SyncState>& states);

// A search ranks an object's first this many matches (bm25 in SQLite, ts_rank in PostgreSQL) and
// answers the best of them: ranking every match of a one- or two-letter prefix over a million rows
// costs more than a box answering as one types can pay (docs/decisions.md, "Search").
inline constexpr int kSearchCandidates = 500;

// The search index's bookkeeping, alike in both backends: crmsync_meta's key for an object's
// indexed columns ("search_columns:<Object>") and its value ("A,B") read back as names.
std::string search_meta_key(std::string_view object);
std::vector<std::string> split_column_list(const std::string& list);
// What ensure_search_index checks before it changes anything: the names are identifiers and the
// table (`table_has` tells its columns) has every one (kInternal NO_SUCH_COLUMN otherwise). Returns
// the list as crmsync_meta keeps it.
Result<std::string> search_column_list(std::string_view object, const std::vector<std::string>& columns,
                                       const std::function<bool(std::string_view)>& table_has);

// SearchHit::snippet for a hit: about 12 words of the first of `texts` (the hit's indexed column
// values, in index order) holding a word that starts with one of `words` (ASCII letters compared
// without case), around that word, "..." where cut; the start of the first non-empty text when
// none does (a match through folded accents). Made in C++ for the few hits shown: FTS5's snippet()
// runs the whole MATCH again per hit (a prefix query's merge, ~1 ms each), ts_headline parses again.
std::string make_snippet(const std::vector<std::string>& texts, const std::vector<std::string>& words);

}  // namespace crmsync::store
