// org_offer: what the org offers to sync (crmsync catalog --org), from describeGlobal and each
// object's describe (25 describes per POST /composite, one API call each).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "salesforce/json_members.h"
#include "sync/sync.h"

namespace crmsync::sync {
namespace {

using salesforce::flag_member;
using salesforce::text_member;

bool configured_on(const config::Config& config, const std::string& name) {
  const std::vector<std::string> enabled = config.synced_objects();
  return std::any_of(enabled.begin(), enabled.end(), [&](const std::string& e) { return iequals(e, name); });
}

// Each field's support, as the sync would classify it; the modstamp field the sync would use.
void read_describe(const nlohmann::json& describe, OfferedObject& out) {
  auto fields = describe.find("fields");
  if (fields == describe.end() || !fields->is_array()) {
    out.describe_error = "describe has no fields";
    return;
  }
  for (const auto& f : *fields) {
    OfferedField field;
    field.name = text_member(f, "name");
    field.describe_type = text_member(f, "type");
    auto type = catalog::classify_for_sync(out.name, f);
    field.supported = type.ok();
    if (type) {
      field.catalog_type = catalog::to_string(*type);
    } else {
      field.reason = type.error().message;
    }
    out.fields.push_back(std::move(field));
  }
  for (auto candidate : catalog::kModstampCandidates) {
    auto found = std::find_if(out.fields.begin(), out.fields.end(),
                              [&](const OfferedField& f) { return iequals(f.name, candidate); });
    if (found != out.fields.end()) {
      out.modstamp_field = found->name;
      break;
    }
  }
}

// Describes `objects` (indexes into offer.objects) through composite requests of 25.
Status describe_all(salesforce::Client& client, OrgOffer& offer) {
  for (std::size_t begin = 0; begin < offer.objects.size(); begin += salesforce::kCompositeMaxSubrequests) {
    std::size_t end = std::min(offer.objects.size(), begin + salesforce::kCompositeMaxSubrequests);
    std::vector<salesforce::CompositeSubrequest> requests;
    for (std::size_t i = begin; i < end; ++i) {
      salesforce::CompositeSubrequest r;
      r.reference_id = "describe" + std::to_string(i);
      r.url = client.describe_path(offer.objects[i].name);
      requests.push_back(std::move(r));
    }
    auto results = client.composite(requests);
    if (!results) return results.error();
    for (std::size_t k = 0; k < results->size(); ++k) {
      OfferedObject& o = offer.objects[begin + k];
      const salesforce::CompositeResult& r = (*results)[k];
      if (r.ok()) {
        read_describe(r.body, o);
      } else {
        o.describe_error = salesforce::Client::composite_error(r, "describe " + o.name).to_string();
      }
    }
  }
  return ok_status();
}

}  // namespace

Result<OrgOffer> org_offer(salesforce::Client& client, const config::Config& config) {
  std::int64_t calls_before = client.api_calls();
  auto global = client.describe_global();
  if (!global) return global.error();
  OrgOffer offer;
  auto sobjects = global->find("sobjects");
  if (sobjects == global->end() || !sobjects->is_array()) {
    return Error(ErrorKind::kSalesforce, "MALFORMED_RESPONSE", "describeGlobal answered without an sobjects list");
  }
  for (const auto& o : *sobjects) {
    if (!flag_member(o, "queryable") || !flag_member(o, "replicateable")) {
      ++offer.left_out;
      continue;
    }
    OfferedObject object;
    object.name = text_member(o, "name");
    object.label = text_member(o, "label");
    object.custom = flag_member(o, "custom");
    if (const catalog::CatalogObject* c = catalog::find_object(object.name)) {
      object.name = c->name;
      object.catalog_group = catalog::to_string(c->group);
    }
    object.synced = configured_on(config, object.name);
    offer.objects.push_back(std::move(object));
  }
  CRMSYNC_TRY(describe_all(client, offer));
  offer.api_calls = client.api_calls() - calls_before;
  return offer;
}

}  // namespace crmsync::sync
