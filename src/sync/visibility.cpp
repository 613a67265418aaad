#include "sync/visibility.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/json.h"
#include "common/text.h"

namespace crmsync::sync {
namespace {

// The last answer per object: when it was asked, and the warning it gave (none: sees every record).
struct Kept {
  std::map<std::string, EpochMs> checked;
  std::map<std::string, check::Finding> warnings;
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
  const nlohmann::json checked = j.value("checked", nlohmann::json::object());  // named: items() of a temporary dangles
  for (const auto& [object, when] : checked.items()) {
    if (when.is_string()) kept.checked[object] = parse_datetime(when.get<std::string>()).value_or(0);
  }
  for (const auto& f : j.value("warnings", nlohmann::json::array())) {
    const std::string object = f.value("object", "");
    kept.warnings[object] = check::Finding{object, "", check::Severity::kWarning, f.value("code", ""),
                                           f.value("message", ""), f.value("fix", "")};
  }
  return kept;
}

void keep(RunContext& ctx, const Kept& kept) {
  nlohmann::json checked = nlohmann::json::object();
  for (const auto& [object, when] : kept.checked) checked[object] = format_datetime_iso(when);
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& [object, f] : kept.warnings) {
    warnings.push_back({{"object", object}, {"code", f.code}, {"message", f.message}, {"fix", f.fix}});
  }
  const std::string text = nlohmann::json{{"checked", checked}, {"warnings", warnings}}.dump();
  (void)ctx.writes.call([text](store::Store& st) { return st.put_meta(kVisibilityMetaKey, text); }, /*flush=*/true);
}

// Whether Salesforce must be asked again about `object`.
bool due(const RunContext& ctx, const Kept& kept, const std::string& object) {
  auto when = kept.checked.find(object);
  if (when == kept.checked.end() || when->second == 0) return true;
  const bool refreshed = std::any_of(ctx.options.full_refresh.begin(), ctx.options.full_refresh.end(),
                                     [&](const std::string& o) { return iequals(o, object); });
  const EpochMs reach = kept.warnings.contains(object) ? kVisibilityRecheckHiddenMs : kVisibilityRecheckMs;
  return refreshed || ctx.now() - when->second >= reach;
}

}  // namespace

std::map<std::string, check::Finding> check_visibility(RunContext& ctx, salesforce::Client& client,
                                                       const std::vector<std::string>& objects, std::int64_t& calls) {
  calls = 0;
  std::vector<std::string> names;  // the run's objects whose records are shared
  for (const auto& o : objects) {
    if (check::shares_records(o)) names.push_back(o);
  }
  if (names.empty()) return {};
  Kept kept = read_kept(ctx);
  const bool ask = std::any_of(names.begin(), names.end(), [&](const std::string& o) { return due(ctx, kept, o); });
  const bool stopped = ctx.options.interrupted && ctx.options.interrupted();
  if (ask && !stopped && ctx.quota.check(client.limits())) {
    const std::int64_t before = client.api_calls();
    auto findings = check::record_visibility(client, ctx.user_access(client), names);
    calls = client.api_calls() - before;
    ctx.quota.add_calls(calls);
    if (findings) {
      const EpochMs now = ctx.now();
      for (const auto& o : names) {
        kept.checked[o] = now;
        kept.warnings.erase(o);
      }
      for (auto& f : *findings) {
        if (f.severity != check::Severity::kInfo) kept.warnings[f.object] = std::move(f);
      }
      keep(ctx, kept);
    }
  }
  std::map<std::string, check::Finding> out;
  for (const auto& o : names) {
    if (auto it = kept.warnings.find(o); it != kept.warnings.end()) out.emplace(o, it->second);
  }
  return out;
}

void share_visibility_calls(RunContext& ctx, std::vector<ObjectReport>& reports, std::int64_t calls) {
  std::vector<ObjectReport*> checked;
  for (auto& r : reports) {
    // A skipped object has no state row to charge (the org lacks it).
    if (check::shares_records(r.object) && r.outcome != ObjectReport::Outcome::kSkipped) checked.push_back(&r);
  }
  if (calls <= 0 || checked.empty()) return;
  const auto n = static_cast<std::int64_t>(checked.size());
  std::map<std::string, std::int64_t> shares;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t share = calls / n + (k < calls % n ? 1 : 0);
    checked[static_cast<std::size_t>(k)]->api_calls += share;
    shares[checked[static_cast<std::size_t>(k)]->object] = share;
  }
  (void)ctx.writes.call(
      [shares](store::Store& st) -> Status {
        for (const auto& [object, share] : shares) {
          auto state = st.load_state(object);
          if (!state) return state.error();
          if (!*state || share == 0) continue;
          (*state)->api_calls += share;
          CRMSYNC_TRY(st.save_state(**state));
        }
        return ok_status();
      },
      /*flush=*/true);
}

}  // namespace crmsync::sync
