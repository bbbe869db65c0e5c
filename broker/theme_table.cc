#include "theme_table.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "signaal/saturating.h"

namespace signaal::broker {

uint32_t ThemeTable::Interned::Intern(const std::string& name) {
  auto [it, added] = ids.try_emplace(name, static_cast<uint32_t>(names.size()));
  if (added) names.push_back(name);
  return it->second;
}

const uint32_t* ThemeTable::Interned::Find(const std::string& name) const {
  auto it = ids.find(name);
  return it == ids.end() ? nullptr : &it->second;
}

template <typename F>
void ThemeTable::ForEachOrganisation(uint32_t sender, const SenderWeek& week, size_t i, F&& f) {
  const PackedCell& c = week.cells[i];
  if (week.partner_begin.empty()) {
    uint32_t parts = 0;
    if (c.open != kOpenUnknown) {
      parts = (c.open > 0 ? Grid::kHasOpen : 0u) | (c.signals > c.open ? Grid::kHasDealtWith : 0u);
    }
    f(sender << 2 | parts);
    return;
  }
  // Which parts a partner has signals in means nothing where the cell's
  // open count is unknown, as for a node's cell.
  const uint32_t mask = c.open == kOpenUnknown ? ~3u : ~0u;
  for (uint32_t j = week.partner_begin[i]; j < week.partner_begin[i + 1]; ++j) f(week.partners[j] & mask);
}

namespace {

std::string TokenName(const std::string& sender, uint64_t token) {
  static const char* kHex = "0123456789abcdef";
  std::string name = sender + "#";
  for (int shift = 60; shift >= 0; shift -= 4) name += kHex[(token >> shift) & 0xf];
  return name;
}

}  // namespace

ThemeTable::PackedCell ThemeTable::Pack(const wire::SummaryCell& c) {
  return PackedCell{municipalities_.Intern(c.municipality()), codes_.Intern(c.theme()),
                    c.subtheme().empty() ? kNoCode : codes_.Intern(c.subtheme()), c.signals(), c.persons(),
                    c.key_sum(), c.has_open() ? c.open() : kOpenUnknown, c.open_key_sum()};
}

ThemeTable::SenderWeek ThemeTable::PackNodeCells(const wire::SummarySnapshot& snapshot) {
  std::vector<PackedCell> cells;
  cells.reserve(static_cast<size_t>(snapshot.cells_size()));
  for (const auto& c : snapshot.cells()) cells.push_back(Pack(c));
  std::sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) { return Codes(a) < Codes(b); });
  // Merge cells with the same codes, unless a sum would overflow (only
  // input no validator passes comes near that). Every sum of counts below
  // saturates (signaal/saturating.h): no total can wrap to a small number,
  // whatever reached the table.
  SenderWeek out;
  constexpr uint32_t kMax = std::numeric_limits<uint32_t>::max();
  for (const PackedCell& c : cells) {
    PackedCell* last = out.cells.empty() ? nullptr : &out.cells.back();
    if (last && Codes(*last) == Codes(c) && kMax - last->signals >= c.signals && kMax - last->persons >= c.persons) {
      last->signals += c.signals;
      last->persons += c.persons;
      last->key_sum += c.key_sum;
      // Each open count is at most its signals, whose sum did not overflow.
      last->open = last->open == kOpenUnknown || c.open == kOpenUnknown ? kOpenUnknown : last->open + c.open;
      last->open_key_sum += c.open_key_sum;
    } else {
      out.cells.push_back(c);
    }
  }
  out.cells.shrink_to_fit();
  return out;
}

