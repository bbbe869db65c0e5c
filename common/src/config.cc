#include "signaal/config.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/ptable.h"

namespace signaal {
namespace {

namespace fs = std::filesystem;

// Reads one TOML file against a fixed set of keys: every key present must be
// known and of the expected type.
class StrictReader {
 public:
  StrictReader(std::string path, toml::table table) : path_(std::move(path)), table_(std::move(table)) {}

  void String(const std::string& section, const std::string& key, std::string& out, bool path = false) {
    known_[section].insert(key);
    auto node = table_[section][key];
    if (!node) return;
    if (!node.is_string()) return Fail(section, key, "a string");
    out = *node.value<std::string>();
    if (path && !out.empty() && out.find("://") == std::string::npos && !fs::path(out).is_absolute()) {
      out = (fs::path(path_).parent_path() / out).lexically_normal().string();
    }
  }
  void Int(const std::string& section, const std::string& key, int& out, int min, int max) {
    known_[section].insert(key);
    auto node = table_[section][key];
    if (!node) return;
    if (!node.is_integer()) return Fail(section, key, "an integer");
    int64_t v = *node.value<int64_t>();
    if (v < min || v > max) {
      return Fail(section, key, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = static_cast<int>(v);
  }
  // A TOML float; an integer is taken too, since "variance = 1" is what a
  // reader writes and means.
  void Number(const std::string& section, const std::string& key, double& out) {
    known_[section].insert(key);
    auto node = table_[section][key];
    if (!node) return;
    if (node.is_floating_point()) {
      out = *node.value<double>();
    } else if (node.is_integer()) {
      out = static_cast<double>(*node.value<int64_t>());
    } else {
      Fail(section, key, "a number");
    }
  }
  void Require(const std::string& section, const std::string& key, const std::string& value) {
    if (status_.ok() && value.empty()) {
      status_ = Status::Usage(path_ + ": key '" + section + "." + key + "' is required");
    }
  }
  // Unknown sections and keys are errors, not silently ignored.
  Status Finish() {
    // A misspelt section or key explains a "required" error, so report it first.
    for (const auto& [section, node] : table_) {
      std::string s(section.str());
      if (!known_.count(s)) return Status::Usage(path_ + ": unknown section [" + s + "]");
      if (!node.is_table()) return Status::Usage(path_ + ": '" + s + "' must be a section");
      for (const auto& [key, value] : *node.as_table()) {
        if (!known_[s].count(std::string(key.str()))) {
          return Status::Usage(path_ + ": unknown key '" + s + "." + std::string(key.str()) + "'");
        }
      }
    }
    return status_;
  }

 private:
  void Fail(const std::string& section, const std::string& key, const std::string& what) {
    if (status_.ok()) status_ = Status::Usage(path_ + ": key '" + section + "." + key + "' must be " + what);
  }
  std::string path_;
  toml::table table_;
  std::map<std::string, std::set<std::string>> known_;
  Status status_;
};

Result<toml::table> ParseToml(const std::string& text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::Usage("config file " + path + " line " + std::to_string(e.source().begin.line) + ": " +
                         std::string(e.description()));
  }
}

// The file's bytes; the errors read as toml::parse_file's did.
Result<std::string> ReadConfigFile(const std::string& path) {
  if (!fs::exists(path)) return Status::Usage("config file " + path + " does not exist");
  std::ifstream file(path, std::ios::in | std::ios::binary);
  if (!file.is_open()) return Status::Usage("config file " + path + " line 0: File could not be opened for reading");
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The config's own path, absolute; relative paths in it are taken from its folder.
std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  return (ec ? fs::path(path) : abs).lexically_normal().string();
}

// A TOML basic string: quotes and backslashes escaped, and control characters
// (which TOML does not allow raw in a basic string) as escapes.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

// A TOML float that reads back as the same double: the shortest digits, and
// always a '.' or an exponent, which TOML needs to call it a float.
std::string TomlFloat(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string out(buf, ec == std::errc() ? end : buf);
  if (out.find_first_of(".eni") == std::string::npos) out += ".0";
  return out;
}

// The metrics endpoint speaks plain HTTP without authentication: TCP only.
Status CheckMetricsListen(const std::string& path, const std::string& listen) {
  if (listen.empty() || listen.rfind("tcp://", 0) == 0) return Status::Ok();
  return Status::Usage(path + ": key 'metrics.listen': '" + listen + "' is not tcp://HOST:PORT");
}

// spdlog takes an unknown level name for "off": a typo would silence the daemon.
Status CheckLogLevel(const std::string& path, const std::string& level) {
  if (IsLogLevel(level)) return Status::Ok();
  return Status::Usage(path + ": key 'log.level': unknown level '" + level +
                       "' (use trace, debug, info, warn, error, critical or off)");
}

// The node's control socket takes no keys: whoever reaches it may add and
// erase signals and ask for a backup with the keys. Only an ipc socket, in a
// folder of the node's own (CheckSocketFolder, at start), keeps everyone
// else out; a TCP port, even on loopback, is open to every local user.
Status CheckNodeControl(const std::string& path, const std::string& control) {
  if (fs::path(IpcPath(control)).is_absolute()) return Status::Ok();
  return Status::Usage(path + ": key 'node.control': '" + control +
                       "' is not ipc:///ABSOLUTE/PATH; the node's control socket takes no keys, so only an ipc "
                       "socket in a folder of the node's own keeps other users out");
}

// The broker's control port admits administrator keys only (CURVE and the
// ZAP handler), so it may listen beyond loopback for remote administration
// (DESIGN §8); it must still be an endpoint the broker can serve CURVE on.
Status CheckBrokerControl(const std::string& path, const std::string& control) {
  if (control.rfind("tcp://", 0) == 0 || fs::path(IpcPath(control)).is_absolute()) return Status::Ok();
  return Status::Usage(path + ": key 'broker.control': '" + control + "' is not tcp://HOST:PORT or ipc:///ABSOLUTE/PATH");
}

// The intake page takes passwords: in the clear only on loopback.
Status CheckWeb(const NodeConfig& c) {
  if (c.web_certificate.empty() != c.web_key.empty()) {
    return Status::Usage(c.path + ": keys 'web.certificate' and 'web.key' go together; set both or neither");
  }
  if (c.web_listen.empty()) return Status::Ok();
  auto address = ParseWebListen(c.web_listen);
  if (!address.ok()) return address.status().Prefixed(c.path + ": key 'web.listen'");
  if (!address->loopback && c.web_certificate.empty()) {
    return Status::Usage(c.path + ": key 'web.listen': '" + c.web_listen +
                         "' is beyond loopback, where the page is served only with TLS; set web.certificate and "
                         "web.key (`signaal-node init --web` makes a self-signed pair)");
  }
  return Status::Ok();
}

}  // namespace

Result<WebAddress> ParseWebListen(const std::string& listen) {
  WebAddress a;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return Status::Usage("'" + listen + "' is not HOST:PORT");
  a.host = listen.substr(0, colon);
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535) {
    return Status::Usage("'" + listen + "': the port is not a number from 1 to 65535");
  }
  a.port = std::stoi(port);
  if (a.host == "localhost") a.host = "127.0.0.1";
  a.loopback = a.host.rfind("127.", 0) == 0 || a.host == "::1";
  return a;
}

Result<NodeConfig> LoadNodeConfig(const std::string& path) {
  auto text = ReadConfigFile(path);
  if (!text.ok()) return text.status();
  return ParseNodeConfig(*text, path);
}

Result<NodeConfig> ParseNodeConfig(const std::string& text, const std::string& path) {
  auto table = ParseToml(text, path);
  if (!table.ok()) return table.status();
  NodeConfig c;
  c.path = AbsolutePath(path);
  StrictReader r(c.path, std::move(*table));
  r.String("node", "id", c.id);
  r.String("node", "name", c.name);
  r.String("node", "type", c.type);
  r.String("node", "municipality", c.municipality);
  r.String("node", "data_dir", c.data_dir, true);
  r.String("node", "key_file", c.key_file, true);
  r.String("node", "control", c.control);
  r.String("node", "reference_dir", c.reference_dir, true);
  r.String("scrub", "dictionary", c.dictionary, true);
  r.String("broker", "endpoint", c.broker_endpoint);
  r.String("broker", "public_key", c.broker_public_key);
  r.Int("publish", "interval_s", c.interval_s, 1, 86400);
  r.Int("publish", "heartbeat_s", c.heartbeat_s, 1, 3600);
  r.Int("privacy", "retention_days", c.retention_days, 7, kMaxRetentionDays);
  r.Int("privacy", "min_cell", c.min_cell, 1, 100);
  r.String("metrics", "listen", c.metrics_listen);
  r.String("web", "listen", c.web_listen);
  r.String("web", "certificate", c.web_certificate, true);
  r.String("web", "key", c.web_key, true);
  r.Int("web", "session_minutes", c.web_session_minutes, 5, 24 * 60);
  r.String("log", "level", c.log_level);
  r.Require("node", "id", c.id);
  r.Require("node", "data_dir", c.data_dir);
  r.Require("node", "key_file", c.key_file);
  r.Require("node", "type", c.type);
  r.Require("broker", "endpoint", c.broker_endpoint);
  r.Require("broker", "public_key", c.broker_public_key);
  if (Status s = r.Finish(); !s.ok()) return s;
  if (Status s = CheckMetricsListen(c.path, c.metrics_listen); !s.ok()) return s;
  if (Status s = CheckLogLevel(c.path, c.log_level); !s.ok()) return s;
  if (Status s = CheckWeb(c); !s.ok()) return s;
  if (c.control.empty()) c.control = "ipc://" + c.data_dir + "/control/node.sock";
  if (Status s = CheckNodeControl(c.path, c.control); !s.ok()) return s;
  return c;
}

Result<BrokerConfig> LoadBrokerConfig(const std::string& path) {
  auto text = ReadConfigFile(path);
  if (!text.ok()) return text.status();
  return ParseBrokerConfig(*text, path);
}

Result<BrokerConfig> ParseBrokerConfig(const std::string& text, const std::string& path) {
  auto table = ParseToml(text, path);
  if (!table.ok()) return table.status();
  BrokerConfig c;
  c.path = AbsolutePath(path);
  StrictReader r(c.path, std::move(*table));
  r.String("broker", "region", c.region);
  r.String("broker", "listen", c.listen);
  r.String("broker", "control", c.control);
  r.String("broker", "data_dir", c.data_dir, true);
  r.String("broker", "key_file", c.key_file, true);
  r.String("broker", "admin_key_file", c.admin_key_file, true);
  r.String("broker", "reference_dir", c.reference_dir, true);
  r.String("scrub", "dictionary", c.dictionary, true);
  r.Int("disclosure", "k", c.k, 2, 1000);
  r.Int("disclosure", "min_organisations", c.min_organisations, 1, 100);
  // D = 0 (no noise) exists only for the attacker test's negative control.
  r.Int("disclosure", "max_deviation", c.max_deviation, 1, static_cast<int>(kPTableMaxDeviationLimit));
  r.Number("disclosure", "variance", c.variance);
  r.String("schedule", "weekly", c.schedule_weekly);
  r.String("schedule", "timezone", c.schedule_timezone);
  r.Int("schedule", "weeks", c.schedule_weeks, 1, kMaxPeriodWeeks);
  r.String("schedule", "regions", c.schedule_regions);
  r.String("schedule", "periods", c.schedule_periods);
  r.String("metrics", "listen", c.metrics_listen);
  // Up to the lane's bound (DigestService::kMaxQueued), and at most one a second.
  r.Int("digests", "queued_per_subscriber", c.digests_queued_per_subscriber, 1, 8);
  r.Int("digests", "fetches_per_hour", c.digests_fetches_per_hour, 1, 3600);
  r.String("mail", "from", c.mail_from);
  r.String("mail", "from_name", c.mail_from_name);
  r.String("mail", "smtp_url", c.mail_smtp_url);
  r.String("mail", "starttls", c.mail_starttls);
  r.String("mail", "username", c.mail_username);
  r.String("mail", "password_file", c.mail_password_file, true);
  r.String("mail", "ca_file", c.mail_ca_file, true);
  r.Int("mail", "retry_first_s", c.mail_retry_first_s, 1, 3600);
  r.Int("mail", "retry_max_s", c.mail_retry_max_s, 1, 86400);
  r.Int("mail", "give_up_hours", c.mail_give_up_hours, 1, 720);
  r.Int("mail", "timeout_s", c.mail_timeout_s, 5, 600);
  r.String("upstream", "endpoint", c.upstream_endpoint);
  r.String("upstream", "public_key", c.upstream_public_key);
  r.String("upstream", "id", c.upstream_id);
  r.String("upstream", "key_file", c.upstream_key_file, true);
  r.String("log", "level", c.log_level);
  r.Require("broker", "data_dir", c.data_dir);
  r.Require("broker", "key_file", c.key_file);
  if (Status s = r.Finish(); !s.ok()) return s;
  if (Status s = CheckMetricsListen(c.path, c.metrics_listen); !s.ok()) return s;
  if (Status s = CheckLogLevel(c.path, c.log_level); !s.ok()) return s;
  if (Status s = CheckBrokerControl(c.path, c.control); !s.ok()) return s;
  if (!c.upstream_endpoint.empty()) {
    // All four or none: a half-configured link would send nothing and say nothing.
    for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"public_key", c.upstream_public_key},
                                     {"id", c.upstream_id},
                                     {"key_file", c.upstream_key_file}}) {
      if (value.empty()) {
        return Status::Usage(c.path + ": key 'upstream." + key + "' is missing (upstream.endpoint is set)");
      }
    }
    if (c.upstream_endpoint.rfind("tcp://", 0) != 0) {
      return Status::Usage(c.path + ": key 'upstream.endpoint': '" + c.upstream_endpoint + "' is not tcp://HOST:PORT");
    }
  }
  return c;
}

