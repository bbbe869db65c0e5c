// signaal-gen: synthetic signals as a CSV file, for the demo and the tests.
// Deterministic for a seed; no real names, addresses or numbers. Themes are
// skewed (a few dominate, as in real intake), persons repeat, and some fields
// carry separators and line breaks to exercise the importer.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <random>

#include <CLI/CLI.hpp>

#include "signaal/period.h"
#include "signaal/reference_data.h"
#include "signaal/text.h"

namespace {

// Our own mapping from random bits to a range: std's distributions differ
// between library versions, and the files must be the same everywhere.
class Dice {
 public:
  explicit Dice(uint64_t seed) : rng_(seed) {}
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : static_cast<uint64_t>((static_cast<unsigned __int128>(rng_()) * n) >> 64); }
  // Index with weight 1/(i+1): Zipf-like.
  size_t Skewed(size_t n) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += 1.0 / static_cast<double>(i + 1);
    double x = static_cast<double>(Below(1'000'000)) / 1'000'000.0 * total;
    for (size_t i = 0; i < n; ++i) {
      x -= 1.0 / static_cast<double>(i + 1);
      if (x <= 0) return i;
    }
    return n - 1;
  }

 private:
  std::mt19937_64 rng_;
};

std::string Quote(const std::string& s, char sep) {
  if (s.find_first_of(std::string("\"\n") + sep) == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const std::vector<std::string> kTexts = {
    "Wachttijd voor schuldhulp is al {n} weken",
    "Formulier voor de bijzondere bijstand kwijtgeraakt; opnieuw aanvragen",
    "Energierekening niet te betalen, vraagt om uitstel",
    "Kan het digitale formulier niet invullen zonder hulp",
    "Voelt zich eenzaam sinds verhuizing, weet niet waar heen",
    "Bezwaar ingediend, na {n} weken nog geen reactie",
    "Hulp bij het huishouden verminderd zonder gesprek",
    "Terugvordering toeslag; \"regeling\" onduidelijk, zorgen over huur",
    "Jongere zonder startkwalificatie, zoekt begeleiding",
    "Mantelzorger overbelast;\nvraagt respijtzorg aan",
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signaal-gen: synthetic signals as CSV"};
  uint64_t rows = 300, seed = 1;
  std::string municipalities = "GM0917", from, out, data, channel, separator = ",";
  int weeks = 8;
  bool bom = false, dutch_dates = false;
  app.add_option("--rows", rows, "number of signals");
  app.add_option("--seed", seed, "random seed");
  app.add_option("--municipalities", municipalities, "CBS codes, comma-separated");
  app.add_option("--from", from, "first ISO week, e.g. 2026-W40")->required();
  app.add_option("--weeks", weeks, "number of weeks");
  app.add_option("--separator", separator, "',' or ';'");
  app.add_flag("--bom", bom, "start with a UTF-8 byte order mark");
  app.add_flag("--dutch-dates", dutch_dates, "write DD-MM-YYYY");
  app.add_option("--channel", channel, "channel column value (default: empty = the node's type)");
  app.add_option("--data", data, "reference data folder");
  app.add_option("--out", out, "CSV file to write")->required();
  CLI11_PARSE(app, argc, argv);

  auto ref = signaal::ReferenceData::Load(data.empty() ? signaal::ReferenceData::DefaultDir() : data);
  if (!ref.ok()) {
    std::cerr << "signaal-gen: " << ref.status().message() << "\n";
    return 1;
  }
  auto monday = signaal::MondayOfWeek(from);
  if (!monday.ok()) {
    std::cerr << "signaal-gen: --from: " << monday.status().message() << "\n";
    return 2;
  }
  auto gms = signaal::SplitList(municipalities);
  for (const auto& gm : gms) {
    if (!ref->FindMunicipality(gm)) {
      std::cerr << "signaal-gen: --municipalities: unknown '" << gm << "'\n";
      return 2;
    }
  }
  char sep = separator.empty() ? ',' : separator[0];
  auto themes = ref->TopThemes();
  int64_t first_day = signaal::DaysFromCivil(*monday);
  int64_t today = signaal::DaysFromCivil(signaal::Today());
  const auto& ages = signaal::ReferenceData::AgeBands();

  Dice dice(seed);
  std::ofstream f(out, std::ios::binary);
  if (bom) f << "\xEF\xBB\xBF";
  std::string s(1, sep);
  f << "date" << s << "municipality" << s << "theme" << s << "subtheme" << s << "age_band" << s << "channel" << s
    << "severity" << s << "status" << s << "text" << s << "person\r\n";
  for (uint64_t i = 0; i < rows; ++i) {
    int64_t day = std::min(first_day + static_cast<int64_t>(dice.Below(static_cast<uint64_t>(weeks) * 7)), today);
    signaal::Date d = signaal::CivilFromDays(day);
    char date[16];
    if (dutch_dates) std::snprintf(date, sizeof date, "%02d-%02d-%04d", d.day, d.month, d.year);
    else std::snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month, d.day);
    const signaal::Theme* theme = themes[dice.Skewed(themes.size())];
    auto subs = ref->SubthemesOf(theme->code);
    std::string sub = dice.Below(5) == 0 || subs.empty() ? "" : subs[dice.Skewed(subs.size())]->code;
    std::string text = kTexts[dice.Below(kTexts.size())];
    if (auto p = text.find("{n}"); p != std::string::npos) text.replace(p, 3, std::to_string(2 + dice.Below(20)));
    char person[24] = "";  // "K-" and up to 20 digits
    if (dice.Below(10) != 0) std::snprintf(person, sizeof person, "K-%06llu", static_cast<unsigned long long>(dice.Below(rows * 3 / 4 + 1)));
    f << date << s << gms[dice.Below(gms.size())] << s << theme->code << s << sub << s << ages[dice.Skewed(ages.size())]
      << s << channel << s << (1 + dice.Below(3)) << s << (dice.Below(3) == 0 ? "referred" : "open") << s
      << Quote(text, sep) << s << person << "\r\n";
  }
  if (!f) {
    std::cerr << "signaal-gen: cannot write " << out << "\n";
    return 1;
  }
  return 0;
}
