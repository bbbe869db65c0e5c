// The `signaal` command's parts. Each Add…Commands registers its subcommands;
// their callbacks leave the process exit code in `exit_code`.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "node_control.pb.h"
#include "signaal/status.h"

namespace signaal::cli {

void AddNodeCommands(CLI::App& app, int& exit_code);
void AddBrokerCommands(CLI::App& app, int& exit_code);
void AddDigestCommands(CLI::App& app, int& exit_code);
void AddKeysCommands(CLI::App& app, int& exit_code);

// Renders `signaal node privacy-report` (lang "nl" or "en", or JSON).
int PrintPrivacyReport(const wire::PrivacyReport& report, bool json, const std::string& lang);

// Prints a daemon's backup result (`node backup`, `broker backup`); returns 0.
int PrintBackup(const wire::BackupResult& result, bool json, bool with_keys);

// Prints the status as one sentence on stderr and returns its exit code.
int Report(const Status& status);

// An aligned text table for human output.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// Local time for humans ("2026-11-23 10:04"), "never" for 0.
std::string LocalTime(int64_t unix_seconds);

}  // namespace signaal::cli
