// Aggregates: the per-week cell counts the summariser needs, kept in the
// SignalStore next to the signals and updated in the same WriteBatch as every
// change to them, so a week's snapshot reads O(cells) keys instead of every
// signal of the week.
//
// Key layout (cell key = municipality|theme|subtheme|age band|channel):
//   agg/<period>/<cell key>               -> "<signals>,<anonymous>,<distinct>,<key_sum>,<open>,<open_key_sum>"
//   agp/<period>/<cell key>/<pseudonym>   -> that person's signals in the cell
// `anonymous` counts signals without a citizen reference (each a person of
// its own), `distinct` the pseudonyms with at least one signal in the cell;
// persons = anonymous + distinct; `key_sum` is the sum of the cell's record
// keys (record_key.h) mod 2^32, since format 4; `open` and `open_key_sum`
// the same for the cell's signals still open (IsOpen), since format 6 (only
// the migrations meet a value without them, and they rebuild agg/ rather
// than reading one). An agp/
// row says when a person comes or goes (0 -> 1, 1 -> 0) without enumerating
// the cell's signals, and gives the pseudonyms of the small cells that
// minimisation merges.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "record_key.h"
#include "node_storage.pb.h"
#include "signaal/saturating.h"
#include "signaal/status.h"

namespace signaal::node {

// One cell of a week as stored in agg/.
struct CellAggregate {
  std::string municipality, theme, subtheme, age_band, channel;
  uint32_t signals = 0;
  uint32_t anonymous = 0;
  uint32_t distinct = 0;
  uint32_t key_sum = 0;  // Σ record keys mod 2^32
  uint32_t open = 0;          // signals still open (IsOpen)
  uint32_t open_key_sum = 0;  // Σ their record keys mod 2^32
  uint32_t persons() const { return SaturatingAdd(anonymous, distinct); }
};

// Whether a signal is still open at the partner: not referred on, not
// resolved (`signaal node signal follow-up --status`). A signal stored
// before statuses were asked for has none and counts as open.
bool IsOpen(const storage::StoredSignal& s);

// "<period>/<cell key>" of a signal: the part agg/ and agp/ keys share.
std::string CellOf(const storage::StoredSignal& s);

// Changes to the aggregates collected while a batch of signals is added or
// erased, written into that batch by Apply. Memory is per signal changed
// (cell index and pseudonym), not per signal stored.
class AggregateDelta {
 public:
  // `sign` is +1 for a signal added, -1 for one erased; `record_key` is the
  // signal's (RecordKeys::Of its id), added to or taken from the key sum.
  void Count(const storage::StoredSignal& s, uint32_t record_key, int sign);
  bool empty() const { return cells_.empty(); }
  // About the bytes Apply will put into a WriteBatch (to reserve it once).
  size_t BatchBytesHint() const;
  // What Apply adds the changes to: the aggregates in the store, or none
  // (a rebuild, which deletes the stored ones in the same batch).
  enum class Onto { kStored, kNothing };
  // Reads the current agg/ and agp/ values of every touched key and puts
  // the new ones (or deletes those that drop to zero) into `batch`.
  Status Apply(rocksdb::DB& db, rocksdb::WriteBatch& batch, Onto onto = Onto::kStored) const;

 private:
  struct CellDelta {
    std::string cell;  // "<period>/<cell key>"
    int64_t signals = 0;
    int64_t anonymous = 0;
    uint32_t key_sum = 0;  // wraps, as the stored sum does
    int64_t open = 0;
    uint32_t open_key_sum = 0;  // wraps too
  };
  struct PersonDelta {
    uint32_t cell;
    int32_t sign;
    uint32_t offset;  // into pseudonyms_
    uint32_t size;
  };
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<CellDelta> cells_;
  std::vector<PersonDelta> persons_;
  std::string pseudonyms_;  // every changed signal's pseudonym, back to back
  std::string cell_;        // reused per signal
};

// Reads one week's aggregates with one iterator: creating one per cell cost
// more than the seeks themselves in a large store.
class WeekAggregates {
 public:
  WeekAggregates(rocksdb::DB& db, std::string period);
  // The week's cells from agg/ (sorted by cell key).
  std::vector<CellAggregate> Cells();
  // The pseudonyms with signals in one cell of the week, from agp/.
  std::vector<std::string> Pseudonyms(const CellAggregate& cell);

 private:
  std::string period_;
  std::unique_ptr<rocksdb::Iterator> it_;
};
// Deletes the aggregates of every week before `oldest_week` (retention).
void DeleteAggregatesBefore(rocksdb::DB& db, rocksdb::WriteBatch& batch, const std::string& oldest_week);

// Replaces every aggregate (agg/, agp/) by one built from the stored signals
// (the format migration): deletes and puts in `batch`, so all or nothing.
Status BuildAggregates(rocksdb::DB& db, rocksdb::WriteBatch& batch, RecordKeys& keys);

}  // namespace signaal::node
