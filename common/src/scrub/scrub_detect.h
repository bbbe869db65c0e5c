// The scrubber's detectors, one per family of personal data. Each reads the
// text (code points and tokens) and adds what it finds; a detector run later
// skips what an earlier one took (Finds::Taken). Internal to the scrubber.
#pragma once

#include <string>
#include <vector>

#include "scrub_lexicon.h"
#include "scrub_text.h"
#include "signaal/scrub.h"

namespace signaal::scrub {

// What has been found so far, over the text's code points.
class Finds {
 public:
  explicit Finds(size_t length) : taken_(length, false) {}
  void Add(size_t start, size_t end, PiiKind kind);
  bool Taken(size_t start, size_t end) const;
  bool Taken(const Token& t) const { return Taken(t.start, t.end); }
  // The kind found over code point `at`, if any.
  const PiiSpan* At(size_t at) const;
  const std::vector<PiiSpan>& spans() const { return spans_; }

 private:
  std::vector<bool> taken_;
  std::vector<PiiSpan> spans_;
};

struct Text {
  const std::u32string& cps;
  const std::vector<Token>& tokens;
  const ScrubLexicon& lex;
};

// Character patterns: e-mail addresses, IBANs (mod 97), phone numbers, BSNs
// (elfproef, or any 9 digits after "BSN").
void FindEmails(const Text& t, Finds& f);
void FindIbans(const Text& t, Finds& f);
void FindPhones(const Text& t, Finds& f);
void FindBsns(const Text& t, Finds& f);
// Token patterns: dates (with a day and a month, or a year of birth),
// street + house number, postcodes, ages (a number with a cue that it is a
// person's age, not a duration).
void FindDates(const Text& t, Finds& f);
void FindAddresses(const Text& t, Finds& f);
void FindPostcodes(const Text& t, Finds& f);
void FindNames(const Text& t, Finds& f);
void FindAges(const Text& t, Finds& f);

// The checks, for tests: the BSN elfproef over nine digits, the IBAN mod-97
// check over letters and digits (spaces removed, any case).
bool PassesElfproef(const std::string& nine_digits);
bool PassesIbanCheck(const std::string& iban);

// Shared by the token detectors.
bool IsPersonNoun(const Text& t, const Token& w);  // zoon, vrouw, meneer, cliënt ...
bool IsMonth(const std::string& lower);            // "maart", "mrt", "sept" ...

}  // namespace signaal::scrub
