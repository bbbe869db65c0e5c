// Shared pieces of the benchmark programs: clocks and medians, what /proc says
// about a daemon, the one-line JSON report tools/bench.sh collects, nodes as
// the broker sees them (keys, enrolment, signed snapshots) and the broker's
// administrator. Daemons are started through the integration harness.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "network.h"
#include "broker_control.pb.h"
#include "wire.pb.h"
#include "signaal/keys.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::bench {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start);
double Median(std::vector<double> values);
// Nearest-rank percentile, p in [0, 100].
double Percentile(std::vector<double> values, double p);

// How long `fn` takes, in milliseconds.
double MillisOf(const std::function<void()>& fn);
// This process's resident memory now, in MiB.
double RssMiB();
// From /proc/<pid>/status, in MiB: "VmRSS" (now) or "VmHWM" (peak).
double VmMiB(int pid, const char* field);
int OpenFds(int pid);
// The pid of a child of this process whose command line holds `arg` (a
// daemon's config path), or -1.
int ChildPid(const std::string& arg);

// One benchmark run's figures, printed as one JSON line tagged "bench" so
// tools/bench.sh can take medians over runs. A failed run prints its reason
// and the program exits non-zero, so the ctest smoke variants catch it.
class Report {
 public:
  explicit Report(std::string bench) { j_["bench"] = std::move(bench); }
  void Set(const std::string& figure, double value) { j_["figures"][figure] = value; }
  void Note(const std::string& key, const nlohmann::json& value) { j_["notes"][key] = value; }
  int Print() const;  // 0
 private:
  nlohmann::json j_;
};
int Fail(const std::string& bench, const std::string& why);  // 1

// A simulated node: its own CURVE and Ed25519 keys, enrolled like a real one.
struct SimNode {
  std::string id;
  std::string municipality;
  KeyFile keys;
  wire::EnrolmentRequest Enrolment() const;
};
SimNode MakeSimNode(std::string id, std::string municipality);

// `n` distinct, valid cells of a node's week in `municipality`; `seed`
// varies which themes and counts it reports.
std::vector<wire::SummaryCell> MakeCells(const ReferenceData& ref, const std::string& municipality, int n,
                                         uint32_t seed);
// A ClientMessage carrying the snapshot in its signed envelope, as bytes.
std::string SignedSnapshotMessage(const SimNode& node, const std::string& period, uint64_t version,
                                  const std::vector<wire::SummaryCell>& cells, int64_t created_unix);
std::string HeartbeatMessage();

// The administrator of a broker started by test::Network, on its control port.
class BrokerAdmin {
 public:
  // Reads the broker's config for its control endpoint and admin key.
  static Result<BrokerAdmin> Of(const test::Network& net);
  Result<wire::ControlResponse> Control(const wire::ControlRequest& req,
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) const;
  Status Enrol(const wire::EnrolmentRequest& request) const;
  std::map<std::string, uint64_t> Counters() const;
  // Signals the `themes` view shows for `theme` in `region` this week; -1 if
  // the broker did not answer, -2 if the cell is suppressed.
  int64_t ShownSignals(const std::string& region, const std::string& theme) const;

 private:
  std::string control_, broker_key_;
  KeyFile admin_;
};

}  // namespace signaal::bench
