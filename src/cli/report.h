// Printing a sync report for people (a table) and machines (JSON); shared by `sync` and `demo`.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "sync/sync.h"

namespace crmsync::cli {

void print_sync_table(const sync::SyncReport& report, std::ostream& out);
nlohmann::json sync_report_json(const sync::SyncReport& report);
// "crmsync: " + message, for errors on standard error.
void print_error(const std::string& context, const Error& error);

}  // namespace crmsync::cli
