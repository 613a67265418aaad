// Serving a store's boards until SIGINT/SIGTERM: `crmsync serve` and `crmsync demo --serve`.
#pragma once

#include <ostream>
#include <string>

#include "cli/stop_signals.h"
#include "config/config.h"

namespace crmsync::cli {

// Exit codes: 0 stopped by a signal; 2 could not start (an address other than loopback, a port in
// use, a [serve] deal_columns entry refused, a store url that cannot be read); the message names why.
int serve_until_stopped(const config::Config& cfg, const std::string& host, int port, StopSignals& stop);

}  // namespace crmsync::cli
