// `signaal-broker restore`: puts a backup made by `signaal broker backup`
// back in place while the broker is stopped. Refuses when the broker's
// listen address is in use, when the data folder already holds a store, and
// when the backup is of another region or from a newer Signaalnet.
#pragma once

#include <string>
#include <vector>

#include "signaal/config.h"
#include "signaal/status.h"

namespace signaal::broker {

// Returns one line per step done, for the operator.
Result<std::vector<std::string>> RestoreBroker(const BrokerConfig& config, const std::string& from);

}  // namespace signaal::broker