ThemeTable::SenderWeek ThemeTable::PackRegionalCells(const wire::SummarySnapshot& snapshot) {
  // One cell per codes already (the validator refuses a repeat): sorted with
  // their partners, each partner interned under the sender's name so that
  // two regions' tokens never meet.
  std::vector<std::pair<PackedCell, const wire::SummaryCell*>> cells;
  cells.reserve(static_cast<size_t>(snapshot.cells_size()));
  for (const auto& c : snapshot.cells()) cells.emplace_back(Pack(c), &c);
  std::sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) { return Codes(a.first) < Codes(b.first); });
  SenderWeek out;
  out.cells.reserve(cells.size());
  for (const auto& [packed, cell] : cells) {
    out.partner_begin.push_back(static_cast<uint32_t>(out.partners.size()));
    out.cells.push_back(packed);
    for (const auto& p : cell->partners()) {
      const uint32_t id = nodes_.Intern(TokenName(snapshot.node_id(), p.token()));
      out.partners.push_back(id << 2 | (p.has_open() ? Grid::kHasOpen : 0u) |
                             (p.has_dealt_with() ? Grid::kHasDealtWith : 0u));
    }
  }
  out.partner_begin.push_back(static_cast<uint32_t>(out.partners.size()));
  out.partners.shrink_to_fit();
  return out;
}

void ThemeTable::Put(const wire::SummarySnapshot& snapshot) {
  if (codes_.names.empty()) codes_.Intern("");
  const uint32_t node = nodes_.Intern(snapshot.node_id());
  const bool regional = std::any_of(snapshot.cells().begin(), snapshot.cells().end(),
                                    [](const wire::SummaryCell& c) { return c.partners_size() > 0; });
  SenderWeek sender = regional ? PackRegionalCells(snapshot) : PackNodeCells(snapshot);
  std::shared_ptr<Week>& week = periods_[snapshot.period()];
  if (!week) {
    week = std::make_shared<Week>();
  } else if (week.use_count() > 1) {
    // A copy of the table holds this week, perhaps read on another thread:
    // it keeps what it has. Copies are made and freed on this thread only
    // (see the copy constructor), so a count of 1 means nobody else can be
    // reading, and the reader's last read happened before its copy came back.
    week = std::make_shared<Week>(*week);
  }
  auto [it, added] = week->insert_or_assign(node, std::move(sender));
  if (added) ++count_;
  // The week's quotes of this node: the newest snapshot's, none if it has
  // none (a quote withdrawn is gone from here with the snapshot that drops it).
  auto held = quotes_.find(snapshot.period());
  const bool had = held != quotes_.end() && held->second->count(node) > 0;
  if (had || snapshot.quotes_size() > 0) {
    auto next = std::make_shared<WeekQuotes>(held != quotes_.end() ? *held->second : WeekQuotes());
    if (had) quote_count_ -= (*next)[node].size();
    if (snapshot.quotes_size() > 0) {
      (*next)[node].assign(snapshot.quotes().begin(), snapshot.quotes().end());
      quote_count_ += static_cast<size_t>(snapshot.quotes_size());
    } else {
      next->erase(node);
    }
    quotes_[snapshot.period()] = std::move(next);
  }
  if (latest_.size() <= node) latest_.resize(node + 1);
  if (snapshot.period() > latest_[node]) latest_[node] = snapshot.period();
}

std::vector<ThemeTable::HeldQuote> ThemeTable::QuotesIn(const std::vector<std::string>& municipalities,
                                                        const std::vector<std::string>& weeks) const {
  std::set<uint32_t> places;
  for (const auto& m : municipalities) {
    if (const uint32_t* id = municipalities_.Find(m)) places.insert(*id);
  }
  std::vector<HeldQuote> out;
  for (const auto& w : weeks) {
    auto q = quotes_.find(w);
    auto cells = periods_.find(w);
    if (q == quotes_.end() || cells == periods_.end()) continue;
    for (const auto& [node, quotes] : *q->second) {
      auto node_cells = cells->second->find(node);
      if (node_cells == cells->second->end()) continue;
      for (const auto& quote : quotes) {
        const uint32_t* theme = codes_.Find(quote.theme());
        const auto& placing = node_cells->second.cells;
        const bool placed = theme && std::any_of(placing.begin(), placing.end(),
                                                 [&](const PackedCell& c) {
                                                   return c.theme == *theme && places.count(c.municipality) > 0;
                                                 });
        if (placed) out.push_back({nodes_.names[node], w, quote});
      }
    }
  }
  return out;
}

TotalsByCode ThemeTable::Aggregate(const std::string& region, const std::vector<std::string>& weeks) const {
  const Region* r = ref_.FindRegion(region);
  if (!r) return {};
  return AggregateIn({r->municipalities.begin(), r->municipalities.end()}, weeks);
}

