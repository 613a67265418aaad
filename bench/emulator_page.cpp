// Emulator speed and memory: org generation time and RSS (bytes per record), the first page of a
// full ordered queryAll and of an incremental one over HTTP (SOQL + cursor + 2,000-record page),
// the executor alone, page serialisation, and a Bulk API results chunk. Issue targets: a
// 2,000-record page well under 10 ms; fast on orgs of millions of records.
//   build/bench_emulator_page [scale]     (default 72000: about 2M records)
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "bench_util.h"
#include "common/timeutil.h"
#include "emulator/emu_csv.h"
#include "emulator/emu_json.h"
#include "emulator/emulator.h"
#include "emulator/soql.h"

using namespace crmsync;
using namespace crmsync::emulator;
using crmsync::bench::best_ms;
using crmsync::bench::rss_kb;
using json = nlohmann::json;

namespace {

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
    for (std::size_t r = 0; r < 2000 && r < tasks.slot_count(); ++r) {
      if (r) out.push_back(',');
      append_record(out, tasks, "62.0", tasks.row(r), columns);
    }
    out += "]}";
  });
  std::printf("serialise 2,000 Task records as JSON (all fields): %.2f ms, %zu bytes\n", ser, out.size());
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
    db.find("Task")->mutable_row(0);  // a write: the next ordered query rebuilds the index
    auto order = tasks.modstamp_order();
    std::printf("modstamp index rebuild after a write, %zu Task rows: %.2f ms\n", order ? order->size() : 0,
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
  // With gzip (what curl-based clients such as crmsync ask for; the server compresses at zlib's
  // default level) and without (Accept-Encoding: identity): the difference is compression alone.
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
  std::printf("RSS at the end %.0f MB\n", rss_kb() / 1024.0);
  emu.stop();
  return 0;
}
