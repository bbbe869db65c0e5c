#include "bench_util.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "signaal/config.h"
#include "signaal/zmq_util.h"

namespace signaal::bench {

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double MillisOf(const std::function<void()>& fn) {
  auto start = Clock::now();
  fn();
  return SecondsSince(start) * 1000;
}

double RssMiB() { return VmMiB(static_cast<int>(getpid()), "VmRSS"); }

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

double VmMiB(int pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line, want = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(want, 0) == 0) return std::stod(line.substr(want.size())) / 1024.0;  // kB
  }
  return -1;
}

int OpenFds(int pid) {
  DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

int ChildPid(const std::string& arg) {
  DIR* d = opendir("/proc");
  if (!d) return -1;
  int found = -1;
  while (dirent* e = readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(stat)), {});
    // ppid is the second field after the parenthesised command name.
    auto close = s.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(s.substr(close + 2));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid != getpid()) continue;
    std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(cmd)), {});
    if (cmdline.find(arg) != std::string::npos) {
      found = pid;
      break;
    }
  }
  closedir(d);
  return found;
}

int Report::Print() const {
  std::cout << j_.dump() << std::endl;
  return 0;
}

int Fail(const std::string& bench, const std::string& why) {
  std::cout << nlohmann::json{{"bench", bench}, {"failed", why}}.dump() << std::endl;
  std::cerr << bench << ": FAILED: " << why << "\n";
  return 1;
}

wire::EnrolmentRequest SimNode::Enrolment() const {
  wire::EnrolmentRequest r;
  r.set_node_id(id);
  r.set_name(id);
  r.set_type("helpdesk");
  r.set_municipality(municipality);
  r.set_curve_public_key(keys.curve.public_key);
  r.set_sign_public_key(keys.signing.public_hex);
  return r;
}

SimNode MakeSimNode(std::string id, std::string municipality) {
  SimNode n{std::move(id), std::move(municipality), {}};
  n.keys.curve = GenerateCurveKeyPair();
  n.keys.signing = GenerateSigningKeyPair();
  return n;
}

std::vector<wire::SummaryCell> MakeCells(const ReferenceData& ref, const std::string& municipality, int n,
                                         uint32_t seed) {
  // Walks (theme, subtheme, age band, channel) combinations from an offset,
  // so every cell key is distinct and every code is one the broker knows.
  struct Combo {
    std::string theme, subtheme;
  };
  static thread_local std::vector<Combo> combos;
  if (combos.empty()) {
    for (const Theme* t : ref.TopThemes()) {
      combos.push_back({t->code, ""});
      for (const Theme* s : ref.SubthemesOf(t->code)) combos.push_back({t->code, s->code});
    }
  }
  const auto& ages = ReferenceData::AgeBands();
  const auto& channels = ReferenceData::Channels();
  size_t space = combos.size() * ages.size() * channels.size();
  std::vector<wire::SummaryCell> cells;
  for (int i = 0; i < n && static_cast<size_t>(i) < space; ++i) {
    size_t k = (static_cast<size_t>(seed) * 7919 + static_cast<size_t>(i)) % space;
    wire::SummaryCell c;
    c.set_municipality(municipality);
    c.set_theme(combos[k % combos.size()].theme);
    c.set_subtheme(combos[k % combos.size()].subtheme);
    c.set_age_band(ages[(k / combos.size()) % ages.size()]);
    c.set_channel(channels[k / combos.size() / ages.size()]);
    uint32_t signals = 1 + (seed + static_cast<uint32_t>(i) * 13) % 40;
    c.set_signals(signals);
    c.set_persons(1 + signals / 2);
    c.set_key_sum((seed + static_cast<uint32_t>(i)) * 2654435761u);  // stands for the records' keys
    // As a node of this release sends it: a third still open.
    c.set_open(signals / 3);
    c.set_open_key_sum((seed + static_cast<uint32_t>(i)) * 40503u);
    cells.push_back(std::move(c));
  }
  return cells;
}

std::string SignedSnapshotMessage(const SimNode& node, const std::string& period, uint64_t version,
                                  const std::vector<wire::SummaryCell>& cells, int64_t created_unix) {
  wire::SummarySnapshot s;
  s.set_node_id(node.id);
  s.set_period(period);
  s.set_version(version);
  s.set_taxonomy_version("2026.1");
  s.set_created_unix(created_unix);
  for (const auto& c : cells) *s.add_cells() = c;
  wire::ClientMessage m;
  m.set_schema(wire::SCHEMA_V2);
  auto* env = m.mutable_snapshot();
  env->set_payload(s.SerializeAsString());
  env->set_signature(*Sign(node.keys.signing, env->payload()));
  env->set_key_id(KeyId(node.keys.signing.public_hex));
  return m.SerializeAsString();
}

std::string HeartbeatMessage() {
  wire::ClientMessage m;
  m.set_schema(wire::SCHEMA_V2);
  m.mutable_heartbeat()->set_software_version("bench");
  m.mutable_heartbeat()->set_taxonomy_version("2026.1");
  return m.SerializeAsString();
}

Result<BrokerAdmin> BrokerAdmin::Of(const test::Network& net) {
  auto config = LoadBrokerConfig(net.broker_config());
  if (!config.ok()) return config.status();
  auto admin = ReadKeyFile(config->admin_key_file);
  if (!admin.ok()) return admin.status();
  BrokerAdmin a;
  a.control_ = config->control;
  a.broker_key_ = net.broker_key();
  a.admin_ = *admin;
  return a;
}

Result<wire::ControlResponse> BrokerAdmin::Control(const wire::ControlRequest& req,
                                                   std::chrono::milliseconds timeout) const {
  return Call<wire::ControlResponse>(control_, &admin_.curve, broker_key_, req, timeout);
}

Status BrokerAdmin::Enrol(const wire::EnrolmentRequest& request) const {
  wire::ControlRequest req;
  req.set_schema(wire::SCHEMA_V1);
  *req.mutable_enroll_node() = request;
  auto r = Control(req);
  if (!r.ok()) return r.status();
  return r->ok() ? Status::Ok() : Status::Runtime("enrol " + request.node_id() + ": " + r->error());
}

std::map<std::string, uint64_t> BrokerAdmin::Counters() const {
  wire::ControlRequest req;
  req.set_schema(wire::SCHEMA_V1);
  req.mutable_status();
  std::map<std::string, uint64_t> out;
  if (auto r = Control(req); r.ok()) out.insert(r->status().counters().begin(), r->status().counters().end());
  return out;
}

int64_t BrokerAdmin::ShownSignals(const std::string& region, const std::string& theme) const {
  wire::ControlRequest req;
  req.set_schema(wire::SCHEMA_V1);
  req.mutable_themes()->set_region(region);
  req.mutable_themes()->set_weeks(1);
  auto r = Control(req);
  if (!r.ok() || !r->ok()) return -1;
  for (const auto& row : r->themes().rows()) {
    if (row.theme() == theme) return row.suppressed() ? -2 : row.signals();
  }
  return 0;
}

}  // namespace signaal::bench
