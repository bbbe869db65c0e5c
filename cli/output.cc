#include <ctime>
#include <iostream>

#include "commands.h"
#include "signaal/program.h"
#include "signaal/text.h"

namespace signaal::cli {
namespace {

// Display width of UTF-8 text: count code points, not bytes.
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

int Report(const Status& status) { return ExitWith("signaal", status); }

std::string Table::Render() const {
  // Cells hold peers' text (names, versions, reasons): escaped here, once
  // for every table, so no row can move the cursor, colour the terminal or
  // start a line of its own.
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : rows_) {
    rows.emplace_back();
    for (const auto& cell : row) rows.back().push_back(EscapeText(cell));
  }
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - Width(row[i]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string LocalTime(int64_t unix_seconds) {
  return unix_seconds == 0 ? "never" : FormatTime(unix_seconds, "%Y-%m-%d %H:%M", false);
}

}  // namespace signaal::cli
