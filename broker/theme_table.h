// ThemeTable: the combined table of all partners' newest snapshots, held in
// memory and kept current as snapshots arrive. It answers "how many signals,
// persons and reporting organisations per theme and subtheme, in this region,
// over these weeks" — before any disclosure control.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "wire.pb.h"
#include "signaal/reference_data.h"

namespace signaal::broker {

// Raw totals of one cell of the combined table.
struct CellTotals {
  uint64_t signals = 0;
  uint64_t persons = 0;                   // summed over organisations and weeks
  uint32_t key = 0;                       // the cell key: its records' keys summed mod 2^32
  std::set<std::string> organisations;    // node ids with signals in the cell
};

// Totals by code: "" = everything, a theme code, or a subtheme code.
using TotalsByCode = std::map<std::string, CellTotals>;

// What a digest needs of a cell: its totals, with the reporting
// organisations counted rather than named.
struct CellCounts {
  uint64_t signals = 0;
  uint64_t persons = 0;
  uint32_t key = 0;
  uint32_t organisations = 0;
  // Of `signals`, those still open at the partners, with their own key and
  // the organisations reporting open ones and dealt-with ones: known only
  // when every cell summed sent its open count (SummaryCell.open).
  bool open_known = false;
  uint64_t open = 0;
  uint32_t open_key = 0;
  uint32_t open_organisations = 0;
  uint32_t dealt_with_organisations = 0;
};
using CountsByCode = std::map<std::string, CellCounts>;

class ThemeTable {
 public:
  explicit ThemeTable(const ReferenceData& ref) : ref_(ref) {}
  // A copy is cheap and its own: the two share each week's cells until one
  // of them puts a snapshot into that week, which then copies it first. The
  // copy may be read on another thread while this table goes on (the digest
  // worker reads a `const` one), but it must be made and destroyed on the
  // thread that Puts into this table: Put decides by use_count(), which is
  // exact only if every owner of a week is made and dropped on that thread
  // (DigestService does both; see digest_worker.h).
  ThemeTable(const ThemeTable&) = default;
  ThemeTable& operator=(const ThemeTable&) = delete;

  // Replaces the snapshot for (node, period): the caller has checked that it
  // is newer than what the table holds. A regional broker's snapshot (cells
  // with partners) counts each of its partners as an organisation of its own.
  void Put(const wire::SummarySnapshot& snapshot);
  // Forgets every snapshot of `node_id` (a regional broker revoked here: its
  // region leaves later digests).
  void Drop(const std::string& node_id);

  // The cells of one week as this broker sends them to its upper broker:
  // per (municipality, theme, subtheme) every organisation's signals summed,
  // with their key sums and open counts, and each organisation named only by
  // `token(name)` with the parts of the cell it has signals in — never one
  // organisation's own numbers. Sorted by codes, partners by token; a table
  // fed these cells sums every union of them as this one does.
  using PartnerToken = std::function<uint64_t(const std::string& organisation)>;
  std::vector<wire::SummaryCell> RegionCells(const std::string& week, const PartnerToken& token) const;
  // The weeks the table holds, oldest first.
  std::vector<std::string> Weeks() const;

  // Totals for a region over a set of ISO weeks.
  TotalsByCode Aggregate(const std::string& region, const std::vector<std::string>& weeks) const;
  // Totals for a set of municipalities (CBS codes) over a set of ISO weeks.
  TotalsByCode AggregateIn(const std::set<std::string>& municipalities, const std::vector<std::string>& weeks) const;

  // The totals of every (week, municipality) of these, read from the table in
  // one pass; any of their unions is then summed from them (Grid::Sum)
  // without reading the table again. A digest, its weekly series, previous
  // period and breakdown by municipality are all such unions.
  class Grid;
  Grid ReadGrid(const std::vector<std::string>& municipalities, const std::vector<std::string>& weeks) const;

  // A quote the table holds: whose, which week, and the quote as stored
  // (the broker scrubbed it on arrival).
  struct HeldQuote {
    std::string node;
    std::string week;
    wire::Quote quote;
  };
  // The quotes of these weeks whose node reported the quote's theme in one
  // of `municipalities` that week: a quote carries no place, its partner's
  // cells place it.
  std::vector<HeldQuote> QuotesIn(const std::vector<std::string>& municipalities,
                                  const std::vector<std::string>& weeks) const;
  size_t quote_count() const { return quote_count_; }

