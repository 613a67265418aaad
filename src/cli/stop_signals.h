// Long-running commands (emulator, serve, demo --serve) stop on SIGINT or SIGTERM: the signals are
// blocked before any server thread starts, so every thread inherits the mask and the main thread
// alone receives them through sigwait.
#pragma once

#include <pthread.h>

#include <csignal>

namespace crmsync::cli {

class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }
  // Returns the signal that arrived.
  int wait() {
    int sig = 0;
    sigwait(&signals_, &sig);
    return sig;
  }

 private:
  sigset_t signals_;
};

}  // namespace crmsync::cli
