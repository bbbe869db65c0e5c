#include "signaal/csv.h"

#include <algorithm>
#include <cctype>

namespace signaal {
namespace {

// Returns the 1-based line of the first invalid UTF-8 sequence, or 0.
size_t FirstInvalidUtf8Line(const std::string& s) {
  size_t line = 1;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return line;
    if (len == 2 && c < 0xC2) return line;  // overlong
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return line;
    }
    if (c == '\n') ++line;
    i += len;
  }
  return 0;
}

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

char DetectSeparator(const std::string& content) {
  size_t commas = 0, semicolons = 0;
  bool quoted = false;
  for (char c : content) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    if (c == ',') ++commas;
    if (c == ';') ++semicolons;
  }
  return semicolons > commas ? ';' : ',';
}

}  // namespace

Result<CsvTable> ParseCsv(const std::string& raw, const std::string& file_name) {
  std::string content = raw;
  if (content.compare(0, 3, "\xEF\xBB\xBF") == 0) content.erase(0, 3);
  if (size_t bad = FirstInvalidUtf8Line(content); bad != 0) {
    return Status::Usage(file_name + " line " + std::to_string(bad) +
                         ": not valid UTF-8 (save the file as UTF-8, e.g. 'CSV UTF-8' in a spreadsheet program)");
  }
  CsvTable table;
  table.separator = DetectSeparator(content);

  std::vector<CsvRow> records;
  CsvRow current;
  std::string field;
  bool in_quotes = false, field_quoted = false, any_content = false;
  size_t line = 1;
  current.line = 1;
  auto end_field = [&] {
    current.fields.push_back(field_quoted ? field : Trim(field));
    field.clear();
    field_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    bool blank = !any_content;
    if (!blank) records.push_back(std::move(current));
    current = CsvRow();
    any_content = false;
  };
  for (size_t i = 0; i < content.size(); ++i) {
    char c = content[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < content.size() && content[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && Trim(field).empty()) {
      in_quotes = true;
      field_quoted = true;
      field.clear();
      any_content = true;
    } else if (c == table.separator) {
      end_field();
      any_content = true;
    } else if (c == '\n') {
      end_record();
      ++line;
      current.line = line;
    } else if (c == '\r') {
      // CRLF: the '\n' ends the record.
    } else {
      field.push_back(c);
      if (c != ' ' && c != '\t') any_content = true;
    }
  }
  if (in_quotes) {
    return Status::Usage(file_name + " line " + std::to_string(current.line) + ": a quoted field is never closed");
  }
  if (any_content || !field.empty()) end_record();

  if (records.empty()) return Status::Usage(file_name + ": the file is empty (a header row is required)");
  for (auto& name : records.front().fields) {
    std::string lower = Trim(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    table.header.push_back(lower);
  }
  table.rows.assign(std::make_move_iterator(records.begin() + 1), std::make_move_iterator(records.end()));
  return table;
}

}  // namespace signaal
