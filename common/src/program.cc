#include "signaal/program.h"

#include <csignal>
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

}  // namespace signaal
