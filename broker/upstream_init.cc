// `signaal-broker upstream init`: makes this regional broker's keys for its
// upper broker, its enrolment request there, and the [upstream] section of
// broker.toml — the regional broker's counterpart of `signaal-node init`.
#include "upstream_init.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "wire.pb.h"
#include "signaal/config.h"
#include "signaal/enrolment.h"
#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/reference_data.h"
#include "signaal/text.h"

namespace signaal::broker {

Result<UpstreamInitResult> UpstreamInit(const UpstreamInitOptions& o) {
  auto config = LoadBrokerConfig(BrokerConfigPath(o.config));
  if (!config.ok()) return config.status();
  if (!config->upstream_endpoint.empty()) {
    return Status::Refused(config->path + " has an upper broker already (upstream.endpoint " +
                           config->upstream_endpoint + "); init never overwrites");
  }
  if (o.endpoint.rfind("tcp://", 0) != 0) return Status::Usage("--endpoint: '" + o.endpoint + "' is not tcp://HOST:PORT");
  if (!IsValidCurveKey(o.upper_key)) return Status::Usage("--upper-key is not a Z85 CURVE public key");
  auto ref = ReferenceData::Load(config->reference_dir.empty() ? ReferenceData::DefaultDir() : config->reference_dir);
  if (!ref.ok()) return ref.status();
  const Region* region = ref->FindRegion(config->region);
  if (!region) return Status::Usage(config->path + ": key 'broker.region': unknown region '" + config->region + "'");
  std::string id = o.id.empty() ? "broker-" + Slug(region->code) : o.id;
  if (Slug(id) != id) return Status::Usage("--id: '" + id + "' must be lower-case letters, digits and '-'");
  std::string dir = config->path.substr(0, config->path.find_last_of('/'));
  UpstreamInitResult r;
  r.config = config->path;
  r.key_file = dir + "/upstream.key";
  r.request = o.out.empty() ? dir + "/upstream-request.json" : AbsolutePath(o.out);
  r.id = id;
  r.region = region->code;
  for (const auto& path : {r.key_file, r.request}) {
    if (FileExists(path)) return Status::Refused(path + " already exists; init never overwrites");
  }
  // The config is changed last, and only by appending: a section of its own.
  auto text = ReadFile(config->path);
  if (!text.ok()) return text.status();
  if (text->find("\n[upstream]") != std::string::npos || text->rfind("[upstream]", 0) == 0) {
    return Status::Refused(config->path + " has an [upstream] section; remove it (it sends nothing while endpoint is "
                           "\"\") and run this again");
  }
  KeyFile keys;
  keys.curve = GenerateCurveKeyPair();
  keys.signing = GenerateSigningKeyPair();
  keys.pseudonym_secret_hex = ToHex(RandomBytes(32));  // the partners' tokens upward
  if (Status s = WriteKeyFile(r.key_file, keys); !s.ok()) return s;
  wire::EnrolmentRequest req;
  req.set_node_id(id);
  req.set_name(o.name.empty() ? "Regionale broker " + region->name : o.name);
  req.set_type("broker");
  req.set_region(region->code);
  req.set_curve_public_key(keys.curve.public_key);
  req.set_sign_public_key(keys.signing.public_hex);
  if (Status s = WriteEnrolmentRequest(r.request, req); !s.ok()) return s;
  std::string section = std::string(text->empty() || text->back() == '\n' ? "" : "\n") +
                        "\n[upstream]\n"
                        "# This broker's upper broker (signaal-broker upstream init).\n"
                        "endpoint = " + nlohmann::json(o.endpoint).dump() + "\n"
                        "public_key = " + nlohmann::json(o.upper_key).dump() + "\n"
                        "id = " + nlohmann::json(id).dump() + "\n"
                        "key_file = " + nlohmann::json(r.key_file).dump() + "\n";
  // Its mode stays as the administrator or the package set it.
  std::error_code ec;
  auto perms = std::filesystem::status(config->path, ec).permissions();
  const mode_t mode = ec ? 0600 : static_cast<mode_t>(perms) & 0777;
  if (Status s = WriteFileAtomic(config->path, *text + section, mode); !s.ok()) return s;
  r.public_key = keys.curve.public_key;
  return r;
}

}  // namespace signaal::broker
