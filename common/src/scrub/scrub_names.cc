// Person names. A name is found by what stands before it (a title,
// initials, a relation word, a surname particle), by the lists (first names,
// surnames), or as a capitalised word inside a sentence that the Dutch word
// list does not know; it then grows over the parts a Dutch name is made of:
// more first names, initials, particles, surnames, a hyphen between two
// surnames. The Dutch word list tells an ordinary word from a name: a
// capitalised word it knows in lower case is a name only with a cue.
#include <algorithm>
#include <cstring>

#include "scrub_detect.h"

namespace signaal::scrub {
namespace {

using Tokens = std::vector<Token>;

class NameReader {
 public:
  NameReader(const Text& t, Finds& f) : t_(t), ts_(t.tokens), lex_(t.lex), f_(f) {}

  void Run() {
    for (size_t i = 0; i < ts_.size(); ++i) {
      if (f_.Taken(ts_[i])) continue;
      if (size_t org = OrganisationAt(i); org > 0) {
        i += org - 1;
        continue;
      }
      size_t end = Seed(i);
      if (end > i) {
        f_.Add(ts_[start_].start, ts_[end - 1].end, PiiKind::kName);
        i = end - 1;
      }
    }
  }

 private:
  const Token* At(size_t i) const { return i < ts_.size() ? &ts_[i] : nullptr; }
  bool Word(size_t i) const { return i < ts_.size() && ts_[i].word() && !f_.Taken(ts_[i]); }
  bool Ordinary(const Token& w) const { return lex_.words.Has(w.lower); }
  bool Listed(const Token& w) const { return lex_.first_names.Has(w.lower) || lex_.surnames.Has(w.lower); }
  bool Place(const Token& w) const { return lex_.places.Has(w.lower); }
  bool CamelCase(const Token& w) const {  // DigiD, PLANgroep, WhatsApp: brands
    if (w.all_caps) return false;
    const auto cps = t_.cps.substr(w.start + 1, w.end - w.start - 1);
    return std::any_of(cps.begin(), cps.end(), [](char32_t c) { return IsUpper(c); });
  }
  bool NotAName(const Token& w) const {
    return lex_.titles.Has(w.lower) || lex_.relations.Has(w.lower) || IsMonth(w.lower) || Weekday(w.lower) ||
           (Place(w) && !lex_.surnames.Has(w.lower)) || CamelCase(w) || (w.all_caps && !Listed(w)) ||
           lex_.organisations.Has(w.lower) || StreetName(w);
  }
  // "Hendriklaan", "Akerstraat": a street's name, never a person's.
  // Only the endings no surname has: a "…berg", "…veld" or "…hof" may be
  // a family's name.
  bool StreetName(const Token& w) const {
    for (const char* suffix : {"straat", "straatje", "laan", "plein", "singel", "gracht", "kade", "steeg", "dreef",
                               "plantsoen", "boulevard", "allee", "weg", "pad", "wal"}) {
      const size_t n = std::strlen(suffix);
      if (w.lower.size() >= n + 3 && w.lower.compare(w.lower.size() - n, n, suffix) == 0) return !Listed(w);
    }
    return false;
  }
  // Tokens of a many-word organisation's name starting at i ("Leger des
  // Heils", "Zilveren Kruis"): how many; 0 if none.
  size_t OrganisationAt(size_t i) const {
    size_t best = 0;
    std::string words;
    for (size_t n = 0, j = i; n < 5 && Word(j); ++n, ++j) {
      words += (n ? " " : "") + ts_[j].lower;
      if (lex_.organisations.Has(words)) best = n + 1;
    }
    return best;
  }
  static bool Weekday(const std::string& w) {
    for (const char* d : {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"}) {
      if (w == d) return true;
    }
    return false;
  }
  // Unknown to every list: a name, a place or a brand the lists miss.
  bool Unknown(const Token& w) const {
    return !Ordinary(w) && !lex_.proper.Has(w.lower) && !Place(w) && w.lower.size() >= 2;
  }

  // A title at i ("mevrouw", "mw.", "de heer", "fam."): the token after it.
  size_t AfterTitle(size_t i) const {
    if (!Word(i)) return i;
    size_t next = i + 1;
    if (lex_.titles.Has(ts_[i].lower) || lex_.titles.Has(ts_[i].lower + ".")) {
      if (At(next) && At(next)->punct(U'.')) ++next;
      return next;
    }
    if (Word(next) && lex_.titles.Has(ts_[i].lower + " " + ts_[next].lower)) return next + 1;  // de heer
    return i;
  }

  // Initials at i ("J.", "J.P.", "Th.", "A.B.C."): the token after them.
  size_t AfterInitials(size_t i) const {
    size_t j = i;
    while (Word(j) && ts_[j].capitalised && At(j + 1) && ts_[j + 1].punct(U'.') && ts_[j].end == ts_[j + 1].start) {
      const Token& w = ts_[j];
      const bool initial = w.lower.size() == 1 || (w.end - w.start <= 3 && !Ordinary(w) && !lex_.titles.Has(w.lower) &&
                                                   !lex_.titles.Has(w.lower + ".") && !IsMonth(w.lower));
      if (!initial) break;
      j += 2;
    }
    return j;
  }

  // A surname particle at i ("van", "van der", "de", "'t", "El"): the number
  // of tokens it takes, 0 if none.
  size_t ParticleLength(size_t i) const {
    size_t best = 0;
    std::string words;
    size_t j = i;
    for (size_t n = 0; n < lex_.longest_particle && j < ts_.size(); ++n) {
      std::string part;
      size_t used = 0;
      if (ts_[j].punct(U'\'') && Word(j + 1) && ts_[j + 1].is("t") && ts_[j].end == ts_[j + 1].start) {
        part = "'t";
        used = 2;
      } else if (Word(j)) {
        part = ts_[j].lower;
        used = 1;
      } else {
        break;
      }
      words += (n ? " " : "") + part;
      j += used;
      if (lex_.particles.Has(words)) best = j - i;
    }
    return best;
  }

  // A word that can be part of a name once one has begun: listed, unknown,
  // or (with `strong`, right after a title) any capitalised word.
  // `surname`: right after a particle or a title, where "Graaf", "Baas" or
  // "Heer" is a family's name, not a title or a relation.
  bool Part(size_t i, bool strong, bool surname = false) const {
    if (!Word(i)) return false;
    const Token& w = ts_[i];
    if (surname && w.capitalised && (lex_.titles.Has(w.lower) || lex_.relations.Has(w.lower)) && !Place(w) &&
        !IsMonth(w.lower)) {
      return true;
    }
    if (NotAName(w)) return false;
    if (w.capitalised) return strong || Listed(w) || Unknown(w) || !Ordinary(w);
    // Lower case ("mw. jansen-de vries"): a listed name that is no ordinary
    // word (any listed one right after a title), or a word no list knows.
    return (Listed(w) && (!Ordinary(w) || strong)) || Unknown(w);
  }

  // Grows a name from i over its parts; returns the token after it (i if
  // nothing). `strong`: a title or initials stand before it.
  size_t Grow(size_t i, bool strong) const {
    size_t j = i;
    bool any = false;
    while (j < ts_.size()) {
      size_t k = AfterInitials(j);
      if (k > j) {
        j = k;
        any = true;
        continue;
      }
      size_t p = ParticleLength(j);
      if (p > 0 && Word(j + p) && Part(j + p, true, true) && (ts_[j + p].capitalised || any || strong)) {
        j += p + 1;
        any = true;
        continue;
      }
      // "Al-Khatib", "El-Amrani": a particle joined to its surname.
      if (any && Word(j) && ts_[j].capitalised && lex_.particles.Has(ts_[j].lower) && At(j + 1) &&
          ts_[j + 1].punct(U'-') && ts_[j].end == ts_[j + 1].start && Word(j + 2) && ts_[j + 2].capitalised &&
          ts_[j + 1].end == ts_[j + 2].start && Part(j + 2, true, true)) {
        j += 3;
        continue;
      }
      if (Part(j, strong && !any, strong && !any)) {
        ++j;
        any = true;
        continue;
      }
      // Jansen-de Vries, Smeets-Houben
      if (any && At(j) && ts_[j].punct(U'-') && ts_[j - 1].end == ts_[j].start && j + 1 < ts_.size() &&
          ts_[j + 1].start == ts_[j].end) {
        size_t q = ParticleLength(j + 1);
        if (Part(j + 1 + q, true, true) && (ts_[j + 1 + q].capitalised || !ts_[j - 1].capitalised)) {
          j += q + 2;
          continue;
        }
      }
      break;
    }
    return any ? j : i;
  }

  // Verbs a person does that a thing rarely does: after a word that is
  // both a name and an ordinary word ("Roos belde"), the name.
  static bool StrongVerbCue(const Token* w) {
    if (!w || !w->word()) return false;
    for (const char* v : {"belde", "belt", "vertelde", "vertelt", "zei", "zegt", "vraagt", "vroeg", "kwam", "komt",
                          "wil", "wilde", "woont", "woonde", "mailde", "mailt", "appte", "meldde", "meldt", "heet",
                          "werkt", "zorgt", "regelt", "schreef", "schrijft", "vindt", "vond", "ging", "gaat", "wacht"}) {
      if (w->lower == v) return true;
    }
    return false;
  }
  // After a word no list knows, any verb will do ("Tesfay heeft ...").
  static bool VerbCue(const Token* w) {
    if (StrongVerbCue(w)) return true;
    if (!w || !w->word()) return false;
    for (const char* v : {"kan", "kon", "moet", "moest", "krijgt", "kreeg", "gaf", "geeft", "liet", "laat", "had",
                          "heeft", "was", "is", "en", "&", "zit", "zat", "staat", "stond"}) {
      if (w->lower == v) return true;
    }
    return false;
  }
  // A possessive or an age right after: "Piet's moeder", "Bas (23)".
  bool PersonAfter(size_t i) const {
    const Token* a = At(i + 1);
    const Token* b = At(i + 2);
    const Token* c = At(i + 3);
    if (a && b && a->punct(U'\'') && a->start == ts_[i].end && b->is("s")) return true;
    return a && b && c && a->punct(U'(') && b->number() && b->lower.size() <= 3 && c->punct(U')');
  }
  // Particles that begin a surname inside a sentence ("de Vries", "van
  // Dijk", "El Amrani"). The civil registry's list has more ("bij", "over",
  // "voor", "in het") that are everyday prepositions: those only inside a
  // name already begun.
  bool SeedParticle(size_t i) const {
    static const char* const kSeeds[] = {"van", "de", "der", "den", "te", "ter", "ten", "'t", "el", "al", "ben",
                                         "bin", "abu", "ibn", "ait", "du", "da", "di", "dos", "del", "della", "le",
                                         "la", "von", "vom", "zu", "mac", "mc", "o", "ould", "bou", "v.d.", "vd"};
    if (!Word(i) && !(At(i) && ts_[i].punct(U'\''))) return false;
    const std::string& w = ts_[i].punct(U'\'') ? std::string("'t") : ts_[i].lower;
    for (const char* s : kSeeds) {
      if (w == s) return true;
    }
    return false;
  }
  // Inside a many-word proper name that is no person's: "Zilveren Kruis",
  // "Samen Sterk", "Sint Franciscus", "Leger des Heils".
  bool InOrganisationName(size_t i) const {
    if (i == 0) return false;
    const Token& p = ts_[i - 1];
    if (!p.word() || !p.capitalised || f_.Taken(p)) return false;
    if (p.lower == "sint" || p.lower == "st" || p.lower == "stichting" || p.lower == "humanitas") return true;
    return !p.sentence_start && Ordinary(p) && !Listed(p) && !lex_.titles.Has(p.lower) && !lex_.relations.Has(p.lower);
  }

  // Where a name starts at i, the token after it; i if none. start_ is set
  // to its first token (a title is not part of the name).
  size_t Seed(size_t i) {
    start_ = i;
    const Token& w = ts_[i];
    // After a title: the name that follows, whatever its case.
    if (size_t after = AfterTitle(i); after > i) {
      size_t end = Grow(after, true);
      if (end > after) {
        start_ = after;
        return end;
      }
      return i;
    }
    // Initials and what follows them.
    if (size_t after = AfterInitials(i); after > i) {
      size_t end = Grow(after, true);
      return end > after ? end : i;
    }
    // After a relation word: "haar dochter Sanne", "buurman Ahmed", "kleindochter sanne".
    if (w.word() && lex_.relations.Has(w.lower) && Word(i + 1) && !NotAName(ts_[i + 1]) && !Place(ts_[i + 1]) &&
        ((ts_[i + 1].capitalised && (Listed(ts_[i + 1]) || !Ordinary(ts_[i + 1]))) ||
         (lex_.first_names.Has(ts_[i + 1].lower) && !Ordinary(ts_[i + 1])))) {
      start_ = i + 1;
      return Grow(i + 1, true);
    }
    // A particle and a surname: "de Vries", "van der Linden", "El Amrani";
    // at a sentence's start "De Vries", but not "De gemeente" or "Het Buurthuis".
    if (size_t p = ParticleLength(i); p > 0 && SeedParticle(i) && !InOrganisationName(i) && Word(i + p) &&
                                      ts_[i + p].capitalised &&
                                      !NotAName(ts_[i + p]) && !CamelCase(ts_[i + p])) {
      const Token& s = ts_[i + p];
      const bool article = ts_[i].capitalised && ts_[i].sentence_start;
      const bool long_particle = p > 1 || ts_[i].lower == "ter" || ts_[i].lower == "ten";
      const bool surname = lex_.surnames.Has(s.lower) && (!article || !Ordinary(s) || PersonAfter(i + p) ||
                                                          StrongVerbCue(At(i + p + 1)));
      // After "de", "van", "van de" a word no list knows is as often a
      // thing ("de Wmo", "van Enexis"); after "van der", "El", "ter" a name.
      const std::string& first = ts_[i].lower;
      const bool article_like = first == "de" || first == "van" || first == "het" || ts_[i].punct(U'\'');
      const bool unknown = Unknown(s) && !article && (!article_like || (p > 1 && ts_[i + 1].lower != "de" &&
                                                                      ts_[i + 1].lower != "het"));
      if (surname || unknown || (long_particle && !article && !lex_.proper.Has(s.lower) && !Place(s) && !Ordinary(s))) {
        return Grow(i, true);
      }
    }
    // A first name in lower case that is no Dutch word: "piet belde", "met marion".
    if (w.word() && !w.capitalised && lex_.first_names.Has(w.lower) && !NotAName(w) && w.lower.size() >= 3 &&
        !lex_.particles.Has(w.lower) &&
        ((!Ordinary(w) && !lex_.name_and_word.Has(w.lower)) || StrongVerbCue(At(i + 1)))) {
      return Grow(i, true);
    }
    if (!w.word() || !w.capitalised || NotAName(w)) return i;
    const Token* next = At(i + 1);
    const Token* prev = i > 0 ? &ts_[i - 1] : nullptr;
    const bool next_part = next && next->word() && next->capitalised && (Listed(*next) || Unknown(*next));
    const bool next_particle = ParticleLength(i + 1) > 0 && Word(i + 1 + ParticleLength(i + 1)) &&
                               ts_[i + 1 + ParticleLength(i + 1)].capitalised;
    // After an organisation's article ("De Hoop", "Het Anker") a listed
    // word is the organisation's name.
    const bool org_before = prev && prev->word() && prev->capitalised &&
                            (prev->lower == "de" || prev->lower == "het" || prev->lower == "stichting");
    // Where a place or an organisation goes: "in Stein", "uit Beek",
    // "6171 GE Stein", "Stichting Cardia".
    const bool place_slot =
        prev && ((prev->word() && (prev->lower == "in" || prev->lower == "naar" || prev->lower == "uit" ||
                                   prev->lower == "te" || prev->lower == "richting" || prev->lower == "gemeente" ||
                                   prev->lower == "wijk" || prev->lower == "stichting")) ||
                 (prev->word() && prev->all_caps && prev->lower.size() == 2 && i >= 2 && ts_[i - 2].number()));
    if (place_slot && (Place(w) || !Listed(w)) && !PersonAfter(i)) return i;
    // After a verb of speech: "vertelt Maduro", "aldus Ria".
    if (prev && prev->word() && !w.sentence_start && !Ordinary(w) &&
        (prev->lower == "vertelt" || prev->lower == "vertelde" || prev->lower == "zegt" || prev->lower == "zei" ||
         prev->lower == "aldus" || prev->lower == "schrijft" || prev->lower == "schreef")) {
      return Grow(i, false);
    }
    if (InOrganisationName(i)) return i;
    const bool ambiguous = Ordinary(w) || lex_.name_and_word.Has(w.lower);
    // In a list of names: "Groen, Dekker en Berg".
    const bool listed_after = next && next->punct(U',') && i + 2 < ts_.size() && ts_[i + 2].capitalised &&
                              Listed(ts_[i + 2]);
    const PiiSpan* before = i >= 2 ? f_.At(ts_[i - 2].start) : nullptr;
    const bool listed_before = prev && (prev->punct(U',') || prev->is("en") || prev->punct(U'&')) && before &&
                               before->kind == PiiKind::kName;
    // After "De" or "Stichting" only a person's own cue makes a name: "De
    // Jeugdwet zegt" is a law.
    const bool cue = next_part || next_particle || PersonAfter(i) || listed_after || listed_before ||
                     (StrongVerbCue(next) && !org_before);
    if (lex_.first_names.Has(w.lower)) {
      if (!ambiguous || (!w.sentence_start && !org_before) || cue) return Grow(i, false);
      return i;
    }
    if (lex_.surnames.Has(w.lower)) {
      if ((!ambiguous && (!lex_.proper.Has(w.lower) || !w.sentence_start || VerbCue(next))) ||
          (!w.sentence_start && !org_before && !lex_.proper.Has(w.lower)) || cue) {
        return Grow(i, false);
      }
      return i;
    }
    if (Unknown(w)) {
      // Inside a sentence a capitalised word the Dutch lists do not know is
      // a name (a place's slot was ruled out above: "in Hoensbroek").
      if ((!w.sentence_start && !org_before) || cue || (VerbCue(next) && !org_before)) {
        return Grow(i, false);
      }
    }
    return i;
  }

  const Text& t_;
  const Tokens& ts_;
  const ScrubLexicon& lex_;
  Finds& f_;
  size_t start_ = 0;
};

}  // namespace

void FindNames(const Text& t, Finds& f) { NameReader(t, f).Run(); }

}  // namespace signaal::scrub
