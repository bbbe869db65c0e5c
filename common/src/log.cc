#include "signaal/log.h"

#include <algorithm>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "signaal/text.h"

namespace signaal {
namespace {

// The %* flag: the message, escaped and cut (LogSafe).
class SafeMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string text = LogSafe(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SafeMessage>(); }
};

}  // namespace

const std::vector<std::string>& LogLevels() {
  static const std::vector<std::string> levels = {"trace", "debug",    "info", "warn",   "warning",
                                                  "error", "err",      "critical", "off"};
  return levels;
}

bool IsLogLevel(const std::string& level) {
  return std::find(LogLevels().begin(), LogLevels().end(), level) != LogLevels().end();
}

std::string LogSafe(std::string_view message, size_t max) {
  if (message.size() <= max) return EscapeText(message);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  return EscapeText(message.substr(0, cut)) + "... (" + std::to_string(message.size()) + " bytes)";
}

std::unique_ptr<spdlog::formatter> SafeFormatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<SafeMessage>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %*");
  return formatter;
}

void SetupLogging(const std::string& daemon, const std::string& level) {
  auto logger = spdlog::stderr_color_mt(daemon);
  logger->set_formatter(SafeFormatter());
  // spdlog reads an unknown name as "off": a typo would silence the daemon.
  logger->set_level(IsLogLevel(level) ? spdlog::level::from_str(level) : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace signaal
