#include "cli/interrupt.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "common/log.h"

namespace crmsync::cli {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<const char*> g_what{nullptr};
std::mutex g_mu;
std::condition_variable g_cv;

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// The watcher thread: a normal thread, not a signal handler, so it may lock and print.
void watch(sigset_t set) {
  int sig = 0;
  sigwait(&set, &sig);
  if (const char* what = g_what.load()) {
    // Ctrl-C is what a person at the terminal pressed; SIGTERM came from a service manager or kill.
    std::string again = sig == SIGINT ? "press Ctrl-C again to stop at once" : "a second SIGTERM stops at once";
    std::string message = std::string("interrupted: ") + what + " (" + again + ")";
    if (log::settings().format == log::Format::kJson) {
      log::warn("interrupt", message, {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    } else {
      std::cerr << "\ncrmsync: " << message << std::endl;
    }
  }
  {
    std::lock_guard lock(g_mu);
    g_interrupted.store(true);
  }
  g_cv.notify_all();
  // The second signal ends the process as the default action would (killed by that signal).
  sigwait(&set, &sig);
  signal(sig, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  raise(sig);
}

}  // namespace

void watch_interrupts(const char* what) {
  if (what) g_what.store(what);
  static std::once_flag once;
  std::call_once(once, [] {
    sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread(watch, set).detach();
  });
}

bool interrupted() { return g_interrupted.load(); }

void wait_for_interrupt() {
  std::unique_lock lock(g_mu);
  g_cv.wait(lock, [] { return g_interrupted.load(); });
}

bool wait_for_interrupt(std::chrono::milliseconds timeout) {
  std::unique_lock lock(g_mu);
  return g_cv.wait_for(lock, timeout, [] { return g_interrupted.load(); });
}

}  // namespace crmsync::cli
