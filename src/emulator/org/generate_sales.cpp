// The sales data of the generated org, in realistic proportions per account: contacts, leads,
// opportunities with history, contact roles, splits, team members and line items, tasks, events,
// campaigns and their members. Values are deterministic for the seed.
#include <algorithm>
#include <cmath>

#include "common/sfid.h"
#include "emulator/org/generate.h"

namespace crmsync::emulator {
namespace {

constexpr EpochMs kDay = 86400000;

struct Name {
  const char* display;
  const char* ascii;
};

const std::vector<Name> kFirst = {
    {"James", "james"},   {"Mary", "mary"},       {"Robert", "robert"}, {"Patricia", "patricia"},
    {"Michael", "michael"}, {"Linda", "linda"},   {"David", "david"},   {"Elizabeth", "elizabeth"},
    {"José", "jose"},     {"Zoë", "zoe"},         {"François", "francois"}, {"Björn", "bjorn"},
    {"Ayşe", "ayse"},     {"Łukasz", "lukasz"},   {"Søren", "soren"},   {"Chloé", "chloe"},
    {"Hiroshi", "hiroshi"}, {"Yuki", "yuki"},     {"Aarav", "aarav"},   {"Fatima", "fatima"},
    {"Olga", "olga"},     {"Kwame", "kwame"},     {"Emma", "emma"},     {"Lucas", "lucas"}};
const std::vector<Name> kLast = {
    {"Smith", "smith"},     {"Johnson", "johnson"}, {"Brown", "brown"},   {"Müller", "mueller"},
    {"García", "garcia"},   {"Martínez", "martinez"}, {"Dubois", "dubois"}, {"Rossi", "rossi"},
    {"山田", "yamada"},     {"佐藤", "sato"},       {"Nguyen", "nguyen"}, {"Kowalski", "kowalski"},
    {"O'Connor", "oconnor"}, {"Schäfer", "schaefer"}, {"Østergaard", "ostergaard"}, {"Patel", "patel"},
    {"Andersson", "andersson"}, {"Novák", "novak"}, {"Silva", "silva"},   {"Kim", "kim"}};
const std::vector<Name> kCompanyWords = {
    {"Acme", "acme"},       {"Blue", "blue"},       {"Summit", "summit"}, {"Northwind", "northwind"},
    {"Granite", "granite"}, {"Vertex", "vertex"},   {"Harbor", "harbor"}, {"Pioneer", "pioneer"},
    {"Silver", "silver"},   {"Redwood", "redwood"}, {"Quantum", "quantum"}, {"Atlas", "atlas"},
    {"Cedar", "cedar"},     {"Orbit", "orbit"},     {"Falcon", "falcon"}, {"Maple", "maple"}};
const std::vector<Name> kCompanyNouns = {
    {"Systems", "systems"}, {"Logistics", "logistics"}, {"Health", "health"}, {"Foods", "foods"},
    {"Energy", "energy"},   {"Analytics", "analytics"}, {"Robotics", "robotics"}, {"Capital", "capital"},
    {"Media", "media"},     {"Pharma", "pharma"},   {"Motors", "motors"}, {"Software", "software"}};
const std::vector<std::string> kCompanySuffix = {"Inc.", "LLC", "GmbH", "Ltd", "S.A.", "Corp."};
const std::vector<Name> kUnicodeCompanies = {
    {"Café Lumière SARL", "cafe-lumiere"},     {"Müller Maschinenbau GmbH", "mueller-maschinenbau"},
    {"日本精密工業株式会社", "nihon-seimitsu"},  {"Émeraude Conseil", "emeraude-conseil"},
    {"🚀 Rocket Labs", "rocket-labs"},        {"Ångström Optics AB", "angstrom-optics"},
    {"Zürich Rückversicherung", "zurich-re"}, {"São Paulo Agro Ltda", "sp-agro"}};

struct City {
  const char* city;
  const char* state;
  const char* country;
  const char* postal;
  double lat;
  double lon;
};
const std::vector<City> kCities = {
    {"San Francisco", "CA", "United States", "94105", 37.7897, -122.3942},
    {"New York", "NY", "United States", "10013", 40.7209, -74.0007},
    {"Chicago", "IL", "United States", "60601", 41.8864, -87.6186},
    {"London", "", "United Kingdom", "EC2V 7HH", 51.5155, -0.0922},
    {"Paris", "", "France", "75002", 48.8679, 2.3417},
    {"München", "BY", "Germany", "80331", 48.1374, 11.5755},
    {"東京", "", "Japan", "100-0005", 35.6812, 139.7671},
    {"São Paulo", "SP", "Brazil", "01310-100", -23.5614, -46.6559},
    {"Sydney", "NSW", "Australia", "2000", -33.8688, 151.2093}};

const std::vector<std::string> kIndustries = {"Banking", "Biotechnology", "Construction", "Consulting",
                                              "Education", "Energy", "Finance", "Healthcare", "Insurance",
                                              "Manufacturing", "Media", "Retail", "Technology",
                                              "Telecommunications", "Transportation"};
const std::vector<std::string> kAccountTypes = {"Prospect", "Customer - Direct", "Customer - Channel",
                                                "Channel Partner / Reseller", "Technology Partner"};
const std::vector<std::string> kSources = {"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"};
const std::vector<std::string> kTitles = {"CEO", "CFO", "VP Operations", "Director of IT", "Procurement Manager",
                                          "Head of Sales", "Software Engineer", "Office Manager", "CTO",
                                          "Marketing Lead"};

struct Stage {
  const char* name;
  int probability;
  const char* forecast;       // ForecastCategory
  const char* forecast_name;  // ForecastCategoryName
  bool closed;
  bool won;
};
const std::vector<Stage> kStages = {
    {"Prospecting", 10, "Pipeline", "Pipeline", false, false},
    {"Qualification", 10, "Pipeline", "Pipeline", false, false},
    {"Needs Analysis", 20, "Pipeline", "Pipeline", false, false},
    {"Value Proposition", 50, "Pipeline", "Pipeline", false, false},
    {"Id. Decision Makers", 60, "Pipeline", "Pipeline", false, false},
    {"Perception Analysis", 70, "Pipeline", "Pipeline", false, false},
    {"Proposal/Price Quote", 75, "Pipeline", "Pipeline", false, false},
    {"Negotiation/Review", 90, "Pipeline", "Pipeline", false, false},
    {"Closed Won", 100, "Closed", "Closed", true, true},
    {"Closed Lost", 0, "Omitted", "Omitted", true, false}};

const std::vector<std::string> kProducts = {"Platform License", "Premium Support", "Implementation Services",
                                            "Training Package", "Analytics Add-on", "Data Connector",
                                            "Mobile Seats", "Sandbox Environment"};

// A description longer than the catalog's 10,000-character trim limit, with multi-byte text.
std::string long_description(const std::string& subject, Rng& rng) {
  static const char* kParagraphs[] = {
      "Quarterly business review notes: the customer renewed its commitment and asked for a roadmap "
      "session covering integrations, reporting and the data residency plan. ",
      "Follow-up: pricing for the expansion was shared; legal review is pending — Müller & Söhne "
      "handle procurement in Zürich. 日本チームとの打ち合わせは来週です。 ",
      "Risks: budget freeze in Q3, competing proposal from Globex, champion changing roles. "
      "Mitigation: exec sponsor call, café meeting with the CFO ☕, pilot extension. ",
  };
  std::string out = "Account history for " + subject + ".\n";
  while (out.size() < 10400 + static_cast<std::size_t>(rng.range(0, 2000))) {
    out += kParagraphs[rng.range(0, 2)];
    if (rng.chance(10)) out += "\n\n";
  }
  return out;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

class SalesGenerator {
 public:
  explicit SalesGenerator(OrgContext& ctx)
      : ctx_(ctx), rng_(ctx.rng), account_(ctx.db, "Account"), contact_(ctx.db, "Contact"), lead_(ctx.db, "Lead"),
        opp_(ctx.db, "Opportunity"), history_(ctx.db, "OpportunityHistory"),
        role_(ctx.db, "OpportunityContactRole"), split_(ctx.db, "OpportunitySplit"),
        team_(ctx.db, "OpportunityTeamMember"), item_(ctx.db, "OpportunityLineItem"), task_(ctx.db, "Task"),
        event_(ctx.db, "Event") {}

  void run() {
    stages();
    record_types();
    split_types();
    campaigns();
    for (int i = 0; i < ctx_.scale; ++i) one_account(i);
    campaign_members();
  }

 private:
  EpochMs soon_after(EpochMs t, int max_days) {
    EpochMs limit = std::min(kOrgEpochEnd - 1, t + max_days * kDay);
    return t + rng_.range(0, (limit - t) / 1000) * 1000;
  }
  const std::string& owner() { return rng_.pick(ctx_.sales_ids); }

  void stages() {
    RowBuilder b(ctx_.db, "OpportunityStage");
    for (std::size_t i = 0; i < kStages.size(); ++i) {
      const Stage& s = kStages[i];
      b.start();
      b.set("MasterLabel", std::string(s.name));
      b.set("ApiName", std::string(s.name));
      b.set("IsActive", true);
      b.set("SortOrder", static_cast<std::int64_t>(i + 1));
      b.set("IsClosed", s.closed);
      b.set("IsWon", s.won);
      b.set("ForecastCategory", std::string(s.forecast));
      b.set("ForecastCategoryName", std::string(s.forecast_name));
      b.set("DefaultProbability", static_cast<double>(s.probability));
      b.set("Description", std::string("Standard stage: ") + s.name);
      ctx_.stamp(b, kOrgEpochStart, ctx_.admin_id);
      b.insert();
    }
  }

  void record_types() {
    RowBuilder b(ctx_.db, "RecordType");
    struct Def { const char* object; const char* name; const char* dev; };
    const Def defs[] = {{"Opportunity", "New Business", "New_Business"}, {"Opportunity", "Renewal", "Renewal"},
                        {"Task", "Sales Task", "Sales_Task"},            {"Task", "Support Task", "Support_Task"},
                        {"Event", "Sales Meeting", "Sales_Meeting"},     {"Event", "Customer Visit", "Customer_Visit"}};
    for (const auto& d : defs) {
      const std::string& id = b.start();
      b.set("Name", std::string(d.name));
      b.set("DeveloperName", std::string(d.dev));
      b.set("SobjectType", std::string(d.object));
      b.set("IsActive", true);
      b.set("IsPersonType", false);
      b.set("Description", std::string(d.name) + " record type");
      ctx_.stamp(b, kOrgEpochStart, ctx_.admin_id);
      std::string object = d.object;
      (object == "Opportunity" ? opp_types_ : object == "Task" ? task_types_ : event_types_).push_back(id);
      b.insert();
    }
  }

  void split_types() {
    RowBuilder b(ctx_.db, "OpportunitySplitType");
    for (int i = 0; i < 2; ++i) {
      split_types_.push_back(b.start());
      b.set("DeveloperName", std::string(i == 0 ? "Revenue" : "Overlay"));
      b.set("MasterLabel", std::string(i == 0 ? "Revenue" : "Overlay"));
      b.set("SplitLabel", std::string(i == 0 ? "Revenue" : "Overlay"));
      b.set("Language", std::string("en_US"));
      b.set("SplitField", std::string(i == 0 ? "Amount" : "Overlay_Amount__c"));
      b.set("SplitEntity", std::string("Opportunity"));
      b.set("SplitDataStatus", std::string("Completed"));
      b.set("Description", std::string(i == 0 ? "Revenue credit, totals 100%" : "Overlay credit for specialists"));
      b.set("IsActive", true);
      b.set("IsTotalValidated", i == 0);
      ctx_.stamp(b, kOrgEpochStart, ctx_.admin_id);
      b.insert();
    }
  }

  void campaigns() {
    RowBuilder b(ctx_.db, "Campaign");
    const std::vector<std::string> types = {"Webinar", "Conference", "Email", "Trade Show", "Direct Mail"};
    const int count = std::max(3, ctx_.scale / 25);
    for (int i = 0; i < count; ++i) {
      const std::string& id = b.start();
      EpochMs created = kOrgEpochStart + rng_.range(0, (kOrgEpochEnd - kOrgEpochStart) / kDay - 60) * kDay;
      b.set("Name", rng_.pick(types) + " " + std::to_string(2024 + (created - kOrgEpochStart) / (365 * kDay)) +
                        " #" + std::to_string(i + 1));
      b.set("Type", rng_.pick(types));
      b.set("Status", std::string(created < kOrgEpochEnd - 120 * kDay ? "Completed" : "In Progress"));
      b.set("StartDate", Date{days_of(created) + 7});
      b.set("EndDate", Date{days_of(created) + 37});
      b.set("BudgetedCost", static_cast<double>(rng_.range(5, 80) * 1000));
      b.set("ActualCost", static_cast<double>(rng_.range(5, 80) * 1000));
      b.set("ExpectedRevenue", static_cast<double>(rng_.range(50, 900) * 1000));
      b.set("ExpectedResponse", static_cast<double>(rng_.range(1, 20)));
      b.set("NumberSent", static_cast<double>(rng_.range(100, 20000)));
      b.set("IsActive", created > kOrgEpochEnd - 200 * kDay);
      b.set("Description", std::string("Demand generation campaign"));
      if (i > 0 && rng_.chance(30)) b.set("ParentId", campaigns_[0]);
      b.set("OwnerId", owner());
      ctx_.stamp(b, created, owner());
      campaigns_.push_back(id);
      b.insert();
    }
  }

  struct Company {
    std::string name;
    std::string domain;
  };
  Company company(int i) {
    if (i % 17 == 5) {
      const Name& n = kUnicodeCompanies[static_cast<std::size_t>(i / 17) % kUnicodeCompanies.size()];
      return {n.display, std::string(n.ascii) + std::to_string(i) + ".example.com"};
    }
    const Name& w = rng_.pick(kCompanyWords);
    const Name& n = rng_.pick(kCompanyNouns);
    return {std::string(w.display) + " " + n.display + " " + rng_.pick(kCompanySuffix),
            std::string(w.ascii) + n.ascii + std::to_string(i) + ".example.com"};
  }

  void one_account(int i) {
    const Company co = company(i);
    const City& city = rng_.pick(kCities);
    const std::string& acct_owner = owner();
    EpochMs created = kOrgEpochStart + rng_.range(0, (kOrgEpochEnd - kOrgEpochStart) * 7 / 10 / 1000) * 1000;

    const std::string account_id = account_.start();
    account_.set("Name", co.name);
    account_.set("Type", rng_.pick(kAccountTypes));
    account_.set("Industry", rng_.pick(kIndustries));
    account_.set("AccountSource", rng_.pick(kSources));
    account_.set("AnnualRevenue", static_cast<double>(rng_.range(1, 5000) * 100000));
    account_.set("NumberOfEmployees", static_cast<std::int64_t>(rng_.range(5, 50000)));
    account_.set("Rating", std::string(rng_.chance(30) ? "Hot" : rng_.chance(50) ? "Warm" : "Cold"));
    account_.set("Ownership", std::string(rng_.chance(60) ? "Private" : "Public"));
    account_.set("Phone", "+1 (" + std::to_string(rng_.range(200, 989)) + ") 555-" + std::to_string(rng_.range(1000, 9999)));
    account_.set("Website", "https://www." + co.domain);
    account_.set("AccountNumber", "CD" + std::to_string(100000 + i));
    account_.set("BillingStreet", std::to_string(rng_.range(1, 999)) + " Market Street\nSuite " + std::to_string(rng_.range(100, 900)));
    account_.set("BillingCity", std::string(city.city));
    if (*city.state) account_.set("BillingState", std::string(city.state));
    account_.set("BillingPostalCode", std::string(city.postal));
    account_.set("BillingCountry", std::string(city.country));
    account_.set("BillingLatitude", std::round((city.lat + static_cast<double>(rng_.range(-500, 500)) / 10000.0) * 1e4) / 1e4);
    account_.set("BillingLongitude", std::round((city.lon + static_cast<double>(rng_.range(-500, 500)) / 10000.0) * 1e4) / 1e4);
    account_.set("BillingGeocodeAccuracy", std::string("Address"));
    account_.set("ShippingCity", std::string(city.city));
    account_.set("ShippingCountry", std::string(city.country));
    if (i % 25 == 3) {
      account_.set("Description", long_description(co.name, rng_));
    } else if (rng_.chance(60)) {
      account_.set("Description", co.name + " — " + rng_.pick(kIndustries) + " customer since " +
                                      format_date(days_of(created)) + ".");
    }
    if (rng_.chance(20)) account_.set("Account_Notes__c", "<p>Key contacts at <b>" + co.name + "</b></p>");
    if (i > 0 && rng_.chance(10)) account_.set("ParentId", accounts_[static_cast<std::size_t>(rng_.range(0, i - 1))]);
    account_.set("OwnerId", acct_owner);
    account_.set("LastActivityDate", Date{days_of(soon_after(created, 300))});
    ctx_.stamp(account_, created, acct_owner);
    if (rng_.chance(2)) account_.set("IsDeleted", true);
    account_.insert();
    accounts_.push_back(account_id);

    std::vector<std::string> contacts;
    const int n_contacts = static_cast<int>(rng_.range(2, 4));
    for (int c = 0; c < n_contacts; ++c) contacts.push_back(one_contact(account_id, co, city, acct_owner, created));
    const int n_leads = static_cast<int>(rng_.range(1, 3));
    for (int l = 0; l < n_leads; ++l) one_lead(i * 4 + l, created);

    std::vector<std::string> opps;
    const int n_opps = 1 + (rng_.chance(50) ? 1 : 0);
    for (int o = 0; o < n_opps; ++o) opps.push_back(one_opportunity(account_id, co, contacts, acct_owner, created));

    const int n_tasks = static_cast<int>(rng_.range(3, 4));
    for (int t = 0; t < n_tasks; ++t) {
      const std::string* who = rng_.chance(80) ? &rng_.pick(contacts) : nullptr;
      const std::string& what = opps.empty() || rng_.chance(50) ? account_id : rng_.pick(opps);
      one_task(who, &what, &account_id, acct_owner, created);
    }
    const int n_events = static_cast<int>(rng_.range(1, 3));
    for (int e = 0; e < n_events; ++e) {
      const std::string& what = opps.empty() || rng_.chance(50) ? account_id : rng_.pick(opps);
      one_event(&rng_.pick(contacts), &what, &account_id, acct_owner, created);
    }
  }

  std::string one_contact(const std::string& account_id, const Company& co, const City& city,
                          const std::string& acct_owner, EpochMs account_created) {
    const Name& first = rng_.pick(kFirst);
    const Name& last = rng_.pick(kLast);
    const std::string id = contact_.start();
    EpochMs created = soon_after(account_created, 60);
    contact_.set("AccountId", account_id);
    contact_.set("FirstName", std::string(first.display));
    contact_.set("LastName", std::string(last.display));
    contact_.set("Name", std::string(first.display) + " " + last.display);
    contact_.set("Salutation", std::string(rng_.chance(50) ? "Mr." : "Ms."));
    contact_.set("Email", std::string(first.ascii) + "." + last.ascii + "@" + co.domain);
    contact_.set("Title", rng_.pick(kTitles));
    contact_.set("Department", std::string(rng_.chance(50) ? "Operations" : "Finance"));
    contact_.set("Phone", "+1 (" + std::to_string(rng_.range(200, 989)) + ") 555-" + std::to_string(rng_.range(1000, 9999)));
    if (rng_.chance(70)) contact_.set("MobilePhone", "+1 (" + std::to_string(rng_.range(200, 989)) + ") 555-" + std::to_string(rng_.range(1000, 9999)));
    contact_.set("LeadSource", rng_.pick(kSources));
    contact_.set("Birthdate", Date{static_cast<EpochDays>(rng_.range(-3650, 10950))});
    contact_.set("MailingCity", std::string(city.city));
    contact_.set("MailingCountry", std::string(city.country));
    contact_.set("MailingPostalCode", std::string(city.postal));
    if (rng_.chance(2)) {
      contact_.set("Description", long_description(std::string(first.display) + " " + last.display, rng_));
    } else if (rng_.chance(30)) {
      contact_.set("Description", std::string("Met at the annual conference; prefers email."));
    }
    contact_.set("OwnerId", acct_owner);
    contact_.set("HasOptedOutOfEmail", rng_.chance(5));
    contact_.set("DoNotCall", rng_.chance(3));
    contact_.set("IsEmailBounced", false);
    contact_.set("LastActivityDate", Date{days_of(soon_after(created, 200))});
    ctx_.stamp(contact_, created, acct_owner);
    if (rng_.chance(2)) contact_.set("IsDeleted", true);
    contact_.insert();
    all_contacts_.push_back(id);
    return id;
  }

  void one_lead(int n, EpochMs near) {
    const Name& first = rng_.pick(kFirst);
    const Name& last = rng_.pick(kLast);
    const Company co = company(n + 1000003);
    const std::string id = lead_.start();
    EpochMs created = soon_after(near, 90);
    const std::string& lead_owner = owner();
    lead_.set("FirstName", std::string(first.display));
    lead_.set("LastName", std::string(last.display));
    lead_.set("Name", std::string(first.display) + " " + last.display);
    lead_.set("Company", co.name);
    lead_.set("Email", std::string(first.ascii) + "." + last.ascii + "@" + co.domain);
    lead_.set("Title", rng_.pick(kTitles));
    lead_.set("Phone", "+44 20 7946 " + std::to_string(rng_.range(1000, 9999)));
    if (rng_.chance(50)) lead_.set("MobilePhone", "+44 7700 900" + std::to_string(rng_.range(100, 999)));
    lead_.set("LeadSource", rng_.pick(kSources));
    static const std::vector<std::string> statuses = {"Open - Not Contacted", "Working - Contacted",
                                                      "Closed - Not Converted"};
    lead_.set("Status", rng_.pick(statuses));
    lead_.set("Industry", rng_.pick(kIndustries));
    lead_.set("Rating", std::string(rng_.chance(30) ? "Hot" : "Warm"));
    lead_.set("NumberOfEmployees", static_cast<std::int64_t>(rng_.range(1, 2000)));
    lead_.set("OwnerId", lead_owner);
    lead_.set("IsConverted", false);
    lead_.set("IsUnreadByOwner", rng_.chance(20));
    lead_.set("HasOptedOutOfEmail", false);
    lead_.set("DoNotCall", false);
    ctx_.stamp(lead_, created, lead_owner);
    if (rng_.chance(2)) lead_.set("IsDeleted", true);
    lead_.insert();
    all_leads_.push_back(id);
    if (rng_.chance(33)) one_task(&all_leads_.back(), nullptr, nullptr, lead_owner, created);
  }

  struct LineItem {
    std::size_t product;
    double quantity;
    double unit_price;
    double list_price;
  };

  std::string one_opportunity(const std::string& account_id, const Company& co,
                              const std::vector<std::string>& contacts, const std::string& opp_owner,
                              EpochMs account_created) {
    EpochMs created = soon_after(account_created, 200);
    const std::size_t stage_index = rng_.chance(40) ? (rng_.chance(55) ? 8 : 9) : static_cast<std::size_t>(rng_.range(0, 7));
    const Stage& stage = kStages[stage_index];

    std::vector<LineItem> items;
    double amount = 0;
    const int n_items = static_cast<int>(rng_.range(1, 3));
    for (int k = 0; k < n_items; ++k) {
      LineItem li{static_cast<std::size_t>(rng_.range(0, static_cast<std::int64_t>(kProducts.size()) - 1)),
                  static_cast<double>(rng_.range(1, 50)), 0, 0};
      li.list_price = static_cast<double>(rng_.range(10, 500) * 10);
      li.unit_price = round2(li.list_price * (1.0 - static_cast<double>(rng_.range(0, 20)) / 100.0));
      amount += round2(li.quantity * li.unit_price);
      items.push_back(li);
    }
    amount = round2(amount);
    const EpochDays close = days_of(created) + static_cast<EpochDays>(rng_.range(20, 200));

    const std::string id = opp_.start();
    opp_.set("AccountId", account_id);
    opp_.set("RecordTypeId", opp_types_[rng_.chance(70) ? 0 : 1]);
    opp_.set("IsPrivate", false);
    opp_.set("Name", co.name + " - " + kProducts[items[0].product]);
    opp_.set("StageName", std::string(stage.name));
    opp_.set("Amount", amount);
    opp_.set("Probability", static_cast<double>(stage.probability));
    opp_.set("ExpectedRevenue", round2(amount * stage.probability / 100.0));
    opp_.set("TotalOpportunityQuantity", static_cast<double>(n_items));
    opp_.set("CloseDate", Date{close});
    static const std::vector<std::string> types = {"New Customer", "Existing Customer - Upgrade",
                                                   "Existing Customer - Replacement"};
    opp_.set("Type", rng_.pick(types));
    opp_.set("NextStep", std::string(stage.closed ? "Handover to success" : "Schedule demo with stakeholders"));
    opp_.set("LeadSource", rng_.pick(kSources));
    opp_.set("IsClosed", stage.closed);
    opp_.set("IsWon", stage.won);
    opp_.set("ForecastCategory", std::string(stage.forecast));
    opp_.set("ForecastCategoryName", std::string(stage.forecast_name));
    opp_.set("HasOpportunityLineItem", true);
    opp_.set("HasOpenActivity", !stage.closed);
    opp_.set("HasOverdueTask", false);
    opp_.set("Pricebook2Id", make_sf_id("01s", 1));
    if (!campaigns_.empty() && rng_.chance(20)) opp_.set("CampaignId", rng_.pick(campaigns_));
    if (rng_.chance(30)) opp_.set("Competitors__c", std::string(rng_.chance(50) ? "Acme;Globex" : "Initech"));
    if (rng_.chance(2)) {
      opp_.set("Description", long_description(co.name, rng_));
    } else if (rng_.chance(50)) {
      opp_.set("Description", std::string("Budget confirmed; decision expected before the close date."));
    }
    const std::string close_text = format_date(close);
    const int year = std::stoi(close_text.substr(0, 4));
    const int quarter = (std::stoi(close_text.substr(5, 2)) - 1) / 3 + 1;
    opp_.set("FiscalYear", static_cast<std::int64_t>(year));
    opp_.set("FiscalQuarter", static_cast<std::int64_t>(quarter));
    opp_.set("Fiscal", std::to_string(year) + " " + std::to_string(quarter));
    opp_.set("OwnerId", opp_owner);
    ctx_.stamp(opp_, created, opp_owner);
    if (rng_.chance(2)) opp_.set("IsDeleted", true);
    opp_.insert();

    opportunity_history(id, stage_index, amount, close, opp_owner, created);
    contact_roles(id, contacts, opp_owner, created);
    splits_and_team(id, amount, opp_owner, created);
    for (std::size_t k = 0; k < items.size(); ++k) {
      const LineItem& li = items[k];
      item_.start();
      item_.set("OpportunityId", id);
      item_.set("SortOrder", static_cast<std::int64_t>(k + 1));
      item_.set("Product2Id", make_sf_id("01t", li.product + 1));
      item_.set("PricebookEntryId", make_sf_id("01u", li.product + 1));
      item_.set("ProductCode", "PRD-" + std::to_string(100 + li.product));
      item_.set("Name", co.name + " - " + kProducts[items[0].product] + " " + kProducts[li.product]);
      item_.set("Quantity", li.quantity);
      item_.set("UnitPrice", li.unit_price);
      item_.set("ListPrice", li.list_price);
      item_.set("TotalPrice", round2(li.quantity * li.unit_price));
      item_.set("ServiceDate", Date{close});
      ctx_.stamp(item_, created, opp_owner);
      item_.insert();
    }
    return id;
  }

  void opportunity_history(const std::string& opp_id, std::size_t stage_index, double amount, EpochDays close,
                           const std::string& by, EpochMs created) {
    const int rows = static_cast<int>(rng_.range(2, 4));
    std::size_t stage = 0;
    EpochMs t = created;
    double prev_amount = 0;
    for (int r = 0; r < rows; ++r) {
      if (r == rows - 1) stage = stage_index;
      else if (r > 0) stage = std::min<std::size_t>(stage + static_cast<std::size_t>(rng_.range(1, 2)), 7);
      const Stage& s = kStages[stage];
      const double a = r == rows - 1 ? amount : round2(amount * static_cast<double>(rng_.range(70, 110)) / 100.0);
      history_.start();
      history_.set("OpportunityId", opp_id);
      history_.set("StageName", std::string(s.name));
      history_.set("Amount", a);
      history_.set("ExpectedRevenue", round2(a * s.probability / 100.0));
      history_.set("CloseDate", Date{close});
      history_.set("Probability", static_cast<double>(s.probability));
      history_.set("ForecastCategory", std::string(s.forecast));
      if (r > 0) history_.set("PrevAmount", prev_amount);
      history_.set("CreatedById", by);
      history_.set("CreatedDate", DateTime{t});
      history_.set("SystemModstamp", DateTime{t});
      history_.set("IsDeleted", false);
      history_.insert();
      prev_amount = a;
      t = soon_after(t, 30);
    }
  }

  void contact_roles(const std::string& opp_id, const std::vector<std::string>& contacts, const std::string& by,
                     EpochMs created) {
    static const std::vector<std::string> roles = {"Decision Maker", "Economic Buyer", "Evaluator",
                                                   "Technical Buyer", "Influencer", "Executive Sponsor"};
    const std::size_t n = std::min<std::size_t>(contacts.size(), static_cast<std::size_t>(rng_.range(1, 2)));
    for (std::size_t k = 0; k < n; ++k) {
      role_.start();
      role_.set("OpportunityId", opp_id);
      role_.set("ContactId", contacts[k]);
      role_.set("Role", rng_.pick(roles));
      role_.set("IsPrimary", k == 0);
      ctx_.stamp(role_, soon_after(created, 10), by);
      role_.insert();
    }
  }

  void splits_and_team(const std::string& opp_id, double amount, const std::string& opp_owner, EpochMs created) {
    static const std::vector<std::string> roles = {"Pre-Sales Consultant", "Sales Manager", "Executive Sponsor"};
    auto member = [&](const std::string& user, const std::string& role, const std::string& access) {
      team_.start();
      team_.set("OpportunityId", opp_id);
      team_.set("UserId", user);
      team_.set("TeamMemberRole", role);
      team_.set("OpportunityAccessLevel", access);
      team_.set("Title", std::string(role == "Sales Rep" ? "Account Executive" : role));
      ctx_.stamp(team_, created, opp_owner);
      team_.insert();
    };
    auto split = [&](const std::string& user, std::size_t type, double percent) {
      split_.start();
      split_.set("OpportunityId", opp_id);
      split_.set("SplitOwnerId", user);
      split_.set("SplitPercentage", percent);
      split_.set("SplitTypeId", split_types_[type]);
      split_.set("SplitAmount", round2(amount * percent / 100.0));
      split_.set("HasOpportunityLineItemSplit", false);
      ctx_.stamp(split_, created, opp_owner);
      split_.insert();
    };
    member(opp_owner, "Sales Rep", "All");
    split(opp_owner, 0, 100.0);
    if (rng_.chance(40)) {
      const std::string& other = owner();
      if (other != opp_owner) {
        member(other, rng_.pick(roles), "Edit");
        split(other, 1, 50.0);
      }
    }
  }

  bool archived(EpochDays activity, bool closed) const {
    return closed && activity < days_of(kOrgEpochEnd) - 365;
  }

  void one_task(const std::string* who, const std::string* what, const std::string* account, const std::string& by,
                EpochMs near) {
    static const std::vector<std::string> subjects = {"Call", "Send Quote", "Follow up on proposal", "Send Letter",
                                                      "Email: pricing questions", "Prepare QBR deck"};
    static const std::vector<std::string> types = {"Call", "Email", "Meeting", "Other"};
    EpochMs created = soon_after(near, 365);
    const EpochDays due = days_of(created) + static_cast<EpochDays>(rng_.range(0, 14));
    const bool done = due < days_of(kOrgEpochEnd) - 7 ? rng_.chance(85) : rng_.chance(20);
    const std::string& type = rng_.pick(types);
    task_.start();
    task_.set("RecordTypeId", task_types_[rng_.chance(80) ? 0 : 1]);
    if (who) task_.set("WhoId", *who);
    if (what) task_.set("WhatId", *what);
    if (account) task_.set("AccountId", *account);
    task_.set("Subject", rng_.pick(subjects));
    task_.set("ActivityDate", Date{due});
    task_.set("Status", std::string(done ? "Completed" : rng_.chance(50) ? "Not Started" : "In Progress"));
    const bool high = rng_.chance(15);
    task_.set("Priority", std::string(high ? "High" : "Normal"));
    task_.set("IsHighPriority", high);
    task_.set("OwnerId", by);
    task_.set("Type", type);
    task_.set("IsClosed", done);
    task_.set("IsArchived", archived(due, done));
    task_.set("TaskSubtype", std::string(type == "Call" ? "Call" : type == "Email" ? "Email" : "Task"));
    if (type == "Call") {
      task_.set("CallDurationInSeconds", static_cast<std::int64_t>(rng_.range(30, 3600)));
      task_.set("CallType", std::string("Outbound"));
      task_.set("CallDisposition", std::string(rng_.chance(60) ? "Connected" : "Left voicemail"));
    }
    if (rng_.chance(1)) {
      task_.set("Description", long_description("task", rng_));
    } else if (rng_.chance(50)) {
      task_.set("Description", std::string("Discussed next steps; customer asked for a revised quote."));
    }
    const bool reminder = !done && rng_.chance(30);
    task_.set("IsReminderSet", reminder);
    if (reminder) task_.set("ReminderDateTime", DateTime{static_cast<EpochMs>(due) * kDay + 9 * 3600000});
    task_.set("IsRecurrence", false);
    if (done) task_.set("CompletedDateTime", DateTime{std::max(created, static_cast<EpochMs>(due) * kDay)});
    task_.set("WhoCount", static_cast<std::int64_t>(who ? 1 : 0));
    task_.set("WhatCount", static_cast<std::int64_t>(what ? 1 : 0));
    ctx_.stamp(task_, created, by);
    if (rng_.chance(2)) task_.set("IsDeleted", true);
    task_.insert();
  }

  void one_event(const std::string* who, const std::string* what, const std::string* account, const std::string& by,
                 EpochMs near) {
    static const std::vector<std::string> subjects = {"Meeting", "Demo", "Onsite workshop", "Quarterly review",
                                                      "Lunch with the buying committee"};
    EpochMs created = soon_after(near, 365);
    const EpochMs start = (created / 3600000 + rng_.range(24, 24 * 30)) * 3600000;
    const std::int64_t minutes = 30 * rng_.range(1, 4);
    const EpochMs end = start + minutes * 60000;
    event_.start();
    event_.set("RecordTypeId", event_types_[rng_.chance(70) ? 0 : 1]);
    if (who) event_.set("WhoId", *who);
    if (what) event_.set("WhatId", *what);
    if (account) event_.set("AccountId", *account);
    event_.set("Subject", rng_.pick(subjects));
    event_.set("Location", std::string(rng_.chance(50) ? "Zoom" : "Customer office"));
    event_.set("IsAllDayEvent", false);
    event_.set("ActivityDateTime", DateTime{start});
    event_.set("ActivityDate", Date{days_of(start)});
    event_.set("DurationInMinutes", minutes);
    event_.set("StartDateTime", DateTime{start});
    event_.set("EndDateTime", DateTime{end});
    event_.set("EndDate", Date{days_of(end)});
    if (rng_.chance(50)) event_.set("Description", std::string("Agenda: goals, current process, demo, next steps."));
    event_.set("OwnerId", by);
    event_.set("Type", std::string("Meeting"));
    event_.set("IsPrivate", false);
    event_.set("ShowAs", std::string("Busy"));
    event_.set("IsChild", false);
    event_.set("IsGroupEvent", false);
    event_.set("IsArchived", archived(days_of(start), true));
    event_.set("IsReminderSet", false);
    event_.set("EventSubtype", std::string("Event"));
    event_.set("IsRecurrence2", false);
    ctx_.stamp(event_, created, by);
    if (rng_.chance(2)) event_.set("IsDeleted", true);
    event_.insert();
  }

  void campaign_members() {
    RowBuilder b(ctx_.db, "CampaignMember");
    Table& contacts = *ctx_.db.find("Contact");
    Table& leads = *ctx_.db.find("Lead");
    const int count = ctx_.scale / 2 + 5;
    for (int i = 0; i < count && !all_contacts_.empty() && !all_leads_.empty(); ++i) {
      const bool is_contact = rng_.chance(60);
      const std::string& person = is_contact ? rng_.pick(all_contacts_) : rng_.pick(all_leads_);
      const Table& t = is_contact ? contacts : leads;
      const Row& p = t.row(*t.find(person));
      const std::string first = std::get<std::string>(p[*t.field_index("FirstName")]);
      const std::string last = std::get<std::string>(p[*t.field_index("LastName")]);
      const bool responded = rng_.chance(30);
      b.start();
      b.set("CampaignId", rng_.pick(campaigns_));
      b.set(is_contact ? "ContactId" : "LeadId", person);
      b.set("LeadOrContactId", person);
      b.set("Type", std::string(is_contact ? "Contact" : "Lead"));
      b.set("Status", std::string(responded ? "Responded" : "Sent"));
      b.set("HasResponded", responded);
      b.set("FirstName", first);
      b.set("LastName", last);
      b.set("Name", first + " " + last);
      const std::string& by = owner();
      EpochMs created = kOrgEpochStart + rng_.range(0, (kOrgEpochEnd - kOrgEpochStart) / 1000 - 1) * 1000;
      if (responded) b.set("FirstRespondedDate", Date{days_of(created)});
      ctx_.stamp(b, created, by);
      b.insert();
    }
  }

  OrgContext& ctx_;
  Rng& rng_;
  RowBuilder account_, contact_, lead_, opp_, history_, role_, split_, team_, item_, task_, event_;
  std::vector<std::string> opp_types_, task_types_, event_types_, split_types_, campaigns_;
  std::vector<std::string> accounts_, all_contacts_, all_leads_;
};

}  // namespace

void generate_sales_data(OrgContext& ctx) { SalesGenerator(ctx).run(); }

}  // namespace crmsync::emulator
