#include "signaal/store_format.h"

#include <charconv>
#include <memory>

#include "signaal/log.h"

namespace signaal {

Result<int> ReadFormatVersion(rocksdb::DB& db, const StoreFormat& format, const std::string& folder) {
  std::string value;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), format.key, &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return Status::Runtime("cannot read " + format.key + " in " + folder + ": " + s.ToString());
  int version = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (ec != std::errc() || end != value.data() + value.size() || version < 1) {
    return Status::Runtime(folder + ": key " + format.key + " holds '" + value +
                           "', not a format version; is this a Signaalnet store?");
  }
  return version;
}

Result<int> MigrateStore(rocksdb::DB& db, const StoreFormat& format, const std::string& folder) {
  auto found = ReadFormatVersion(db, format, folder);
  if (!found.ok()) return found.status();
  if (*found > format.current()) {
    return Status::Refused(folder + " was written by a newer Signaalnet (format " + std::to_string(*found) +
                           "); this binary reads format " + std::to_string(format.current()) +
                           " and older. Upgrade " + format.binary + " or restore a backup.");
  }
  // A brand-new store is stamped silently; an existing one is worth a log line per step.
  bool fresh = false;
  if (*found == 0) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    fresh = !it->Valid();
  }
  for (int v = *found; v < format.current(); ++v) {
    const FormatMigration& step = format.steps[static_cast<size_t>(v)];
    rocksdb::WriteBatch batch;
    if (Status s = step.apply(db, batch); !s.ok()) {
      return Status(s.code(), "migrating " + format.what + " in " + folder + " to format " + std::to_string(step.to) +
                                  ": " + s.message());
    }
    batch.Put(format.key, std::to_string(step.to));
    rocksdb::WriteOptions synced;
    synced.sync = true;
    rocksdb::Status s = db.Write(synced, &batch);
    if (!s.ok()) {
      return Status::Runtime("cannot migrate " + format.what + " in " + folder + " to format " +
                             std::to_string(step.to) + ": " + s.ToString());
    }
    if (!fresh) spdlog::info("{} in {}: format {} -> {} ({})", format.what, folder, v, step.to, step.what);
  }
  return *found;
}

}  // namespace signaal
