// The service data of the generated org: Case's permissions and zero to three cases per live
// account, owned by the account's owner, most of the older ones closed, some a child of the
// account's previous case. Generated after everything else from the same seed, so the sales data
// is what it was before the org had cases.
#include <algorithm>
#include <unordered_map>

#include "emulator/org/generate.h"

namespace crmsync::emulator {
namespace {

constexpr EpochMs kDay = 86400000;

const std::vector<std::string> kSubjects = {"Cannot log in to the portal", "Invoice shows the wrong amount",
                                            "Export to CSV times out", "Request for a training session",
                                            "Sync stopped after the upgrade", "Question about the renewal",
                                            "Dashboard is empty for one region", "Add five seats"};
const std::vector<std::string> kOrigins = {"Phone", "Email", "Web"};
const std::vector<std::string> kTypes = {"Mechanical", "Electrical", "Electronic", "Structural", "Other"};
const std::vector<std::string> kReasons = {"Installation", "Equipment Complexity", "Performance", "Breakdown",
                                           "Equipment Design", "Feedback", "Other"};
const std::vector<std::string> kPriorities = {"High", "Medium", "Medium", "Low"};
const std::vector<std::string> kStatuses = {"New", "Working", "Escalated", "Closed"};

const std::string* text(const Table& t, const Row& row, std::string_view field) {
  auto i = t.field_index(field);
  return i ? std::get_if<std::string>(&row[*i]) : nullptr;
}

bool deleted(const Table& t, const Row& row) {
  auto i = t.field_index("IsDeleted");
  const bool* b = i ? std::get_if<bool>(&row[*i]) : nullptr;
  return b != nullptr && *b;
}

// Live contacts by account Id.
std::unordered_map<std::string, std::vector<std::string>> contacts_by_account(const Database& db) {
  std::unordered_map<std::string, std::vector<std::string>> out;
  const Table& contacts = *db.find("Contact");
  for (std::size_t r = 0; r < contacts.slot_count(); ++r) {
    if (contacts.purged(r) || deleted(contacts, contacts.row(r))) continue;
    if (const auto* account = text(contacts, contacts.row(r), "AccountId")) {
      out[*account].push_back(std::get<std::string>(contacts.row(r)[0]));
    }
  }
  return out;
}

class CaseGenerator {
 public:
  explicit CaseGenerator(OrgContext& ctx)
      : ctx_(ctx), rng_(ctx.rng), case_(ctx.db, "Case"), number_(case_.table().field(*case_.table().field_index("CaseNumber"))) {}

  void run() {
    const Table& accounts = *ctx_.db.find("Account");
    const auto contacts = contacts_by_account(ctx_.db);
    const auto created = *accounts.field_index("CreatedDate");
    for (std::size_t r = 0; r < accounts.slot_count(); ++r) {
      const Row& account = accounts.row(r);
      if (accounts.purged(r) || deleted(accounts, account)) continue;
      const std::string& id = std::get<std::string>(account[0]);
      auto people = contacts.find(id);
      const int n = static_cast<int>(rng_.range(0, 3));
      std::string previous;
      for (int k = 0; k < n; ++k) {
        previous = one_case(id, *text(accounts, account, "OwnerId"), std::get<DateTime>(account[created]).ms,
                            people == contacts.end() ? nullptr : &people->second, previous);
      }
    }
  }

 private:
  std::string one_case(const std::string& account, const std::string& account_owner, EpochMs account_created,
                       const std::vector<std::string>* contacts, const std::string& previous) {
    // The account's owner, as for its contacts and deals: a case owned by someone else would give
    // that owner's managers implicit Read on the account and change who sees which account.
    const std::string& owner = account_owner;
    const EpochMs created = std::min(kOrgEpochEnd - kDay, ctx_.time_after(account_created));
    // Older cases are mostly closed; the last quarter's are in every state.
    const std::string& status = created < kOrgEpochEnd - 90 * kDay ? kStatuses[rng_.chance(85) ? 3 : 1] : rng_.pick(kStatuses);
    const std::string& origin = rng_.pick(kOrigins);
    const std::string id = case_.start();
    case_.set("CaseNumber", ctx_.db.next_auto_number(case_.table(), number_));
    case_.set("AccountId", account);
    if (contacts != nullptr && !contacts->empty()) case_.set("ContactId", rng_.pick(*contacts));
    if (!previous.empty() && rng_.chance(15)) case_.set("ParentId", previous);
    case_.set("Subject", rng_.pick(kSubjects));
    case_.set("Status", status);
    case_.set("Priority", rng_.pick(kPriorities));
    case_.set("Origin", origin);
    case_.set("Type", rng_.pick(kTypes));
    if (rng_.chance(70)) case_.set("Reason", rng_.pick(kReasons));
    if (origin == "Web") {
      case_.set("SuppliedName", std::string("Web visitor"));
      case_.set("SuppliedEmail", std::string("support.request@example.com"));
    }
    if (rng_.chance(40)) case_.set("Description", std::string("Reported by the customer; steps to reproduce attached."));
    case_.set("IsEscalated", status == "Escalated");
    case_.set("IsClosed", status == "Closed");
    case_.set("OwnerId", owner);
    ctx_.stamp(case_, created, owner);
    if (status == "Closed") case_.set("ClosedDate", case_.row()[*case_.table().field_index("LastModifiedDate")]);
    if (rng_.chance(2)) case_.set("IsDeleted", true);
    case_.insert();
    return id;
  }

  OrgContext& ctx_;
  Rng& rng_;
  RowBuilder case_;
  const FieldDef& number_;
};

}  // namespace

void generate_service_data(OrgContext& ctx) {
  grant_objects(ctx, {"Case"});
  CaseGenerator(ctx).run();
}

}  // namespace crmsync::emulator
