#include "sync/composite_reads.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>

namespace crmsync::sync {
namespace {

// One subrequest and where its answer goes.
struct Pending {
  salesforce::CompositeSubrequest request;
  bool query = false;
  std::size_t run = 0;  // the object it is for (index in `runs`)
  std::function<void(const salesforce::CompositeResult&)> deliver;
};

// Sends `pending` in as few composite requests as Salesforce's limits allow; false when a request
// could not be made (the rest is left to the objects). Each request's calls are shared evenly
// among its subrequests, each share going to the subrequest's object (`shares`).
bool send_all(RunContext& ctx, salesforce::Client& client, std::vector<std::unique_ptr<ObjectRun>>& runs,
              std::vector<Pending>& pending, std::int64_t& calls, std::vector<double>& shares) {
  std::size_t queries_left = 0, others_left = 0;
  for (const auto& p : pending) (p.query ? queries_left : others_left) += 1;
  std::vector<bool> sent(pending.size(), false);
  while (queries_left + others_left > 0) {
    // Five queries (or what is left of them), then the other subrequests up to 25.
    std::vector<std::size_t> chunk;
    std::size_t queries = 0;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (!sent[i] && pending[i].query && queries < salesforce::kCompositeMaxQueries) {
        chunk.push_back(i);
        ++queries;
      }
    }
    for (std::size_t i = 0; i < pending.size() && chunk.size() < salesforce::kCompositeMaxSubrequests; ++i) {
      if (!sent[i] && !pending[i].query) chunk.push_back(i);
    }
    if (!ctx.quota.check(client.limits())) return false;
    std::vector<salesforce::CompositeSubrequest> requests;
    for (std::size_t i : chunk) requests.push_back(pending[i].request);
    std::int64_t before = client.api_calls();
    auto results = client.composite(requests);
    std::int64_t spent = client.api_calls() - before;
    ctx.quota.add_calls(spent);
    calls += spent;
    for (std::size_t i : chunk) shares[pending[i].run] += static_cast<double>(spent) / static_cast<double>(chunk.size());
    for (auto& run : runs) run->forget_calls();
    if (!results && refuses_every_object(results.error())) ctx.stop_run_for(results.error());
    if (!results) return false;
    for (std::size_t k = 0; k < chunk.size(); ++k) {
      pending[chunk[k]].deliver((*results)[k]);
      sent[chunk[k]] = true;
      (pending[chunk[k]].query ? queries_left : others_left) -= 1;
    }
  }
  return true;
}

// Whole calls summing to `total`, each object's close to its share (largest remainders).
std::vector<std::int64_t> whole_calls(const std::vector<double>& shares, std::int64_t total) {
  std::vector<std::int64_t> out(shares.size(), 0);
  std::int64_t given = 0;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    out[i] = static_cast<std::int64_t>(std::floor(shares[i]));
    given += out[i];
  }
  std::vector<std::size_t> order(shares.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return shares[a] - std::floor(shares[a]) > shares[b] - std::floor(shares[b]);
  });
  for (std::size_t k = 0; given < total && !order.empty(); k = (k + 1) % order.size(), ++given) ++out[order[k]];
  return out;
}

}  // namespace

std::int64_t read_through_composite(RunContext& ctx, salesforce::Client& client, const std::vector<std::string>& objects,
                                    std::vector<std::unique_ptr<ObjectRun>>& runs) {
  std::int64_t calls = 0;
  std::vector<double> shares(runs.size(), 0.0);
  for (auto& run : runs) run->load();
  // Every composite call is charged to the objects it served, so the per-object API calls
  // (crmsync_sync_state.api_calls, `crmsync status`) add up to what Salesforce counted.
  auto charge = [&] {
    auto whole = whole_calls(shares, calls);
    for (std::size_t i = 0; i < runs.size(); ++i) runs[i]->add_shared_calls(whole[i]);
    return calls;
  };

  std::vector<Pending> describes;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ObjectRun* run = runs[i].get();
    Pending p;
    p.run = i;
    p.request.reference_id = "describe" + std::to_string(i);
    p.request.url = client.describe_path(objects[i]);
    p.deliver = [run](const salesforce::CompositeResult& r) { run->plan(r); };
    describes.push_back(std::move(p));
  }
  if (!send_all(ctx, client, runs, describes, calls, shares)) return charge();

  std::vector<Pending> reads;
  const std::string batch = "batchSize=" + std::to_string(ctx.batch_size);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ObjectRun* run = runs[i].get();
    if (std::string soql = run->first_query(); !soql.empty()) {
      Pending p;
      p.run = i;
      p.request.reference_id = "page" + std::to_string(i);
      p.request.url = client.query_path(soql, /*include_deleted=*/true);
      p.request.headers = {{"Sforce-Query-Options", batch}};
      p.query = true;
      p.deliver = [run](const salesforce::CompositeResult& r) { run->seed_first_page(r); };
      reads.push_back(std::move(p));
    }
    if (auto w = run->get_deleted_window()) {
      Pending p;
      p.run = i;
      p.request.reference_id = "deleted" + std::to_string(i);
      p.request.url = client.get_deleted_path(objects[i], w->first, w->second);
      p.deliver = [run](const salesforce::CompositeResult& r) { run->seed_deleted(r); };
      reads.push_back(std::move(p));
    }
  }
  send_all(ctx, client, runs, reads, calls, shares);
  return charge();
}

}  // namespace crmsync::sync
