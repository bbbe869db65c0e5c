#include "broker_client.h"

#include "signaal/config.h"
#include "signaal/keys.h"
#include "signaal/zmq_util.h"

namespace signaal::cli {

Result<wire::ControlResponse> AskBroker(const BrokerOptions& o, wire::ControlRequest req,
                                        std::chrono::milliseconds timeout) {
  std::string control = o.control, key_file = o.key_file, broker_key = o.broker_key;
  if (control.empty() || key_file.empty() || broker_key.empty()) {
    auto config = LoadBrokerConfig(BrokerConfigPath(o.config));
    if (!config.ok()) return config.status();
    if (control.empty()) control = config->control;
    if (key_file.empty()) key_file = config->admin_key_file;
    if (broker_key.empty()) {
      auto server = ReadKeyFile(config->key_file);
      if (!server.ok()) return Status::Usage(server.status().message() + " (or give --broker-key)");
      broker_key = server->curve.public_key;
    }
  }
  if (control.find("tcp://*") == 0) control.replace(0, 7, "tcp://127.0.0.1");
  auto admin = ReadKeyFile(key_file);
  if (!admin.ok()) return admin.status();
  req.set_schema(wire::SCHEMA_V1);
  auto r = Call<wire::ControlResponse>(control, &admin->curve, broker_key, req, timeout);
  if (!r.ok()) {
    if (r.status().code() == Code::kUnreachable) {
      return Status::Unreachable("the broker's control port " + control + " is not answering; is signaal-broker running?");
    }
    return r.status();
  }
  if (!r->ok()) return Status(static_cast<Code>(r->error_code() ? r->error_code() : 1), r->error());
  return r;
}

}  // namespace signaal::cli
