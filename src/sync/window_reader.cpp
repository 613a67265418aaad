#include "sync/window_reader.h"

#include "common/text.h"
#include "salesforce/page_records.h"

namespace crmsync::sync {

catalog::FieldSelection subset(const catalog::FieldSelection& selection, const std::vector<std::string>& fields) {
  catalog::FieldSelection out;
  out.object = selection.object;
  out.modstamp_field = selection.modstamp_field;
  for (const auto& name : fields) {
    if (const catalog::SyncedField* f = selection.find(name)) out.fields.push_back(*f);
  }
  return out;
}

struct WindowReader::Part {
  catalog::FieldSelection selection;
  std::unique_ptr<PageParser> parser;
  std::string soql;
  std::vector<int> to_output;  // part column -> reader column, -1 when only there for the join
  int modstamp_index = -1;     // in the part's columns
  bool started = false;
  bool done = false;
  std::string next_url;
  ParsedPage page;             // the current page's rows
  std::size_t pos = 0;

  bool has_row() const { return pos < page.rows.size(); }
  // The join key of the row under the cursor: its modstamp (store text, which sorts as time does) and Id.
  std::pair<std::string_view, std::string_view> key() const {
    std::string_view stamp;
    if (modstamp_index >= 0) stamp = page.rows.text(pos, static_cast<std::size_t>(modstamp_index));
    return {stamp, page.rows.text(pos, 0)};
  }
};

WindowReader::WindowReader(salesforce::Client& client, const catalog::FieldSelection& selection,
                           std::vector<std::string> fields, Window window, int batch_size, std::size_t max_uri_bytes,
                           std::function<Status()> before_call)
    : client_(client), selection_(selection), fields_(std::move(fields)), window_(window), batch_size_(batch_size),
      max_uri_bytes_(max_uri_bytes), before_call_(std::move(before_call)) {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (iequals(fields_[i], "IsDeleted")) deleted_index_ = static_cast<int>(i);
  }
}

WindowReader::~WindowReader() {
  if (read_ahead_pending_) client_.drop_ahead();  // stopped early: not left for the client's next call
}

void WindowReader::set_read_ahead(bool on, bool on_first_page) {
  read_ahead_ = on;
  read_ahead_first_ = on_first_page;
}

void WindowReader::start_read_ahead(std::string_view next_url, bool first_page) {
  if (!read_ahead_ || parts_.size() != 1 || next_url.empty() || (first_page && !read_ahead_first_)) return;
  // A refusal (the quota guard) is not this page's failure: the fetch of the next page asks again.
  if (before_call_ && !before_call_()) return;
  if (client_.read_ahead(next_url)) read_ahead_pending_ = true;
}

int WindowReader::parts() const { return static_cast<int>(parts_.size()); }
std::int64_t WindowReader::total() const { return total_; }

Status WindowReader::open() {
  const std::string& ms = selection_.modstamp_field;
  std::size_t prefix = query_prefix_length(client_.instance_url(), client_.api_version());
  // Split over the fields plus the modstamp field, which every part needs for the order.
  std::vector<std::string> all = fields_;
  bool has_ms = ms.empty();
  for (const auto& f : all) has_ms = has_ms || iequals(f, ms);
  if (!has_ms) all.push_back(ms);
  auto groups = split_fields(selection_.object, all, ms, window_, prefix, max_uri_bytes_);
  if (!groups) return groups.error();
  for (auto& g : *groups) {
    auto part = std::make_unique<Part>();
    part->selection = subset(selection_, g);
    part->parser = std::make_unique<PageParser>(part->selection);
    part->soql = build_soql(selection_.object, g, ms, window_);
    for (std::size_t k = 0; k < part->selection.fields.size(); ++k) {
      const std::string& name = part->selection.fields[k].name;
      if (!ms.empty() && iequals(name, ms)) part->modstamp_index = static_cast<int>(k);
      int out = -1;
      for (std::size_t j = 0; j < fields_.size(); ++j) {
        if (iequals(fields_[j], name)) out = static_cast<int>(j);
      }
      // A field two parts both carry (Id, the modstamp) is written from the first part only.
      if (out >= 0 && !parts_.empty() && (k == 0 || static_cast<int>(k) == part->modstamp_index)) out = -1;
      part->to_output.push_back(out);
    }
    parts_.push_back(std::move(part));
  }
  const Part& first = *parts_.front();
  identity_ = parts_.size() == 1 && first.to_output.size() == fields_.size();
  for (std::size_t k = 0; identity_ && k < first.to_output.size(); ++k) {
    identity_ = first.to_output[k] == static_cast<int>(k);
  }
  return ok_status();
}

std::string WindowReader::single_query() const { return parts_.size() == 1 ? parts_.front()->soql : std::string(); }

void WindowReader::seed_first_page(salesforce::QueryPage page) {
  if (parts_.size() == 1) seed_ = std::move(page);
}

