// CSV reading as Dutch spreadsheet programs write it: ',' or ';' separator
// (detected from the header), UTF-8 with or without BOM, quoted fields with
// doubled quotes and line breaks, CRLF or LF.
#pragma once

#include <string>
#include <string_view>
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

// Reads a file one record at a time, over the caller's content (not copied:
// it must outlive the reader), so a large file is never held twice or as a
// table. Unquoted fields are trimmed; quoted fields are kept as written,
// doubled quotes undone; blank lines are skipped.
class CsvReader {
 public:
  // Checks the whole content is UTF-8 (a BOM is skipped), detects the
  // separator and reads the header. Fails on invalid UTF-8, an unclosed quote
  // in the header or an empty file, naming `file_name` and the line.
  static Result<CsvReader> Open(std::string_view content, std::string file_name);

  char separator() const { return separator_; }
  const std::vector<std::string>& header() const { return header_; }  // trimmed, lower-cased

  // The next record after the header into `row`, reusing its strings: true,
  // or false at the end of the file. Fails on a quoted field never closed.
  Result<bool> Next(CsvRow& row);

 private:
  CsvReader() = default;
  // One record, blank or not, into `row`; sets `blank`. False at the end.
  Result<bool> ReadRecord(CsvRow& row, bool& blank);

  std::string_view content_;
  std::string file_name_;
  size_t pos_ = 0;
  size_t line_ = 1;
  char separator_ = ',';
  bool special_[256] = {};  // separator, '"', '\n', '\r'
  std::vector<std::string> header_;
};

// Parses a whole file (a CsvReader read to the end). Fails on invalid UTF-8
// or an unterminated quote, naming `file_name` and the line.
Result<CsvTable> ParseCsv(std::string_view content, const std::string& file_name);

}  // namespace signaal