TotalsByCode ThemeTable::AggregateIn(const std::set<std::string>& municipalities,
                                     const std::vector<std::string>& weeks) const {
  std::vector<char> wanted(municipalities_.names.size(), 0);
  for (const auto& m : municipalities) {
    if (const uint32_t* id = municipalities_.Find(m)) wanted[*id] = 1;
  }
  // Totals by code id; organisations as node ids, made names once at the end.
  struct Sum {
    uint64_t signals = 0, persons = 0;
    uint32_t key = 0;
    bool touched = false;
    std::vector<uint32_t> organisations;
  };
  std::vector<Sum> sums(codes_.names.size());
  for (const auto& week : weeks) {
    auto period = periods_.find(week);
    if (period == periods_.end()) continue;
    for (const auto& [node, sender] : *period->second) {
      for (size_t i = 0; i < sender.cells.size(); ++i) {
        const PackedCell& cell = sender.cells[i];
        if (!wanted[cell.municipality]) continue;
        auto add = [&](uint32_t code) {
          Sum& t = sums[code];
          SaturatingAddTo(t.signals, cell.signals);
          SaturatingAddTo(t.persons, cell.persons);
          t.key += cell.key_sum;
          t.touched = true;
          if (cell.signals == 0) return;
          ForEachOrganisation(node, sender, i, [&](uint32_t entry) {
            if (t.organisations.empty() || t.organisations.back() != entry >> 2) t.organisations.push_back(entry >> 2);
          });
        };
        add(0);
        add(cell.theme);
        if (cell.subtheme != kNoCode) add(cell.subtheme);
      }
    }
  }
  // Node ids ranked by name, so each code's organisations enter its set in order.
  std::vector<uint32_t> by_name(nodes_.names.size()), rank(nodes_.names.size());
  std::iota(by_name.begin(), by_name.end(), 0);
  std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) { return nodes_.names[a] < nodes_.names[b]; });
  for (uint32_t i = 0; i < by_name.size(); ++i) rank[by_name[i]] = i;
  TotalsByCode totals;
  for (uint32_t code = 0; code < sums.size(); ++code) {
    Sum& sum = sums[code];
    if (!sum.touched) continue;
    CellTotals& t = totals[codes_.names[code]];
    t.signals = sum.signals;
    t.persons = sum.persons;
    t.key = sum.key;
    auto& orgs = sum.organisations;
    std::sort(orgs.begin(), orgs.end(), [&](uint32_t a, uint32_t b) { return rank[a] < rank[b]; });
    orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());
    for (uint32_t node : orgs) t.organisations.insert(t.organisations.end(), nodes_.names[node]);
  }
  return totals;
}

