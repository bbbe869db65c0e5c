// The scrubber's view of a text: its code points, and its words, numbers
// and punctuation as tokens with the facts the detectors ask about (case,
// sentence start). Internal to the scrubber.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace signaal::scrub {

// Letters of the scripts people in the Netherlands write names in: Latin
// with its accents, Greek, Cyrillic, Arabic, and the rest of the BMP's
// letters taken broadly (a name is never punctuation).
bool IsLetter(char32_t c);
bool IsDigit(char32_t c);
bool IsUpper(char32_t c);
char32_t ToLower(char32_t c);
// Lower case, accents kept, as UTF-8: the form the word lists are kept in.
std::string LowerUtf8(std::u32string_view word);
std::string Utf8(std::u32string_view text);
// Code points of UTF-8 text; each byte that is not UTF-8 becomes U+FFFD.
std::u32string DecodeUtf8(std::string_view text);

struct Token {
  // kPlaceholder: a "[NAAM]" a first pass left, one token no detector reads.
  enum class Type { kWord, kNumber, kPunct, kPlaceholder };
  Type type;
  size_t start, end;    // code points
  std::string lower;    // words and numbers: lower case UTF-8; punctuation: itself
  bool capitalised = false;  // words: first letter upper case
  bool all_caps = false;     // words of two or more letters, all upper case
  bool sentence_start = false;
  bool space_before = false;  // white space between it and the previous token
  bool is(std::string_view s) const { return lower == s; }
  bool word() const { return type == Type::kWord; }
  bool number() const { return type == Type::kNumber; }
  bool punct(char32_t c) const { return type == Type::kPunct && end == start + 1 && first == c; }
  char32_t first = 0;  // its first code point
};

// Words are letters with inner apostrophes ("d'Ancona"); a hyphen, a dot and
// a leading apostrophe ("'t") are punctuation tokens of their own. A token
// starts a sentence after . ! ? : ; a quote or a bracket at the text's
// start or after those, a line break, or at the text's start.
std::vector<Token> Tokenize(const std::u32string& text);

}  // namespace signaal::scrub
