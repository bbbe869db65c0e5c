// PiiScrubber: finds personal data in Dutch free text — a quote a citizen
// gave with consent, a volunteer's note — and replaces each find with a
// placeholder ("mevrouw [NAAM] belde vanaf [TELEFOON]"). The node runs it
// before a quote enters the review queue, the broker again on arrival.
//
// What it finds and how (docs/SCRUBBER.md has the whole account):
//   numbers with a check    BSN (elfproef), IBAN (mod 97)
//   numbers by form         phone numbers, postcodes, dates, ages
//   patterns                e-mail addresses, street + house number
//   names                   titles, initials, first-name and surname lists,
//                           surname particles, relation words, and Debian's
//                           Dutch word list (wdutch) to tell an ordinary
//                           capitalised word from a name
// It errs on the side of hiding: overlapping finds merge into one span.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "signaal/status.h"

namespace signaal {

enum class PiiKind { kName, kBsn, kIban, kPhone, kEmail, kAddress, kPostcode, kDate, kAge };

// "[NAAM]", "[BSN]", ... the placeholder a find is replaced with.
std::string_view PiiPlaceholder(PiiKind kind);
// "naam", "bsn", "iban", "telefoon", "e-mail", "adres", "postcode", "datum",
// "leeftijd": the kind as JSON and the CLI name it.
std::string_view PiiKindName(PiiKind kind);
// Every kind, in the order above.
const std::vector<PiiKind>& AllPiiKinds();

// One find: code points [start, end) of the input (not bytes: a name with
// an "ë" counts it once).
struct PiiSpan {
  size_t start = 0;
  size_t end = 0;
  PiiKind kind = PiiKind::kName;
  bool operator==(const PiiSpan&) const = default;
};

// The scrubbed text with what was replaced. Bytes of the input that are not
// UTF-8 come out as U+FFFD (the text travels in protobuf strings), each
// counting as one code point.
struct ScrubbedText {
  std::string text;
  std::vector<PiiSpan> spans;  // in the input's code points, ordered, disjoint
};

struct ScrubLexicon;

class PiiScrubber {
 public:
  // The word lists in `data_dir`/scrub (ReferenceData::DefaultDir()) and the
  // Dutch word list `dictionary` (wdutch's /usr/share/dict/dutch). A missing
  // or unreadable file is an error naming it.
  static Result<std::unique_ptr<PiiScrubber>> Load(const std::string& data_dir,
                                                   const std::string& dictionary = kDefaultDictionary);
  static constexpr const char* kDefaultDictionary = "/usr/share/dict/dutch";
  // Whether Load would find every file, without loading them (a daemon's
  // configuration check; the node loads the scrubber only when a quote
  // needs it).
  static Status Check(const std::string& data_dir, const std::string& dictionary = kDefaultDictionary);
  ~PiiScrubber();

  std::vector<PiiSpan> Find(std::string_view text) const;
  ScrubbedText Scrub(std::string_view text) const;

 private:
  explicit PiiScrubber(std::unique_ptr<ScrubLexicon> lexicon);
  std::unique_ptr<ScrubLexicon> lexicon_;
};

}  // namespace signaal
