// Ctrl-C (SIGINT) and SIGTERM for commands that should stop cleanly: the first signal sets a flag
// the command polls (the sync asks before every API call, so the current commit finishes and the
// report says what was committed); a second one ends the process at once, as the default would.
//
//   watch_interrupts();
//   options.interrupted = [] { return interrupted(); };
#pragma once

namespace crmsync::cli {

// Installs the handlers; `what` is printed on the first signal ("finishing the current commit").
void watch_interrupts(const char* what);
bool interrupted();

}  // namespace crmsync::cli
