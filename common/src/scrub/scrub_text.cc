#include "scrub_text.h"

#include <algorithm>

#include "signaal/scrub.h"
#include "signaal/text.h"

namespace signaal::scrub {

bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

bool IsLetter(char32_t c) {
  if ((c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z')) return true;
  if (c < 0xC0) return false;
  if (c == 0xD7 || c == 0xF7) return false;
  if (c <= 0x2AF) return true;                    // Latin-1 letters, Extended-A/B, IPA
  if (c >= 0x300 && c <= 0x36F) return true;      // combining accents, part of the word
  if (c >= 0x370 && c <= 0x58F) return c != 0x37E && c != 0x387;  // Greek, Cyrillic, Armenian
  if (c >= 0x5D0 && c <= 0x5EA) return true;      // Hebrew
  if (c >= 0x620 && c <= 0x6FF) return !(c >= 0x660 && c <= 0x66D) && c != 0x6D4;  // Arabic
  if (c >= 0x1E00 && c <= 0x1FFF) return true;    // Latin Extended Additional, Greek Extended
  if (c >= 0x3040 && c <= 0x30FF) return true;    // kana
  if (c >= 0x4E00 && c <= 0x9FFF) return true;    // CJK
  if (c >= 0xAC00 && c <= 0xD7A3) return true;    // Hangul
  return false;
}

bool IsUpper(char32_t c) {
  if (c >= U'A' && c <= U'Z') return true;
  if (c < 0xC0) return false;
  if (c <= 0xDE) return c != 0xD7;
  if (c >= 0x100 && c <= 0x137) return c % 2 == 0 || c == 0x130;
  if (c >= 0x139 && c <= 0x148) return c % 2 == 1;
  if (c >= 0x14A && c <= 0x177) return c % 2 == 0;
  if (c == 0x178) return true;
  if (c >= 0x179 && c <= 0x17E) return c % 2 == 1;
  if (c >= 0x391 && c <= 0x3AB) return true;
  if (c >= 0x400 && c <= 0x42F) return true;
  if (c >= 0x1E00 && c <= 0x1EFF) return c % 2 == 0;
  return false;
}

char32_t ToLower(char32_t c) {
  if (!IsUpper(c)) return c;
  if (c <= U'Z') return c + 32;
  if (c <= 0xDE) return c + 0x20;
  if (c == 0x130) return U'i';
  if (c == 0x178) return 0xFF;
  if (c < 0x180) return c + 1;
  if (c >= 0x391 && c <= 0x3AB) return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c + 1;  // Latin Extended Additional pairs
}

std::string Utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string LowerUtf8(std::u32string_view word) {
  std::u32string lower(word);
  for (auto& c : lower) c = ToLower(c);
  return Utf8(lower);
}

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t length = 1;
    int32_t cp = CodePointAt(text, i, &length);
    out += cp < 0 ? char32_t{0xFFFD} : static_cast<char32_t>(cp);
    i += length;
  }
  return out;
}

namespace {

bool IsSpace(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0xA0 || c == 0x202F || c == 0x3000 ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x0B || c == 0x0C;
}
bool IsApostrophe(char32_t c) { return c == U'\'' || c == 0x2019 || c == 0x2018 || c == 0x60; }
bool EndsSentence(char32_t c) { return c == U'.' || c == U'!' || c == U'?' || c == U':' || c == U';'; }
bool Opens(char32_t c) {
  return c == U'"' || c == 0x201C || c == 0x201E || c == 0xAB || c == U'(' || c == U'[' || c == U'-' ||
         c == 0x2013 || c == 0x2022 || c == U'*' || IsApostrophe(c);
}

// The length of the placeholder ("[NAAM]", "[E-MAIL]") at i, or 0.
size_t PlaceholderAt(const std::u32string& text, size_t i) {
  if (text[i] != U'[') return 0;
  for (PiiKind k : AllPiiKinds()) {
    std::string_view p = PiiPlaceholder(k);
    if (i + p.size() <= text.size() && std::equal(p.begin(), p.end(), text.begin() + i,
                                                  [](char a, char32_t b) { return static_cast<char32_t>(a) == b; })) {
      return p.size();
    }
  }
  return 0;
}

}  // namespace

std::vector<Token> Tokenize(const std::u32string& text) {
  std::vector<Token> tokens;
  bool space = false, sentence = true;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    char32_t c = text[i];
    if (IsSpace(c)) {
      if (c == U'\n' || c == U'\r') sentence = true;
      space = true;
      ++i;
      continue;
    }
    Token t{};
    t.start = i;
    t.first = c;
    t.space_before = space || tokens.empty();
    if (size_t p = PlaceholderAt(text, i); p > 0) {
      t.type = Token::Type::kPlaceholder;
      t.end = i + p;
      t.lower = Utf8(std::u32string_view(text.data() + i, p));
    } else if (IsLetter(c)) {
      size_t j = i + 1;
      while (j < n) {
        if (IsLetter(text[j])) {
          ++j;
        } else if (IsApostrophe(text[j]) && j + 1 < n && IsLetter(text[j + 1]) &&
                   !(ToLower(text[j + 1]) == U's' && (j + 2 >= n || !IsLetter(text[j + 2])))) {
          j += 2;  // d'Ancona, but not the possessive of Piet's
        } else {
          break;
        }
      }
      t.type = Token::Type::kWord;
      t.end = j;
      std::u32string_view w(text.data() + i, j - i);
      t.lower = LowerUtf8(w);
      t.capitalised = IsUpper(c);
      size_t letters = 0, upper = 0;
      for (char32_t x : w) {
        if (IsLetter(x)) ++letters;
        if (IsUpper(x)) ++upper;
      }
      t.all_caps = letters >= 2 && upper == letters;
    } else if (IsDigit(c)) {
      size_t j = i + 1;
      while (j < n && IsDigit(text[j])) ++j;
      t.type = Token::Type::kNumber;
      t.end = j;
      t.lower = Utf8(std::u32string_view(text.data() + i, j - i));
    } else {
      t.type = Token::Type::kPunct;
      t.end = i + 1;
      t.lower = Utf8(std::u32string_view(text.data() + i, 1));
    }
    t.sentence_start = sentence;
    // Punctuation that opens (a quote, a bracket, a bullet) keeps the next
    // word at the start of its sentence.
    if (t.type == Token::Type::kPunct) {
      sentence = EndsSentence(c) || (sentence && Opens(c));
    } else {
      sentence = false;
    }
    space = false;
    tokens.push_back(std::move(t));
    i = tokens.back().end;
  }
  return tokens;
}

}  // namespace signaal::scrub
