// signaal-broker: `init` creates the broker's keys, config and first
// administrator; `run` is the daemon (foreground, for systemd).
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "broker_daemon.h"
#include "broker_restore.h"
#include "broker_store.h"
#include "principal_registry.h"
#include "upstream_init.h"
#include "signaal/config.h"
#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/log.h"
#include "signaal/program.h"
#include "signaal/ptable.h"

namespace {

int Fail(const signaal::Status& s) { return signaal::ExitWith("signaal-broker", s); }

struct InitOptions {
  std::string dir;
  std::string data_dir;  // default DIR/data; packages use /var/lib/signaal-broker
  std::string region = "limburg";
  std::string listen = "tcp://*:7450";
  std::string control = "tcp://127.0.0.1:7451";
  int k = 5;
  int min_organisations = 2;
  bool json = false;
};

int Init(const InitOptions& o) {
  using namespace signaal;
  std::string dir = AbsolutePath(o.dir);
  BrokerConfig c;
  c.region = o.region;
  c.listen = o.listen;
  c.control = o.control;
  c.k = o.k;
  c.min_organisations = o.min_organisations;
  c.data_dir = o.data_dir.empty() ? dir + "/data" : AbsolutePath(o.data_dir);
  c.key_file = dir + "/broker.key";
  c.admin_key_file = dir + "/admin.key";
  std::string config_path = dir + "/broker.toml";
  auto ref = ReferenceData::Load(ReferenceData::DefaultDir());
  if (!ref.ok()) return Fail(ref.status());
  if (!ref->FindRegion(o.region)) return Fail(Status::Usage("--region: unknown region '" + o.region + "'"));
  for (const auto& path : {config_path, c.key_file, c.admin_key_file}) {
    if (FileExists(path)) return Fail(Status::Refused(path + " already exists; init never overwrites"));
  }
  if (Status s = MakeDirs(dir, 0750); !s.ok()) return Fail(s);
  KeyFile server, admin;
  server.curve = GenerateCurveKeyPair();
  admin.curve = GenerateCurveKeyPair();
  if (Status s = WriteKeyFile(c.key_file, server); !s.ok()) return Fail(s);
  if (Status s = WriteKeyFile(c.admin_key_file, admin); !s.ok()) return Fail(s);
  {
    auto store = broker::BrokerStore::Open(c.data_dir);
    if (!store.ok()) return Fail(store.status());
    broker::PrincipalRegistry registry(**store);
    auto p = registry.EnrollAdmin("admin", admin.curve.public_key);
    if (!p.ok()) return Fail(p.status());
  }
  if (Status s = WriteNewPrivateFile(config_path, RenderBrokerConfig(c)); !s.ok()) return Fail(s);
  if (o.json) {
    nlohmann::json j = {{"config", config_path},
                        {"public_key", server.curve.public_key},
                        {"admin_key", c.admin_key_file},
                        {"key_file", c.key_file},
                        {"listen", c.listen},
                        {"control", c.control},
                        {"region", c.region}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "Broker initialised in " << dir << "\n"
              << "  config:            " << config_path << "\n"
              << "  broker public key: " << server.curve.public_key << "\n"
              << "  administrator key: " << c.admin_key_file << "\n"
              << "Give partners the listen endpoint and the broker public key for `signaal-node init`.\n"
              << "Start it with: signaal-broker run --config " << config_path << "\n";
  }
  return 0;
}

int Run(const std::string& config_path, bool check) {
  using namespace signaal;
  auto config = LoadBrokerConfig(BrokerConfigPath(config_path));
  if (!config.ok()) return Fail(config.status());
  SetupLogging("signaal-broker", config->log_level);
  if (check) {
    if (Status s = broker::BrokerDaemon::CheckConfig(*config); !s.ok()) return Fail(s);
    std::cout << "configuration " << config->path << " is valid\n";
    return 0;
  }
  // Headroom for node connections whatever else holds descriptors. Said
  // once the daemon is up: a config mistake stays the one line on stderr.
  const uint64_t open_files = RaiseOpenFileLimit();
  auto daemon = broker::BrokerDaemon::Create(*config);
  if (!daemon.ok()) return Fail(daemon.status());
  spdlog::info("open-file limit {}", open_files);
  Status s = (*daemon)->Run(StopRequested());
  return s.ok() ? 0 : Fail(s);
}

// Offline: the daemon is stopped; see docs/OPERATIONS.md, "Backup and restore".
int Restore(const std::string& config_path, const std::string& from) {
  using namespace signaal;
  auto config = LoadBrokerConfig(BrokerConfigPath(config_path));
  if (!config.ok()) return Fail(config.status());
  auto done = broker::RestoreBroker(*config, from);
  if (!done.ok()) return Fail(done.status());
  for (const auto& line : *done) std::cout << line << "\n";
  std::cout << "start signaal-broker again; nodes resend the snapshots it lacks when they next hear from it\n";
  return 0;
}

int UpstreamInitCommand(const signaal::broker::UpstreamInitOptions& o, bool json) {
  auto r = signaal::broker::UpstreamInit(o);
  if (!r.ok()) return Fail(r.status());
  if (json) {
    nlohmann::json j = {{"config", r->config},   {"key_file", r->key_file}, {"enrolment_request", r->request},
                        {"id", r->id},           {"region", r->region},     {"public_key", r->public_key}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "Upper broker set in " << r->config << " ([upstream]); keys in " << r->key_file << "\n"
            << "Enrolment request: " << r->request << "\n"
            << "Have it enrolled at the upper broker (signaal broker enroll " << r->request << ")"
            << ", then restart this broker.\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signaal-broker: the Signaalnet regional broker"};
  app.require_subcommand(1);
  InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "create broker keys, broker.toml and the first administrator key");
  init_cmd->add_option("--dir", init.dir, "folder for keys, config and data")->required();
  init_cmd->add_option("--region", init.region, "region this broker serves (default limburg)");
  init_cmd->add_option("--listen", init.listen, "public endpoint for nodes and subscribers");
  init_cmd->add_option("--control", init.control, "endpoint for administrators");
  init_cmd->add_option("--k", init.k, "disclosure threshold k (default 5)")->check(CLI::Range(2, 1000));
  init_cmd->add_option("--min-organisations", init.min_organisations,
                       "organisations a shown digest cell needs at least (default 2)")
      ->check(CLI::Range(1, 100));
  init_cmd->add_option("--data-dir", init.data_dir, "folder for the store (default DIR/data)");
  init_cmd->add_flag("--json", init.json, "print the result as JSON");

  std::string config;
  bool check = false;
  auto* run_cmd = app.add_subcommand("run", "run the broker in the foreground");
  run_cmd->add_option("--config", config, "broker.toml (default $SIGNAAL_BROKER_CONFIG or /etc/signaal/broker.toml)");
  run_cmd->add_flag("--check", check, "validate the configuration and exit");

  std::string restore_config, restore_from;
  auto* restore_cmd = app.add_subcommand("restore", "put a backup's store in place while the broker is stopped");
  restore_cmd->add_option("--from", restore_from, "a folder written by `signaal broker backup`")->required();
  restore_cmd->add_option("--config", restore_config, "broker.toml (default $SIGNAAL_BROKER_CONFIG or /etc/signaal/broker.toml)");

  signaal::broker::UpstreamInitOptions up;
  bool up_json = false;
  auto* upstream_cmd = app.add_subcommand("upstream", "this regional broker's link to a provincial or national broker");
  upstream_cmd->require_subcommand(1);
  auto* up_init = upstream_cmd->add_subcommand(
      "init", "make this broker's keys and enrolment request for its upper broker, and add [upstream] to broker.toml");
  up_init->add_option("--config", up.config, "broker.toml (default $SIGNAAL_BROKER_CONFIG or /etc/signaal/broker.toml)");
  up_init->add_option("--endpoint", up.endpoint, "the upper broker's listen endpoint, tcp://HOST:PORT")->required();
  up_init->add_option("--upper-key", up.upper_key, "the upper broker's public key (Z85)")->required();
  up_init->add_option("--id", up.id, "this broker's id at the upper broker (default broker-REGION)");
  up_init->add_option("--name", up.name, "its name there (default \"Regionale broker\" and the region's name)");
  up_init->add_option("--out", up.out, "the enrolment request (default upstream-request.json beside broker.toml)");
  up_init->add_flag("--json", up_json, "print the result as JSON");

  if (int rc = signaal::ParseCommandLine(app, argc, argv); rc >= 0) return rc;
  if (*init_cmd) return Init(init);
  if (*up_init) return UpstreamInitCommand(up, up_json);
  if (*restore_cmd) return Restore(restore_config, restore_from);
  return Run(config, check);
}
