#include "signaal/program.h"

#include "signaal/log.h"

#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

#include "signaal/text.h"

namespace signaal {
namespace {
std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }
}  // namespace

int ParseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return -1;
}

const std::atomic<bool>& StopRequested() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  return g_stop;
}

int ExitWith(const std::string& program, const Status& status) {
  // The sentence may quote a peer's text (an error from the broker, a name
  // in a file): escaped, it stays one line and cannot drive the terminal.
  if (!status.ok()) std::cerr << program << ": " << EscapeText(status.message()) << "\n";
  return status.exit_code();
}

uint64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit = raised;
    } else {
      spdlog::warn("cannot raise the open-file limit from {} to {}: {}", limit.rlim_cur, limit.rlim_max,
                   std::strerror(errno));
    }
  }
  return static_cast<uint64_t>(limit.rlim_cur);
}

}  // namespace signaal
