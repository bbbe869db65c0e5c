#include "signaal/rocks.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "signaal/files.h"
#include "signaal/numbers.h"

namespace signaal {

Result<std::unique_ptr<rocksdb::DB>> OpenRocksDb(const std::string& data_dir, const std::string& what,
                                                 RocksTuning tuning) {
  if (Status s = MakeDirs(data_dir, 0700); !s.ok()) return s;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_open_files = 128;
  options.keep_log_file_num = 3;
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

}  // namespace signaal