std::string RenderNodeConfig(const NodeConfig& c) {
  std::string out =
      "# Signaalnet node configuration (every key: deploy/config/node.toml).\n"
      "[node]\n"
      "id = " + Quote(c.id) + "\n"
      "name = " + Quote(c.name) + "\n"
      "type = " + Quote(c.type) + "\n"
      "municipality = " + Quote(c.municipality) + "\n"
      "data_dir = " + Quote(c.data_dir) + "\n"
      "key_file = " + Quote(c.key_file) + "\n"
      "control = " + Quote(c.control) + "\n";
  if (!c.reference_dir.empty()) out += "reference_dir = " + Quote(c.reference_dir) + "\n";
  out += "\n[broker]\n"
         "endpoint = " + Quote(c.broker_endpoint) + "\n"
         "public_key = " + Quote(c.broker_public_key) + "\n"
         "\n[publish]\n"
         "interval_s = " + std::to_string(c.interval_s) + "\n"
         "heartbeat_s = " + std::to_string(c.heartbeat_s) + "\n"
         "\n[privacy]\n"
         "retention_days = " + std::to_string(c.retention_days) + "\n"
         "min_cell = " + std::to_string(c.min_cell) + "\n"
         "\n[metrics]\n"
         "listen = " + Quote(c.metrics_listen) + "\n"
         "\n[web]\n"
         "# The intake page for volunteers (docs/OPERATIONS.md): \"\" = off.\n"
         "listen = " + Quote(c.web_listen) + "\n";
  if (!c.web_certificate.empty()) {
    out += "certificate = " + Quote(c.web_certificate) + "\nkey = " + Quote(c.web_key) + "\n";
  }
  out += "session_minutes = " + std::to_string(c.web_session_minutes) + "\n"
         "\n[log]\n"
         "level = " + Quote(c.log_level) + "\n";
  return out;
}