ThemeTable::Grid ThemeTable::ReadGrid(const std::vector<std::string>& municipalities,
                                      const std::vector<std::string>& weeks) const {
  Grid grid;
  grid.table_ = this;
  for (const auto& w : weeks) grid.week_index_.emplace(w, grid.week_index_.size());
  for (const auto& m : municipalities) grid.municipality_index_.emplace(m, grid.municipality_index_.size());
  const size_t width = grid.municipality_index_.size();
  grid.blocks_.resize(grid.week_index_.size() * width);
  // Municipality id -> column in the grid, or none.
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> column(municipalities_.names.size(), kNone);
  for (const auto& [m, j] : grid.municipality_index_) {
    if (const uint32_t* id = municipalities_.Find(m)) column[*id] = j;
  }
  // Per week, a dense scratch row by code id for every column, made sparse
  // into the week's blocks when the week is done: one pass over its cells.
  const size_t ncodes = codes_.names.size();
  std::vector<Grid::CodeSum> scratch(ncodes * width);
  std::vector<char> seen(ncodes * width, 0);
  std::vector<uint32_t> touched;  // scratch indices
  for (const auto& [week, i] : grid.week_index_) {
    auto period = periods_.find(week);
    if (period == periods_.end()) continue;
    touched.clear();
    for (const auto& [node, sender] : *period->second) {
      for (size_t c = 0; c < sender.cells.size(); ++c) {
        const PackedCell& cell = sender.cells[c];
        const size_t j = column[cell.municipality];
        if (j == kNone) continue;
        auto add = [&](uint32_t code) {
          const size_t at = j * ncodes + code;
          Grid::CodeSum& t = scratch[at];
          if (!seen[at]) {
            seen[at] = 1;
            touched.push_back(static_cast<uint32_t>(at));
          }
          SaturatingAddTo(t.signals, cell.signals);
          SaturatingAddTo(t.persons, cell.persons);
          t.key += cell.key_sum;
          // Cells come sender by sender and each has signals: a node is the
          // last one listed, or listed now; a regional broker's partners
          // are listed again per cell, and Sum counts each once.
          ForEachOrganisation(node, sender, c, [&](uint32_t entry) {
            if (!t.organisations.empty() && t.organisations.back() >> 2 == entry >> 2) {
              t.organisations.back() |= entry & 3;
            } else {
              t.organisations.push_back(entry);
            }
          });
          if (cell.open == kOpenUnknown) {
            t.open_unknown = true;
            return;
          }
          SaturatingAddTo(t.open, cell.open);
          t.open_key += cell.open_key_sum;
        };
        add(0);
        add(cell.theme);
        if (cell.subtheme != kNoCode) add(cell.subtheme);
      }
    }
    // By column, then code id: each block comes out sorted.
    std::sort(touched.begin(), touched.end());
    for (uint32_t at : touched) {
      Grid::CodeSum& t = scratch[at];
      seen[at] = 0;
      if (t.signals > 0) {
        t.code = static_cast<uint32_t>(at % ncodes);
        grid.blocks_[i * width + at / ncodes].push_back(std::move(t));
      }
      t = Grid::CodeSum{};
    }
  }
  return grid;
}

CountsByCode ThemeTable::Grid::Sum(const std::vector<std::string>& weeks,
                                   const std::vector<std::string>& municipalities) const {
  const ThemeTable& t = *table_;
  std::vector<CodeSum> sums(t.codes_.names.size());
  std::vector<char> touched(sums.size(), 0);
  const size_t width = municipality_index_.size();
  for (const auto& w : weeks) {
    auto wi = week_index_.find(w);
    if (wi == week_index_.end()) continue;
    for (const auto& m : municipalities) {
      auto mi = municipality_index_.find(m);
      if (mi == municipality_index_.end()) continue;
      for (const CodeSum& c : blocks_[wi->second * width + mi->second]) {
        CodeSum& s = sums[c.code];
        touched[c.code] = 1;
        SaturatingAddTo(s.signals, c.signals);
        SaturatingAddTo(s.persons, c.persons);
        s.key += c.key;
        s.organisations.insert(s.organisations.end(), c.organisations.begin(), c.organisations.end());
        s.open_unknown = s.open_unknown || c.open_unknown;
        SaturatingAddTo(s.open, c.open);
        s.open_key += c.open_key;
      }
    }
  }
  // Distinct organisations per code, by marking each node with the code's
  // turn (and which parts of the cell it has signals in): linear, no
  // sorting, no names.
  std::vector<uint32_t> seen(t.nodes_.names.size(), 0);
  std::vector<uint8_t> seen_parts(t.nodes_.names.size(), 0);
  uint32_t turn = 0;
  CountsByCode counts;
  for (uint32_t code = 0; code < sums.size(); ++code) {
    if (!touched[code]) continue;
    const CodeSum& s = sums[code];
    CellCounts& out = counts[t.codes_.names[code]];
    out.signals = s.signals;
    out.persons = s.persons;
    out.key = s.key;
    ++turn;
    for (uint32_t entry : s.organisations) {
      const uint32_t node = entry >> 2;
      const uint8_t parts = entry & 3;
      if (seen[node] != turn) {
        seen[node] = turn;
        seen_parts[node] = 0;
        ++out.organisations;
      }
      const uint8_t added = static_cast<uint8_t>(parts & ~seen_parts[node]);
      seen_parts[node] |= parts;
      out.open_organisations += (added & kHasOpen) ? 1 : 0;
      out.dealt_with_organisations += (added & kHasDealtWith) ? 1 : 0;
    }
    if (s.open_unknown) {
      out.open_organisations = out.dealt_with_organisations = 0;
      continue;
    }
    out.open_known = true;
    out.open = std::min(s.open, s.signals);
    out.open_key = s.open_key;
  }
  return counts;
}