Result<bool> WindowReader::fill(Part& part) {
  while (!part.has_row()) {
    if (part.done) return false;
    Result<salesforce::QueryPage> page = salesforce::QueryPage{};
    if (!part.started && seed_) {
      // Fetched inside a composite request: its body is parsed here (the one page read twice).
      page = std::move(*seed_);
      seed_.reset();
      start_read_ahead(page->next_records_url, true);
      auto parsed = part.parser->parse(page->body);
      if (!parsed) return parsed.error();
      part.page = std::move(*parsed);
    } else {
      // The page's records are parsed in the pass that checks the page (once), after the next
      // page is asked for. A read-ahead page was checked by before_call_ when asked for; a failed
      // one is fetched again below like a retried call.
      const bool first_page = !part.started;
      const bool pending = read_ahead_pending_;
      read_ahead_pending_ = false;  // taken (or dropped) below
      salesforce::RecordsReader reader = [this, first_page, parse = part.parser->reader(part.page)](
                                             salesforce::PageRecords& records) {
        start_read_ahead(records.next_records_url, first_page);
        return parse(records);
      };
      std::optional<salesforce::QueryPage> ahead;
      if (pending && part.started) ahead = client_.take_read_ahead(part.next_url, reader);
      if (ahead) {
        page = std::move(*ahead);
      } else {
        if (before_call_) CRMSYNC_TRY(before_call_());
        page = part.started ? client_.query_more(part.next_url, reader, batch_size_)
                            : client_.query(part.soql, true, batch_size_, reader);
      }
    }
    if (!page) return page.error();
    add_cuts(cuts_, part.page.cuts);
    if (!part.started && &part == parts_.front().get()) total_ = page->total_size;
    part.started = true;
    part.done = page->done;
    part.next_url = std::move(page->next_records_url);
    part.pos = 0;
  }
  return true;
}

Result<bool> WindowReader::next(ReadBatch& batch) {
  batch.rows.reset(fields_.size());
  batch.last_modstamp.reset();
  batch.deleted = 0;
  batch.dropped = 0;
  auto count_deleted = [&] {
    std::size_t r = batch.rows.size() - 1;
    auto d = static_cast<std::size_t>(deleted_index_);
    if (deleted_index_ >= 0 && batch.rows.kind(r, d) == store::RowBuffer::Kind::kBool && batch.rows.get_bool(r, d)) {
      ++batch.deleted;
    }
  };
  if (parts_.size() == 1) {
    Part& p = *parts_.front();
    auto has = fill(p);
    if (!has) return has.error();
    if (!*has) return false;
    if (identity_ && p.pos == 0) {  // the common case: the page's columns are the reader's, in order
      std::swap(batch.rows, p.page.rows);
      p.page.rows.reset(p.selection.fields.size());
      batch.deleted = p.page.deleted;
      batch.last_modstamp = p.page.last_modstamp;
      return true;
    }
    for (; p.pos < p.page.rows.size(); ++p.pos) {
      if (p.modstamp_index >= 0) {
        std::string_view stamp = p.page.rows.text(p.pos, static_cast<std::size_t>(p.modstamp_index));
        if (!stamp.empty()) batch.last_modstamp = parse_datetime(stamp);
      }
      batch.rows.add_row();
      for (std::size_t k = 0; k < p.to_output.size(); ++k) {
        if (p.to_output[k] >= 0) batch.rows.copy_cell(static_cast<std::size_t>(p.to_output[k]), p.page.rows, p.pos, k);
      }
      count_deleted();
    }
    return true;
  }
  // Several parts: a merge join on (modstamp, Id), about one page of rows per call.
  const std::size_t want = static_cast<std::size_t>(batch_size_ > 0 ? batch_size_ : 2000);
  while (batch.rows.size() < want) {
    bool all = true;
    for (auto& p : parts_) {
      auto has = fill(*p);
      if (!has) return has.error();
      all = all && *has;
    }
    if (!all) {
      // Some part is exhausted: rows left in the others cannot be joined.
      for (auto& p : parts_) {
        while (true) {
          auto has = fill(*p);
          if (!has) return has.error();
          if (!*has) break;
          batch.dropped += static_cast<std::int64_t>(p->page.rows.size() - p->pos);
          p->pos = p->page.rows.size();
        }
      }
      break;
    }
    auto top = parts_[0]->key();
    for (auto& p : parts_) top = std::max(top, p->key());
    bool aligned = true;
    for (auto& p : parts_) {
      if (p->key() < top) {
        ++p->pos;  // not in every part: dropped, read whole next run
        ++batch.dropped;
        aligned = false;
      }
    }
    if (!aligned) continue;
    Part& first = *parts_.front();
    if (first.modstamp_index >= 0) {
      std::string_view stamp = first.page.rows.text(first.pos, static_cast<std::size_t>(first.modstamp_index));
      if (!stamp.empty()) batch.last_modstamp = parse_datetime(stamp);
    }
    batch.rows.add_row();
    for (auto& p : parts_) {
      for (std::size_t k = 0; k < p->to_output.size(); ++k) {
        if (p->to_output[k] >= 0) {
          batch.rows.copy_cell(static_cast<std::size_t>(p->to_output[k]), p->page.rows, p->pos, k);
        }
      }
    }
    for (auto& p : parts_) ++p->pos;
    count_deleted();
  }
  return !batch.rows.empty() || batch.dropped > 0;
}

}  // namespace crmsync::sync
