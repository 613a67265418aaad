#include "store/row_buffer.h"

namespace crmsync::store {

void RowBuffer::reset(std::size_t width) {
  width_ = width;
  cells_.clear();
  text_.clear();
}

void RowBuffer::release() {
  std::vector<Cell>().swap(cells_);
  std::string().swap(text_);
}

void RowBuffer::set_text(std::size_t k, std::string_view s) {
  Cell& c = last(k);
  c.kind = Kind::kText;
  c.len = static_cast<std::uint32_t>(s.size());
  c.u.offset = text_.size();
  text_.append(s);
}

void RowBuffer::set_value(std::size_t k, const Value& v) {
  switch (static_cast<Kind>(v.index())) {
    case Kind::kNull: set_null(k); return;
    case Kind::kBool: set_bool(k, std::get<bool>(v)); return;
    case Kind::kInteger: set_int(k, std::get<std::int64_t>(v)); return;
    case Kind::kReal: set_real(k, std::get<double>(v)); return;
    case Kind::kText: set_text(k, std::get<std::string>(v)); return;
  }
}

void RowBuffer::copy_cell(std::size_t k, const RowBuffer& src, std::size_t r, std::size_t from_k) {
  const Cell& c = src.at(r, from_k);
  if (c.kind == Kind::kText) {
    set_text(k, src.text(r, from_k));
  } else {
    last(k) = c;
  }
}

Value RowBuffer::value(std::size_t r, std::size_t k) const {
  const Cell& c = at(r, k);
  switch (c.kind) {
    case Kind::kNull: return Value{};
    case Kind::kBool: return Value{c.u.i != 0};
    case Kind::kInteger: return Value{c.u.i};
    case Kind::kReal: return Value{c.u.d};
    case Kind::kText: return Value{std::string(text(r, k))};
  }
  return Value{};
}

std::vector<Value> RowBuffer::row(std::size_t r) const {
  std::vector<Value> out;
  out.reserve(width_);
  for (std::size_t k = 0; k < width_; ++k) out.push_back(value(r, k));
  return out;
}

}  // namespace crmsync::store
