// Emulator speed and memory: org generation time and RSS (bytes per record), the first page of a
// full ordered queryAll and of an incremental one over HTTP (SOQL + cursor + 2,000-record page),
// the same pages and a nextRecordsUrl page through a raw keep-alive socket (the server's time:
// best and median of 15, and CPU per request), the executor alone, page serialisation (in row and
// in modstamp order), the modstamp index (full build, update after writes), writes followed by an
// incremental query, a Bulk API results chunk, and the same 2,000 records as Bulk CSV and Bulk 1.0
// XML. Issue targets: a 2,000-record page well under 10 ms; fast on orgs of millions of records.
// The machine may be shared: compare best and CPU.
//   build/bench_emulator_page [scale]     (default 72000: about 2M records)
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench_util.h"
#include "common/timeutil.h"
#include "emulator/emulator.h"
#include "emulator/soql/soql.h"
#include "emulator/wire/wire.h"

using namespace crmsync;
using namespace crmsync::emulator;
using crmsync::bench::best_ms;
using crmsync::bench::rss_kb;
using json = nlohmann::json;

namespace {

// The least thread CPU time of `runs` calls of `f`, in milliseconds.
template <typename F>
double cpu_best_ms(int runs, F&& f) {
  double best = 1e18;
  for (int i = 0; i < runs; ++i) {
    timespec a{}, b{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    f();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    best = std::min(best, (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  }
  return best;
}

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Best and median of `runs` timings; `cpu_ms` gets the process's CPU time per run (every thread:
// on loopback that is the server and the client), which the machine's other loads do not inflate.
template <typename F>
std::pair<double, double> best_median_ms(int runs, F&& f, double* cpu_ms = nullptr) {
  const double cpu0 = process_cpu_ms();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  if (cpu_ms != nullptr) *cpu_ms = (process_cpu_ms() - cpu0) / runs;
  std::sort(times.begin(), times.end());
  return {times.front(), times[times.size() / 2]};
}

// A minimal keep-alive HTTP/1.1 client on a raw socket, so that the timings are the server's: one
// write per request, 1 MB reads, no parsing or decompression beyond finding Content-Length.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fd_ = -1;
    buf_.resize(1 << 20);
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // GET `target`; returns the body (still compressed if the server compressed it), "" on failure.
  std::string get(const std::string& target, const std::string& headers) {
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
    if (fd_ < 0 || ::send(fd_, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) return {};
    std::string data;
    std::size_t header_end = std::string::npos, length = 0;
    while (true) {
      ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
      if (n <= 0) return {};
      data.append(buf_.data(), static_cast<std::size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        header_end += 4;
        auto cl = data.find("Content-Length: ");
        if (cl == std::string::npos || cl > header_end) return {};
        length = std::strtoul(data.c_str() + cl + 16, nullptr, 10);
        data.reserve(header_end + length);
        auto ce = data.find("Content-Encoding: ");
        encoding_ = ce < header_end ? data.substr(ce + 18, data.find("\r\n", ce) - ce - 18) : "none";
      }
      if (data.size() >= header_end + length) return data.substr(header_end, length);
    }
  }

 private:
  int fd_ = -1;
  std::vector<char> buf_;
  std::string encoding_;

 public:
  const std::string& content_encoding() const { return encoding_; }
};

std::string field_list(const Table& t) {
  std::string out;
  for (const auto& f : t.fields()) {
    if (f.type == "address" || f.type == "location") continue;
    out += (out.empty() ? "" : ", ") + f.name;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int scale = argc > 1 ? std::atoi(argv[1]) : 72000;
  const long rss0 = rss_kb();
  Emulator emu({.port = 0, .org = {.seed = 42, .scale = scale}});
  auto t0 = std::chrono::steady_clock::now();
  Database& db = emu.database();
  const double gen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::size_t records = 0, cells = 0;
  for (const Table* t : db.tables()) {
    records += t->slot_count();
    cells += t->slot_count() * t->fields().size();
  }
  const long rss1 = rss_kb();
  const Table& tasks = *db.find("Task");
  std::printf("org scale %d: %zu records (Task %zu) generated in %.2f s\n", scale, records, tasks.slot_count(), gen_s);
  std::printf("RSS %.0f MB for the org: %.0f bytes per record, %.1f bytes per cell (sizeof(Value) = %zu)\n",
              (rss1 - rss0) / 1024.0, (rss1 - rss0) * 1024.0 / static_cast<double>(records),
              (rss1 - rss0) * 1024.0 / static_cast<double>(cells), sizeof(Value));

  // Serialisation of one 2,000-record page, every field.
  std::vector<std::size_t> columns;
  for (std::size_t i = 0; i < tasks.fields().size(); ++i) columns.push_back(i);
  std::string out;
  double ser = best_ms(10, [&] {
    out.clear();
    out += "{\"totalSize\":2000,\"done\":true,\"records\":[";
    const RecordWriter writer(tasks, "62.0", columns);
    for (std::size_t r = 0; r < 2000 && r < tasks.slot_count(); ++r) {
      if (r) out.push_back(',');
      writer.append(out, tasks.row(r));
    }
    out += "]}";
  });
  std::printf("serialise 2,000 Task records as JSON (all fields): %.2f ms, %zu bytes\n", ser, out.size());
  {
    // A query page visits rows in modstamp order, scattered in memory: what the writer's
    // prefetching saves. Thread CPU time, best of 20 (immune to the machine's other loads).
    auto t1 = std::chrono::steady_clock::now();
    auto order = tasks.modstamp_order();
    std::printf("modstamp index built in full on first use, %zu Task rows: %.2f ms\n", order ? order->size() : 0,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
    const std::size_t n = std::min<std::size_t>(2000, order ? order->size() : 0);
    auto page = [&](bool prefetch) {
      out.clear();
      const RecordWriter writer(tasks, "62.0", columns);
      for (std::size_t i = 0; i < n; ++i) {
        if (prefetch && i + 8 < n) writer.prefetch_cells(tasks.row((*order)[i + 8]));
        if (prefetch && i + 4 < n) writer.prefetch_text(tasks.row((*order)[i + 4]));
        if (i) out.push_back(',');
        writer.append(out, tasks.row((*order)[i]));
      }
    };
    const double in_row_order = cpu_best_ms(20, [&] {
      out.clear();
      const RecordWriter writer(tasks, "62.0", columns);
      for (std::size_t r = 0; r < n; ++r) {
        if (r) out.push_back(',');
        writer.append(out, tasks.row(r));
      }
    });
    const double plain = cpu_best_ms(20, [&] { page(false); });
    const double prefetched = cpu_best_ms(20, [&] { page(true); });
    std::printf("serialise 2,000 Task records (all fields), CPU ms: row order %.2f, modstamp order %.2f, modstamp "
                "order with prefetch %.2f\n",
                in_row_order, plain, prefetched);
  }
  columns.clear();
  for (std::size_t i = 0; i < tasks.fields().size(); ++i) {
    if (tasks.field(i).type != "address") columns.push_back(i);
  }
  double csv = best_ms(10, [&] {
    out.clear();
    append_csv_header(out, tasks, columns, ',', "\n");
    for (std::size_t r = 0; r < 2000 && r < tasks.slot_count(); ++r) append_csv_record(out, tasks, tasks.row(r), columns, ',', "\n");
  });
  std::printf("serialise 2,000 Task records as Bulk CSV (all fields): %.2f ms, %zu bytes\n", csv, out.size());
  const double xml = best_ms(10, [&] {
    out.clear();
    for (std::size_t r = 0; r < 2000 && r < tasks.slot_count(); ++r) append_xml_record(out, tasks, tasks.row(r), columns);
  });
  std::printf("serialise 2,000 Task records as Bulk 1.0 XML (all fields): %.2f ms, %zu bytes\n", xml, out.size());

  // The executor alone: full ordered and incremental, as the sync asks.
  EpochMs newest = 0;
  const std::size_t stamp = *tasks.field_index("SystemModstamp");
  for (std::size_t r = 0; r < tasks.slot_count(); ++r) {
    if (const auto* d = std::get_if<DateTime>(&tasks.row(r)[stamp])) newest = std::max(newest, d->ms);
  }
  const std::string fields = field_list(tasks);
  const std::string full = "SELECT " + fields + " FROM Task ORDER BY SystemModstamp, Id";
  // What crmsync selects on Task (Required + Recommended + bookkeeping).
  const std::string typical =
      "SELECT Id, OwnerId, Subject, Status, ActivityDate, WhatId, WhoId, Type, CreatedDate, SystemModstamp, IsDeleted, "
      "AccountId, CallDisposition, CallDurationInSeconds, Description, TaskSubtype FROM Task ORDER BY SystemModstamp, Id";
  {
    auto t1 = std::chrono::steady_clock::now();
    db.find("Task")->mutable_row(0);  // a write: the next ordered query brings the index up to date
    auto order = tasks.modstamp_order();
    std::printf("modstamp index update after a write, %zu Task rows: %.2f ms\n", order ? order->size() : 0,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
  }
  const std::string incremental = "SELECT " + fields + " FROM Task WHERE SystemModstamp >= " +
                                  format_datetime_soql(newest - 3600 * 1000) + " ORDER BY SystemModstamp, Id";
  for (const auto& [name, text] : {std::pair{"full", full}, std::pair{"incremental", incremental}}) {
    auto q = soql::parse(text);
    if (!q) {
      std::printf("parse failed: %s\n", q.error().to_string().c_str());
      return 1;
    }
    std::size_t n = 0;
    double ms = best_ms(3, [&] {
      auto r = soql::execute(*q, db, {.include_deleted = true});
      n = r ? r->rows.size() : 0;
    });
    std::printf("execute %-11s ORDER BY SystemModstamp, Id over %zu Task rows: %.2f ms (%zu rows)\n", name,
                tasks.slot_count(), ms, n);
  }

  // Over HTTP: first page (2,000 records) of queryAll, and a Bulk results chunk.
  if (auto s = emu.start(); !s) {
    std::printf("emulator did not start: %s\n", s.error().to_string().c_str());
    return 1;
  }
  httplib::Client http("127.0.0.1", emu.port());
  http.set_read_timeout(600, 0);
  auto login = http.Post("/services/oauth2/token", httplib::Params{{"grant_type", "password"},
                                                                   {"client_id", "crmsync-local"},
                                                                   {"client_secret", "crmsync-local-secret"},
                                                                   {"username", "admin@crmsync.test"},
                                                                   {"password", "admin-pass"}});
  const std::string token = json::parse(login->body)["access_token"];
  httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  // With gzip (what curl-based clients such as crmsync ask for) and without: the emulator never
  // compresses JSON (docs/decisions.md), so both lines measure the same server work.
  for (const char* encoding : {"gzip, deflate", "identity"}) {
    httplib::Headers headers = auth;
    headers.emplace("Accept-Encoding", encoding);
    for (const auto& [name, text] :
         {std::pair{"full", full}, std::pair{"typical", typical}, std::pair{"incremental", incremental}}) {
      std::size_t bytes = 0;
      double ms = best_ms(3, [&] {
        auto r = http.Get(("/services/data/v62.0/queryAll?q=" + httplib::detail::encode_query_param(text)).c_str(),
                          headers);
        bytes = r ? r->body.size() : 0;
      });
      std::printf("HTTP first page of %-11s queryAll on Task, Accept-Encoding %-13s: %.2f ms (%zu bytes)\n", name,
                  encoding, ms, bytes);
    }
  }
  // The same pages through the raw client (timings of the server alone), best and median of 15:
  // the first page and a nextRecordsUrl page, without and with gzip.
  {
    RawClient raw(emu.port());
    const std::string auth_header = "Authorization: Bearer " + token + "\r\n";
    for (const char* encoding : {"identity", "gzip"}) {
      const std::string headers = auth_header + "Accept-Encoding: " + encoding + "\r\n";
      for (const auto& [name, text] : {std::pair{"full", full}, std::pair{"typical", typical}}) {
        const std::string first = "/services/data/v62.0/queryAll?q=" + httplib::detail::encode_query_param(text);
        std::size_t bytes = 0;
        double cpu = 0;
        auto [best, median] = best_median_ms(15, [&] { bytes = raw.get(first, headers).size(); }, &cpu);
        std::printf("raw HTTP first page of %-7s queryAll on Task, Accept-Encoding %-8s: best %.2f ms, median %.2f ms, "
                    "CPU %.2f ms (%zu bytes, Content-Encoding %s)\n",
                    name, encoding, best, median, cpu, bytes, raw.content_encoding().c_str());
        const std::string page = raw.get(first, auth_header);
        const auto at = page.find("\"nextRecordsUrl\":\"");
        if (at == std::string::npos) continue;
        const std::string next = page.substr(at + 18, page.find('"', at + 18) - at - 18);
        auto [best2, median2] = best_median_ms(15, [&] { bytes = raw.get(next, headers).size(); }, &cpu);
        std::printf("raw HTTP nextRecordsUrl page of %-7s on Task, Accept-Encoding %-8s: best %.2f ms, median %.2f ms, "
                    "CPU %.2f ms (%zu bytes, Content-Encoding %s)\n",
                    name, encoding, best2, median2, cpu, bytes, raw.content_encoding().c_str());
      }
    }
  }
  auto job = http.Post("/services/data/v62.0/jobs/query", auth,
                       json{{"operation", "queryAll"}, {"query", full}}.dump(), "application/json");
  const std::string id = json::parse(job->body)["id"];
  for (int i = 0; i < 1000; ++i) {
    auto info = http.Get(("/services/data/v62.0/jobs/query/" + id).c_str(), auth);
    if (json::parse(info->body)["state"] == "JobComplete") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (int max : {2000, 50000}) {
    std::size_t bytes = 0;
    double ms = best_ms(3, [&] {
      auto r = http.Get(("/services/data/v62.0/jobs/query/" + id + "/results?maxRecords=" + std::to_string(max)).c_str(),
                        auth);
      bytes = r ? r->body.size() : 0;
    });
    std::printf("HTTP Bulk results chunk of %d Task records: %.2f ms (%zu bytes)\n", max, ms, bytes);
  }
  // Writes, then the incremental read that follows them: 1,000 Tasks created and 1,000 updated
  // through sObject Collections (200 a call), then queryAll of what changed since. Its first run
  // brings the modstamp index up to date (the 2,000 written rows merged in, nothing rebuilt).
  {
    std::vector<std::string> ids;  // 1,000 live Tasks
    const std::size_t deleted = *tasks.field_index("IsDeleted");
    for (std::size_t r = 1000; ids.size() < 1000 && r < tasks.slot_count(); ++r) {
      const auto* gone = std::get_if<bool>(&tasks.row(r)[deleted]);
      if (!tasks.purged(r) && !(gone && *gone)) ids.push_back(std::get<std::string>(tasks.row(r)[0]));
    }
    auto t1 = std::chrono::steady_clock::now();
    bool ok = true;
    for (std::size_t start = 0; start < 1000; start += 200) {
      json inserts = json::array(), updates = json::array();
      for (std::size_t i = start; i < start + 200; ++i) {
        inserts.push_back({{"attributes", {{"type", "Task"}}}, {"Subject", "Bench call " + std::to_string(i)}});
        if (i < ids.size()) updates.push_back({{"attributes", {{"type", "Task"}}}, {"Id", ids[i]}, {"Subject", "Bench"}});
      }
      auto created = http.Post("/services/data/v62.0/composite/sobjects", auth,
                               json{{"allOrNone", true}, {"records", inserts}}.dump(), "application/json");
      auto updated = http.Patch("/services/data/v62.0/composite/sobjects", auth,
                                json{{"allOrNone", true}, {"records", updates}}.dump(), "application/json");
      for (const auto* r : {&created, &updated}) {
        ok = ok && *r && (*r)->status == 200;
        if (*r && (*r)->status == 200) {
          for (const auto& result : json::parse((*r)->body)) ok = ok && result.value("success", false);
        }
      }
    }
    const double write_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
    const std::string changed = "/services/data/v62.0/queryAll?q=" +
                                httplib::detail::encode_query_param("SELECT " + fields + " FROM Task WHERE SystemModstamp > " +
                                                                    format_datetime_soql(newest) +
                                                                    " ORDER BY SystemModstamp, Id");
    RawClient raw(emu.port());
    const std::string headers = "Authorization: Bearer " + token + "\r\n";
    std::size_t bytes = 0;
    t1 = std::chrono::steady_clock::now();
    const std::string first = raw.get(changed, headers);
    const double first_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
    const auto total = json::parse(first.empty() ? "{}" : first).value("totalSize", 0);
    auto [best, median] = best_median_ms(15, [&] { bytes = raw.get(changed, headers).size(); });
    std::printf("insert 1,000 + update 1,000 Task records (10 collection calls%s): %.1f ms; then incremental queryAll "
                "(%d changed rows): first %.2f ms (index update included), again best %.2f ms, median %.2f ms (%zu "
                "bytes)\n",
                ok ? "" : ", SOME FAILED", write_ms, total, first_ms, best, median, bytes);
    // The index update alone: 1,000 rows restamped in place (the end of the run: these stamps run
    // ahead of the emulator's write clock).
    {
      std::unique_lock lock(db.mutex());
      Table& t = *db.find("Task");
      for (std::size_t r = 3000; r < 4000 && r < t.slot_count(); ++r) t.mutable_row(r)[stamp] = DateTime{newest + 60000 + static_cast<EpochMs>(r)};
    }
    auto t2 = std::chrono::steady_clock::now();
    auto order = tasks.modstamp_order();
    std::printf("modstamp index update after 1,000 updated rows, %zu Task rows: %.2f ms\n", order ? order->size() : 0,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t2).count());
  }
  std::printf("RSS at the end %.0f MB\n", rss_kb() / 1024.0);
  emu.stop();
  return 0;
}
