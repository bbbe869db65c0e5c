// Summariser: the cells of one week, from the node's raw signals. This is the
// only place where signals become what leaves the node: counts per
// (municipality, theme, subtheme, age band, channel), no text, no identifier,
// nothing finer than the week.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "aggregates.h"
#include "node_storage.pb.h"
#include "wire.pb.h"

namespace signaal::node {

// A signal's record key by its id (RecordKeys::Of, record_key.h).
using RecordKeyOf = std::function<uint32_t(const std::string& id)>;

// Cells in a stable order. `persons` counts distinct pseudonyms; a signal
// without a citizen reference counts as a person of its own; `key_sum` is
// the sum of the cell's record keys mod 2^32, set on every cell; `open` and
// `open_key_sum` count the same for its signals still open (IsOpen).
//
// Minimisation (privacy.min_cell): a cell with fewer than `min_cell` signals
// is generalised — age band and channel become "all" (empty), and if that
// cell is still small its subtheme goes too. What is still small then stays
// at (week, municipality, theme), so theme totals are always complete. A
// merged cell's key sum is the sum of its parts'.
//
// This is the reference: the node publishes SummariseAggregates, which must
// give exactly these cells (tests/unit/aggregates_test.cc checks it).
std::vector<wire::SummaryCell> Summarise(const std::vector<storage::StoredSignal>& signals, uint32_t min_cell,
                                         const RecordKeyOf& record_key);

// The same cells from a week's aggregates (O(cells)): the minimisation runs
// on whole cells, and only where it merges several cells are their
// pseudonyms read (`pseudonyms_of`), to count each person once; those cells
// are small (below min_cell), so that is at most min_cell - 1 rows each.
std::vector<wire::SummaryCell> SummariseAggregates(
    const std::vector<CellAggregate>& cells, uint32_t min_cell,
    const std::function<std::vector<std::string>(const CellAggregate&)>& pseudonyms_of);

}  // namespace signaal::node
