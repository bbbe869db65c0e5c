// End-to-end latency (issue 7, target 6): from `signaal node signal add` and
// `signaal node publish` to the signal being in the broker's table — real
// daemons, the real CLI, CURVE, a signed snapshot, the broker's synced write.
// Under the cell-key method the `themes` view shows each count perturbed, so
// one more signal need not change the number it shows; the snapshot's arrival
// is read from the broker's `snapshots.stored` counter instead (stored and put
// into the table before it is counted), and the view is still asked once per
// round, as before. The baseline, in the same run: the same three hops doing no
// work — `signaal node status` twice and one `themes` request — the floor of
// two CLI processes and a CURVE handshake that any such path pays.
#include <iostream>

#include <CLI/CLI.hpp>

#include "bench_util.h"

int main(int argc, char** argv) {
  using namespace signaal;
  using namespace signaal::bench;
  using namespace std::chrono_literals;
  CLI::App app{"bench_latency: signal add + publish until visible in the broker's themes view"};
  int samples = 50;
  bool smoke = false;
  app.add_option("--samples", samples, "signals sent, one at a time");
  app.add_flag("--smoke", smoke, "tiny sizes, for ctest");
  CLI11_PARSE(app, argc, argv);
  if (smoke) samples = 3;
  const std::string name = "latency";
  const std::string gm = "GM0917", theme = "schulden";

  test::TempDir dir;
  test::Network net(dir);
  if (!net.StartBroker("limburg", 2, 1)) return Fail(name, "the broker did not start");
  auto admin = BrokerAdmin::Of(net);
  if (!admin.ok()) return Fail(name, admin.status().message());
  // A long publish interval: only `publish` sends, so the path measured is the one asked for.
  auto* node = net.AddNode("Bench helpdesk", "helpdesk", gm, true, 86400);
  if (!node) return Fail(name, "the node did not start");
  if (!net.Drained(*node)) return Fail(name, "the node did not settle");

  std::vector<double> total, add, publish, visible, floor;
  for (const char* person : {"K-seed-1", "K-seed-2"}) {
    if (net.NodeCli(*node, {"signal", "add", "--theme", theme, "--municipality", gm, "--person", person}).exit_code) {
      return Fail(name, "seeding the week failed");
    }
  }
  if (net.NodeCli(*node, {"publish"}).exit_code != 0 || !net.Drained(*node)) return Fail(name, "seeding failed");
  if (admin->ShownSignals(gm, theme) < 0) return Fail(name, "the themes view did not answer");
  auto stored = [&] { return admin->Counters()["snapshots.stored"]; };
  uint64_t shown = stored();
  if (shown < 1) return Fail(name, "the seeded week was not stored");
  // One round not counted: first connections, page cache.
  for (int i = -1; i < samples; ++i) {
    auto t0 = Clock::now();
    auto a = net.NodeCli(*node, {"signal", "add", "--theme", theme, "--municipality", gm, "--text",
                                 "Wachttijd schuldhulp", "--person", "K-" + std::to_string(i + 2)});
    double t_add = SecondsSince(t0);
    if (a.exit_code != 0) return Fail(name, "signal add: " + a.err);
    auto p = net.NodeCli(*node, {"publish"});
    double t_publish = SecondsSince(t0);
    if (p.exit_code != 0) return Fail(name, "publish: " + p.err);
    uint64_t now_shown = shown;
    auto deadline = t0 + 30s;
    while (now_shown <= shown && Clock::now() < deadline) now_shown = stored();
    double t_visible = SecondsSince(t0);
    if (now_shown != shown + 1) {
      return Fail(name, "the broker stored " + std::to_string(now_shown - shown) + " snapshots, expected 1");
    }
    shown = now_shown;

    auto f0 = Clock::now();
    if (net.NodeCli(*node, {"status"}).exit_code != 0 || net.NodeCli(*node, {"status"}).exit_code != 0 ||
        admin->ShownSignals(gm, theme) < 0) {
      return Fail(name, "the baseline round failed");
    }
    double t_floor = SecondsSince(f0);
    if (i < 0) continue;
    total.push_back(t_visible * 1000);
    add.push_back(t_add * 1000);
    publish.push_back((t_publish - t_add) * 1000);
    visible.push_back((t_visible - t_publish) * 1000);
    floor.push_back(t_floor * 1000);
  }
  Report r(name);
  r.Note("samples", samples);
  r.Set("median_ms", Median(total));
  r.Set("p99_ms", Percentile(total, 99));
  r.Set("add_median_ms", Median(add));
  r.Set("publish_median_ms", Median(publish));
  r.Set("until_visible_median_ms", Median(visible));
  r.Set("floor_median_ms", Median(floor));
  r.Set("ratio_median", Median(total) / Median(floor));
  return r.Print();
}
