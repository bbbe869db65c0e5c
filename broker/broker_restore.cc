#include "broker_restore.h"

#include <zmq.hpp>

#include "broker_store.h"
#include "signaal/backup.h"
#include "signaal/files.h"
#include "signaal/rocks.h"

namespace signaal::broker {
namespace {

// A broker holding its listen address is running (or something else is).
bool ListenAddressInUse(const std::string& endpoint) {
  zmq::context_t ctx(1);
  zmq::socket_t probe(ctx, zmq::socket_type::router);
  probe.set(zmq::sockopt::linger, 0);
  try {
    probe.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return e.num() == EADDRINUSE;
  }
  return false;
}

}  // namespace

Result<std::vector<std::string>> RestoreBroker(const BrokerConfig& config, const std::string& from) {
  if (ListenAddressInUse(config.listen)) {
    return Status::Refused("the broker's listen address " + config.listen +
                           " is in use; stop signaal-broker before restoring");
  }
  RestoreSpec spec;
  spec.from = AbsolutePath(from);
  spec.data_dir = config.data_dir;
  spec.what = kBrokerBackupWhat;
  spec.identity_key = "region";
  spec.identity = config.region;
  spec.format_current = BrokerStoreFormat().current();
  spec.binary = "signaal-broker";
  spec.key_file = config.key_file;
  auto done = RestoreBackup(spec);
  if (!done.ok()) return done.status();
  auto db = OpenRocksDb(config.data_dir, "the restored broker store");
  if (!db.ok()) return db.status();
  auto format = MigrateStore(**db, BrokerStoreFormat(), config.data_dir);
  if (!format.ok()) return format.status();
  done->push_back("the store opens; format " + std::to_string(BrokerStoreFormat().current()));
  return done;
}

}  // namespace signaal::broker
