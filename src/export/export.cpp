// One `crmsync export` run: input, matching, describe check, crash recovery, planning, writing.
#include "export/export.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <thread>

#include "check/check.h"
#include "common/json.h"
#include "common/sfid.h"
#include "common/text.h"
#include "export/record.h"
#include "salesforce/collections.h"
#include "salesforce/json_members.h"

namespace crmsync::exports {

namespace {

using nlohmann::json;
using salesforce::Collections;
using salesforce::RecordResult;
using store::ExportLedgerEntry;

std::size_t kind_index(ActivityKind k) { return k == ActivityKind::kCall ? 0 : k == ActivityKind::kMeeting ? 1 : 2; }

struct Write {
  const Activity* activity = nullptr;
  Action action = Action::kCreate;
  json fields;  // full record (nulls included)
  std::string hash;
  std::string salesforce_id;   // known record (update, delete)
  std::string previous_hash;   // the ledger's, kept when an update fails
};

class Run {
 public:
  Run(const config::Config& config, salesforce::Client* client, store::Store& store, const ExportOptions& options,
      ExportReport& report)
      : config_(config), client_(client), store_(store), options_(options), report_(report),
        sobject_(sobject_for(config.exports)) {}

  Status recover_pending(std::map<std::string, ExportLedgerEntry>& ledger);
  Status find_pending_deletes(std::map<std::string, ExportLedgerEntry>& ledger, const std::vector<Activity>& activities);
  Status write_all(std::vector<Write>& writes);

 private:
  enum class Op { kCreate, kUpdate, kUpsert, kDelete };
  Status run_batch(Op op, std::vector<Write*> batch, Collections& collections);
  Status put(const Write& w, const std::string& state, const std::string& operation, const std::string& id,
             const std::string& hash);

