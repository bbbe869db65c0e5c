// The on-disk format version of a daemon's RocksDB store, and the migrations
// that bring an older store up to it. Each store keeps its version under one
// meta key; a store written by a newer binary is refused rather than guessed at.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "signaal/status.h"

namespace signaal {

// One step from format `to - 1` to format `to`. `apply` reads what it needs
// from the store and puts its changes into the batch; the batch and the new
// version are written together, synced, so a crash leaves the store either
// before or after the step, never halfway.
struct FormatMigration {
  int to = 0;
  std::string what;  // one line for the log: "stamp the format version"
  std::function<Status(rocksdb::DB&, rocksdb::WriteBatch&)> apply;
};

// Which store, for the migrator and its messages.
struct StoreFormat {
  std::string what;     // "the node store"
  std::string binary;   // "signaal-node", named in the refusal
  std::string key;      // "meta/format_version"
  // steps[i].to == i + 1; the binary's format is steps.size().
  std::vector<FormatMigration> steps;
  int current() const { return static_cast<int>(steps.size()); }
};

// The version recorded in the store: 0 when it has none (created before
// versions existed, or brand new). An unreadable value is an error naming
// the key and the folder.
Result<int> ReadFormatVersion(rocksdb::DB& db, const StoreFormat& format, const std::string& folder);

// Brings the store in `folder` up to format.current(), one step at a time;
// refuses a store newer than the binary. Returns the version found before.
Result<int> MigrateStore(rocksdb::DB& db, const StoreFormat& format, const std::string& folder);

}  // namespace signaal
