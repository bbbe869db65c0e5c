// The detectors that read characters: e-mail addresses, IBANs, phone
// numbers and BSNs. Each accepts what its check or its form allows and
// nothing around it, so a number next to a word stays a number.
#include <algorithm>
#include <cstring>
#include <map>

#include "scrub_detect.h"

namespace signaal::scrub {
namespace {

bool IsAsciiLetter(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'); }
bool IsAlnum(char32_t c) { return IsLetter(c) || IsDigit(c); }
// Nothing of a word or number right before `i`.
bool StartsFree(const std::u32string& s, size_t i) { return i == 0 || !IsAlnum(s[i - 1]); }
bool EndsFree(const std::u32string& s, size_t i) { return i >= s.size() || !IsAlnum(s[i]); }

bool EmailLocal(char32_t c) {
  return IsAlnum(c) || c == U'.' || c == U'_' || c == U'%' || c == U'+' || c == U'-' || c == U'\'';
}
bool EmailDomain(char32_t c) { return IsAlnum(c) || c == U'.' || c == U'-'; }

}  // namespace

bool PassesElfproef(const std::string& d) {
  if (d.size() != 9 || !std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (9 - i) * (d[i] - '0');
  sum -= d[8] - '0';
  return sum % 11 == 0 && d != "000000000";
}

bool PassesIbanCheck(const std::string& raw) {
  std::string iban;
  for (char c : raw) {
    if (c == ' ') continue;
    iban += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  }
  if (iban.size() < 15 || iban.size() > 34) return false;
  std::string moved = iban.substr(4) + iban.substr(0, 4);
  int rest = 0;
  for (char c : moved) {
    if (c >= '0' && c <= '9') {
      rest = (rest * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      rest = (rest * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return rest == 1;
}

void FindEmails(const Text& t, Finds& f) {
  const auto& s = t.cps;
  for (size_t at = 0; at < s.size(); ++at) {
    if (s[at] != U'@') continue;
    // An address is at most 254 characters (RFC 5321): no farther either
    // way, so a text of many '@' costs no more than its length times that.
    constexpr size_t kMaxPart = 254;
    size_t b = at;
    while (b > 0 && at - b < kMaxPart && EmailLocal(s[b - 1])) --b;
    while (b < at && (s[b] == U'.' || s[b] == U'\'')) ++b;
    size_t e = at + 1;
    while (e < s.size() && e - at < kMaxPart && EmailDomain(s[e])) ++e;
    while (e > at + 1 && (s[e - 1] == U'.' || s[e - 1] == U'-')) --e;
    if (b == at || e == at + 1) continue;
    // A dot in the domain and a top-level part of two letters or more.
    size_t dot = at;
    for (size_t i = at + 1; i < e; ++i) {
      if (s[i] == U'.') dot = i;
    }
    if (dot == at || e - dot - 1 < 2) continue;
    bool letters = true;
    for (size_t i = dot + 1; i < e; ++i) letters = letters && IsLetter(s[i]);
    if (letters) f.Add(b, e, PiiKind::kEmail);
  }
}

void FindIbans(const Text& t, Finds& f) {
  // Lengths of the countries whose accounts people near the border have.
  static const std::map<std::string, size_t> kLength = {
      {"NL", 18}, {"BE", 16}, {"DE", 22}, {"LU", 20}, {"FR", 27}, {"GB", 22}, {"ES", 24}, {"IT", 27},
      {"PL", 28}, {"TR", 26}, {"PT", 25}, {"AT", 20}, {"CH", 21}, {"DK", 18}, {"SE", 24}, {"NO", 15},
      {"FI", 18}, {"IE", 22}, {"RO", 24}, {"BG", 22}, {"HU", 28}, {"CZ", 24}, {"SK", 24}, {"GR", 27},
      {"HR", 21}, {"SI", 19}, {"LT", 20}, {"LV", 21}, {"EE", 20}, {"MA", 28}, {"UA", 29}, {"SR", 0}};
  const auto& s = t.cps;
  for (size_t i = 0; i + 4 <= s.size(); ++i) {
    if (!StartsFree(s, i) || !IsAsciiLetter(s[i]) || !IsAsciiLetter(s[i + 1]) || !IsDigit(s[i + 2]) ||
        !IsDigit(s[i + 3])) {
      continue;
    }
    std::string country{static_cast<char>(s[i] & ~0x20), static_cast<char>(s[i + 1] & ~0x20)};
    auto known = kLength.find(country);
    if (known == kLength.end() || known->second == 0) continue;
    // Letters and digits, in groups split by single spaces (or none).
    std::string iban;
    size_t j = i, end = i;
    while (j < s.size() && iban.size() < known->second) {
      if (IsDigit(s[j]) || IsAsciiLetter(s[j])) {
        iban += static_cast<char>(s[j]);
        end = ++j;
      } else if (s[j] == U' ' && j + 1 < s.size() && IsAlnum(s[j + 1]) && j > i) {
        ++j;
      } else {
        break;
      }
    }
    // A Dutch account has a form nothing else has (NL, 2 digits, a bank's
    // 4 letters, 10 digits): one with a wrong check digit is a typo of a
    // real account, still somebody's. Other countries' need the check.
    bool dutch_form = country == "NL" && iban.size() == 18;
    for (size_t k = 4; dutch_form && k < 18; ++k) {
      const char c = iban[k];
      dutch_form = k < 8 ? ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) : (c >= '0' && c <= '9');
    }
    if (iban.size() == known->second && EndsFree(s, end) && (PassesIbanCheck(iban) || dutch_form) &&
        !f.Taken(i, end)) {
      f.Add(i, end, PiiKind::kIban);
      i = end;
    }
  }
}

namespace {

// A run of digit groups from `i`: a group's end and the digits so far, so a
// detector can stop at the group where its count is right.
struct DigitRun {
  std::string digits;
  std::vector<std::pair<size_t, size_t>> ends;  // (code point after the group, digits so far)
};

// Separators inside a phone number or a BSN: one of " -./" (with spaces
// around a dash or slash), and brackets around an area code or "(0)".
DigitRun ReadDigits(const std::u32string& s, size_t i, bool brackets, size_t max_digits) {
  DigitRun run;
  size_t j = i;
  while (j < s.size() && run.digits.size() < max_digits) {
    if (IsDigit(s[j])) {
      while (j < s.size() && IsDigit(s[j])) run.digits += static_cast<char>(s[j++]);
      run.ends.emplace_back(j, run.digits.size());
      // What joins this group to the next.
      size_t k = j, seps = 0;
      while (k < s.size() && seps < 3 &&
             (s[k] == U' ' || s[k] == U'-' || s[k] == U'.' || s[k] == U'/' || s[k] == 0x2013 ||
              (brackets && (s[k] == U'(' || s[k] == U')')))) {
        ++k;
        ++seps;
      }
      if (k < s.size() && IsDigit(s[k]) && seps > 0) {
        // "12.30" or "3/4" are not a pause inside a number: a dot or slash
        // joins groups only between digits without spaces.
        j = k;
        continue;
      }
      break;
    }
    if (brackets && s[j] == U'(') {
      ++j;
      continue;
    }
    break;
  }
  return run;
}

enum class PhoneFit { kShort, kFits, kFitsFinal, kTooLong };

// Whether `digits` so far make a whole phone number: 10 digits from 0; a
// service number (0800, 0900, 0906, 0909) of 8 or 11; +31 or 0031 and nine
// more (a "(0)" between them dropped); another country's 10 to 13 digits.
PhoneFit FitPhone(std::string digits, bool international, bool plus) {
  auto size_fit = [](size_t n, size_t want) {
    return n < want ? PhoneFit::kShort : n == want ? PhoneFit::kFitsFinal : PhoneFit::kTooLong;
  };
  if (international) {
    if (!plus) digits.erase(0, 2);
    if (digits.rfind("31", 0) == 0) {
      std::string national = digits.substr(2);
      if (!national.empty() && national[0] == '0') national.erase(0, 1);
      return size_fit(national.size(), 9);
    }
    if (digits.size() < 10) return PhoneFit::kShort;
    return digits.size() <= 13 ? PhoneFit::kFits : PhoneFit::kTooLong;
  }
  for (const char* service : {"0800", "0900", "0906", "0909"}) {
    if (digits.rfind(service, 0) == 0) {
      if (digits.size() < 8) return PhoneFit::kShort;
      if (digits.size() == 8) return PhoneFit::kFits;
      return size_fit(digits.size(), 11);
    }
  }
  return size_fit(digits.size(), 10);
}

}  // namespace

void FindPhones(const Text& t, Finds& f) {
  const auto& s = t.cps;
  // A municipality's short number: 14 and its area code ("14 045", "14043").
  for (size_t i = 0; i + 5 <= s.size(); ++i) {
    if (s[i] != U'1' || s[i + 1] != U'4' || !StartsFree(s, i)) continue;
    size_t j = i + 2;
    if (j < s.size() && s[j] == U' ') ++j;
    if (j >= s.size() || s[j] != U'0') continue;
    size_t k = j;
    while (k < s.size() && IsDigit(s[k])) ++k;
    if ((k - j == 3 || k - j == 4) && EndsFree(s, k) && !f.Taken(i, k)) f.Add(i, k, PiiKind::kPhone);
  }
  for (size_t i = 0; i < s.size(); ++i) {
    size_t start = i;
    bool plus = false;
    if (s[i] == U'+' && i + 1 < s.size() && IsDigit(s[i + 1])) {
      plus = true;
    } else if (s[i] == U'(' && i + 1 < s.size() && (s[i + 1] == U'0' || s[i + 1] == U'+')) {
      plus = s[i + 1] == U'+';
    } else if (s[i] != U'0' || !StartsFree(s, i) || (i > 0 && (s[i - 1] == U'.' || s[i - 1] == U','))) {
      continue;
    }
    if (i > 0 && (IsDigit(s[i - 1]) || IsLetter(s[i - 1]))) continue;
    DigitRun run = ReadDigits(s, start + (s[start] == U'(' || plus ? 1 : 0) + (s[start] == U'(' && plus ? 1 : 0),
                              true, 15);
    const bool international = plus || run.digits.rfind("00", 0) == 0;
    size_t cut = 0;  // code point after the chosen group
    for (const auto& [end, count] : run.ends) {
      PhoneFit fit = FitPhone(run.digits.substr(0, count), international, plus);
      if (fit == PhoneFit::kTooLong) break;
      if (fit == PhoneFit::kShort) continue;
      cut = end;
      if (fit == PhoneFit::kFitsFinal) break;
    }
    if (cut == 0 || !EndsFree(s, cut) || f.Taken(start, cut)) continue;
    f.Add(start, cut, PiiKind::kPhone);
    i = cut;
  }
}

namespace {

// "BSN", "bsn-nummer", "burgerservicenummer", "sofinummer" in the same
// clause before the number, at most six words back: not past a comma, a
// full stop or another number (nor a placeholder), so that what a first
// pass left reads the same to a second (the broker's).
bool LabelledBsn(const std::u32string& s, size_t start) {
  size_t from = start, words = 0;
  bool in_word = false;
  while (from > 0) {
    const char32_t c = s[from - 1];
    if (c == U',' || c == U'.' || c == U';' || c == U'[' || c == U']' || c == U'\n' || IsDigit(c)) break;
    const bool letter = IsLetter(c);
    if (letter && !in_word && ++words > 6) break;
    in_word = letter;
    --from;
  }
  std::string before = LowerUtf8(std::u32string_view(s.data() + from, start - from));
  for (const char* label : {"bsn", "burgerservice", "sofi", "persoonsnummer"}) {
    if (before.find(label) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

void FindBsns(const Text& t, Finds& f) {
  const auto& s = t.cps;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsDigit(s[i]) || !StartsFree(s, i)) continue;
    // Not the middle of a number written with separators.
    if (i >= 2 && IsDigit(s[i - 2]) && (s[i - 1] == U'.' || s[i - 1] == U'-' || s[i - 1] == U' ')) continue;
    DigitRun run = ReadDigits(s, i, false, 12);
    const size_t end = run.ends.empty() ? i : run.ends.back().first;
    const std::string& d = run.digits;
    bool bsn = false;
    if (d.size() == 9) {
      bsn = PassesElfproef(d) || LabelledBsn(s, i);
    } else if (d.size() == 8) {
      bsn = LabelledBsn(s, i);
    }
    if (bsn && EndsFree(s, end) && !f.Taken(i, end)) f.Add(i, end, PiiKind::kBsn);
    i = std::max(i, end);
  }
}

}  // namespace signaal::scrub
