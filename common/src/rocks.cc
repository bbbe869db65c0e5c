#include "signaal/rocks.h"

#include "signaal/files.h"

namespace signaal {

Result<std::unique_ptr<rocksdb::DB>> OpenRocksDb(const std::string& data_dir, const std::string& what) {
  if (Status s = MakeDirs(data_dir, 0700); !s.ok()) return s;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_open_files = 128;
  options.keep_log_file_num = 3;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, data_dir + "/db", &raw);
  if (!s.ok()) return Status::Runtime("cannot open " + what + " in " + data_dir + "/db: " + s.ToString());
  return std::unique_ptr<rocksdb::DB>(raw);
}

}  // namespace signaal