void ThemeTable::Drop(const std::string& node_id) {
  const uint32_t* found = nodes_.Find(node_id);
  if (!found) return;
  const uint32_t node = *found;
  for (auto& [period, week] : periods_) {
    if (!week->count(node)) continue;
    if (week.use_count() > 1) week = std::make_shared<Week>(*week);  // as in Put
    week->erase(node);
    --count_;
  }
  for (auto& [period, quotes] : quotes_) {
    auto it = quotes->find(node);
    if (it == quotes->end()) continue;
    auto next = std::make_shared<WeekQuotes>(*quotes);
    quote_count_ -= it->second.size();
    next->erase(node);
    quotes = std::move(next);
  }
  if (node < latest_.size()) latest_[node].clear();
}

std::vector<std::string> ThemeTable::Weeks() const {
  std::vector<std::string> out;
  for (const auto& [period, week] : periods_) {
    if (!week->empty()) out.push_back(period);
  }
  return out;
}

std::vector<wire::SummaryCell> ThemeTable::RegionCells(const std::string& week, const PartnerToken& token) const {
  auto period = periods_.find(week);
  if (period == periods_.end()) return {};
  struct Acc {
    uint64_t signals = 0, persons = 0, open = 0;
    uint32_t key = 0, open_key = 0;
    bool open_unknown = false;
    std::map<uint32_t, uint32_t> parts;  // organisation -> kHasOpen | kHasDealtWith
  };
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, Acc> acc;
  for (const auto& [node, sender] : *period->second) {
    for (size_t i = 0; i < sender.cells.size(); ++i) {
      const PackedCell& cell = sender.cells[i];
      if (cell.signals == 0) continue;
      Acc& a = acc[Codes(cell)];
      SaturatingAddTo(a.signals, cell.signals);
      SaturatingAddTo(a.persons, cell.persons);
      a.key += cell.key_sum;
      if (cell.open == kOpenUnknown) {
        a.open_unknown = true;
      } else {
        SaturatingAddTo(a.open, cell.open);
        a.open_key += cell.open_key_sum;
      }
      ForEachOrganisation(node, sender, i, [&](uint32_t entry) { a.parts[entry >> 2] |= entry & 3; });
    }
  }
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max();
  std::vector<wire::SummaryCell> out;
  out.reserve(acc.size());
  for (const auto& [codes, a] : acc) {
    wire::SummaryCell& c = out.emplace_back();
    c.set_municipality(municipalities_.names[std::get<0>(codes)]);
    c.set_theme(codes_.names[std::get<1>(codes)]);
    if (std::get<2>(codes) != kNoCode) c.set_subtheme(codes_.names[std::get<2>(codes)]);
    c.set_signals(static_cast<uint32_t>(std::min(a.signals, kMax)));
    c.set_persons(static_cast<uint32_t>(std::min(a.persons, kMax)));
    c.set_key_sum(a.key);
    if (!a.open_unknown) {
      c.set_open(static_cast<uint32_t>(std::min(a.open, a.signals)));
      c.set_open_key_sum(a.open_key);
    }
    std::map<uint64_t, uint32_t> by_token;  // two names on one token (2^-64) count once
    for (const auto& [organisation, parts] : a.parts) by_token[token(nodes_.names[organisation])] |= parts;
    for (const auto& [t, parts] : by_token) {
      wire::CellPartner* p = c.add_partners();
      p->set_token(t);
      p->set_has_open(!a.open_unknown && (parts & Grid::kHasOpen));
      p->set_has_dealt_with(!a.open_unknown && (parts & Grid::kHasDealtWith));
    }
  }
  // By the codes' names, not the order they were first seen in.
  std::sort(out.begin(), out.end(), [](const wire::SummaryCell& a, const wire::SummaryCell& b) {
    return std::tie(a.municipality(), a.theme(), a.subtheme()) < std::tie(b.municipality(), b.theme(), b.subtheme());
  });
  return out;
}

std::string ThemeTable::LatestPeriod(const std::string& node_id) const {
  const uint32_t* node = nodes_.Find(node_id);
  return node && *node < latest_.size() ? latest_[*node] : "";
}

}  // namespace signaal::broker
