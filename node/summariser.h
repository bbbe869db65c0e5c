// Summariser: the cells of one week, from the node's raw signals. This is the
// only place where signals become what leaves the node: counts per
// (municipality, theme, subtheme, age band, channel), no text, no identifier,
// nothing finer than the week.
#pragma once

#include <vector>

#include "signaal.pb.h"

namespace signaal::node {

// Cells in a stable order. `persons` counts distinct pseudonyms; a signal
// without a citizen reference counts as a person of its own.
//
// Minimisation (privacy.min_cell): a cell with fewer than `min_cell` signals
// is generalised — age band and channel become "all" (empty), and if that
// cell is still small its subtheme goes too. What is still small then stays
// at (week, municipality, theme), so theme totals are always complete.
std::vector<wire::SummaryCell> Summarise(const std::vector<wire::StoredSignal>& signals, uint32_t min_cell = 1);

}  // namespace signaal::node
