#include "signaal/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>

#include <rocksdb/utilities/checkpoint.h>

#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/text.h"

namespace signaal {
namespace fs = std::filesystem;
namespace {

// Durability of a rename: the folder's entry must reach the disk too.
void SyncPath(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void SyncTree(const fs::path& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    SyncPath(it->path());
  }
  SyncPath(root);
}

bool IsEmptyFolder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && fs::is_empty(p, ec);
}

// A hidden sibling of `target` that no other writer picks: .<name>.partial-<pid>-<random>.
fs::path PartialSibling(const fs::path& target) {
  return target.parent_path() /
         ("." + target.filename().string() + ".partial-" + std::to_string(::getpid()) + "-" + ToHex(RandomBytes(4)));
}

// Removes a half-written folder when the work on it did not finish.
class PartialFolder {
 public:
  explicit PartialFolder(fs::path p) : path_(std::move(p)) {}
  ~PartialFolder() {
    std::error_code ec;
    if (!kept_) fs::remove_all(path_, ec);
  }
  void Keep() { kept_ = true; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool kept_ = false;
};

Status MakePrivateFolder(const fs::path& p, const std::string& why) {
  if (::mkdir(p.c_str(), 0700) == 0) return Status::Ok();
  int err = errno;
  if (err == EACCES || err == EPERM || err == EROFS) {
    return Status::Refused("the daemon's user (uid " + std::to_string(::geteuid()) + ") cannot write in " +
                           p.parent_path().string() + " (" + why + "); make it writable by that user or choose another folder");
  }
  return Status::Runtime("cannot create " + p.string() + ": " + std::strerror(err));
}

// Moves `from` to `to`, which must be missing or an empty folder.
Status RenameIntoPlace(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    int err = errno;
    if (err == ENOTEMPTY || err == EEXIST) return Status::Refused(to.string() + " appeared and is not empty; nothing was overwritten");
    return Status::Runtime("cannot rename " + from.string() + " to " + to.string() + ": " + std::strerror(err));
  }
  SyncPath(to.parent_path());
  return Status::Ok();
}

bool Inside(const fs::path& child, const fs::path& parent) {
  auto c = child.lexically_normal(), p = parent.lexically_normal();
  auto [pe, ce] = std::mismatch(p.begin(), p.end(), c.begin(), c.end());
  return pe == p.end() || (std::next(pe) == p.end() && pe->empty());
}

}  // namespace

Status CheckBackupTarget(const std::string& out, const std::string& data_dir) {
  fs::path target(out);
  if (out.empty() || !target.is_absolute()) {
    return Status::Usage("the backup folder must be an absolute path, not '" + out + "'");
  }
  target = target.lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  std::error_code ec;
  fs::path data = fs::weakly_canonical(fs::absolute(data_dir), ec);
  fs::path resolved = fs::weakly_canonical(target, ec);
  if (Inside(resolved, data) || Inside(data, resolved)) {
    return Status::Usage("the backup folder " + out + " overlaps the data folder " + data_dir +
                         "; choose a folder outside it");
  }
  if (!fs::is_directory(target.parent_path(), ec)) {
    return Status::Usage("the folder " + target.parent_path().string() + " does not exist; create it first");
  }
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec)) return Status::Refused(out + " exists and is not a folder; a backup never overwrites");
    if (!IsEmptyFolder(target)) return Status::Refused(out + " exists and is not empty; a backup never overwrites");
  }
  return Status::Ok();
}

