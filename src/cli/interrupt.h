// Ctrl-C (SIGINT) and SIGTERM, one mechanism for every command that stops cleanly. The first
// signal sets a flag that commands poll (the sync asks before every API call, so the current commit
// finishes and the report says what was committed) and wakes wait_for_interrupt() (the servers:
// emulator, serve, demo --serve); a second one ends the process at once, as the default would.
//
// watch_interrupts() blocks both signals and starts the one thread that receives them through
// sigwait, so call it before any other thread starts: every thread inherits the mask, and no
// server or curl call ever sees an EINTR.
//
//   watch_interrupts("finishing the current commit");   // sync
//   options.interrupted = [] { return interrupted(); };
//
//   watch_interrupts();                                  // a server: no message, the signal is its stop
//   server.start(); wait_for_interrupt(); server.stop();
//
//   while (!interrupted()) { work(); wait_for_interrupt(std::chrono::seconds(5)); }   // a worker
#pragma once

#include <chrono>

namespace crmsync::cli {

// Installs the watcher once; `what`, when given, is printed on the first signal ("crmsync:
// interrupted: finishing the current commit (press Ctrl-C again to stop at once)"; after SIGTERM:
// "(a second SIGTERM stops at once)").
void watch_interrupts(const char* what = nullptr);
bool interrupted();
// Returns once SIGINT or SIGTERM has arrived (at once if one already has). Needs watch_interrupts().
void wait_for_interrupt();
// The same, giving up after `timeout` (a worker's idle wait); true once a signal has arrived.
bool wait_for_interrupt(std::chrono::milliseconds timeout);

}  // namespace crmsync::cli
