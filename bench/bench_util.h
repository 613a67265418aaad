// Measuring helpers the bench programs share: the best wall time of a few runs and the process's
// resident memory.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

namespace crmsync::bench {

// The fastest of `runs` calls of `f`, in milliseconds (the least disturbed by other processes).
template <typename F>
double best_ms(int runs, F&& f) {
  double best = 1e18;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// The process's resident set size now (VmRSS in /proc/self/status), in KiB; 0 where unknown.
inline long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

}  // namespace crmsync::bench
