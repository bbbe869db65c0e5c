// Opening a RocksDB store the way both daemons want it: created if missing in
// a private folder, few open files, short info logs.
#pragma once

#include <memory>
#include <string>

#include <rocksdb/db.h>

#include "signaal/status.h"

namespace signaal {

// Opens <data_dir>/db; the error names `what` ("the node store") and the path.
Result<std::unique_ptr<rocksdb::DB>> OpenRocksDb(const std::string& data_dir, const std::string& what);

}  // namespace signaal
