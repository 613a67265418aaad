// RowBuffer: a page of rows in two flat arrays, one fixed-size cell per value and every text value
// of the page in one string, so that a page costs a handful of allocations instead of one per row
// and per text value, and a writer binds text straight from the buffer (no copy). The sync's
// parsers build one per page (reusing its capacity from page to page); TableWriter::upsert_rows
// writes it. Part of store/store.h.
//
//   RowBuffer rows(3);
//   rows.add_row();                       // a row of NULLs
//   rows.set_text(0, "001...");  rows.set_bool(2, true);
//   std::string_view id = rows.text(0, 0);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace crmsync::store {

// A value ready for the store. Dates, datetimes and times arrive as text in the store's formats
// (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS.sssZ, HH:MM:SS.sssZ); booleans as bool.
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

class RowBuffer {
 public:
  // The kinds follow Value's alternatives, in order.
  enum class Kind : std::uint8_t { kNull = 0, kBool = 1, kInteger = 2, kReal = 3, kText = 4 };

  RowBuffer() = default;
  explicit RowBuffer(std::size_t width) : width_(width) {}

  // Empties the buffer for rows of `width` cells, keeping its memory.
  void reset(std::size_t width);
  // Makes room for `rows` rows and `text_bytes` of text (e.g. a page whose size is announced).
  void reserve(std::size_t rows, std::size_t text_bytes) {
    cells_.reserve(rows * width_);
    text_.reserve(text_bytes);
  }
  // Gives the memory back (after a large page, so a long run does not keep its high-water mark).
  void release();

  std::size_t width() const { return width_; }
  std::size_t size() const { return width_ == 0 ? 0 : cells_.size() / width_; }
  bool empty() const { return cells_.empty(); }
  // Bytes held (capacity), for bounding what is queued.
  std::size_t bytes() const { return cells_.capacity() * sizeof(Cell) + text_.capacity(); }

  // Appends a row of NULLs; the setters fill cells of the last row.
  void add_row() { cells_.resize(cells_.size() + width_); }
  void pop_row() { cells_.resize(cells_.size() - width_); }
  void set_null(std::size_t k) { last(k) = Cell{}; }
  void set_bool(std::size_t k, bool b) { last(k) = Cell{Kind::kBool, 0, {.i = b ? 1 : 0}}; }
  void set_int(std::size_t k, std::int64_t i) { last(k) = Cell{Kind::kInteger, 0, {.i = i}}; }
  void set_real(std::size_t k, double d) { last(k) = Cell{Kind::kReal, 0, {.d = d}}; }
  void set_text(std::size_t k, std::string_view s);
  void set_value(std::size_t k, const Value& v);
  // Copies cell `from_k` of row `r` of `src` into cell `k` of the last row.
  void copy_cell(std::size_t k, const RowBuffer& src, std::size_t r, std::size_t from_k);

  Kind kind(std::size_t r, std::size_t k) const { return at(r, k).kind; }
  bool is_null(std::size_t r, std::size_t k) const { return at(r, k).kind == Kind::kNull; }
  bool get_bool(std::size_t r, std::size_t k) const { return at(r, k).u.i != 0; }
  std::int64_t get_int(std::size_t r, std::size_t k) const { return at(r, k).u.i; }
  double get_real(std::size_t r, std::size_t k) const { return at(r, k).u.d; }
  // The text of a kText cell (empty for any other kind). Valid until the buffer changes.
  std::string_view text(std::size_t r, std::size_t k) const {
    const Cell& c = at(r, k);
    return c.kind == Kind::kText ? std::string_view(text_).substr(static_cast<std::size_t>(c.u.offset), c.len)
                                 : std::string_view();
  }
  Value value(std::size_t r, std::size_t k) const;
  std::vector<Value> row(std::size_t r) const;
  std::vector<Value> operator[](std::size_t r) const { return row(r); }

 private:
  struct Cell {
    Kind kind = Kind::kNull;
    std::uint32_t len = 0;  // text length
    union {
      std::int64_t i;
      double d;
      std::uint64_t offset;  // of the text in text_
    } u{.i = 0};
  };
  Cell& last(std::size_t k) { return cells_[cells_.size() - width_ + k]; }
  const Cell& at(std::size_t r, std::size_t k) const { return cells_[r * width_ + k]; }

  std::size_t width_ = 0;
  std::vector<Cell> cells_;
  std::string text_;
};

}  // namespace crmsync::store
