#include "summariser.h"

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

wire::SummaryCell CellOf(const Key& key, uint32_t signals, uint32_t persons, uint32_t key_sum) {
  wire::SummaryCell c;
  c.set_municipality(std::get<0>(key));
  c.set_theme(std::get<1>(key));
  c.set_subtheme(std::get<2>(key));
  c.set_age_band(std::get<3>(key));
  c.set_channel(std::get<4>(key));
  c.set_signals(signals);
  c.set_persons(persons);
  // Set even when 0: the broker tells a schema-2 cell by its key sum.
  c.set_key_sum(key_sum);
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
    uint32_t signals = 0;
    uint32_t anonymous = 0;
    uint32_t key_sum = 0;  // wraps mod 2^32
    std::set<std::string> pseudonyms;
  };
  std::map<Key, Acc> cells;
  for (size_t i = 0; i < signals.size(); ++i) {
    Acc& a = cells[keys[i]];
    SaturatingAddTo(a.signals, 1u);
    a.key_sum += record_key(signals[i].id());  // wraps on purpose: the cell-key method
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
    out.push_back(CellOf(key, a.signals, persons, a.key_sum));
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
    uint32_t signals = 0, persons = 0, key_sum = 0;
    if (members.size() == 1) {
      signals = cells[members[0]].signals;
      persons = cells[members[0]].persons();
      key_sum = cells[members[0]].key_sum;
    } else {
      // Merged cells: a person with signals in several of them counts once.
      std::set<std::string> pseudonyms;
      for (size_t i : members) {
        SaturatingAddTo(signals, cells[i].signals);
        key_sum += cells[i].key_sum;  // wraps on purpose; the merged cell's signals are its parts' signals
        SaturatingAddTo(persons, cells[i].anonymous);
        if (cells[i].distinct == 0) continue;
        for (auto& p : pseudonyms_of(cells[i])) pseudonyms.insert(std::move(p));
      }
      SaturatingAddTo(persons, pseudonyms.size());
    }
    out.push_back(CellOf(key, signals, persons, key_sum));
  }
  return out;
}

}  // namespace signaal::node
