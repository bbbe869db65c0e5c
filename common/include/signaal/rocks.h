// Opening a RocksDB store the way both daemons want it: created if missing in
// a private folder, few open files, short info logs.
#pragma once

#include <memory>
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

}  // namespace signaal
