// A small org in a real SQLite store, for the matching and export unit tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"

namespace crmsync::exports::testing {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "crmsync_export_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = store::Store::open("sqlite:" + (dir_ / "org.db").string());
    ASSERT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Rows of text/NULL ("" is NULL) except columns named Is*, which take "1"/"0".
  void table(const std::string& name, const std::vector<std::string>& cols,
             const std::vector<std::vector<std::string>>& rows) {
    std::vector<store::Column> columns;
    for (const auto& c : cols) {
      columns.push_back({c, c.starts_with("Is") ? catalog::StorageClass::kBoolean : catalog::StorageClass::kText});
    }
    ASSERT_TRUE(store_->ensure_table(name, columns));
    auto w = store_->writer(name, columns);
    ASSERT_TRUE(w) << w.error().to_string();
    for (const auto& r : rows) {
      std::vector<store::Value> values;
      for (std::size_t k = 0; k < r.size(); ++k) {
        if (cols[k].starts_with("Is")) values.emplace_back(r[k] == "1");
        else if (r[k].empty()) values.emplace_back(std::monostate{});
        else values.emplace_back(r[k]);
      }
      ASSERT_TRUE((*w)->upsert(values));
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace crmsync::exports::testing
