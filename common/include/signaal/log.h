// Logging: spdlog to stderr (journald picks it up under systemd). Log lines
// carry counts and codes, never signal content or citizen references.
//
// Every line's message is escaped (EscapeText) and cut at kMaxLogMessageBytes
// by the logger's formatter, not by each call: a peer's string with a newline
// or an ESC sequence cannot forge a line or colour a terminal, whichever call
// logs it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

namespace signaal {

constexpr size_t kMaxLogMessageBytes = 4096;

// The values of log.level: trace, debug, info, warn, error, critical, off
// (and spdlog's spellings warning and err).
const std::vector<std::string>& LogLevels();
bool IsLogLevel(const std::string& level);

// Sets the default logger: stderr, `level` (one of LogLevels(); anything else
// is taken as info), a prefix naming the daemon, messages escaped.
void SetupLogging(const std::string& daemon, const std::string& level);

// What the logger's formatter makes of a message: escaped, cut at `max` bytes.
std::string LogSafe(std::string_view message, size_t max = kMaxLogMessageBytes);

// The formatter SetupLogging gives its logger: time, level, daemon, LogSafe(message).
std::unique_ptr<spdlog::formatter> SafeFormatter();

}  // namespace signaal
