// Opening a RocksDB store the way both daemons want it: created if missing in
// a private folder, few open files, short info logs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <rocksdb/db.h>

#include "signaal/status.h"

namespace signaal {

// How much memory the store may keep: kDefault is RocksDB's own sizes (the
// broker); kSmall is for a daemon that must idle in a few MiB (the node:
// small memtables and block cache, bloom filters so the aggregate look-ups
// of an import skip files without reading them).
enum class RocksTuning { kDefault, kSmall };

// Opens <data_dir>/db; the error names `what` ("the node store") and the path.
Result<std::unique_ptr<rocksdb::DB>> OpenRocksDb(const std::string& data_dir, const std::string& what,
                                                 RocksTuning tuning = RocksTuning::kDefault);

// The value at `key`, or nullopt when there is none. An I/O error is an
// error, never "not there": a store that cannot be read must not look empty.
Result<std::optional<std::string>> ReadValue(rocksdb::DB& db, const std::string& key);

// A decimal number the daemon itself wrote at `key`: `absent` when there is
// none, an error naming the key when it cannot be read or is not a number.
Result<uint64_t> ReadNumber(rocksdb::DB& db, const std::string& key, uint64_t absent);

}  // namespace signaal
