// The administrator's side of the broker's control port, shared by the
// `signaal broker …` commands: their options and one request-response.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "broker_control.pb.h"
#include "signaal/status.h"

namespace signaal::cli {

struct BrokerOptions {
  std::string config, control, key_file, broker_key;
  bool json = false;
  std::string request_file, name, regions, public_key, id, region, period;
  uint32_t weeks = 4;
  std::string out;
  bool with_keys = false;
  // `enroll-subscriber --email`, `subscriber-email --add/--remove`
  std::vector<std::string> emails, add_emails, remove_emails;
  // `broker advice …`
  wire::Advice advice;
};

// Sends `req` to the broker's control port: the endpoint and keys from the
// options, else from broker.toml. An error when the broker does not answer
// (Unreachable) or refuses (its code and sentence).
Result<wire::ControlResponse> AskBroker(const BrokerOptions& o, wire::ControlRequest req,
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// `signaal broker upstream status` (upstream_commands.cc).
int UpstreamStatus(const BrokerOptions& o);

}  // namespace signaal::cli
