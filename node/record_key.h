// Record keys for the cell-key method (issue 14): every signal has a 32-bit
// key, uniform over [0, 2^32), that only the node can compute. A snapshot
// cell carries the sum of its signals' keys mod 2^32, from which the broker
// derives the cell's key, so the same signals always get the same noise.
//
// A key is recomputed from the node secret and the signal's id, never
// stored: it is stable across restarts and gone with the signal (erasure,
// purge). Node only: the broker sees key sums, never keys or the secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hmac.h"
#include "signaal/status.h"

namespace signaal::node {

// Keyed once per store, as the pseudonyms are: set up per signal, the HMAC
// would cost more than the key itself.
class RecordKeys {
 public:
  // `node_secret` is the pseudonym secret the SignalStore is opened with.
  static Result<RecordKeys> Create(std::string_view node_secret);
  // The first 4 bytes, big-endian, of HMAC-SHA256 over the id under a subkey
  // of the secret. Not for two threads at once.
  Result<uint32_t> Of(std::string_view id);

 private:
  explicit RecordKeys(HmacSha256Key mac) : mac_(std::move(mac)) {}
  HmacSha256Key mac_;
};

// One key without keeping the set-up (tests, tools).
Result<uint32_t> RecordKey(std::string_view node_secret, std::string_view id);

}  // namespace signaal::node
