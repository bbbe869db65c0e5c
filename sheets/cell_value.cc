#include "cell_value.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "signaal/period.h"

namespace signaal::sheets {

bool IsDateFormatId(int id) { return (id >= 14 && id <= 17) || id == 22; }

bool IsDateFormatCode(std::string_view code) {
  // Only the first section (positive numbers) decides.
  if (code == "General" || code == "general" || code == "@") return false;
  bool date = false, time = false, month_or_minute = false;
  bool quoted = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (quoted) {
      quoted = c != '"';
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // an escaped, padding or filling character, not a code
    } else if (c == '[') {
      // [Red], [$-413], [h] (elapsed hours: a time)
      size_t close = code.find(']', i);
      if (close == std::string_view::npos) break;
      std::string_view inside = code.substr(i + 1, close - i - 1);
      if (!inside.empty() && (std::tolower(static_cast<unsigned char>(inside[0])) == 'h' ||
                              std::tolower(static_cast<unsigned char>(inside[0])) == 's')) {
        time = true;
      }
      i = close;
    } else if (c == ';') {
      break;
    } else {
      switch (std::tolower(static_cast<unsigned char>(c))) {
        case 'd': case 'y':  // stored in English codes, whatever the program's language
          date = true;
          break;
        case 'm': month_or_minute = true; break;
        case 'h': case 's': time = true; break;
        default: break;
      }
    }
  }
  // "m" alone is a month ("mmm"); beside hours or seconds it is minutes.
  return date || (month_or_minute && !time);
}

std::optional<std::string> SerialToIsoDate(double serial, bool date1904) {
  if (!std::isfinite(serial)) return std::nullopt;
  // Excel rounds a date-time to the millisecond: 0.99999999999 of a day is
  // the next day's midnight.
  const double ms = std::round(serial * 86400000.0);
  if (ms < 0 || ms > 3e17) return std::nullopt;
  const int64_t day = static_cast<int64_t>(ms / 86400000.0);
  int64_t days;  // since 1970-01-01
  if (date1904) {
    days = DaysFromCivil(Date{1904, 1, 1}) + day;
  } else {
    if (day < 1) return std::nullopt;
    if (day == 60) return "1900-02-29";  // Lotus 1-2-3's leap day, kept by Excel
    days = DaysFromCivil(Date{1899, 12, day < 60 ? 31 : 30}) + day;
  }
  if (days > DaysFromCivil(Date{9999, 12, 31})) return std::nullopt;
  return CivilFromDays(days).ToIso();
}

std::string FormatNumber(std::string_view stored) {
  std::string text(stored);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) return text;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", v == 0 ? 0.0 : v);
  return buf;
}

void DecodeEscapes(std::string& text) {
  size_t at = text.find("_x");
  if (at == std::string::npos) return;
  std::string out;
  size_t done = 0;
  for (; at != std::string::npos; at = text.find("_x", at)) {
    if (at + 7 > text.size() || text[at + 6] != '_' || !std::isxdigit(static_cast<unsigned char>(text[at + 2])) ||
        !std::isxdigit(static_cast<unsigned char>(text[at + 3])) ||
        !std::isxdigit(static_cast<unsigned char>(text[at + 4])) ||
        !std::isxdigit(static_cast<unsigned char>(text[at + 5]))) {
      at += 2;
      continue;
    }
    const unsigned cp = static_cast<unsigned>(std::strtoul(text.substr(at + 2, 4).c_str(), nullptr, 16));
    out.append(text, done, at - done);
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0xD800 || cp > 0xDFFF) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out += "\xEF\xBF\xBD";  // half a surrogate pair: the replacement character
    }
    at += 7;
    done = at;
  }
  out.append(text, done, std::string::npos);
  text = std::move(out);
}

void OneLine(std::string& text) {
  size_t w = 0;
  for (size_t r = 0; r < text.size(); ++r) {
    char c = text[r];
    if (c == '\r' && r + 1 < text.size() && text[r + 1] == '\n') continue;  // CRLF: one space
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = ' ';
    text[w++] = c;
  }
  text.resize(w);
}

size_t CharCount(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

uint32_t ColumnOf(std::string_view ref) {
  uint64_t col = 0;
  for (size_t i = 0; i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i])); ++i) {
    col = col * 26 + static_cast<uint64_t>(std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    if (col > kTooFar) return kTooFar;
  }
  return static_cast<uint32_t>(col);
}

uint32_t RowOf(std::string_view ref) {
  size_t i = 0;
  while (i < ref.size() && !std::isdigit(static_cast<unsigned char>(ref[i]))) ++i;
  uint64_t row = 0;
  for (; i < ref.size() && std::isdigit(static_cast<unsigned char>(ref[i])); ++i) {
    row = row * 10 + static_cast<uint64_t>(ref[i] - '0');
    if (row > UINT32_MAX) return 0;
  }
  return static_cast<uint32_t>(row);
}

std::string CellName(uint32_t column, uint32_t row) {
  std::string letters;
  for (uint32_t c = column; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  return letters + std::to_string(row);
}

}  // namespace signaal::sheets
