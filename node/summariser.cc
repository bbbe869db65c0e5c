#include "summariser.h"

#include <map>
#include <set>
#include <tuple>

namespace signaal::node {

std::vector<wire::SummaryCell> Summarise(const std::vector<wire::StoredSignal>& signals) {
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  struct Acc {
    uint32_t signals = 0;
    uint32_t anonymous = 0;
    std::set<std::string> pseudonyms;
  };
  std::map<Key, Acc> cells;
  for (const auto& s : signals) {
    Acc& a = cells[{s.municipality(), s.theme(), s.subtheme(), s.age_band(), s.channel()}];
    ++a.signals;
    if (s.person_pseudonym().empty()) {
      ++a.anonymous;
    } else {
      a.pseudonyms.insert(s.person_pseudonym());
    }
  }
  std::vector<wire::SummaryCell> out;
  for (const auto& [key, a] : cells) {
    wire::SummaryCell c;
    c.set_municipality(std::get<0>(key));
    c.set_theme(std::get<1>(key));
    c.set_subtheme(std::get<2>(key));
    c.set_age_band(std::get<3>(key));
    c.set_channel(std::get<4>(key));
    c.set_signals(a.signals);
    c.set_persons(a.anonymous + static_cast<uint32_t>(a.pseudonyms.size()));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace signaal::node
