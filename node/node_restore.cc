#include "node_restore.h"

#include <chrono>

#include "signal_store.h"
#include "signaal/backup.h"
#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/rocks.h"
#include "signaal/zmq_util.h"

namespace signaal::node {

Result<std::vector<std::string>> RestoreNode(const NodeConfig& config, const std::string& from) {
  // A running node would keep writing to the store it has open, wherever
  // that folder has been moved; it must be stopped first.
  const std::string prefix = "ipc://";
  if (config.control.rfind(prefix, 0) == 0 && FileExists(config.control.substr(prefix.size()))) {
    wire::NodeRequest ping;
    ping.set_schema(wire::SCHEMA_V1);
    ping.mutable_status();
    auto answer = Call<wire::NodeResponse>(config.control, nullptr, "", ping, std::chrono::milliseconds(1000),
                                           kMaxLocalMessage);
    if (answer.ok()) {
      return Status::Refused("signaal-node is running (it answers on " + config.control +
                             "); stop it before restoring");
    }
  }
  RestoreSpec spec;
  spec.from = AbsolutePath(from);
  spec.data_dir = config.data_dir;
  spec.what = kNodeBackupWhat;
  spec.identity_key = "node_id";
  spec.identity = config.id;
  spec.format_current = NodeStoreFormat().current();
  spec.binary = "signaal-node";
  spec.key_file = config.key_file;
  auto done = RestoreBackup(spec);
  if (!done.ok()) return done.status();
  // Opens once to be sure the copy is a store this binary reads (and brings
  // an older format up to date now rather than at the next start). The key
  // sums of format 4 need the pseudonym secret, from the (restored) key file.
  auto keys = ReadKeyFile(config.key_file);
  if (!keys.ok()) return keys.status().Prefixed(config.path + ": key 'node.key_file'");
  auto secret = FromHex(keys->pseudonym_secret_hex);
  if (!secret.ok() || secret->empty()) {
    return Status::Usage("key file " + config.key_file + ": no hex field 'pseudonym_secret'; is it a node key?");
  }
  auto db = OpenRocksDb(config.data_dir, "the restored node store");
  if (!db.ok()) return db.status();
  auto format = MigrateStore(**db, NodeStoreFormat(*secret), config.data_dir);
  if (!format.ok()) return format.status();
  done->push_back("the store opens; format " + std::to_string(NodeStoreFormat().current()));
  return done;
}

}  // namespace signaal::node
