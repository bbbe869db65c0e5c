// `signaal-broker upstream init` (broker/main.cc): this regional broker's
// keys for its upper broker, its enrolment request there, and the
// [upstream] section appended to broker.toml. Refuses to overwrite anything.
#pragma once

#include <string>

#include "signaal/status.h"

namespace signaal::broker {

struct UpstreamInitOptions {
  std::string config;     // broker.toml; "" = the default location
  std::string endpoint;   // the upper broker's listen endpoint
  std::string upper_key;  // its CURVE server key (Z85)
  std::string id;         // this broker's id there; "" = broker-<region>
  std::string name;       // its name there; "" = "Regionale broker <region name>"
  std::string out;        // the enrolment request; "" = upstream-request.json beside the config
};

struct UpstreamInitResult {
  std::string config, key_file, request, id, region, public_key;
};

Result<UpstreamInitResult> UpstreamInit(const UpstreamInitOptions& options);

}  // namespace signaal::broker
