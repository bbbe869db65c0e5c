// The `signaal` command's parts. Each Add…Commands registers its subcommands;
// their callbacks leave the process exit code in `exit_code`.
#pragma once

#include <chrono>
#include <memory>
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
void AddTextCommands(CLI::App& app, int& exit_code);
// `signaal node quotes …` under `node`; `config` is the --config value, read when a command runs.
void AddQuoteCommands(CLI::App& node, std::shared_ptr<const std::string> config, int& exit_code);
// `signaal node user …`: the intake page's accounts.
void AddUserCommands(CLI::App& node, std::shared_ptr<const std::string> config, int& exit_code);

// `signaal node signal template` under `signal`; `config` is the --config value.
void AddTemplateCommand(CLI::App& signal, std::shared_ptr<const std::string> config, int& exit_code);

// A file to import as the node takes it: CSV text as it is, or an .xlsx
// workbook's first sheet as CSV (sheets/xlsx_reader.h); `sheet` names that
// sheet ("" for a CSV file). Fails with a sentence naming the file (and
// cell) for a file neither.
struct ImportFile {
  std::string content;
  std::string sheet;
};
Result<ImportFile> ReadImportFile(const std::string& path);

// One request to the node daemon of the config at `config_path` ("" = the
// default); a request that changes the store waits while the node's status
// says a job runs.
Result<wire::NodeResponse> AskNodeAt(const std::string& config_path, wire::NodeRequest req,
                                     std::chrono::milliseconds timeout);
// The digest formats asked for, each one RenderDigest knows; else a usage error naming --format.
Status CheckFormats(const std::vector<std::string>& formats);
// Writes every format of `digest` under `dir` as DIR/<region>/<period>.<ext>,
// each atomically, the names checked first (CheckDigestNames); `written`
// gets the paths. The subscriber's and `signaal node digests --out`.
Status WriteDigest(const wire::Digest& digest, const std::string& dir, const std::vector<std::string>& formats,
                   const std::string& lang, std::vector<std::string>& written);
// `signaal node digests` under `node`: what the region made of the signals.
void AddNodeDigestCommands(CLI::App& node, std::shared_ptr<const std::string> config, int& exit_code);

// Reports a failed node response; returns its exit code (0 when ok).
int CheckNode(const Result<wire::NodeResponse>& r);

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
