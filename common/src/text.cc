#include "signaal/text.h"

#include <charconv>

#include <cctype>
#include <ctime>

namespace signaal {

std::string Slug(const std::string& name) {
  std::string out;
  bool dash = false;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    char mapped = 0;
    if (std::isalnum(c)) {
      mapped = static_cast<char>(std::tolower(c));
    } else if (c == 0xC3 && i + 1 < name.size()) {
      // U+00C0..U+00FF in UTF-8: upper and lower case share the low five bits.
      unsigned char d = static_cast<unsigned char>(name[++i]);
      static const char* fold = "aaaaaaaceeeeiiiidnooooo/ouuuuyts";
      mapped = fold[d & 0x1F];
      if (!std::isalpha(static_cast<unsigned char>(mapped))) mapped = 0;
    }
    if (mapped) {
      if (dash && !out.empty()) out.push_back('-');
      out.push_back(mapped);
      dash = false;
    } else {
      dash = true;
    }
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    size_t a = part.find_first_not_of(" \t");
    size_t b = part.find_last_not_of(" \t");
    if (a != std::string::npos) out.push_back(part.substr(a, b - a + 1));
    start = end + 1;
  }
  return out;
}

std::string FormatTime(int64_t unix_seconds, const char* format, bool utc) {
  if (unix_seconds == 0) return "";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string Decimal(double value, bool comma) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  std::string out(buf, ec == std::errc() ? end : buf);
  if (comma) {
    for (char& c : out) c = c == '.' ? ',' : c;
  }
  return out;
}

std::string SignalsCountedSentence(uint32_t digests, uint32_t advice) {
  if (digests == 0 && advice == 0) {
    return "Deze maand verscheen nog geen rapportage of advies waarin uw signalen meetelden.";
  }
  std::string d = std::to_string(digests) + (digests == 1 ? " rapportage" : " rapportages");
  std::string a = std::to_string(advice) + (advice == 1 ? " advies" : " adviezen");
  return "Uw signalen telden deze maand mee in " + d + " en " + a + ".";
}

std::string OneLine(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t n = 1;
    int32_t cp = CodePointAt(text, i, &n);
    if (cp < 0) {
      out += "\xEF\xBF\xBD";  // not UTF-8: U+FFFD, as the scrubber reads it
    } else if (cp == '\n' || cp == '\r' || cp == '\t' || IsControlCodePoint(cp)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (cp == ' ' && !out.empty() && out.back() == ' ') {
      // a run of spaces: one
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(0, 1);
  return out;
}

size_t CodePointCount(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string CutToCodePoints(std::string_view text, size_t max) {
  if (CodePointCount(text) <= max || max == 0) return std::string(max == 0 ? "" : text);
  // Keep max - 1 characters and the ellipsis.
  size_t kept = 0, end = 0;
  for (; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 && kept++ == max - 1) break;
  }
  return std::string(text.substr(0, end)) + "…";
}

int32_t CodePointAt(std::string_view text, size_t at, size_t* length) {
  *length = 1;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char c = byte(at);
  if (c < 0x80) return c;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;  // 0x80..0xC1: continuation or overlong
  if (n == 0 || c > 0xF4 || at + n > text.size()) return -1;
  int32_t cp = c & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    unsigned char d = byte(at + i);
    if ((d & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (d & 0x3F);
  }
  static constexpr int32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kSmallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *length = n;
  return cp;
}

bool IsControlCodePoint(int32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string EscapeText(std::string_view text) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = 1;
    int32_t cp = CodePointAt(text, i, &n);
    if (cp >= 0 && !IsControlCodePoint(cp)) {
      out.append(text.substr(i, n));
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0 || cp < 0x100) {
      // A byte that is no UTF-8 shows as itself; a control below U+0100 as its value.
      unsigned v = cp < 0 ? static_cast<unsigned char>(text[i]) : static_cast<unsigned>(cp);
      out += {'\\', 'x', hex[v >> 4], hex[v & 0xF]};
    } else {
      auto v = static_cast<unsigned>(cp);
      out += {'\\', 'u', hex[(v >> 12) & 0xF], hex[(v >> 8) & 0xF], hex[(v >> 4) & 0xF], hex[v & 0xF]};
    }
    i += n;
  }
  return out;
}

std::string QuoteText(std::string_view text, size_t max) {
  if (text.size() <= max) return "'" + EscapeText(text) + "'";
  size_t cut = max;
  // Cut before a character, not inside one: the rest would read as bad bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + EscapeText(text.substr(0, cut)) + "...' (" + std::to_string(text.size()) + " bytes)";
}

std::string EscapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace signaal
