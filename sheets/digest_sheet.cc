#include "digest_sheet.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "digest_render.h"
#include "signaal/csv.h"
#include "signaal/files.h"

namespace signaal::sheets {
namespace {

const std::map<std::string, std::string>& DutchColumns() {
  static const std::map<std::string, std::string> names = {
      {"region", "regio"},
      {"period", "periode"},
      {"from", "van week"},
      {"to", "tot en met week"},
      {"code", "code"},
      {"level", "niveau"},
      {"label", "omschrijving"},
      {"suppressed", "onderdrukt"},
      {"signals", "signalen"},
      {"persons", "personen"},
      {"organisations", "organisaties"},
      {"previous_signals", "signalen vorige periode"},
      {"trend", "trend"},
      {"municipality", "gemeente"},
      {"municipality_name", "gemeentenaam"},
      {"open", "nog open"},
      {"dealt_with", "doorverwezen of opgelost"},
      {"open_share_pct", "nog open (%)"},
  };
  return names;
}

// The columns that hold counts: written as numbers, so a council can sum them.
bool NumberColumn(const std::string& column) {
  static const std::set<std::string> numbers = {"suppressed", "signals", "persons",    "organisations",
                                                "previous_signals", "open", "dealt_with", "open_share_pct"};
  return numbers.count(column) > 0;
}

// CsvCell guards a cell a spreadsheet would take for a formula with a
// leading '; here a cell is written as a string, never a formula, so the
// guard is taken off again.
std::string Unguarded(const std::string& cell) {
  if (cell.size() >= 2 && cell[0] == '\'' && std::string("=+-@\t\r").find(cell[1]) != std::string::npos) {
    return cell.substr(1);
  }
  return cell;
}

// A whole count, or nothing for a cell that is not one.
bool ParseCount(const std::string& s, double& out) {
  if (s.empty() || s.size() > 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  out = std::strtod(s.c_str(), nullptr);
  return true;
}

// Removes the temporary folder and what is in it, whatever happens.
struct TempFolder {
  std::string path;
  ~TempFolder() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

std::string DutchDigestColumn(const std::string& csv_column) {
  auto it = DutchColumns().find(csv_column);
  return it == DutchColumns().end() ? csv_column : it->second;
}

Result<std::string> DigestToXlsx(const wire::Digest& digest) {
  const std::string csv = DigestToCsv(digest, "nl");
  auto table = ParseCsv(csv, "the digest's CSV");
  if (!table.ok()) return table.status();
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/signaal-xlsx-XXXXXX";
  TempFolder folder;
  if (!mkdtemp(pattern.data())) return Status::Runtime("cannot make a temporary folder for the .xlsx in " + pattern);
  folder.path = pattern;
  const std::string path = folder.path + "/digest.xlsx";
  lxw_workbook_options options = {};
  options.tmpdir = folder.path.data();
  lxw_workbook* book = workbook_new_opt(path.c_str(), &options);
  if (!book) return Status::Runtime("cannot start the .xlsx workbook");
  lxw_worksheet* sheet = workbook_add_worksheet(book, kDigestSheet);
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  const auto& header = table->header;
  for (size_t c = 0; c < header.size(); ++c) {
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), DutchDigestColumn(header[c]).c_str(), bold);
    double width = header[c] == "label" ? 40 : header[c] == "municipality_name" ? 24 : 14;
    worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width, nullptr);
  }
  worksheet_freeze_panes(sheet, 1, 0);
  lxw_row_t r = 1;
  for (const auto& row : table->rows) {
    for (size_t c = 0; c < row.fields.size() && c < header.size(); ++c) {
      const std::string& cell = row.fields[c];
      if (cell.empty()) continue;  // a suppressed count stays empty, as in the CSV
      double value = 0;
      if (NumberColumn(header[c]) && ParseCount(cell, value)) {
        worksheet_write_number(sheet, r, static_cast<lxw_col_t>(c), value, nullptr);
      } else {
        worksheet_write_string(sheet, r, static_cast<lxw_col_t>(c), Unguarded(cell).c_str(), nullptr);
      }
    }
    ++r;
  }
  if (r > 1) worksheet_autofilter(sheet, 0, 0, r - 1, static_cast<lxw_col_t>(header.size() - 1));
  lxw_error closed = workbook_close(book);
  if (closed != LXW_NO_ERROR) {
    return Status::Runtime(std::string("cannot write the .xlsx workbook: ") + lxw_strerror(closed));
  }
  return ReadFile(path);
}

}  // namespace signaal::sheets
