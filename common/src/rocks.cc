#include "signaal/rocks.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <cstdarg>
#include <cstdio>
#include <string_view>

#include <rocksdb/env.h>

#include "signaal/files.h"
#include "signaal/log.h"
#include "signaal/numbers.h"

namespace signaal {
namespace {

// RocksDB's warnings and errors, in the daemon's log (the journal). Its own
// LOG file lived in the store's folder, and on a full disk librocksdb 7.8
// aborted the daemon writing to it (an assertion in WritableFileWriter after
// the failed append, in Debian's build): the daemon must outlive a full disk
// to recover from it. Info-level chatter (options, compaction statistics) is
// dropped.
class DaemonLogger : public rocksdb::Logger {
 public:
  explicit DaemonLogger(std::string what) : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), what_(std::move(what)) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Log(rocksdb::InfoLogLevel::WARN_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    Log(level, format, ap);
  }

 private:
  void Log(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
    char buf[1024];
    std::vsnprintf(buf, sizeof buf, format, ap);
    std::string_view line(buf);
    // A new store: RocksDB calls its folder's absence an error.
    if (line.rfind("Error when reading ", 0) == 0 && line.find("NotFound") != std::string_view::npos) return;
    // Before SetupLogging (init, restore) spdlog writes to stdout, which
    // carries those commands' output: RocksDB's lines go to stderr then.
    if (spdlog::default_logger()->name().empty()) {
      std::fprintf(stderr, "%s: rocksdb: %s\n", what_.c_str(), buf);
    } else if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      spdlog::error("{}: rocksdb: {}", what_, buf);
    } else {
      spdlog::warn("{}: rocksdb: {}", what_, buf);
    }
  }
  std::string what_;
};

}  // namespace

Result<std::unique_ptr<rocksdb::DB>> OpenRocksDb(const std::string& data_dir, const std::string& what,
                                                 RocksTuning tuning) {
  if (Status s = MakeDirs(data_dir, 0700); !s.ok()) return s;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_open_files = 128;
  options.keep_log_file_num = 3;
  options.info_log = std::make_shared<DaemonLogger>(what);
  if (tuning == RocksTuning::kSmall) {
    options.max_open_files = 64;
    options.write_buffer_size = 16 << 20;  // a memtable is flushed at 16 MiB (default 64)
    options.max_write_buffer_number = 2;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(2 << 20);  // default 8 MiB (32 in later releases)
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, data_dir + "/db", &raw);
  if (!s.ok()) return Status::Runtime("cannot open " + what + " in " + data_dir + "/db: " + s.ToString());
  return std::unique_ptr<rocksdb::DB>(raw);
}

Result<std::optional<std::string>> ReadValue(rocksdb::DB& db, const std::string& key) {
  std::string value;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return Status::Runtime("cannot read '" + key + "' from the store: " + s.ToString());
  return std::optional<std::string>(std::move(value));
}

Result<uint64_t> ReadNumber(rocksdb::DB& db, const std::string& key, uint64_t absent) {
  auto value = ReadValue(db, key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return absent;
  return ParseUint64(**value, "the store's '" + key + "'");
}

rocksdb::Status WriteRecovering(rocksdb::DB& db, rocksdb::WriteBatch& batch, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  rocksdb::Status s = db.Write(options, &batch);
  if (s.ok()) return s;
  // The write did not happen (RocksDB applies a batch whole or not at all);
  // if the cause has gone, Resume clears the read-only state and it may go
  // through now. While RocksDB's own recovery runs, Resume says Busy.
  rocksdb::Status resumed = db.Resume();
  if (!resumed.ok()) return s;
  rocksdb::Status again = db.Write(options, &batch);
  if (again.ok()) spdlog::info("the store writes again after: {}", s.ToString());
  return again;
}

}  // namespace signaal
