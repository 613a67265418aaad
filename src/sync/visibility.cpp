#include "sync/visibility.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/json.h"
#include "common/text.h"

namespace crmsync::sync {
namespace {

struct Kept {
  EpochMs checked = 0;
  std::vector<std::string> objects;
  std::vector<check::Finding> findings;  // the warnings only
};

Kept read_kept(RunContext& ctx) {
  std::optional<std::string> text;
  Status read = ctx.writes.call([&](store::Store& st) -> Status {
    auto m = st.meta(kVisibilityMetaKey);
    if (!m) return m.error();
    text = std::move(*m);
    return ok_status();
  });
  Kept kept;
  if (!read || !text) return kept;
  nlohmann::json j = parse_json(*text);
  if (!j.is_object()) return kept;  // not ours: asked again, then overwritten
  kept.checked = parse_datetime(j.value("checked", std::string())).value_or(0);
  kept.objects = j.value("objects", std::vector<std::string>());
  for (const auto& f : j.value("findings", nlohmann::json::array())) {
    kept.findings.push_back(check::Finding{f.value("object", ""), "", check::Severity::kWarning, f.value("code", ""),
                                           f.value("message", ""), f.value("fix", "")});
  }
  return kept;
}

void keep(RunContext& ctx, const Kept& kept) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : kept.findings) {
    findings.push_back({{"object", f.object}, {"code", f.code}, {"message", f.message}, {"fix", f.fix}});
  }
  const std::string text = nlohmann::json{{"checked", format_datetime_iso(kept.checked)},
                                          {"objects", kept.objects},
                                          {"findings", findings}}
                               .dump();
  (void)ctx.writes.call([text](store::Store& st) { return st.set_meta(kVisibilityMetaKey, text); }, /*flush=*/true);
}

bool covers(const Kept& kept, const std::vector<std::string>& objects) {
  return std::all_of(objects.begin(), objects.end(), [&](const std::string& o) {
    return std::any_of(kept.objects.begin(), kept.objects.end(), [&](const std::string& k) { return iequals(k, o); });
  });
}

}  // namespace

std::map<std::string, check::Finding> check_visibility(RunContext& ctx, salesforce::Client& client,
                                                       const std::vector<std::string>& objects,
                                                       std::vector<std::unique_ptr<ObjectRun>>& runs,
                                                       std::int64_t& calls) {
  calls = 0;
  std::vector<std::size_t> shared;  // the runs whose object shares records
  bool full_load = false;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (!check::shares_records(objects[i])) continue;
    shared.push_back(i);
    full_load = full_load || runs[i]->loads_in_full();
  }
  std::map<std::string, check::Finding> out;
  if (shared.empty() || (ctx.options.interrupted && ctx.options.interrupted())) return out;
  std::vector<std::string> names;
  for (std::size_t i : shared) names.push_back(objects[i]);

  Kept kept = read_kept(ctx);
  const EpochMs age = ctx.now() - kept.checked;
  const EpochMs reach = kept.findings.empty() ? kVisibilityRecheckMs : kVisibilityRecheckHiddenMs;
  if (full_load || kept.checked == 0 || age >= reach || !covers(kept, names)) {
    if (!ctx.quota.check(client.limits())) return out;
    const std::int64_t before = client.api_calls();
    auto findings = check::record_visibility(client, ctx.user_access(client), names);
    calls = client.api_calls() - before;
    ctx.quota.add_calls(calls);
    for (auto& run : runs) run->forget_calls();
    for (std::size_t k = 0; k < shared.size(); ++k) {  // the calls, shared evenly, to whole calls
      std::int64_t share = calls / static_cast<std::int64_t>(shared.size()) +
                           (static_cast<std::int64_t>(k) < calls % static_cast<std::int64_t>(shared.size()) ? 1 : 0);
      runs[shared[k]]->add_shared_calls(share);
    }
    if (!findings) return out;  // could not tell (network, session): `crmsync check` says more
    kept = Kept{ctx.now(), names, {}};
    for (auto& f : *findings) {
      if (f.severity != check::Severity::kInfo) kept.findings.push_back(std::move(f));
    }
    keep(ctx, kept);
  }
  for (const auto& f : kept.findings) {
    if (std::find(names.begin(), names.end(), f.object) != names.end()) out.emplace(f.object, f);
  }
  return out;
}

}  // namespace crmsync::sync
