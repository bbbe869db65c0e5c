#include "summariser.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "signaal/saturating.h"

namespace signaal::node {
namespace {

using Key = std::tuple<std::string, std::string, std::string, std::string, std::string>;

std::map<Key, uint32_t> CountByKey(const std::vector<Key>& keys) {
  std::map<Key, uint32_t> counts;
  for (const auto& k : keys) SaturatingAddTo(counts[k], 1u);
  return counts;
}

// What a cell counts besides its persons.
struct Sums {
  uint32_t signals = 0;
  uint32_t key_sum = 0;  // wraps mod 2^32
  uint32_t open = 0;
  uint32_t open_key_sum = 0;  // wraps too
  void Add(uint32_t n, uint32_t key, uint32_t n_open, uint32_t open_key) {
    SaturatingAddTo(signals, n);
    key_sum += key;  // wraps on purpose: the cell-key method
    SaturatingAddTo(open, n_open);
    open_key_sum += open_key;
  }
};

wire::SummaryCell CellOf(const Key& key, const Sums& sums, uint32_t persons) {
  wire::SummaryCell c;
  c.set_municipality(std::get<0>(key));
  c.set_theme(std::get<1>(key));
  c.set_subtheme(std::get<2>(key));
  c.set_age_band(std::get<3>(key));
  c.set_channel(std::get<4>(key));
  c.set_signals(sums.signals);
  c.set_persons(persons);
  // Set even when 0: the broker tells a schema-2 cell by its key sum, and a
  // node that sends statuses by the open count.
  c.set_key_sum(sums.key_sum);
  c.set_open(std::min(sums.open, sums.signals));
  c.set_open_key_sum(sums.open_key_sum);
  return c;
}

}  // namespace

std::vector<wire::SummaryCell> Summarise(const std::vector<storage::StoredSignal>& signals, uint32_t min_cell,
                                         const RecordKeyOf& record_key) {
  // Each signal's cell, generalised step by step while its cell is small:
  // first age band and channel become "all", then the subtheme goes.
  std::vector<Key> keys;
  keys.reserve(signals.size());
  for (const auto& s : signals) keys.emplace_back(s.municipality(), s.theme(), s.subtheme(), s.age_band(), s.channel());
  auto counts = CountByKey(keys);
  for (auto& k : keys) {
    if (counts[k] < min_cell) k = {std::get<0>(k), std::get<1>(k), std::get<2>(k), "", ""};
  }
  counts = CountByKey(keys);
  for (auto& k : keys) {
    if (counts[k] < min_cell && !std::get<2>(k).empty() && std::get<3>(k).empty()) {
      k = {std::get<0>(k), std::get<1>(k), "", "", ""};
    }
  }
  // What is still small stays at (week, municipality, theme): the theme total
  // per region is always complete.

  struct Acc {
    Sums sums;
    uint32_t anonymous = 0;
    std::set<std::string> pseudonyms;
  };
  std::map<Key, Acc> cells;
  for (size_t i = 0; i < signals.size(); ++i) {
    Acc& a = cells[keys[i]];
    const uint32_t k = record_key(signals[i].id());
    const bool open = IsOpen(signals[i]);
    a.sums.Add(1, k, open ? 1 : 0, open ? k : 0);
    if (signals[i].person_pseudonym().empty()) {
      SaturatingAddTo(a.anonymous, 1u);
    } else {
      a.pseudonyms.insert(signals[i].person_pseudonym());
    }
  }
  std::vector<wire::SummaryCell> out;
  for (const auto& [key, a] : cells) {
    uint32_t persons = a.anonymous;
    SaturatingAddTo(persons, a.pseudonyms.size());
    out.push_back(CellOf(key, a.sums, persons));
  }
  return out;
}

std::vector<wire::SummaryCell> SummariseAggregates(
    const std::vector<CellAggregate>& cells, uint32_t min_cell,
    const std::function<std::vector<std::string>(const CellAggregate&)>& pseudonyms_of) {
  // The same two generalisation steps as Summarise; every signal of a cell
  // shares its key, so they map whole cells.
  std::vector<Key> keys;
  keys.reserve(cells.size());
  for (const auto& c : cells) {
    Key k{c.municipality, c.theme, c.subtheme, c.age_band, c.channel};
    if (c.signals < min_cell) k = {c.municipality, c.theme, c.subtheme, "", ""};
    keys.push_back(std::move(k));
  }
  std::map<Key, uint32_t> counts;
  for (size_t i = 0; i < cells.size(); ++i) SaturatingAddTo(counts[keys[i]], cells[i].signals);
  for (auto& k : keys) {
    if (counts[k] < min_cell && !std::get<2>(k).empty() && std::get<3>(k).empty()) {
      k = {std::get<0>(k), std::get<1>(k), "", "", ""};
    }
  }
  std::map<Key, std::vector<size_t>> groups;
  for (size_t i = 0; i < cells.size(); ++i) groups[keys[i]].push_back(i);

  std::vector<wire::SummaryCell> out;
  for (const auto& [key, members] : groups) {
    Sums sums;
    uint32_t persons = 0;
    // A merged cell's signals are its parts' signals, and so are its sums.
    for (size_t i : members) sums.Add(cells[i].signals, cells[i].key_sum, cells[i].open, cells[i].open_key_sum);
    if (members.size() == 1) {
      persons = cells[members[0]].persons();
    } else {
      // Merged cells: a person with signals in several of them counts once.
      std::set<std::string> pseudonyms;
      for (size_t i : members) {
        SaturatingAddTo(persons, cells[i].anonymous);
        if (cells[i].distinct == 0) continue;
        for (auto& p : pseudonyms_of(cells[i])) pseudonyms.insert(std::move(p));
      }
      SaturatingAddTo(persons, pseudonyms.size());
    }
    out.push_back(CellOf(key, sums, persons));
  }
  return out;
}

}  // namespace signaal::node
