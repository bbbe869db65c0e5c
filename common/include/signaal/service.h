// ServiceManager: what a daemon tells systemd (Type=notify): ready once its
// sockets are bound, a watchdog ping from its poll loop, stopping, a status
// line for `systemctl status`. Every call is a no-op when the daemon was not
// started by systemd (no $NOTIFY_SOCKET), so tests and foreground runs are
// unaffected.
#pragma once

#include <chrono>
#include <string>

namespace signaal {

class ServiceManager {
 public:
  // Reads $WATCHDOG_USEC (via sd_watchdog_enabled) once.
  ServiceManager();

  // READY=1 with a STATUS= line: the daemon serves from now on.
  void NotifyReady(const std::string& status);
  // WATCHDOG=1, at most once per half the watchdog interval however often it
  // is called, so a busy poll loop does not flood systemd.
  void NotifyWatchdog();
  // STOPPING=1: systemd then waits for the exit instead of calling it a crash.
  void NotifyStopping();
  // STATUS=text, shown by `systemctl status`.
  void NotifyStatus(const std::string& text);

  bool watchdog_enabled() const { return watchdog_interval_.count() > 0; }
  std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

 private:
  std::chrono::microseconds watchdog_interval_{0};
  std::chrono::steady_clock::time_point next_ping_{};
};

}  // namespace signaal
