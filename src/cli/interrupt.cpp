#include "cli/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace crmsync::cli {
namespace {

std::atomic<bool> g_interrupted{false};
const char* g_what = "";

void on_signal(int signo) {
  g_interrupted.store(true);
  // Only async-signal-safe calls here: write(2), signal(2).
  const char* head = "\ncrmsync: interrupted: ";
  const char* tail = " (press Ctrl-C again to stop at once)\n";
  ssize_t ignored = write(STDERR_FILENO, head, std::strlen(head));
  ignored = write(STDERR_FILENO, g_what, std::strlen(g_what));
  ignored = write(STDERR_FILENO, tail, std::strlen(tail));
  (void)ignored;
  signal(signo, SIG_DFL);  // the second one ends the process
}

}  // namespace

void watch_interrupts(const char* what) {
  g_what = what;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() { return g_interrupted.load(); }

}  // namespace crmsync::cli