  // Newest period each node has delivered ("" if none).
  std::string LatestPeriod(const std::string& node_id) const;
  size_t snapshot_count() const { return count_; }

 private:
  // Strings held once, named by a small number: the table holds millions of
  // cells and a few hundred distinct codes.
  struct Interned {
    std::vector<std::string> names;
    std::unordered_map<std::string, uint32_t> ids;
    uint32_t Intern(const std::string& name);
    const uint32_t* Find(const std::string& name) const;
  };
  // A snapshot's cells as the aggregates read them: codes interned, and
  // cells differing only in age band or channel (which no aggregate reads)
  // summed into one. 28 bytes instead of a protobuf message of five strings.
  struct PackedCell {
    uint32_t municipality;
    uint32_t theme;
    uint32_t subtheme;  // kNoCode for none
    uint32_t signals;
    uint32_t persons;
    uint32_t key_sum;   // wraps on purpose: keys add mod 2^32
    uint32_t open;      // kOpenUnknown when the node sent none
    uint32_t open_key_sum;
  };
  static constexpr uint32_t kNoCode = 0xffffffff;
  static constexpr uint32_t kOpenUnknown = 0xffffffff;

  // One sender's newest snapshot of a week. For a regional broker's, cell
  // i's partners are partners[partner_begin[i] .. partner_begin[i + 1]),
  // each an organisation id << 2 | Grid::kHasOpen | Grid::kHasDealtWith;
  // a node's has none and is itself the organisation of all its cells.
  struct SenderWeek {
    std::vector<PackedCell> cells;
    std::vector<uint32_t> partner_begin;
    std::vector<uint32_t> partners;
  };
  PackedCell Pack(const wire::SummaryCell& c);
  static auto Codes(const PackedCell& c) { return std::tie(c.municipality, c.theme, c.subtheme); }
  SenderWeek PackNodeCells(const wire::SummarySnapshot& snapshot);
  SenderWeek PackRegionalCells(const wire::SummarySnapshot& snapshot);
  // Calls f(organisation << 2 | parts) for each organisation of cell `i`.
  template <typename F>
  static void ForEachOrganisation(uint32_t sender, const SenderWeek& week, size_t i, F&& f);

  const ReferenceData& ref_;
  // Senders (nodes, regional brokers) and the partners behind a regional
  // broker ("<broker>#<token>"): every organisation a cell may count.
  Interned nodes_;
  Interned municipalities_;
  Interned codes_;  // themes and subthemes; "" is id 0 (the "everything" row)
  // sender id -> its newest snapshot's cells for one week.
  using Week = std::map<uint32_t, SenderWeek>;
  // period -> its week, shared with copies of this table; never changed
  // while shared (Put copies it then).
  std::map<std::string, std::shared_ptr<Week>> periods_;
  std::vector<std::string> latest_;  // by node id: its newest period
  size_t count_ = 0;
  // period -> node id -> the quotes of its newest snapshot of that week;
  // shared with copies like `periods_`, replaced (never changed) by Put.
  using WeekQuotes = std::map<uint32_t, std::vector<wire::Quote>>;
  std::map<std::string, std::shared_ptr<const WeekQuotes>> quotes_;
  size_t quote_count_ = 0;
};

// See ThemeTable::ReadGrid. Holds names by reference into the table it was
// read from, which must outlive it (and not change meanwhile).
class ThemeTable::Grid {
 public:
  // Totals over the given weeks and municipalities, each one the grid was
  // read for (others are not in it and count nothing).
  CountsByCode Sum(const std::vector<std::string>& weeks, const std::vector<std::string>& municipalities) const;

 private:
  friend class ThemeTable;
  struct CodeSum {
    uint32_t code;
    uint64_t signals = 0, persons = 0;
    uint32_t key = 0;
    // Node id << 2 | kHasOpen if it has open signals here | kHasDealtWith
    // if it has others; in node order, each node once per block. (Node ids
    // count the enrolled nodes: far below 2^30.)
    std::vector<uint32_t> organisations;
    bool open_unknown = false;
    uint64_t open = 0;
    uint32_t open_key = 0;
  };
  static constexpr uint8_t kHasOpen = 1, kHasDealtWith = 2;
  const ThemeTable* table_ = nullptr;
  std::map<std::string, size_t> week_index_, municipality_index_;
  // Block (week i, municipality j) at i * municipalities + j; per block the
  // codes with signals, sorted by code id.
  std::vector<std::vector<CodeSum>> blocks_;
};

}  // namespace signaal::broker