Result<BackupOutcome> WriteBackup(rocksdb::DB& db, const BackupSpec& spec) {
  auto started = std::chrono::steady_clock::now();
  if (Status s = CheckBackupTarget(spec.out, spec.data_dir); !s.ok()) return s;
  fs::path target = fs::path(spec.out).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  PartialFolder partial(PartialSibling(target));
  if (Status s = MakePrivateFolder(partial.path(), "the backup goes to " + target.string()); !s.ok()) return s;

  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status rs = rocksdb::Checkpoint::Create(&db, &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  uint64_t sequence = 0;
  if (rs.ok()) rs = checkpoint->CreateCheckpoint((partial.path() / "db").string(), 0, &sequence);
  if (!rs.ok()) return Status::Runtime("cannot checkpoint the store into " + partial.path().string() + ": " + rs.ToString());

  nlohmann::json keys = nlohmann::json::array();
  if (!spec.key_files.empty()) {
    if (Status s = MakePrivateFolder(partial.path() / "keys", "keys"); !s.ok()) return s;
    for (const auto& key : spec.key_files) {
      auto content = ReadFile(key);
      if (!content.ok()) return content.status();
      std::string name = fs::path(key).filename().string();
      if (Status s = WriteNewPrivateFile((partial.path() / "keys" / name).string(), *content); !s.ok()) return s;
      keys.push_back(name);
    }
  }

  BackupOutcome outcome;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(partial.path(), ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    outcome.files++;
    outcome.bytes += it->file_size();
  }
  nlohmann::json manifest = spec.manifest;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  manifest["created_unix"] = now;
  manifest["created"] = IsoTimeUtc(now);
  manifest["software_version"] = SIGNAAL_VERSION;
  manifest["rocksdb_sequence"] = sequence;
  manifest["store"] = "db";
  manifest["keys"] = keys;
  manifest["files"] = outcome.files;
  manifest["bytes"] = outcome.bytes;
  outcome.manifest = manifest.dump(2) + "\n";
  if (Status s = WriteNewPrivateFile((partial.path() / "backup.json").string(), outcome.manifest); !s.ok()) return s;
  SyncTree(partial.path());
  if (Status s = RenameIntoPlace(partial.path(), target); !s.ok()) return s;
  partial.Keep();
  outcome.path = target.string();
  outcome.millis = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

Result<nlohmann::json> ReadBackupManifest(const std::string& from) {
  std::string path = (fs::path(from) / "backup.json").string();
  if (!FileExists(path)) return Status::Usage(from + " is not a Signaalnet backup: it has no backup.json");
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Usage(path + " is not valid JSON");
  for (const char* field : {"what", "format_version", "store"}) {
    if (!j.contains(field)) return Status::Usage(path + ": field '" + field + "' is missing");
  }
  if (!j["what"].is_string()) return Status::Usage(path + ": field 'what' is not a string");
  if (!j["format_version"].is_number_integer()) return Status::Usage(path + ": field 'format_version' is not a number");
  if (j["store"] != "db") return Status::Usage(path + ": field 'store' is not \"db\"");
  return j;
}

Result<std::vector<std::string>> RestoreBackup(const RestoreSpec& spec) {
  std::vector<std::string> done;
  auto manifest = ReadBackupManifest(spec.from);
  if (!manifest.ok()) return manifest.status();
  std::string mpath = (fs::path(spec.from) / "backup.json").string();
  const nlohmann::json& m = *manifest;
  if (m["what"] != spec.what) {
    return Status::Refused(spec.from + " is a backup of " + m["what"].get<std::string>() + ", not of " + spec.what);
  }
  std::string identity = m.value(spec.identity_key, std::string());
  if (identity != spec.identity) {
    return Status::Refused(spec.from + " is a backup of " + spec.identity_key + " '" + identity +
                           "'; the configuration is for '" + spec.identity + "'");
  }
  int format = m["format_version"].get<int>();
  if (format > spec.format_current) {
    return Status::Refused(spec.from + " was written by a newer Signaalnet (format " + std::to_string(format) +
                           "); this binary reads format " + std::to_string(spec.format_current) +
                           " and older. Upgrade " + spec.binary + " first.");
  }
  std::error_code ec;
  fs::path source = fs::path(spec.from) / "db";
  if (!fs::is_regular_file(source / "CURRENT", ec)) {
    return Status::Usage(spec.from + "/db is not a RocksDB store (no CURRENT file); is the backup complete?");
  }
  fs::path data(spec.data_dir);
  fs::path store = data / "db";
  if (fs::exists(store, ec) && !IsEmptyFolder(store)) {
    return Status::Refused(store.string() + " already holds a store; stop the daemon and move " + spec.data_dir +
                           " aside first (restore never overwrites)");
  }

  // The key: installed when missing, refused when it differs from the backup's.
  std::string key_content;
  if (m.contains("keys") && m["keys"].is_array() && !m["keys"].empty() && !spec.key_file.empty()) {
    std::string name = m["keys"][0].is_string() ? m["keys"][0].get<std::string>() : "";
    if (name.empty() || name.find('/') != std::string::npos) return Status::Usage(mpath + ": field 'keys' is malformed");
    auto content = ReadFile((fs::path(spec.from) / "keys" / name).string());
    if (!content.ok()) return content.status();
    if (FileExists(spec.key_file)) {
      auto current = ReadFile(spec.key_file);
      if (!current.ok()) return current.status();
      if (*current != *content) {
        return Status::Refused("the key file " + spec.key_file + " differs from the one in " + spec.from +
                               "; the store's sealed data needs the backup's key — move " + spec.key_file + " aside first");
      }
      done.push_back("key file " + spec.key_file + " matches the backup's");
    } else {
      key_content = *content;
    }
  } else if (!spec.key_file.empty() && !FileExists(spec.key_file)) {
    return Status::Usage("the key file " + spec.key_file + " is missing and " + spec.from +
                         " holds no keys; put the key file back first (it was backed up separately)");
  }

  // The key first: a restore that stops halfway may be repeated, and then finds it matching.
  if (!key_content.empty()) {
    if (Status s = WriteNewPrivateFile(spec.key_file, key_content); !s.ok()) return s;
    done.push_back("key file " + spec.key_file + " restored from the backup (mode 0600)");
  }
  if (Status s = MakeDirs(spec.data_dir, 0700); !s.ok()) return s;
  PartialFolder partial(data / (".db.restoring-" + std::to_string(::getpid()) + "-" + ToHex(RandomBytes(4))));
  if (Status s = MakePrivateFolder(partial.path(), "restoring into " + spec.data_dir); !s.ok()) return s;
  uint64_t bytes = 0, files = 0;
  for (auto it = fs::recursive_directory_iterator(source, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    fs::path dest = partial.path() / fs::relative(it->path(), source);
    if (it->is_directory()) {
      fs::create_directories(dest, ec);
    } else if (it->is_regular_file()) {
      // A copy, not a link: the restored store must not share files with the backup.
      if (!fs::copy_file(it->path(), dest, fs::copy_options::none, ec)) break;
      fs::permissions(dest, fs::perms::owner_read | fs::perms::owner_write, ec);
      files++;
      bytes += it->file_size();
    }
    if (ec) break;
  }
  if (ec) return Status::Runtime("cannot copy " + source.string() + " into " + partial.path().string() + ": " + ec.message());
  SyncTree(partial.path());
  if (fs::exists(store, ec)) fs::remove(store, ec);  // an empty folder
  if (Status s = RenameIntoPlace(partial.path(), store); !s.ok()) return s;
  partial.Keep();
  done.push_back("store restored into " + store.string() + " (" + std::to_string(files) + " files, " +
                 std::to_string(bytes) + " bytes, format " + std::to_string(format) + ", backed up " +
                 m.value("created", std::string("at an unknown time")) + ")");
  return done;
}

}  // namespace signaal
