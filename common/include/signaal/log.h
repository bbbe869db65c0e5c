// Logging: spdlog to stderr (journald picks it up under systemd). Log lines
// carry counts and codes, never signal content or citizen references.
#pragma once

#include <string>

#include <spdlog/spdlog.h>

namespace signaal {

// Sets the default logger: stderr, `level` (trace..off), a prefix naming the daemon.
void SetupLogging(const std::string& daemon, const std::string& level);

}  // namespace signaal
