// The detectors that read tokens: dates, street + house number, postcodes
// and ages. Each needs a form (a day and a month; a street part and a
// number) or a cue in the words around (geboren, is, van) — never a number
// alone, which in a volunteer's note is an amount, a count or a duration.
#include <algorithm>
#include <array>
#include <cstring>

#include "scrub_detect.h"

namespace signaal::scrub {
namespace {

using Tokens = std::vector<Token>;

int Value(const Token& t, int max_digits = 4) {
  if (!t.number() || t.lower.size() > static_cast<size_t>(max_digits)) return -1;
  return std::stoi(t.lower);
}
const Token* At(const Tokens& ts, long i) {
  return i >= 0 && i < static_cast<long>(ts.size()) ? &ts[i] : nullptr;
}
bool WordIs(const Token* t, std::initializer_list<const char*> words) {
  if (!t || !t->word()) return false;
  for (const char* w : words) {
    if (t->lower == w) return true;
  }
  return false;
}
// Adjacent: no space between the two tokens.
bool Tight(const Token& a, const Token& b) { return a.end == b.start; }

const char* const kMonths[] = {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                               "september", "oktober", "november", "december", "jan", "feb", "febr", "mrt",
                               "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov", "dec"};
const char* const kWeekdays[] = {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
                                 "ma", "di", "wo", "do", "vr", "za", "zo"};

bool IsWeekday(const Token* t) {
  if (!t || !t->word()) return false;
  for (const char* d : kWeekdays) {
    if (t->lower == d) return true;
  }
  return false;
}

}  // namespace

bool IsMonth(const std::string& lower) {
  for (const char* m : kMonths) {
    if (lower == m) return true;
  }
  return false;
}

bool IsPersonNoun(const Text& t, const Token& w) {
  static const char* const kPersons[] = {
      "man", "vrouw", "jongen", "meisje", "kind", "kindje", "dame", "heer", "meneer", "mevrouw", "mw", "dhr",
      "baby", "tiener", "puber", "jongere", "oudere", "bewoner", "bewoonster", "inwoner", "inwoonster",
      "cliënt", "client", "cliente", "cliënte", "klant", "zoon", "zoontje", "dochter", "dochtertje", "moeder",
      "vader", "oma", "opa", "weduwe", "weduwnaar", "alleenstaande", "aanvrager", "aanvraagster", "student",
      "studente", "leerling", "mantelzorger", "buurman", "buurvrouw", "partner", "echtgenoot", "echtgenote",
      "broer", "zus", "zusje", "broertje", "kleinzoon", "kleindochter", "kleinkind", "pleegkind", "tweeling",
      "persoon", "mens", "senior", "gepensioneerde", "kinderen", "kids", "jongens", "meisjes", "zonen", "dochters",
      "ze", "zij", "hij", "u", "ik", "die"};
  if (!w.word()) return false;
  for (const char* p : kPersons) {
    if (w.lower == p) return true;
  }
  return t.lex.relations.Has(w.lower);
}

void FindDates(const Text& t, Finds& f) {
  const Tokens& ts = t.tokens;
  for (size_t i = 0; i < ts.size(); ++i) {
    const Token& a = ts[i];
    if (!a.number() || f.Taken(a)) continue;
    const int day = Value(a, 2);
    // 12-03-1958, 12/3/58, 12.03.1958; 1958-03-12
    const Token *s1 = At(ts, i + 1), *b = At(ts, i + 2), *s2 = At(ts, i + 3), *c = At(ts, i + 4);
    auto sep = [](const Token* x) { return x && (x->punct(U'-') || x->punct(U'/') || x->punct(U'.')); };
    if (sep(s1) && b && b->number() && Tight(a, *s1) && Tight(*s1, *b)) {
      const int month = Value(*b, 2);
      // 2-1-'53: a year written with an apostrophe.
      if (sep(s2) && Tight(*b, *s2) && At(ts, i + 4) && At(ts, i + 4)->punct(U'\'') && At(ts, i + 5) &&
          At(ts, i + 5)->number() && At(ts, i + 5)->lower.size() == 2 && day >= 1 && day <= 31 &&
          Value(*b, 2) >= 1 && Value(*b, 2) <= 12) {
        f.Add(a.start, At(ts, i + 5)->end, PiiKind::kDate);
        i += 5;
        continue;
      }
      bool three = sep(s2) && c && c->number() && s2->first == s1->first && Tight(*b, *s2) && Tight(*s2, *c);
      if (three) {
        const int year = Value(*c, 4);
        bool dmy = day >= 1 && day <= 31 && month >= 1 && month <= 12 && (c->lower.size() == 2 || c->lower.size() == 4);
        const int iso_month = Value(*b, 2), iso_day = Value(*c, 2);
        bool ymd = a.lower.size() == 4 && iso_month >= 1 && iso_month <= 12 && iso_day >= 1 && iso_day <= 31;
        if ((dmy && year >= 0) || ymd) {
          f.Add(a.start, c->end, PiiKind::kDate);
          i += 4;
          continue;
        }
      } else if (day >= 1 && day <= 31 && month >= 1 && month <= 12 && s1->first != U'.' &&
                 (!sep(s2) || !Tight(*b, *s2)) &&
                 (WordIs(At(ts, i - 1), {"op", "per", "vanaf", "tot", "sinds", "datum", "geboren", "geb", "dd", "d",
                                         "naar", "voor", "na", "rond", "tm", "vóór"}) ||
                  WordIs(At(ts, i + 3), {"om"}) || IsWeekday(At(ts, i - 1)) ||
                  (At(ts, i - 1) && At(ts, i - 1)->punct(U'.') && WordIs(At(ts, i - 2), {"geb", "d", "dd"})))) {
        // 12/3 or 1-4 without a year: a date only after a word that
        // introduces one ("op 1-4", "maandag 12/3").
        f.Add(a.start, b->end, PiiKind::kDate);
        i += 2;
        continue;
      }
    }
    // 3 maart 1958, 3 mrt. '58, 12 maart, 1e april
    if (day >= 1 && day <= 31) {
      size_t m = i + 1;
      if (At(ts, m) && WordIs(At(ts, m), {"e", "ste", "de"}) && Tight(a, ts[m])) ++m;
      if (At(ts, m) && ts[m].word() && IsMonth(ts[m].lower)) {
        size_t end = ts[m].end, next = m + 1;
        if (At(ts, next) && ts[next].punct(U'.') && Tight(ts[m], ts[next])) end = ts[next++].end;
        const Token* y = At(ts, next);
        if (y && y->punct(U'\'') && At(ts, next + 1) && Value(ts[next + 1]) >= 0 && ts[next + 1].lower.size() == 2) {
          end = ts[next + 1].end;
        } else if (y && y->number() && (y->lower.size() == 4 || y->lower.size() == 2)) {
          end = y->end;
        }
        f.Add(a.start, end, PiiKind::kDate);
        continue;
      }
    }
    // A year of birth: "geboren in 1958", "geb. 1958", "geboortejaar: 1958",
    // "in 1972 geboren".
    if (a.lower.size() == 4 && Value(a) >= 1900 && Value(a) <= 2030 &&
        (WordIs(At(ts, i + 1), {"geboren"}) || (WordIs(At(ts, i + 1), {"is", "was", "werd"}) &&
                                               WordIs(At(ts, i + 2), {"geboren"})))) {
      f.Add(a.start, a.end, PiiKind::kDate);
      continue;
    }
    if (a.lower.size() == 4 && Value(a) >= 1900 && Value(a) <= 2030) {
      for (long k = static_cast<long>(i) - 1; k >= 0 && k >= static_cast<long>(i) - 4; --k) {
        const Token& w = ts[k];
        if (w.word() && (w.lower == "geboren" || w.lower == "geb" || w.lower.rfind("geboorte", 0) == 0)) {
          f.Add(a.start, a.end, PiiKind::kDate);
          break;
        }
        if (w.word() && !WordIs(&w, {"in", "op", "is", "was", "jaar", "uit", "van", "het", "ze", "hij", "zij",
                                     "ik", "u", "ben", "werd", "mevrouw", "meneer"})) {
          break;
        }
      }
    }
  }
}

void FindPostcodes(const Text& t, Finds& f) {
  const Tokens& ts = t.tokens;
  for (size_t i = 0; i + 1 < ts.size(); ++i) {
    const Token& n = ts[i];
    const Token& l = ts[i + 1];
    if (!n.number() || n.lower.size() != 4 || n.lower[0] == '0' || !l.word() || l.lower.size() != 2) continue;
    if (f.Taken(n) || f.Taken(l)) continue;
    if (l.lower == "sa" || l.lower == "sd" || l.lower == "ss") continue;
    if (!std::all_of(l.lower.begin(), l.lower.end(), [](char c) { return c >= 'a' && c <= 'z'; })) continue;
    if (At(ts, i - 1) && Tight(*At(ts, i - 1), n) && !At(ts, i - 1)->punct(U'(')) continue;  // part of something
    if (i + 2 < ts.size() && Tight(l, ts[i + 2]) && (ts[i + 2].word() || ts[i + 2].number())) continue;
    bool upper = l.all_caps;
    bool tight = Tight(n, l);
    // Lower case letters with a space read as a word ("1400 en"), unless
    // the number follows an address or the word "postcode".
    bool cue = WordIs(At(ts, i - 1), {"postcode", "pc"}) ||
               (At(ts, i - 1) && At(ts, i - 1)->punct(U':') && WordIs(At(ts, i - 2), {"postcode", "pc"}));
    if (i >= 1) {
      const PiiSpan* before = f.At(ts[i - 1].start);
      if (!before && i >= 2 && ts[i - 1].punct(U',')) before = f.At(ts[i - 2].start);
      cue = cue || (before && before->kind == PiiKind::kAddress);
    }
    if (upper || cue || (tight && !t.lex.words.Has(l.lower))) f.Add(n.start, l.end, PiiKind::kPostcode);
  }
}

namespace {

// 1 to 120 written out: "zeven", "achtenzeventig", "tweeëntachtig",
// "honderdeen"; -1 otherwise.
int NumberWord(std::string w) {
  static const char* const kUnits[] = {"", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"};
  static const char* const kTeens[] = {"tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien",
                                       "zeventien", "achttien", "negentien"};
  static const char* const kTens[] = {"", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig",
                                      "tachtig", "negentig"};
  int base = 0;
  if (w.rfind("honderd", 0) == 0) {
    base = 100;
    w = w.substr(7);
    if (w.empty()) return 100;
  }
  auto unit = [&](const std::string& u) {
    for (int k = 1; k <= 9; ++k) {
      if (u == kUnits[k] || (k == 1 && u == "één")) return k;
    }
    return -1;
  };
  for (int k = 0; k < 10; ++k) {
    if (w == kTeens[k]) return base + 10 + k;
  }
  for (int k = 2; k <= 9; ++k) {
    if (w == kTens[k]) return base + 10 * k;
    const std::string tens = kTens[k];
    if (w.size() > tens.size() && w.compare(w.size() - tens.size(), tens.size(), tens) == 0) {
      std::string head = w.substr(0, w.size() - tens.size());
      for (const char* joint : {"ën", "en"}) {  // tweeëntwintig, vierentwintig
        const size_t jl = std::strlen(joint);
        if (head.size() > jl && head.compare(head.size() - jl, jl, joint) == 0) {
          int u = unit(head.substr(0, head.size() - jl) + (std::strcmp(joint, "ën") == 0 ? "e" : ""));
          if (u < 0 && std::strcmp(joint, "ën") == 0) u = unit(head.substr(0, head.size() - jl));
          if (u > 0) return base + 10 * k + u;
        }
      }
    }
  }
  int u = unit(w);
  return u > 0 ? base + u : -1;
}

// An age's number: digits or a number word, 0 to 120; -1 otherwise.
int AgeNumber(const Token* t) {
  if (!t) return -1;
  if (t->number()) {
    int v = t->lower.size() <= 3 ? std::stoi(t->lower) : -1;
    return v <= 120 ? v : -1;
  }
  return t->word() ? NumberWord(t->lower) : -1;
}

bool IsYearUnit(const Token* t) { return WordIs(t, {"jaar", "jr", "jaren"}); }

// What a number before it counts, when it is not years of age: "is 50
// euro", "is 3 keer", "van 14 weken" (a baby's age in weeks is IsAgeUnit's).
bool CountsSomethingElse(const Token* t) {
  if (!t) return false;
  if (t->punct(U'%') || t->punct(0x20AC) || t->punct(U'-')) return true;
  return WordIs(t, {"euro", "eur", "keer", "procent", "uur", "minuten", "min", "dagen", "dag", "kilo", "kg", "km",
                    "kilometer", "meter", "cm", "m2", "stuks", "kinderen", "mensen", "personen", "weken", "brieven",
                    "punten", "cent", "dollar", "maal", "x", "ton", "liter", "graden", "pagina's", "formulieren"});
}
bool IsAgeUnit(const Token* t) { return IsYearUnit(t) || WordIs(t, {"maanden", "maand", "weken", "mnd"}); }

// Words after "is 81" that say it was an age: the sentence goes on about
// the person, not about what the number counts.
bool EndsAge(const Token* t) {
  if (!t) return true;
  if (t->type == Token::Type::kPunct) return !t->punct(U'%') && !t->punct(U'-') && !t->punct(0x20AC);
  return WordIs(t, {"en", "maar", "dus", "want", "of", "geworden", "nu", "inmiddels", "oud", "jong", "al",
                    "pas", "sinds", "geleden", "toen", "woont", "heeft", "is"});
}

}  // namespace

void FindAges(const Text& t, Finds& f) {
  const Tokens& ts = t.tokens;
  auto name_before = [&](long k) {
    const Token* w = At(ts, k);
    if (!w) return false;
    const PiiSpan* s = f.At(w->start);
    return (s && s->kind == PiiKind::kName) || IsPersonNoun(t, *w);
  };
  for (long i = 0; i < static_cast<long>(ts.size()); ++i) {
    const Token& a = ts[i];
    if (f.Taken(a)) continue;
    // "67-jarige", "achtenzeventigjarige", "67jarige"
    if (a.word() && a.lower.size() > 6 && a.lower.compare(a.lower.size() - 6, 6, "jarige") == 0 &&
        NumberWord(a.lower.substr(0, a.lower.size() - 6)) > 0) {
      f.Add(a.start, a.end, PiiKind::kAge);
      continue;
    }
    const int n = AgeNumber(&a);
    if (n < 0) continue;
    const Token* prev = At(ts, i - 1);
    const Token* next = At(ts, i + 1);
    if (next && next->punct(U'-') && WordIs(At(ts, i + 2), {"jarige", "jarig", "jarigen"})) {
      f.Add(a.start, ts[i + 2].end, PiiKind::kAge);
      i += 2;
      continue;
    }
    if (WordIs(next, {"jarige", "jarig"})) {
      f.Add(a.start, next->end, PiiKind::kAge);
      ++i;
      continue;
    }
    // The span: the number, and its unit when one follows.
    size_t end = a.end;
    long after = i + 1;
    if (IsAgeUnit(next)) {
      end = next->end;
      after = i + 2;
      if (At(ts, after) && ts[after].punct(U'.') && WordIs(next, {"jr", "mnd"})) end = ts[after++].end;
    }
    const bool unit = end != a.end;
    const bool in_brackets = prev && prev->punct(U'(') && next && next->punct(U')');
    if (!unit && !a.number() && !in_brackets &&
        (!WordIs(prev, {"ben", "is", "was", "wordt", "werd", "word"}) || n == 1)) {
      continue;
    }
    const Token* following = At(ts, after);
    bool age = false;
    if (unit && WordIs(following, {"oud", "jong"})) age = true;  // "45 jaar oud"
    // "is 81", "ik ben 67 jaar", "wordt 90", "is pas 16": the verb's subject is a person.
    long verb = i - 1;
    if (WordIs(prev, {"pas", "net", "bijna", "nog", "ruim", "inmiddels", "ongeveer", "al", "nu", "sinds", "gisteren"})) {
      verb = i - 2;
    }
    const Token* v = At(ts, verb);
    if (WordIs(v, {"ben", "bent", "is", "was", "wordt", "werd", "word", "waren", "zijn", "worden"}) &&
        (unit || (!CountsSomethingElse(following) && (EndsAge(following) || following->word()))) &&
        (v->lower == "ben" || v->lower == "bent" || name_before(verb - 1))) {
      age = true;
    }
    // "sinds hij 18 werd", "die 18 wordt"
    if (!unit && WordIs(following, {"werd", "wordt", "word", "geworden"}) && a.number()) age = true;
    // "zoon van 16", "een vrouw van 67 jaar", "kinderen van 3 en 5"
    if (WordIs(prev, {"van"}) && name_before(i - 2) && (unit || !CountsSomethingElse(following))) age = true;
    // "op zijn 60", "op haar 18e"
    if (WordIs(prev, {"zijn", "haar", "mijn", "z'n", "d'r", "hun"}) && WordIs(At(ts, i - 2), {"op"}) &&
        !CountsSomethingElse(following) && !IsAgeUnit(following)) {
      age = true;
    }
    // "(74)", "(74 jaar)", "(zeventien)" after a name or a person; "(v, 62)", "(m, 45)"
    if (prev && prev->punct(U'(') && following && following->punct(U')') && name_before(i - 2)) age = true;
    if (prev && prev->punct(U',') && WordIs(At(ts, i - 2), {"v", "m", "man", "vrouw", "x"}) && At(ts, i - 3) &&
        At(ts, i - 3)->punct(U'(') && following && following->punct(U')')) {
      age = true;
    }
    // "leeftijd 67", "leeftijd: 67", "lft. 67"
    for (long k = i - 1; k >= 0 && k >= i - 3; --k) {
      if (WordIs(&ts[k], {"leeftijd", "lft", "lftd", "age"})) age = true;
      if (ts[k].word() && !WordIs(&ts[k], {"van", "leeftijd", "lft", "lftd"})) break;
    }
    // "Man, 67 jaar, alleenstaand" / "67 jaar, woont alleen": an age stated
    // on its own, between commas or at the start.
    if (unit && IsYearUnit(next) && following && (following->punct(U',') || following->punct(U')')) &&
        (!prev || prev->punct(U',') || prev->punct(U'(') || a.sentence_start)) {
      age = true;
    }
    if (age) {
      f.Add(a.start, end, PiiKind::kAge);
      i = after - 1;
    }
  }
}

}  // namespace signaal::scrub
