#include "signaal/csv.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace signaal {
namespace {

// Returns the offset of the first invalid UTF-8 sequence, or npos. ASCII,
// nearly all of a CSV, is skipped 8 bytes at a time.
size_t FirstInvalidUtf8(std::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > n) return i;
    if (len == 2 && c < 0xC2) return i;  // overlong
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

bool Blank(char c) { return c == ' ' || c == '\t'; }

// Trims " \t\r" in place.
void TrimInPlace(std::string& s) {
  size_t b = s.find_last_not_of(" \t\r");
  if (b == std::string::npos) {
    s.clear();
    return;
  }
  s.erase(b + 1);
  s.erase(0, s.find_first_not_of(" \t\r"));
}

char DetectSeparator(std::string_view content) {
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

Result<CsvReader> CsvReader::Open(std::string_view content, std::string file_name) {
  CsvReader r;
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  if (size_t bad = FirstInvalidUtf8(content); bad != std::string_view::npos) {
    size_t line = 1 + static_cast<size_t>(std::count(content.begin(), content.begin() + bad, '\n'));
    return Status::Usage(file_name + " line " + std::to_string(line) +
                         ": not valid UTF-8 (save the file as UTF-8, e.g. 'CSV UTF-8' in a spreadsheet program)");
  }
  r.content_ = content;
  r.file_name_ = std::move(file_name);
  r.separator_ = DetectSeparator(content);
  for (unsigned char c : {static_cast<unsigned char>(r.separator_), static_cast<unsigned char>('"'),
                          static_cast<unsigned char>('\n'), static_cast<unsigned char>('\r')}) {
    r.special_[c] = true;
  }
  CsvRow first;
  auto got = r.Next(first);
  if (!got.ok()) return got.status();
  if (!*got) return Status::Usage(r.file_name_ + ": the file is empty (a header row is required)");
  for (auto& name : first.fields) {
    TrimInPlace(name);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    r.header_.push_back(std::move(name));
  }
  return r;
}

Result<bool> CsvReader::Next(CsvRow& row) {
  for (;;) {
    bool blank = true;
    auto got = ReadRecord(row, blank);
    if (!got.ok() || !*got || !blank) return got;
  }
}

// The same steps as a character-by-character reading: outside quotes a field
// collects every character but '\r' and is trimmed at its end; a '"' opens a
// quoted part only where the field holds nothing but blanks so far (and then
// replaces them); inside quotes everything is kept, "" is one quote. A record
// is blank when it holds nothing but blanks (no separator, no quote).
Result<bool> CsvReader::ReadRecord(CsvRow& row, bool& blank) {
  const std::string_view s = content_;
  const size_t n = s.size();
  size_t i = pos_;
  if (i >= n) return false;
  row.line = line_;
  size_t nf = 0;
  bool any_content = false;
  bool at_end = false;
  while (!at_end) {
    // One field.
    if (nf == row.fields.size()) row.fields.emplace_back();
    std::string& f = row.fields[nf++];
    f.clear();
    bool quoted = false;
    for (;;) {
      size_t j = i;
      while (j < n && !special_[static_cast<unsigned char>(s[j])]) ++j;
      if (j > i) {
        if (!any_content) {
          for (size_t k = i; k < j; ++k) {
            if (!Blank(s[k])) {
              any_content = true;
              break;
            }
          }
        }
        f.append(s.data() + i, j - i);
      }
      i = j;
      if (i == n) {
        at_end = true;
        break;
      }
      char c = s[i++];
      if (c == '\r') continue;  // CRLF: the '\n' ends the record
      if (c == '"') {
        if (f.find_first_not_of(" \t\r") != std::string::npos) {
          f.push_back('"');
          any_content = true;
          continue;
        }
        f.clear();
        quoted = true;
        any_content = true;
        for (;;) {
          size_t q = s.find('"', i);
          if (q == std::string_view::npos) {
            pos_ = n;
            return Status::Usage(file_name_ + " line " + std::to_string(row.line) +
                                 ": a quoted field is never closed");
          }
          line_ += static_cast<size_t>(std::count(s.begin() + i, s.begin() + q, '\n'));
          f.append(s.data() + i, q - i);
          i = q + 1;
          if (i < n && s[i] == '"') {
            f.push_back('"');
            ++i;
          } else {
            break;
          }
        }
        continue;
      }
      if (c == '\n') {
        ++line_;
        at_end = true;
        break;
      }
      // The separator.
      any_content = true;
      break;
    }
    if (!quoted) {
      // Unquoted fields never hold '\r'; trim blanks.
      size_t b = f.find_last_not_of(" \t");
      if (b == std::string::npos) {
        f.clear();
      } else {
        f.erase(b + 1);
        size_t a = f.find_first_not_of(" \t");
        if (a > 0) f.erase(0, a);
      }
    }
  }
  pos_ = i;
  row.fields.resize(nf);
  blank = !any_content;
  return true;
}

Result<CsvTable> ParseCsv(std::string_view content, const std::string& file_name) {
  auto reader = CsvReader::Open(content, file_name);
  if (!reader.ok()) return reader.status();
  CsvTable table;
  table.separator = reader->separator();
  table.header = reader->header();
  CsvRow row;
  for (;;) {
    auto got = reader->Next(row);
    if (!got.ok()) return got.status();
    if (!*got) break;
    table.rows.push_back(std::move(row));
    row = CsvRow();
  }
  return table;
}

}  // namespace signaal