std::string RenderBrokerConfig(const BrokerConfig& c) {
  std::string out =
      "# Signaalnet broker configuration (every key: deploy/config/broker.toml).\n"
      "[broker]\n"
      "region = " + Quote(c.region) + "\n"
      "listen = " + Quote(c.listen) + "\n"
      "control = " + Quote(c.control) + "\n"
      "data_dir = " + Quote(c.data_dir) + "\n"
      "key_file = " + Quote(c.key_file) + "\n"
      "admin_key_file = " + Quote(c.admin_key_file) + "\n";
  if (!c.reference_dir.empty()) out += "reference_dir = " + Quote(c.reference_dir) + "\n";
  out += "\n[disclosure]\n"
         "k = " + std::to_string(c.k) + "\n"
         "min_organisations = " + std::to_string(c.min_organisations) + "\n"
         "max_deviation = " + std::to_string(c.max_deviation) + "\n"
         "variance = " + TomlFloat(c.variance) + "\n"
         "\n[schedule]\n"
         "weekly = " + Quote(c.schedule_weekly) + "\n"
         "timezone = " + Quote(c.schedule_timezone) + "\n"
         "weeks = " + std::to_string(c.schedule_weeks) + "\n"
         "regions = " + Quote(c.schedule_regions) + "\n"
         "periods = " + Quote(c.schedule_periods) + "\n"
         "\n[metrics]\n"
         "listen = " + Quote(c.metrics_listen) + "\n"
         "\n[mail]\n"
         "# Published digests mailed to subscribers' addresses: \"\" = off (docs/OPERATIONS.md).\n"
         "from = " + Quote(c.mail_from) + "\n"
         "smtp_url = " + Quote(c.mail_smtp_url) + "\n";
  if (!c.upstream_endpoint.empty()) {
    out += "\n[upstream]\n"
           "endpoint = " + Quote(c.upstream_endpoint) + "\n"
           "public_key = " + Quote(c.upstream_public_key) + "\n"
           "id = " + Quote(c.upstream_id) + "\n"
           "key_file = " + Quote(c.upstream_key_file) + "\n";
  }
  out += "\n[log]\n"
         "level = " + Quote(c.log_level) + "\n";
  return out;
}

std::string IpcPath(const std::string& endpoint) {
  const std::string ipc = "ipc://";
  return endpoint.rfind(ipc, 0) == 0 ? endpoint.substr(ipc.size()) : "";
}

std::string NodeConfigPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("SIGNAAL_NODE_CONFIG"); env && *env) return env;
  return "/etc/signaal/node.toml";
}

std::string BrokerConfigPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("SIGNAAL_BROKER_CONFIG"); env && *env) return env;
  return "/etc/signaal/broker.toml";
}

}  // namespace signaal
