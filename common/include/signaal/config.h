// Configuration of the daemons, read from TOML. Unknown keys and wrong types
// are errors naming the key, never silently ignored. Relative paths are taken
// relative to the config file's folder.
#pragma once

#include <string>

#include "signaal/status.h"

namespace signaal {

// The longest privacy.retention_days a node may keep (ten years). The broker
// refuses snapshots of weeks older than that: no node can hold them.
constexpr int kMaxRetentionDays = 3650;

// The cell-key method's public parameters (docs/PRIVACY.md): the largest
// deviation D of a published count from the true one, and the noise's
// variance V. Defaults until the attacker test's frontier says otherwise.
constexpr int kDefaultMaxDeviation = 5;
constexpr double kDefaultVariance = 1.0;

// node.toml (deploy/config/node.toml documents every key).
struct NodeConfig {
  std::string path;              // the file it came from
  // [node]
  std::string id;
  std::string name;
  std::string type;              // channel code; default channel of its signals
  std::string municipality;      // CBS code of the organisation's home
  std::string data_dir;
  std::string key_file;
  std::string control;           // ipc:///PATH of the local control socket, nothing else
  std::string reference_dir;     // "" = ReferenceData::DefaultDir()
  // [scrub] the Dutch word list of the personal-data scrubber (quotes)
  std::string dictionary = "/usr/share/dict/dutch";
  // [broker]
  std::string broker_endpoint;
  std::string broker_public_key;
  // [publish]
  int interval_s = 60;
  int heartbeat_s = 15;
  // [privacy]
  int retention_days = 365;
  int min_cell = 3;
  // [metrics]
  std::string metrics_listen;  // "" = no metrics endpoint; else e.g. tcp://127.0.0.1:9471
  // [web] the intake page for volunteers (node/web/)
  std::string web_listen;        // "" = off; else HOST:PORT, e.g. 127.0.0.1:8450
  std::string web_certificate;   // PEM; required (with web_key) beyond loopback
  std::string web_key;
  int web_session_minutes = 120; // a session ends after this long without a request
  // [log]
  std::string log_level = "info";
};

// The host and port of a [web] listen value ("127.0.0.1:8450",
// "[::1]:8450", "0.0.0.0:8450"); an error naming the key otherwise.
struct WebAddress {
  std::string host;  // without brackets
  int port = 0;
  bool loopback = false;
};
Result<WebAddress> ParseWebListen(const std::string& listen);

// broker.toml (deploy/config/broker.toml documents every key).
struct BrokerConfig {
  std::string path;
  // [broker]
  std::string region = "limburg";
  std::string listen = "tcp://*:7450";
  std::string control = "tcp://127.0.0.1:7451";  // tcp:// (CURVE, admin keys only) or ipc:///PATH
  std::string data_dir;
  std::string key_file;          // the broker's CURVE server key
  std::string admin_key_file;    // the first administrator's key (used by the CLI)
  std::string reference_dir;
  // [scrub] the Dutch word list of the personal-data scrubber (quotes)
  std::string dictionary = "/usr/share/dict/dutch";
  // [disclosure]
  int k = 5;
  int min_organisations = 2;
  int max_deviation = kDefaultMaxDeviation;  // D: 1..20; PTable::Make checks it against V
  double variance = kDefaultVariance;        // V: above 0, below D
  // [schedule]
  std::string schedule_weekly;   // "" = digests only on request; else "monday 07:00"
  std::string schedule_timezone = "Europe/Amsterdam";
  int schedule_weeks = 1;
  std::string schedule_regions;  // comma-separated; "" = broker.region
  // Comma-separated: month, quarter, half-year, year; each also published by
  // the first run on or after its end. "" = only the weekly digest.
  std::string schedule_periods;
  // [metrics]
  std::string metrics_listen;  // "" = no metrics endpoint; else e.g. tcp://127.0.0.1:9471
  // [digests]: what one subscriber may ask of the digest worker (broker/admission.h).
  int digests_queued_per_subscriber = 2;  // fetches queued or being built at once: 1..8
  int digests_fetches_per_hour = 30;      // fetches admitted per hour: 1..3600
  // [mail]: published digests mailed to the subscribers' addresses
  // (broker/mail_service.h); off while `from` is "".
  std::string mail_from;                          // the sender address
  std::string mail_from_name = "Signaalnet";      // shown beside it
  std::string mail_smtp_url = "smtp://localhost:25";  // smtp://HOST:PORT or smtps://HOST:PORT
  std::string mail_starttls = "optional";         // required, optional, off
  std::string mail_username;                      // "" = no SMTP AUTH
  std::string mail_password_file;                 // the password, alone in a file of mode 0600
  std::string mail_ca_file;                       // "" = the system's CAs
  int mail_retry_first_s = 60;                    // the first wait after a failure, doubling: 1..3600
  int mail_retry_max_s = 3600;                    // the longest wait: 1..86400
  int mail_give_up_hours = 72;                    // a mail not accepted this long after its digest: 1..720
  int mail_timeout_s = 60;                        // one SMTP transaction: 5..600
  // [upstream]: this regional broker's upper broker (broker/upstream.h); off
  // while `endpoint` is "". `signaal-broker upstream init` writes it.
  std::string upstream_endpoint;     // the upper broker's listen endpoint, tcp://HOST:PORT
  std::string upstream_public_key;   // its CURVE server key (Z85)
  std::string upstream_id;           // this broker's id there (its enrolment request's node_id)
  std::string upstream_key_file;     // this broker's keys for it: CURVE, signing, partner tokens
  // [log]
  std::string log_level = "info";
};

Result<NodeConfig> LoadNodeConfig(const std::string& path);
Result<BrokerConfig> LoadBrokerConfig(const std::string& path);

// The same from the file's text: `path` names the file in error messages and
// is the folder relative paths are taken from. Load* read the file and call these.
Result<NodeConfig> ParseNodeConfig(const std::string& text, const std::string& path);
Result<BrokerConfig> ParseBrokerConfig(const std::string& text, const std::string& path);

// Writes a config file for `init`; refuses to overwrite.
std::string RenderNodeConfig(const NodeConfig& c);
std::string RenderBrokerConfig(const BrokerConfig& c);

// The path of an ipc:// endpoint; "" for any other.
std::string IpcPath(const std::string& endpoint);

// The config path the CLI uses: the flag, else the environment variable, else
// the system location.
std::string NodeConfigPath(const std::string& flag);
std::string BrokerConfigPath(const std::string& flag);

}  // namespace signaal
