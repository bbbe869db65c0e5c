#include "signaal/service.h"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace signaal {

ServiceManager::ServiceManager() {
  uint64_t usec = 0;
  // > 0 only when systemd asked this very process (WATCHDOG_PID) for pings.
  if (sd_watchdog_enabled(0, &usec) > 0) watchdog_interval_ = std::chrono::microseconds(usec);
}

void ServiceManager::NotifyReady(const std::string& status) {
  // sd_notify returns 0 without $NOTIFY_SOCKET: nothing to do outside systemd.
  sd_notify(0, ("READY=1\nSTATUS=" + status).c_str());
  next_ping_ = {};  // the first watchdog ping goes out with the first loop turn
}

void ServiceManager::NotifyWatchdog() {
  if (!watchdog_enabled()) return;
  auto now = std::chrono::steady_clock::now();
  if (now < next_ping_) return;
  sd_notify(0, "WATCHDOG=1");
  next_ping_ = now + watchdog_interval_ / 2;
}

void ServiceManager::NotifyStopping() { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

void ServiceManager::NotifyStatus(const std::string& text) { sd_notify(0, ("STATUS=" + text).c_str()); }

}  // namespace signaal
