// Processes for integration tests: temporary folders, free loopback ports,
// one-shot commands with captured output, and long-running daemons with their
// logs. Tests start the real binaries from the build tree.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace signaal::test {

std::string NodeBinary();
std::string BrokerBinary();
std::string CliBinary();
std::string GenBinary();
std::string SourceDir();

// A fresh folder under $TMPDIR, removed afterwards unless SIGNAAL_KEEP_TEST_DIRS is set.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A whole file as text ("" when it cannot be read).
std::string ReadText(const std::string& path);

// A loopback TCP port nobody listens on right now.
int FreePort();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json Json() const;  // stdout parsed, or null
};

// Runs a command to completion (killed after `timeout`), capturing both streams.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::seconds timeout = std::chrono::seconds(60),
                         const std::map<std::string, std::string>& env = {});

// A daemon process with its output in a log file. Stopped on destruction.
class Daemon {
 public:
  Daemon(std::vector<std::string> argv, std::string log_path);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  void Start();
  void Stop();  // SIGTERM, then SIGKILL after 5 s
  // SIGTERM, then waits up to `wait` for the process to exit: how long it
  // took, or nullopt when it was still running (it is then killed).
  std::optional<std::chrono::milliseconds> Terminate(std::chrono::seconds wait);
  void Kill();  // SIGKILL: a crash
  bool Running();
  // Waits until the log holds `text` (counting only output since the last Start()).
  bool WaitForLog(const std::string& text, std::chrono::seconds timeout);
  std::string ReadLog() const;

 private:
  std::vector<std::string> argv_;
  std::string log_path_;
  size_t log_offset_ = 0;
  int pid_ = -1;
};

// An integer from the environment (SIGNAAL_CRASH_CYCLES and the like), or `fallback`.
int EnvInt(const char* name, int fallback);

// Polls `condition` every 100 ms until true or `timeout`.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::seconds timeout);

}  // namespace signaal::test
