// CSV reading as Dutch spreadsheet programs write it: ',' or ';' separator
// (detected from the header), UTF-8 with or without BOM, quoted fields with
// doubled quotes and line breaks, CRLF or LF.
#pragma once

#include <string>
#include <vector>

#include "signaal/status.h"

namespace signaal {

struct CsvRow {
  size_t line = 0;                  // 1-based line where the record starts
  std::vector<std::string> fields;
};

struct CsvTable {
  char separator = ',';
  std::vector<std::string> header;  // trimmed, lower-cased
  std::vector<CsvRow> rows;         // blank lines skipped
};

// Parses a whole file. Fails on invalid UTF-8 or an unterminated quote, naming
// `file_name` and the line.
Result<CsvTable> ParseCsv(const std::string& content, const std::string& file_name);

}  // namespace signaal
