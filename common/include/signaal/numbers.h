// Numbers read back from what the daemons and the CLI wrote themselves (store
// counters, the subscriber's cursor): parsed strictly, so damaged bytes are an
// error naming where they were, never an exception and never a silent zero.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "signaal/status.h"

namespace signaal {

// All digits (an optional '-' for the signed one), in range. `what` names the
// key or file in the error; the bytes themselves stay out of it.
Result<uint64_t> ParseUint64(std::string_view text, const std::string& what);
Result<int64_t> ParseInt64(std::string_view text, const std::string& what);

}  // namespace signaal
