// `signaal-node restore`: puts a backup made by `signaal node backup` back in
// place while the node is stopped. Refuses when the node answers on its
// control socket, when the data folder already holds a store, and when the
// backup is of another node or from a newer Signaalnet.
#pragma once

#include <string>
#include <vector>

#include "signaal/config.h"
#include "signaal/status.h"

namespace signaal::node {

// Returns one line per step done, for the operator.
Result<std::vector<std::string>> RestoreNode(const NodeConfig& config, const std::string& from);

}  // namespace signaal::node
