// signaal-node: `init` creates a partner node's keys, config and enrolment
// request; `run` is the daemon (foreground, for systemd).
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "node_daemon.h"
#include "node_restore.h"
#include "web/certificate.h"
#include "signaal/config.h"
#include "signaal/enrolment.h"
#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/log.h"
#include "signaal/program.h"
#include "signaal/text.h"

namespace {

int Fail(const signaal::Status& s) { return signaal::ExitWith("signaal-node", s); }

struct InitOptions {
  std::string dir, org, type, municipality, broker, broker_key, id;
  std::string data_dir;  // default DIR/data; packages use /var/lib/signaal-node
  bool json = false;
  // --web: the intake page on, with a self-signed certificate for web_host.
  bool web = false;
  std::string web_host, web_listen = "0.0.0.0:8450";
};

int Init(const InitOptions& o) {
  using namespace signaal;
  auto ref = ReferenceData::Load(ReferenceData::DefaultDir());
  if (!ref.ok()) return Fail(ref.status());
  const auto& channels = ReferenceData::Channels();
  if (std::find(channels.begin(), channels.end(), o.type) == channels.end()) {
    return Fail(Status::Usage("--type: '" + o.type + "' is not one of clientenraad, helpdesk, spreekuur, zelfhulp, panel, other"));
  }
  const Municipality* m = ref->FindMunicipality(o.municipality);
  if (!m) return Fail(Status::Usage("--municipality: unknown municipality '" + o.municipality + "'"));
  if (!IsValidCurveKey(o.broker_key)) {
    return Fail(Status::Usage("--broker-key: not a Z85 CURVE public key (40 characters, from the broker administrator)"));
  }
  if (o.broker.rfind("tcp://", 0) != 0) return Fail(Status::Usage("--broker: use tcp://HOST:PORT"));
  std::string id = o.id.empty() ? Slug(o.org) : o.id;
  if (id.empty() || Slug(id) != id) return Fail(Status::Usage("--id: use lower-case letters, digits and '-'"));

  std::string dir = AbsolutePath(o.dir);
  NodeConfig c;
  c.id = id;
  c.name = o.org;
  c.type = o.type;
  c.municipality = m->code;
  c.data_dir = o.data_dir.empty() ? dir + "/data" : AbsolutePath(o.data_dir);
  c.key_file = dir + "/node.key";
  c.control = "ipc://" + c.data_dir + "/control/node.sock";
  c.broker_endpoint = o.broker;
  c.broker_public_key = o.broker_key;
  std::string config_path = dir + "/node.toml";
  std::string request_path = dir + "/enrolment.json";
  std::vector<std::string> paths = {config_path, c.key_file, request_path};
  node::web::SelfSigned web;
  if (o.web) {
    c.web_listen = o.web_listen;
    if (auto a = ParseWebListen(c.web_listen); !a.ok()) return Fail(a.status().Prefixed("--web-listen"));
    c.web_certificate = dir + "/web.crt";
    c.web_key = dir + "/web.key";
    paths.push_back(c.web_certificate);
    paths.push_back(c.web_key);
    std::string host = o.web_host;
    if (host.empty()) {
      char name[256] = {};
      host = gethostname(name, sizeof name - 1) == 0 && name[0] ? name : "localhost";
    }
    auto made = node::web::MakeSelfSigned(host);
    if (!made.ok()) return Fail(made.status());
    web = std::move(*made);
  }
  for (const auto& path : paths) {
    if (FileExists(path)) return Fail(Status::Refused(path + " already exists; init never overwrites"));
  }
  if (Status s = MakeDirs(dir, 0750); !s.ok()) return Fail(s);
  if (o.web) {
    if (Status s = WriteNewPrivateFile(c.web_key, web.key_pem); !s.ok()) return Fail(s);
    if (Status s = WriteFileAtomic(c.web_certificate, web.certificate_pem, 0644); !s.ok()) return Fail(s);
  }
  KeyFile keys;
  keys.curve = GenerateCurveKeyPair();
  keys.signing = GenerateSigningKeyPair();
  keys.pseudonym_secret_hex = ToHex(RandomBytes(32));
  keys.data_key_hex = ToHex(RandomBytes(32));
  if (Status s = WriteKeyFile(c.key_file, keys); !s.ok()) return Fail(s);
  if (Status s = WriteNewPrivateFile(config_path, RenderNodeConfig(c)); !s.ok()) return Fail(s);

  wire::EnrolmentRequest req;
  req.set_node_id(id);
  req.set_name(o.org);
  req.set_type(o.type);
  req.set_municipality(m->code);
  req.set_curve_public_key(keys.curve.public_key);
  req.set_sign_public_key(keys.signing.public_hex);
  if (Status s = WriteEnrolmentRequest(request_path, req); !s.ok()) return Fail(s);

  if (o.json) {
    nlohmann::json j = {{"config", config_path},        {"public_key", keys.curve.public_key},
                        {"enrolment_request", request_path}, {"node_id", id},
                        {"key_file", c.key_file}};
    if (o.web) {
      j["web"] = {{"listen", c.web_listen}, {"certificate", c.web_certificate}, {"fingerprint", web.fingerprint}};
    }
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "Node '" << id << "' initialised in " << dir << "\n"
              << "  config:            " << config_path << "\n"
              << "  key file (secret): " << c.key_file << "\n"
              << "  enrolment request: " << request_path << "\n"
              << "Next: send " << request_path << " to the broker administrator (it holds only public keys),\n"
              << "then start the node: signaal-node run --config " << config_path << "\n";
    if (o.web) {
      std::cout << "The intake page will listen on " << c.web_listen << " (HTTPS, self-signed certificate).\n"
                << "  certificate:         " << c.web_certificate << "\n"
                << "  SHA-256 fingerprint: " << web.fingerprint << "\n"
                << "Add accounts with `signaal node user add NAME`; volunteers compare the fingerprint\n"
                << "with what their browser shows before they accept the certificate (docs/OPERATIONS.md).\n";
    }
  }
  return 0;
}

int Run(const std::string& path, bool check) {
  using namespace signaal;
  auto config = LoadNodeConfig(NodeConfigPath(path));
  if (!config.ok()) return Fail(config.status());
  SetupLogging("signaal-node", config->log_level);
  if (check) {
    if (Status s = node::NodeDaemon::CheckConfig(*config); !s.ok()) return Fail(s);
    std::cout << "configuration " << config->path << " is valid\n";
    return 0;
  }
  // Headroom for node connections whatever else holds descriptors. Said
  // once the daemon is up: a config mistake stays the one line on stderr.
  const uint64_t open_files = RaiseOpenFileLimit();
  auto daemon = node::NodeDaemon::Create(*config);
  if (!daemon.ok()) return Fail(daemon.status());
  spdlog::info("open-file limit {}", open_files);
  Status s = (*daemon)->Run(StopRequested());
  return s.ok() ? 0 : Fail(s);
}

// Offline: the daemon is stopped; see docs/OPERATIONS.md, "Backup and restore".
int Restore(const std::string& config_path, const std::string& from) {
  using namespace signaal;
  auto config = LoadNodeConfig(NodeConfigPath(config_path));
  if (!config.ok()) return Fail(config.status());
  auto done = node::RestoreNode(*config, from);
  if (!done.ok()) return Fail(done.status());
  for (const auto& line : *done) std::cout << line << "\n";
  std::cout << "start signaal-node again; it resends what the broker lacks\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signaal-node: a Signaalnet partner node"};
  app.require_subcommand(1);
  InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "create node keys, node.toml and an enrolment request");
  init_cmd->add_option("--dir", init.dir, "folder for keys, config and data")->required();
  init_cmd->add_option("--org", init.org, "the organisation's name")->required();
  init_cmd->add_option("--type", init.type, "clientenraad, helpdesk, spreekuur, zelfhulp, panel or other")->required();
  init_cmd->add_option("--municipality", init.municipality, "home municipality (CBS code or name)")->required();
  init_cmd->add_option("--broker", init.broker, "the broker's endpoint, tcp://HOST:PORT")->required();
  init_cmd->add_option("--broker-key", init.broker_key, "the broker's public key (Z85)")->required();
  init_cmd->add_option("--id", init.id, "node id (default: from the organisation's name)");
  init_cmd->add_option("--data-dir", init.data_dir, "folder for the store and the control socket (default DIR/data)");
  init_cmd->add_flag("--json", init.json, "print the result as JSON");
  init_cmd->add_flag("--web", init.web, "turn the intake page on, over HTTPS with a new self-signed certificate");
  init_cmd->add_option("--web-host", init.web_host, "the name the office reaches this node by (default: this host's)");
  init_cmd->add_option("--web-listen", init.web_listen, "HOST:PORT of the intake page (default 0.0.0.0:8450)");

  std::string config;
  bool check = false;
  auto* run_cmd = app.add_subcommand("run", "run the node in the foreground");
  run_cmd->add_option("--config", config, "node.toml (default $SIGNAAL_NODE_CONFIG or /etc/signaal/node.toml)");
  run_cmd->add_flag("--check", check, "validate configuration, keys and reference data, then exit");

  std::string restore_config, restore_from;
  auto* restore_cmd = app.add_subcommand("restore", "put a backup's store in place while the node is stopped");
  restore_cmd->add_option("--from", restore_from, "a folder written by `signaal node backup`")->required();
  restore_cmd->add_option("--config", restore_config, "node.toml (default $SIGNAAL_NODE_CONFIG or /etc/signaal/node.toml)");

  if (int rc = signaal::ParseCommandLine(app, argc, argv); rc >= 0) return rc;
  if (*init_cmd) return Init(init);
  if (*restore_cmd) return Restore(restore_config, restore_from);
  return Run(config, check);
}
