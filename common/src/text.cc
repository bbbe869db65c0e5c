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

}  // namespace signaal
