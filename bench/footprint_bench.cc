// Node footprint (issue 7, target 5): start-up to ready (the "signaal-node
// ready" line, where it tells systemd READY=1) and idle RSS once connected,
// with an empty store and again holding --signals imported signals. The
// baseline, in the same run: `signaal-node --help` run to exit, the floor of
// starting that binary with its libraries at all.
#include <unistd.h>

#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench_util.h"

namespace signaal::bench {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// Restarts the node and times it to its ready line, polling the log every ms.
Result<double> TimedStart(test::NodeHandle& node) {
  node.daemon->Stop();
  size_t before = Count(node.daemon->ReadLog(), "signaal-node ready");
  auto t0 = Clock::now();
  node.daemon->Start();
  while (SecondsSince(t0) < 60) {
    if (Count(node.daemon->ReadLog(), "signaal-node ready") > before) return SecondsSince(t0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Runtime("the node was not ready within 60 s");
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  using namespace signaal;
  using namespace signaal::bench;
  CLI::App app{"bench_footprint: node start-up and idle RSS"};
  uint64_t signals = 100'000;
  int starts = 5;
  double idle_s = 3;
  bool smoke = false;
  app.add_option("--signals", signals, "signals in the store for the second measurement");
  app.add_option("--starts", starts, "restarts timed per store");
  app.add_option("--idle", idle_s, "seconds idle before RSS is read");
  app.add_flag("--smoke", smoke, "tiny sizes, for ctest");
  CLI11_PARSE(app, argc, argv);
  if (smoke) signals = 500, starts = 2, idle_s = 0.5;
  const std::string name = "footprint";

  test::TempDir dir;
  test::Network net(dir);
  if (!net.StartBroker("limburg")) return Fail(name, "the broker did not start");
  auto* node = net.AddNode("Bench helpdesk", "helpdesk", "GM0917", true, 86400);
  if (!node) return Fail(name, "the node did not start");

  std::vector<double> floor;
  for (int i = 0; i < starts; ++i) {
    auto t0 = Clock::now();
    if (test::RunCommand({test::NodeBinary(), "--help"}).exit_code != 0) return Fail(name, "signaal-node --help");
    floor.push_back(SecondsSince(t0) * 1000);
  }

  Report r(name);
  r.Note("signals", signals);
  r.Set("floor_ms", Median(floor));
  auto measure = [&](const std::string& label) -> std::string {
    std::vector<double> ready;
    for (int i = 0; i < starts; ++i) {
      auto t = TimedStart(*node);
      if (!t.ok()) return t.status().message();
      ready.push_back(*t * 1000);
    }
    if (!net.Drained(*node)) return "the node did not reach the broker";
    std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
    int pid = ChildPid(node->config);
    r.Set(label + "_ready_ms", Median(ready));
    r.Set(label + "_ready_ratio", Median(ready) / Median(floor));
    r.Set(label + "_idle_rss_mib", VmMiB(pid, "VmRSS"));
    r.Set(label + "_fds", OpenFds(pid));
    return "";
  };
  if (auto e = measure("empty"); !e.empty()) return Fail(name, e);

  std::string csv = dir.path() + "/signals.csv";
  auto gen = test::RunCommand({test::GenBinary(), "--rows", std::to_string(signals), "--from", test::WeeksAgo(51),
                               "--weeks", "52", "--out", csv},
                              std::chrono::seconds(600));
  if (gen.exit_code != 0) return Fail(name, "signaal-gen: " + gen.err);
  auto imported = net.NodeCli(*node, {"signal", "import", csv});
  if (imported.exit_code != 0) return Fail(name, "import: " + imported.err);
  // Publish the year once so the restarted node is idle, not catching up.
  if (net.NodeCli(*node, {"publish"}).exit_code != 0 || !net.Drained(*node, std::chrono::seconds(120))) {
    return Fail(name, "the imported weeks did not reach the broker");
  }
  if (auto e = measure("stored"); !e.empty()) return Fail(name, e);
  return r.Print();
}
