// Street + house number: "Akerstraat 14", "Burg. de Hesselleplein 3b",
// "In de Cramer 140", "akerstraat 14-II". A street is found by its last word
// (a street suffix, a street word, or a proper name followed by a postcode
// or a town) and grown backwards over the words a street name is made of.
#include <algorithm>

#include "scrub_detect.h"

namespace signaal::scrub {
namespace {

using Tokens = std::vector<Token>;

bool Roman(const std::string& w) { return w == "i" || w == "ii" || w == "iii" || w == "iv" || w == "v"; }

// The token after a house number's digits that still belongs to it: a
// letter ("14a", "3 A"), "-II", "-2", "bis", "hs", "rd", "bus 3". Returns
// the index of the last token of the house number.
size_t HouseNumberEnd(const Tokens& ts, size_t n) {
  size_t last = n;
  const Token* a = n + 1 < ts.size() ? &ts[n + 1] : nullptr;
  if (!a) return last;
  auto single_letter = [](const Token& t) { return t.word() && t.lower.size() == 1; };
  if (a->word() && a->start == ts[n].end && (a->lower.size() <= 2 || Roman(a->lower))) return n + 1;  // 14a, 14bis
  if (a->word() && single_letter(*a) && a->capitalised &&
      (n + 2 >= ts.size() || !ts[n + 2].word() || !ts[n + 2].capitalised)) {
    return n + 1;  // 3 A
  }
  if (a->word() && (a->lower == "bis" || a->lower == "hs" || a->lower == "huis" || (Roman(a->lower) && a->all_caps))) {
    return n + 1;
  }
  if (a->word() && a->lower == "bus" && n + 2 < ts.size() && ts[n + 2].number()) return n + 2;
  if ((a->punct(U'-') || a->punct(U'/')) && a->start == ts[n].end && n + 2 < ts.size()) {
    const Token& b = ts[n + 2];
    if (b.start == a->end && (b.number() || (b.word() && (b.lower.size() <= 2 || Roman(b.lower))))) return n + 2;
  }
  return last;
}

bool EndsWithSuffix(const ScrubLexicon& lex, const std::string& w) {
  for (const auto& s : lex.suffixes) {
    // "Akerstraat": a stem of two letters or more before the suffix.
    if (w.size() >= s.size() + 2 && w.compare(w.size() - s.size(), s.size(), s) == 0) return true;
  }
  return false;
}

bool IsPlace(const ScrubLexicon& lex, const Token& t) { return t.word() && lex.places.Has(t.lower); }

}  // namespace

void FindAddresses(const Text& t, Finds& f) {
  const Tokens& ts = t.tokens;
  const ScrubLexicon& lex = t.lex;
  for (size_t n = 1; n < ts.size(); ++n) {
    const Token& num = ts[n];
    if (!num.number() || num.lower.size() > 5 || num.lower[0] == '0' || f.Taken(num)) continue;
    const Token& last = ts[n - 1];
    if (!last.word() || f.Taken(last) || !num.space_before) continue;
    const size_t num_end = HouseNumberEnd(ts, n);
    // What follows the number: a postcode, or ", Town" / "in Town".
    const Token* after = num_end + 1 < ts.size() ? &ts[num_end + 1] : nullptr;
    const Token* after2 = num_end + 2 < ts.size() ? &ts[num_end + 2] : nullptr;
    // ", 6411 AB" or "6411AB" after the number.
    const size_t pc = after && after->punct(U',') ? num_end + 2 : num_end + 1;
    const bool postcode_follows = pc + 1 < ts.size() && ts[pc].number() && ts[pc].lower.size() == 4 &&
                                  ts[pc + 1].word() && ts[pc + 1].lower.size() == 2;
    const bool town_follows = after && (after->punct(U',') || after->is("in") || after->is("te")) && after2 &&
                              after2->capitalised && (IsPlace(lex, *after2) || lex.proper.Has(after2->lower));
    // A street's last word: "…straat", "…laan", or a street word of its own
    // ("Markt"). An ordinary word ("vergadering 2") only capitalised inside
    // a sentence, as a street is written.
    const bool street_word = lex.street_words.Has(last.lower) && !lex.particles.Has(last.lower) && last.lower.size() >= 4;
    const bool street_like = (EndsWithSuffix(lex, last.lower) || street_word) &&
                             (!lex.words.Has(last.lower) || (last.capitalised && !last.sentence_start));
    // Any capitalised name inside a sentence, when a postcode or a town
    // follows its number ("In de Cramer 140, 6411 RS", "Op de Berg 21 in Landgraaf").
    const bool proper_name = last.capitalised && !last.all_caps && !last.sentence_start &&
                             !lex.titles.Has(last.lower) && !IsMonth(last.lower);
    if (!street_like && !(proper_name && (postcode_follows || town_follows))) continue;
    if (IsMonth(last.lower) || (IsPlace(lex, last) && !street_like)) continue;
    // Grow backwards over the words of a longer name: capitalised words,
    // street words (Burgemeester, Sint, Prins), particles, and the dot of
    // an abbreviation ("Burg.").
    size_t first = n - 1;
    while (first > 0) {
      const Token& p = ts[first - 1];
      if (f.Taken(p)) break;
      // A title inside a street's name is part of it ("Pater Beatrixsingel",
      // "Burgemeester de Hesselleplein"); in lower case it is the sentence's.
      const bool inside = p.word() && (p.capitalised || lex.particles.Has(p.lower) || lex.street_words.Has(p.lower)) &&
                          (p.capitalised || !lex.titles.Has(p.lower)) && !lex.relations.Has(p.lower) &&
                          !IsPlace(lex, p);
      const bool abbreviation_dot = p.punct(U'.') && first >= 2 && ts[first - 2].word() &&
                                    (lex.street_words.Has(ts[first - 2].lower + ".") || lex.street_words.Has(ts[first - 2].lower));
      if (!inside && !abbreviation_dot) break;
      if (p.word() && p.capitalised && p.sentence_start && lex.words.Has(p.lower) && !lex.street_words.Has(p.lower)) {
        break;  // "Woont Akerstraat 14": the sentence's first word
      }
      --first;
    }
    // Leading lower-case particles or prepositions belong to the sentence
    // ("woont aan de akerstraat 14"), capitalised ones to the street ("Op de Berg").
    while (first < n - 1 && ts[first].word() && !ts[first].capitalised &&
           (lex.particles.Has(ts[first].lower) ||
            (lex.street_words.Has(ts[first].lower) && !EndsWithSuffix(lex, ts[first].lower)))) {
      ++first;
    }
    while (first < n - 1 && ts[first].type == Token::Type::kPunct) ++first;
    f.Add(ts[first].start, ts[num_end].end, PiiKind::kAddress);
    n = num_end;
  }
}

}  // namespace signaal::scrub
