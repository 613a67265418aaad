// The registry's tables in the workers' database (schema "crmsync"), shared by the registry's
// commands (registry.cpp) and the worker's leases (leases.cpp). Internal to src/fleet.
//
//   crmsync.orgs   name, schema_name, settings (TOML), secrets (jsonb: {"password": {"env": "X"}} or
//                  {"password": {"encrypted": "v1:..."}}), next_run, failures, the lease (lease_holder,
//                  lease_token, lease_expires) and the last run (started, finished, outcome, error, records)
//   crmsync.runs   the run log: org, worker, lease_token, started_at, finished_at, outcome, error, records
//   crmsync.meta   key/value; registry_version
//
// Every time is the database's clock (clock_timestamp()), so the machines' clocks never matter.
#pragma once

#include <string>

#include "common/result.h"
#include "fleet/fleet.h"
#include "store/postgres/pg_connection.h"

namespace crmsync::fleet {

// Creates the schema and tables when missing (serialised by an advisory lock, so workers starting
// together do not race).
Status create_registry_tables(store::postgres::Connection& conn);

// The secrets column's JSON text and back.
std::string secrets_json(const std::map<std::string, SecretSource>& secrets);
Result<std::map<std::string, SecretSource>> secrets_of(const std::string& json, const std::string& org);

}  // namespace crmsync::fleet
