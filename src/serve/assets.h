// The web page's files, embedded in the binary at build time: every file of src/serve/assets/ and
// Debian's Chart.js (libjs-chart.js, /usr/share/javascript/chart.js/chart.min.js) become byte arrays
// in a generated .cpp (cmake/embed_assets.cmake; CMakeLists.txt lists them). Served at "/" (index.html)
// and "/assets/<name>". Adding a page file is adding it to src/serve/assets/ and re-running cmake.
#pragma once

#include <cstddef>
#include <string_view>

namespace crmsync::serve {

struct Asset {
  const char* name;          // "index.html", "app.js", "chart.min.js"
  const char* content_type;  // "text/javascript; charset=utf-8", ...
  const unsigned char* data;
  std::size_t size;
};

// The generated table (build/generated/serve_assets.cpp).
extern const Asset kAssets[];
extern const std::size_t kAssetCount;

// The asset of that name, or nullptr.
const Asset* find_asset(std::string_view name);

}  // namespace crmsync::serve
