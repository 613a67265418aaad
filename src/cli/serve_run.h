// Serving a store's boards until SIGINT/SIGTERM: `crmsync serve` and `crmsync demo --serve`.
#pragma once

#include <string>

#include "config/config.h"

namespace crmsync::cli {

// Opens the store as sync::store_options(cfg) describes it, read-only, and serves it until
// interrupted; the caller has called watch_interrupts() (cli/interrupt.h) before any thread started.
// Exit codes: 0 stopped by a signal; 2 could not start (an address other than loopback, a port in
// use, a [serve] deal_columns entry refused, a store url that cannot be read, a PostgreSQL store,
// which serve cannot read yet); the message names why.
int serve_until_stopped(const config::Config& cfg, const std::string& host, int port);

}  // namespace crmsync::cli