  const config::Config& config_;
  salesforce::Client* client_;
  store::Store& store_;
  const ExportOptions& options_;
  ExportReport& report_;
  std::string sobject_;
};

// Whether a refusal names TaskSubtype / EventSubtype (settable on create only).
bool names_subtype(const salesforce::RecordError& e) {
  for (const std::string& f : e.fields) {
    if (f == "TaskSubtype" || f == "EventSubtype") return true;
  }
  return e.message.find("TaskSubtype") != std::string::npos || e.message.find("EventSubtype") != std::string::npos;
}

const char* op_name(int op) {
  static const char* kNames[] = {"create", "update", "upsert", "delete"};
  return kNames[op];
}

// Runs `soql` (every page) and calls on_record with each record's Id and the text of `field` ("" when
// null). An Id that is not a Salesforce record id or a field that is not text is an error naming it:
// a recovery must not record a record it cannot name.
Status for_each_record(salesforce::Client& client, const std::string& soql, const std::string& field,
                       const std::function<void(const std::string& id, const std::string& value)>& on_record) {
  auto page = client.query(soql, /*include_deleted=*/false);
  for (;;) {
    if (!page) return page.error();
    json body = parse_json(page->body);
    auto records = salesforce::JsonMembers(body, "query " + soql).array("records");
    if (!records) return records.error();
    for (std::size_t k = 0; k < (*records)->size(); ++k) {
      salesforce::JsonMembers record((**records)[k], "query " + soql + " (record " + std::to_string(k + 1) + ")");
      auto id = record.text("Id");
      if (!id) return id.error();
      if (!is_sf_id(*id)) return record.malformed("\"Id\" \"" + std::string(utf8_prefix(*id, 40)) + "\" is not a record id");
      auto value = record.text_or(field, "");
      if (!value) return value.error();
      on_record(*id, *value);
    }
    if (page->done) return ok_status();
    page = client.query_more(page->next_records_url);
  }
}

// Rows left "pending" by a create that may have reached Salesforce before the run died: find the
// records by the marker line of their Description, created by this user since shortly before the
// earliest pending row (15 minutes of slack for clock skew).
Status Run::recover_pending(std::map<std::string, ExportLedgerEntry>& ledger) {
  EpochMs since = 0;
  std::size_t pending = 0;
  for (const auto& [id, row] : ledger) {
    if (row.state != "pending" || !row.salesforce_id.empty() || row.sobject != sobject_) continue;
    since = pending == 0 ? row.updated_at : std::min(since, row.updated_at);
    ++pending;
  }
  if (pending == 0) return ok_status();
  std::string soql = "SELECT Id, Description FROM " + sobject_ + " WHERE CreatedById = '" + client_->user_id() +
                     "' AND CreatedDate >= " + format_datetime_soql(since - 15 * 60 * 1000) + " ORDER BY Id";
  return for_each_record(*client_, soql, "Description", [&](const std::string& id, const std::string& description) {
    std::string activity = marker_in(description);
    auto it = ledger.find(activity);
    if (activity.empty() || it == ledger.end() || it->second.state != "pending" || !it->second.salesforce_id.empty()) {
      return;
    }
    it->second.salesforce_id = id;
    it->second.content_hash.clear();  // rewrite it once so the record holds exactly this run's values
    ++report_.recovered;
  });
}

// A SOQL string literal.
std::string soql_string(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// With an external-id field: activities now deleted whose create (an upsert) a crashed run sent
// without recording the answer ("pending", no Salesforce Id). Upserts need no recovery, but a
// delete needs the Id: the records are looked up by the field, one query per 200 activities, so
// that a record that did reach Salesforce is deleted rather than left behind.
Status Run::find_pending_deletes(std::map<std::string, ExportLedgerEntry>& ledger,
                                 const std::vector<Activity>& activities) {
  const std::string& field = config_.exports.external_id_field;
  std::vector<std::string> wanted;
  for (const Activity& a : activities) {
    if (a.status != ActivityStatus::kDeleted) continue;
    auto it = ledger.find(a.id);
    if (it == ledger.end() || it->second.state != "pending" || !it->second.salesforce_id.empty() ||
        it->second.sobject != sobject_) {
      continue;
    }
    wanted.push_back(a.id);
  }
  for (std::size_t from = 0; from < wanted.size(); from += 200) {
    std::string list;
    for (std::size_t i = from; i < std::min(wanted.size(), from + 200); ++i) {
      list += (list.empty() ? "" : ", ") + soql_string(wanted[i]);
    }
    CRMSYNC_TRY(for_each_record(*client_,
                                "SELECT Id, " + field + " FROM " + sobject_ + " WHERE " + field + " IN (" + list + ")",
                                field, [&](const std::string& id, const std::string& key) {
                                  auto it = ledger.find(key);
                                  if (it == ledger.end() || !it->second.salesforce_id.empty()) return;
                                  it->second.salesforce_id = id;
                                  ++report_.recovered;
                                }));
  }
  return ok_status();
}

Status Run::put(const Write& w, const std::string& state, const std::string& operation, const std::string& id,
                const std::string& hash) {
  return store_.put_export_ledger(
      ExportLedgerEntry{w.activity->id, sobject_, id, hash, state, operation, w.activity->id, now_ms()});
}

Status Run::run_batch(Op op, std::vector<Write*> batch, Collections& collections) {
  const std::string operation = op_name(static_cast<int>(op));
  // The intent first: a crash from here on leaves "pending" rows the next run resolves.
  CRMSYNC_TRY(store_.begin());
  for (const Write* w : batch) {
    Status s = put(*w, "pending", operation, w->salesforce_id, w->hash);
    if (!s) {
      (void)store_.rollback();
      return s;
    }
  }
  CRMSYNC_TRY(store_.commit());

  for (int attempt = 1; !batch.empty(); ++attempt) {
    std::vector<json> records;
    std::vector<std::string> ids;
    for (const Write* w : batch) {
      if (op == Op::kDelete) {
        ids.push_back(w->salesforce_id);
      } else if (op == Op::kUpdate) {
        json f = update_fields(w->fields, sobject_);
        f["Id"] = w->salesforce_id;
        records.push_back(std::move(f));
      } else if (op == Op::kUpsert) {
        records.push_back(w->action == Action::kCreate ? create_fields(w->fields) : update_fields(w->fields, sobject_));
      } else {
        records.push_back(create_fields(w->fields));
      }
    }
    ++report_.write_calls;
    report_.records_sent += static_cast<std::int64_t>(batch.size());
    Result<std::vector<RecordResult>> results =
        op == Op::kCreate   ? collections.create(sobject_, records)
        : op == Op::kUpdate ? collections.update(sobject_, records)
        : op == Op::kUpsert ? collections.upsert(sobject_, config_.exports.external_id_field, records)
                            : collections.remove(sobject_, ids);
    if (!results) {
      if (is_quota_stop(results.error())) {
        report_.paused = true;
        report_.pause_message = results.error().code + ": " + results.error().message;
        return ok_status();  // the rows stay "pending"; the next run resolves them
      }
      return results.error();
    }

    std::vector<Write*> again;
    bool pause = false;  // a retryable refusal: give the server a moment
    CRMSYNC_TRY(store_.begin());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Write& w = *batch[i];
      const RecordResult& r = (*results)[i];
      const std::string code = r.errors.empty() ? "" : r.errors.front().status_code;
      Status s;
      if (r.success || (op == Op::kDelete && code == "ENTITY_IS_DELETED")) {
        if (op == Op::kDelete) {
          ++report_.counts.deleted;
          s = put(w, "deleted", operation, w.salesforce_id, w.hash);
        } else {
          bool created = op == Op::kCreate || (op == Op::kUpsert && r.created);
          ++(created ? report_.counts.created : report_.counts.updated);
          s = put(w, "written", operation, r.id.empty() ? w.salesforce_id : r.id, w.hash);
        }
      } else if (salesforce::is_retryable(code) && attempt < options_.max_attempts) {
        again.push_back(&w);
        pause = true;
      } else if (op == Op::kUpsert && w.action == Action::kCreate && code == "INVALID_FIELD_FOR_INSERT_UPDATE" &&
                 names_subtype(r.errors.front()) && attempt < options_.max_attempts) {
        // The upsert found a record the ledger did not know (a crashed run's, or another store's):
        // it is an update, and the subtype can only be set on create. Sent again without it.
        w.action = Action::kUpdate;
        again.push_back(&w);
      } else {
        ++report_.counts.failed;
        report_.failures.push_back({w.activity->id, w.activity->line, operation, code,
                                    r.errors.empty() ? "" : r.errors.front().message});
        s = put(w, "failed", operation, w.salesforce_id, w.previous_hash);
      }
      if (!s) {
        (void)store_.rollback();
        return s;
      }
    }
    CRMSYNC_TRY(store_.commit());
    batch = std::move(again);
    if (pause) std::this_thread::sleep_for(std::chrono::milliseconds(options_.retry_delay_ms * attempt));
  }
  return ok_status();
}

Status Run::write_all(std::vector<Write>& writes) {
  Collections collections(*client_);
  const bool upsert = !config_.exports.external_id_field.empty();
  auto run = [&](Op op, auto&& wanted) -> Status {
    std::vector<Write*> batch;
    for (Write& w : writes) {
      if (!wanted(w)) continue;
      batch.push_back(&w);
      if (report_.paused) return ok_status();
      if (batch.size() == options_.batch_size) {
        CRMSYNC_TRY(run_batch(op, std::move(batch), collections));
        batch.clear();
      }
    }
    if (!batch.empty() && !report_.paused) CRMSYNC_TRY(run_batch(op, std::move(batch), collections));
    return ok_status();
  };
  if (upsert) {
    CRMSYNC_TRY(run(Op::kUpsert, [](const Write& w) { return w.action == Action::kCreate || w.action == Action::kUpdate; }));
  } else {
    CRMSYNC_TRY(run(Op::kCreate, [](const Write& w) { return w.action == Action::kCreate; }));
    CRMSYNC_TRY(run(Op::kUpdate, [](const Write& w) { return w.action == Action::kUpdate; }));
  }
  CRMSYNC_TRY(run(Op::kDelete, [](const Write& w) { return w.action == Action::kDelete; }));
  if (collections.used_fallback()) {
    report_.warnings.push_back("The server has no sObject Collections (/composite/sobjects answered 404); records were "
                               "written one per call.");
  }
  return ok_status();
}

// Describe says the integration user may not create and edit the object. When the reason is a
// missing Edit Tasks / Edit Events (with Access Activities granted), Salesforce still takes the
// records assigned to the user itself, so the run goes on with a warning naming the permission to
// grant; the others are refused per record. Returns that warning, or nullopt when the reason is
// something else or cannot be told (the setup objects are unreadable): the run stops.
Result<std::optional<std::string>> own_records_warning(salesforce::Client& client, const std::string& sobject) {
  auto access = check::load_user_access(client);
  if (!access) return access.error();
  const bool task = sobject == "Task";
  if (!access->setup_readable || !access->has("ActivitiesAccess") || access->has(task ? "EditTask" : "EditEvent")) {
    return std::optional<std::string>();
  }
  const std::string label = task ? "Edit Tasks" : "Edit Events";
  return std::optional<std::string>(
      "The integration user lacks the system permission \"" + label + "\", so only " + sobject +
      "s assigned to it are written (an activity whose host is another Salesforce user is refused, each one "
      "reported); " + check::system_permission_fix(*access, label) + ".");
}

// Why nothing matched, naming what was tried: the external participants' emails and their domains.
std::string unmatched_reason(const Activity& a) {
  std::string emails, domains;
  for (const Participant& p : a.participants) {
    if (p.internal || p.email.empty() || iequals(p.email, a.host_email)) continue;
    emails += (emails.empty() ? "" : ", ") + p.email;
    const std::string domain = email_domain(p.email);
    if (!domain.empty() && !is_public_email_domain(domain) && domains.find(domain) == std::string::npos) {
      domains += (domains.empty() ? "" : ", ") + domain;
    }
  }
  if (emails.empty()) {
    return "it has no external participant with an email to match a Contact, Lead or Account by; not written";
  }
  return "no Contact or Lead in the store has the email " + emails +
         (domains.empty() ? ", and their domains are public mail domains"
                          : ", and no Account has the domain " + domains) +
         "; not written (run crmsync sync if they were added in Salesforce since)";
}

}  // namespace

bool is_quota_stop(const Error& e) {
  return e.kind == ErrorKind::kLimit && (e.code == "QUOTA_GUARD" || e.code == "REQUEST_LIMIT_EXCEEDED");
}

Result<ExportReport> run_export(const config::Config& config, std::istream& input, salesforce::Client* client,
                                store::Store& store, const ExportOptions& options) {
  ExportReport report;
  if (client == nullptr && !options.dry_run) {
    return Error(ErrorKind::kInternal, "NO_CLIENT", "run_export needs a Salesforce client to write.");
  }
  std::vector<Activity> activities;
  read_activities(
      input, [&](Activity&& a) { activities.push_back(std::move(a)); },
      [&](const InvalidLine& bad) {
        report.invalid_lines.push_back(bad);
        ++report.counts.invalid;
      });

  const config::ExportConfig& ec = config.exports;
  auto matcher = Matcher::build(store, {ec.match_opportunity_by_contact_role, ec.match_opportunity_by_owner_participation,
                                        ec.opportunity_window_days});
  if (!matcher) return matcher.error();
  report.warnings = matcher->warnings();
  const std::string sobject = sobject_for(ec);
  const std::int64_t calls_before = client ? client->api_calls() : 0;

  std::array<std::string, 3> record_types;
  if (client != nullptr) {
    auto describe = client->describe(sobject);
    if (!describe) return describe.error();
    bool own_records_only = false;
    auto writable = describe_writable(*describe);
    if (!writable) return writable.error();
    if (!*writable) {
      auto warning = own_records_warning(*client, sobject);
      if (!warning) return warning.error();
      if (*warning) {
        own_records_only = true;
        report.warnings.push_back(**warning);
      }
    }
    auto checked = check_describe(*describe, ec, own_records_only);
    if (!checked) return checked.error();
    record_types = *checked;
  }

  auto rows = store.export_ledger();
  if (!rows) return rows.error();
  std::map<std::string, ExportLedgerEntry> ledger;
  for (auto& r : *rows) ledger.emplace(r.activity_id, std::move(r));

  ExportReport& rep = report;
  Run run(config, client, store, options, rep);
  if (client != nullptr && !options.dry_run) {
    if (ec.external_id_field.empty()) {
      CRMSYNC_TRY(run.recover_pending(ledger));
    } else {
      CRMSYNC_TRY(run.find_pending_deletes(ledger, activities));
    }
  }

  std::vector<Write> writes;
  for (const Activity& a : activities) {
    Match m = matcher->match(a, static_cast<bool>(options.on_explain));
    auto it = ledger.find(a.id);
    std::optional<ExportLedgerEntry> row;
    if (it != ledger.end()) row = it->second;
    if (row && row->state == "pending" && row->salesforce_id.empty() && ec.external_id_field.empty()) {
      row.reset();  // recovery found no record for it: the create never reached Salesforce
    }
    std::string note;
    json fields = build_record(a, m, ec, record_types[kind_index(a.kind)], &note);
    std::string hash = content_hash(fields);
    PlanStep step;
    if (!m.matched() && a.status != ActivityStatus::kDeleted && !(row && !row->salesforce_id.empty())) {
      step = {Action::kUnchanged, "unmatched: no participant or domain matched a Contact, Lead or Account; not written"};
      ++report.counts.unmatched;
      report.unmatched.push_back({a.id, a.line, unmatched_reason(a)});
      if (options.on_explain) options.on_explain(a, m, step);
      continue;
    }
    step = plan_step(a, row, hash, sobject);
    if (options.on_explain) options.on_explain(a, m, step);
    if (step.action == Action::kUnchanged) {
      ++report.counts.unchanged;
      continue;
    }
    if (!note.empty() && step.action != Action::kDelete) report.notes.push_back({a.id, a.line, note});
    Write w{&a, step.action, std::move(fields), hash, row ? row->salesforce_id : "", row ? row->content_hash : ""};
    if (options.on_write) {
      json shown = {{"activity_id", a.id}, {"line", a.line}, {"operation", to_string(step.action)}, {"sobject", sobject}};
      if (!w.salesforce_id.empty()) shown["id"] = w.salesforce_id;
      if (step.action != Action::kDelete) {
        shown["fields"] = step.action == Action::kCreate ? create_fields(w.fields) : update_fields(w.fields, sobject);
      }
      options.on_write(shown);
    }
    if (options.dry_run) {
      ++(step.action == Action::kCreate   ? report.counts.created
         : step.action == Action::kUpdate ? report.counts.updated
                                          : report.counts.deleted);
      continue;
    }
    writes.push_back(std::move(w));
  }
  if (!options.dry_run && !writes.empty()) CRMSYNC_TRY(run.write_all(writes));
  if (client != nullptr) report.api_calls = client->api_calls() - calls_before;
  return report;
}

}  // namespace crmsync::exports
