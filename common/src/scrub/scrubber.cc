#include <algorithm>
#include <fstream>

#include "scrub_detect.h"
#include "scrub_lexicon.h"
#include "scrub_text.h"
#include "signaal/scrub.h"

namespace signaal {

std::string_view PiiPlaceholder(PiiKind kind) {
  switch (kind) {
    case PiiKind::kName: return "[NAAM]";
    case PiiKind::kBsn: return "[BSN]";
    case PiiKind::kIban: return "[IBAN]";
    case PiiKind::kPhone: return "[TELEFOON]";
    case PiiKind::kEmail: return "[E-MAIL]";
    case PiiKind::kAddress: return "[ADRES]";
    case PiiKind::kPostcode: return "[POSTCODE]";
    case PiiKind::kDate: return "[DATUM]";
    case PiiKind::kAge: return "[LEEFTIJD]";
  }
  return "[?]";
}

std::string_view PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kName: return "naam";
    case PiiKind::kBsn: return "bsn";
    case PiiKind::kIban: return "iban";
    case PiiKind::kPhone: return "telefoon";
    case PiiKind::kEmail: return "e-mail";
    case PiiKind::kAddress: return "adres";
    case PiiKind::kPostcode: return "postcode";
    case PiiKind::kDate: return "datum";
    case PiiKind::kAge: return "leeftijd";
  }
  return "?";
}

const std::vector<PiiKind>& AllPiiKinds() {
  static const std::vector<PiiKind> kinds = {PiiKind::kName,    PiiKind::kBsn,      PiiKind::kIban,
                                             PiiKind::kPhone,   PiiKind::kEmail,    PiiKind::kAddress,
                                             PiiKind::kPostcode, PiiKind::kDate,    PiiKind::kAge};
  return kinds;
}

namespace scrub {

void Finds::Add(size_t start, size_t end, PiiKind kind) {
  if (end <= start || end > taken_.size()) return;
  for (size_t i = start; i < end; ++i) taken_[i] = true;
  spans_.push_back({start, end, kind});
}

bool Finds::Taken(size_t start, size_t end) const {
  for (size_t i = start; i < end && i < taken_.size(); ++i) {
    if (taken_[i]) return true;
  }
  return false;
}

const PiiSpan* Finds::At(size_t at) const {
  for (const auto& s : spans_) {
    if (s.start <= at && at < s.end) return &s;
  }
  return nullptr;
}

}  // namespace scrub

PiiScrubber::PiiScrubber(std::unique_ptr<ScrubLexicon> lexicon) : lexicon_(std::move(lexicon)) {}
PiiScrubber::~PiiScrubber() = default;

Status PiiScrubber::Check(const std::string& data_dir, const std::string& dictionary) {
  if (!std::ifstream(dictionary)) {
    return Status::Runtime(dictionary + ": cannot read the Dutch word list the scrubber needs (Debian package wdutch)");
  }
  for (const char* file : {"voornamen.txt", "achternamen.txt", "tussenvoegsels.txt", "titels.txt", "relaties.txt",
                           "straattypen.txt", "straatwoorden.txt", "naam-en-woord.txt", "organisaties.txt",
                           "plaatsen.txt"}) {
    const std::string path = data_dir + "/scrub/" + file;
    if (!std::ifstream(path)) return Status::Runtime(path + ": cannot read the scrubber's word list");
  }
  return Status::Ok();
}

Result<std::unique_ptr<PiiScrubber>> PiiScrubber::Load(const std::string& data_dir, const std::string& dictionary) {
  auto lex = ScrubLexicon::Load(data_dir, dictionary);
  if (!lex.ok()) return lex.status();
  return std::unique_ptr<PiiScrubber>(new PiiScrubber(std::move(*lex)));
}

namespace {

// Ordered and disjoint: overlaps (a name grown into an address) merge,
// keeping the earlier start's kind; hiding more is the safe side.
std::vector<PiiSpan> MergeOverlaps(std::vector<PiiSpan> spans) {
  std::stable_sort(spans.begin(), spans.end(), [](const PiiSpan& a, const PiiSpan& b) { return a.start < b.start; });
  std::vector<PiiSpan> merged;
  for (const auto& s : spans) {
    if (!merged.empty() && s.start < merged.back().end) {
      merged.back().end = std::max(merged.back().end, s.end);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

std::vector<PiiSpan> FindIn(const std::u32string& cps, const ScrubLexicon& lex) {
  const std::vector<scrub::Token> tokens = scrub::Tokenize(cps);
  const scrub::Text text{cps, tokens, lex};
  scrub::Finds finds(cps.size());
  // Order matters: what has a check or a fixed form first, so that its
  // digits and words are not read again as something vaguer.
  scrub::FindEmails(text, finds);
  scrub::FindIbans(text, finds);
  scrub::FindPhones(text, finds);
  scrub::FindBsns(text, finds);
  scrub::FindDates(text, finds);
  scrub::FindAddresses(text, finds);
  scrub::FindPostcodes(text, finds);
  scrub::FindNames(text, finds);
  scrub::FindAges(text, finds);
  return MergeOverlaps(finds.spans());
}

}  // namespace

std::vector<PiiSpan> PiiScrubber::Find(std::string_view text) const {
  return FindIn(scrub::DecodeUtf8(text), *lexicon_);
}

ScrubbedText PiiScrubber::Scrub(std::string_view text) const {
  const std::u32string input = scrub::DecodeUtf8(text);
  // Replacing a find can change what its neighbours read like ("14 045Post"
  // is no phone number, "14 045[NAAM]" is), so the scrubbed text is read
  // again until nothing more is found: what the broker's second pass reads
  // is what the first left. Each pass's finds are mapped back to the input.
  std::vector<PiiSpan> spans = FindIn(input, *lexicon_);
  for (int pass = 0; pass < 4; ++pass) {
    // The text with the spans replaced, and where each of its code points
    // came from in the input (a placeholder's: its whole span).
    std::u32string next;
    std::vector<std::pair<size_t, size_t>> from;
    size_t at = 0;
    for (const auto& s : spans) {
      for (; at < s.start; ++at) {
        next += input[at];
        from.emplace_back(at, at + 1);
      }
      for (char c : PiiPlaceholder(s.kind)) {
        next += static_cast<char32_t>(c);
        from.emplace_back(s.start, s.end);
      }
      at = s.end;
    }
    for (; at < input.size(); ++at) {
      next += input[at];
      from.emplace_back(at, at + 1);
    }
    std::vector<PiiSpan> more = FindIn(next, *lexicon_);
    if (more.empty()) break;
    for (const auto& m : more) spans.push_back(PiiSpan{from[m.start].first, from[m.end - 1].second, m.kind});
    spans = MergeOverlaps(std::move(spans));
  }
  ScrubbedText out;
  size_t at = 0;
  for (const auto& s : spans) {
    out.text += scrub::Utf8(std::u32string_view(input).substr(at, s.start - at));
    out.text += PiiPlaceholder(s.kind);
    at = s.end;
  }
  out.text += scrub::Utf8(std::u32string_view(input).substr(at));
  out.spans = std::move(spans);
  return out;
}

}  // namespace signaal
