// Spreadsheets at the command line: the file `signaal node signal import`
// sends (an .xlsx workbook's first sheet becomes the CSV text the node
// imports; the node never opens a zip), and `signaal node signal template`,
// the empty sheet volunteers fill in.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "sheet_template.h"
#include "signaal/config.h"
#include "signaal/files.h"
#include "signaal/reference_data.h"
#include "xlsx_reader.h"

namespace signaal::cli {

Result<ImportFile> ReadImportFile(const std::string& path) {
  auto kind = sheets::DetectFileKind(path, path);
  if (!kind.ok()) return kind.status();
  ImportFile file;
  if (*kind == sheets::FileKind::kXlsx) {
    auto sheet = sheets::ReadSheetAsCsv(path, path);
    if (!sheet.ok()) return sheet.status();
    file.content = std::move(sheet->csv);
    file.sheet = std::move(sheet->sheet);
    return file;
  }
  auto content = ReadFile(path);
  if (!content.ok()) return Status::Usage("cannot read " + path);
  file.content = std::move(*content);
  return file;
}

namespace {

struct TemplateOptions {
  std::string format = "xlsx";
  std::string out;
  bool json = false;
};

// The reference data and home municipality of the node whose config is
// named (--config, $SIGNAAL_NODE_CONFIG) or installed; without a node on
// this machine, the reference data as installed and no home.
Result<std::pair<ReferenceData, std::string>> NodeReference(const std::string& config_flag) {
  const std::string path = NodeConfigPath(config_flag);
  const bool named = !config_flag.empty() || std::getenv("SIGNAAL_NODE_CONFIG");
  std::string dir, home;
  if (named || std::filesystem::exists(path)) {
    auto config = LoadNodeConfig(path);
    if (!config.ok()) return config.status();
    dir = config->reference_dir;
    home = config->municipality;
  }
  auto ref = ReferenceData::Load(dir.empty() ? ReferenceData::DefaultDir() : dir);
  if (!ref.ok()) return ref.status();
  return std::make_pair(std::move(*ref), home);
}

// Writes `text` to a new file: a template never replaces a file, which may
// be a sheet volunteers filled in.
Status WriteNew(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Status::Runtime("cannot write " + path);
  return Status::Ok();
}

Status RefuseExisting(const std::string& path) {
  if (!std::filesystem::exists(path)) return Status::Ok();
  return Status::Usage(path + " exists; a template never replaces a file (it may be a filled-in sheet): name "
                              "another with --out");
}

// "signalen-sjabloon.csv" -> "signalen-sjabloon-waarden.csv"
std::string ValuesFileFor(const std::string& path) {
  std::filesystem::path p(path);
  std::string stem = p.extension() == ".csv" || p.extension() == ".CSV" ? p.stem().string() : p.filename().string();
  return (p.parent_path() / (stem + "-waarden.csv")).string();
}

int Template(const TemplateOptions& o, const std::string& config) {
  auto source = NodeReference(config);
  if (!source.ok()) return Report(source.status());
  const sheets::TemplateContent content = sheets::MakeTemplate(source->first, source->second);
  const std::string out = o.out.empty() ? "signalen-sjabloon." + o.format : o.out;
  std::string values_file;
  if (o.format == "csv" && out == "-") {
    // The header on stdout; the lists on stderr, where a pipe does not take them.
    std::cout << sheets::CsvTemplate(content);
    for (const auto& list : content.lists) {
      std::string line;
      for (const auto& v : list.values) line += (line.empty() ? "" : ", ") + v;
      std::cerr << list.heading << ": " << line << "\n";
    }
    return 0;
  }
  if (Status s = RefuseExisting(out); !s.ok()) return Report(s);
  if (o.format == "xlsx") {
    if (out == "-") return Report(Status::Usage("an .xlsx template is written to a file: name it with --out"));
    if (Status s = sheets::WriteXlsxTemplate(out, content); !s.ok()) return Report(s);
  } else {
    values_file = ValuesFileFor(out);
    if (Status s = RefuseExisting(values_file); !s.ok()) return Report(s);
    if (Status s = WriteNew(out, sheets::CsvTemplate(content)); !s.ok()) return Report(s);
    if (Status s = WriteNew(values_file, sheets::CsvAllowedValues(content)); !s.ok()) return Report(s);
  }
  if (o.json) {
    nlohmann::json j = {{"format", o.format}, {"file", out},
                        {"values_file", values_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(values_file)},
                        {"headers", content.headers}};
    for (const auto& list : content.lists) j["values"][list.heading] = list.values;
    std::cout << j.dump(2) << "\n";
  } else if (o.format == "xlsx") {
    std::cout << "wrote " << out << ": sheet '" << sheets::kSignalSheet << "' with the Dutch headers and a list to "
              << "pick from in each column that has one; the values are on sheet '" << sheets::kValuesSheet
              << "'\nimport it filled in with: signaal node signal import " << out << "\n";
  } else {
    std::cout << "wrote " << out << " (the header row) and " << values_file
              << " (the values each column takes, one column each)\nimport it filled in with: "
                 "signaal node signal import " << out << "\n";
  }
  return 0;
}

}  // namespace

void AddTemplateCommand(CLI::App& signal, std::shared_ptr<const std::string> config, int& exit_code) {
  auto o = std::make_shared<TemplateOptions>();
  auto* cmd = signal.add_subcommand("template", "write an empty sheet with Dutch headers for volunteers to fill in");
  cmd->add_option("--format", o->format, "xlsx (default: dropdowns of the allowed values) or csv")
      ->check(CLI::IsMember({"xlsx", "csv"}));
  cmd->add_option("--out", o->out,
                  "the file to write (default signalen-sjabloon.xlsx or .csv; never replaced); csv: '-' for stdout");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o, config, &exit_code] { exit_code = Template(*o, *config); });
}

}  // namespace signaal::cli
