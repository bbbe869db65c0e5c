// Opening a RocksDB store the way both daemons want it: created if missing in
// a private folder, few open files; RocksDB's warnings and errors in the
// daemon's own log. And writing to it so that a full disk is survived.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

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

// Writes `batch`, synced unless `sync` is false. A failed write (a full disk:
// "No space left on device") leaves RocksDB read-only until its error is
// cleared — by RocksDB itself, once its SstFileManager sees at least a
// memtable's worth of free space (it looks every 5 s), or by DB::Resume. So a
// failed write is followed by one Resume and, if that clears the error, one
// more try; the batch is all or nothing either way. The caller reports the
// failure (RocksDB's own error is in the daemon's log); a write that goes
// through after Resume is logged.
rocksdb::Status WriteRecovering(rocksdb::DB& db, rocksdb::WriteBatch& batch, bool sync = true);

// For a scan of a whole key family: every block read once should not push
// what the daemon reads often out of the block cache, nor grow it.
inline rocksdb::ReadOptions ScanOptions() {
  rocksdb::ReadOptions r;
  r.fill_cache = false;
  return r;
}

}  // namespace signaal
