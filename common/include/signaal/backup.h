// Backups of a daemon's RocksDB store, made by the running daemon, and their
// offline restore. A backup is a folder:
//   <out>/db/           a RocksDB checkpoint (openable as is)
//   <out>/backup.json   the manifest: what, when, formats, identity, counts
//   <out>/keys/<file>   only with --with-keys, mode 0600
// It is written into a hidden sibling and renamed into place at the end, so a
// folder named <out> is always a complete backup.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "signaal/status.h"

namespace signaal {

struct BackupSpec {
  std::string out;                     // absolute; missing or an empty folder
  std::string data_dir;                // the store's own folder, refused as a target
  nlohmann::json manifest;             // the daemon's part: what, identity, counts
  std::vector<std::string> key_files;  // copied into keys/ when not empty
};

struct BackupOutcome {
  std::string path;
  uint64_t bytes = 0;     // of everything in the backup
  uint32_t files = 0;
  int64_t millis = 0;     // how long the daemon spent on it
  std::string manifest;   // backup.json as written
};

// Checks `out` before anything is written: absolute, not inside the data
// folder, its parent exists, and it is missing or an empty folder.
Status CheckBackupTarget(const std::string& out, const std::string& data_dir);

// Checkpoints `db` (hard links on the same file system, copies otherwise)
// and writes the manifest and keys; nothing is left behind on failure.
Result<BackupOutcome> WriteBackup(rocksdb::DB& db, const BackupSpec& spec);

struct RestoreSpec {
  std::string from;          // the backup folder
  std::string data_dir;      // where the store goes: <data_dir>/db
  std::string what;          // the manifest's "what" that is accepted
  std::string identity_key;  // "node_id" or "region"
  std::string identity;      // the config's value, which must match
  int format_current = 0;    // the binary's store format
  std::string binary;        // for messages: "signaal-node"
  std::string key_file;      // installed from the backup when missing
};

// Reads <from>/backup.json; errors name the file and the field.
Result<nlohmann::json> ReadBackupManifest(const std::string& from);

// Checks the manifest against `spec`, refuses a data folder that already
// holds a store, copies the backup's store into <data_dir>/db through a
// hidden sibling and renames it into place. Returns what was done, one line
// per step, for the operator.
Result<std::vector<std::string>> RestoreBackup(const RestoreSpec& spec);

}  // namespace signaal
