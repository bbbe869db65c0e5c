#include "mail_address.h"

#include <cctype>
#include <vector>

#include "signaal/text.h"

namespace signaal::mail {
namespace {

bool AtomChar(unsigned char c) {
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
}

// Splits at '.', keeping empty parts (so "a..b" and ".a" show as empty labels).
std::vector<std::string_view> Labels(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

Result<std::string> CheckMailAddress(std::string_view address, const std::string& field) {
  auto refuse = [&](const std::string& why) {
    return Status::Usage(field + ": " + QuoteText(address) + " is not an e-mail address this broker sends to: " + why);
  };
  if (address.empty()) return refuse("it is empty");
  if (address.size() > kMaxAddressBytes) return refuse("longer than " + std::to_string(kMaxAddressBytes) + " bytes");
  for (unsigned char c : address) {
    if (c <= 0x20 || c >= 0x7F) return refuse("only ASCII letters, digits and punctuation, no spaces or line breaks");
  }
  size_t at = address.find('@');
  if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) {
    return refuse("it needs exactly one '@'");
  }
  std::string_view local = address.substr(0, at), domain = address.substr(at + 1);
  if (local.empty() || local.size() > 64) return refuse("the part before '@' must be 1 to 64 characters");
  for (std::string_view word : Labels(local)) {
    if (word.empty()) return refuse("the part before '@' has an empty word between dots");
    for (unsigned char c : word) {
      if (!AtomChar(c)) return refuse("the part before '@' holds " + QuoteText(std::string(1, static_cast<char>(c))));
    }
  }
  std::vector<std::string_view> labels = Labels(domain);
  if (labels.size() < 2) return refuse("the domain needs a dot, as in gemeente.nl");
  std::string lowered;
  for (std::string_view label : labels) {
    if (label.empty() || label.size() > 63) return refuse("every part of the domain must be 1 to 63 characters");
    if (label.front() == '-' || label.back() == '-') return refuse("a part of the domain begins or ends with '-'");
    for (unsigned char c : label) {
      if (!std::isalnum(c) && c != '-') return refuse("the domain may hold only letters, digits, '-' and dots");
    }
  }
  std::string_view tld = labels.back();
  if (tld.size() < 2) return refuse("the top-level domain is shorter than two letters");
  for (unsigned char c : tld) {
    if (!std::isalpha(c)) return refuse("the top-level domain may hold only letters");
  }
  for (char c : domain) lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::string(local) + "@" + lowered;
}

std::string MailDomain(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

}  // namespace signaal::mail
