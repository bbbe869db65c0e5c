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
// (Minimisation below privacy.min_cell belongs here, as a later step.)
std::vector<wire::SummaryCell> Summarise(const std::vector<wire::StoredSignal>& signals);

}  // namespace signaal::node
