// The intake page (issue 17): the time from a filled form sent to the
// answer that the signal is stored (the page answers after the store's
// synced write), p50 and p99, with and without a quote; and the node's RSS
// with the page off, on and idle, and after the forms. The baseline, in the
// same run: a bare RocksDB synced Put of a signal-sized value — the floor of
// storing anything durably on this disk.
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <rocksdb/db.h>

#include "bench_util.h"
#include "signaal/period.h"
#include "web_client.h"

namespace signaal::bench {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Result<std::vector<double>> BareSyncedPuts(const std::string& dir, int n) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return Status::Runtime("rocksdb: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  std::vector<double> ms;
  const std::string value(320, 'v');
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    if (!db->Put(sync, "sig/2026-W49/S" + std::to_string(1000000 + i), value).ok()) {
      return Status::Runtime("rocksdb put failed");
    }
    ms.push_back(SecondsSince(t0) * 1000);
  }
  return ms;
}

Fields Form(int i, bool quote) {
  Fields f = {{"datum", DateFromUnix(std::time(nullptr)).ToIso()},
              {"gemeente", "GM0917"},
              {"thema", i % 2 ? "schulden" : "wonen"},
              {"subthema", ""},
              {"leeftijd", "27-66"},
              {"kanaal", "spreekuur"},
              {"ernst", "2"},
              {"status", "open"},
              {"toelichting", "Kon de vaste lasten niet meer betalen, melding " + std::to_string(i)},
              {"persoon", "dossier-" + std::to_string(i)},
              {"postcode", "6411"}};
  if (quote) {
    f.emplace_back("citaat", "Ik durf de post niet meer open te maken, zei mevrouw Jansen.");
    f.emplace_back("toestemming", "ja");
  }
  return f;
}

// Sends `n` forms; each one's milliseconds from send to the answer "stored".
Result<std::vector<double>> Forms(test::WebClient& c, int n, bool quote) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    auto r = c.Post("/signaal/nieuw", Form(i, quote));
    ms.push_back(SecondsSince(t0) * 1000);
    if (r.status != 303) return Status::Runtime("form " + std::to_string(i) + ": HTTP " + std::to_string(r.status));
  }
  return ms;
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  using namespace signaal;
  using namespace signaal::bench;
  CLI::App app{"bench_intake: the intake page, form to stored, and the node's memory with it on"};
  int forms = 400;
  double idle_s = 3;
  bool smoke = false;
  app.add_option("--forms", forms, "forms sent per kind");
  app.add_option("--idle", idle_s, "seconds idle before RSS is read");
  app.add_flag("--smoke", smoke, "tiny sizes, for ctest");
  CLI11_PARSE(app, argc, argv);
  if (smoke) forms = 10, idle_s = 0.5;
  const std::string name = "intake";

  test::TempDir dir;
  test::Network net(dir);
  if (!net.StartBroker("limburg")) return Fail(name, "the broker did not start");
  auto* node = net.AddNode("Bench spreekuur", "spreekuur", "GM0917", true, 86400);
  if (!node) return Fail(name, "the node did not start");
  if (!net.Drained(*node)) return Fail(name, "the node did not reach the broker");
  std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
  Report r(name);
  r.Note("forms", forms);
  r.Set("rss_page_off_mib", VmMiB(ChildPid(node->config), "VmRSS"));

  const int port = net.EnableIntakePage(*node);
  if (port == 0) return Fail(name, "the intake page did not start");
  const std::string password = net.AddIntakeUser(*node, "anna", "volunteer");
  if (!net.Drained(*node)) return Fail(name, "the node did not reach the broker");
  std::this_thread::sleep_for(std::chrono::duration<double>(idle_s));
  const int pid = ChildPid(node->config);
  r.Set("rss_page_on_idle_mib", VmMiB(pid, "VmRSS"));

  test::WebClient anna(port);
  auto t_login = Clock::now();
  if (!anna.Login("anna", password)) return Fail(name, "login failed");
  r.Set("login_ms", SecondsSince(t_login) * 1000);  // Argon2id (19 MiB, 2 passes) and three pages

  auto floor = BareSyncedPuts(dir.path() + "/bare-rocksdb", forms);
  if (!floor.ok()) return Fail(name, floor.status().message());
  auto plain = Forms(anna, forms, false);
  if (!plain.ok()) return Fail(name, plain.status().message());
  // The first quote loads the scrubber (ScrubberCache); timed on its own.
  auto first_quote = Forms(anna, 1, true);
  if (!first_quote.ok()) return Fail(name, first_quote.status().message());
  auto quoted = Forms(anna, forms, true);
  if (!quoted.ok()) return Fail(name, quoted.status().message());

  r.Set("bare_put_sync_p50_ms", Median(*floor));
  r.Set("form_p50_ms", Median(*plain));
  r.Set("form_p99_ms", Percentile(*plain, 99));
  r.Set("form_p50_ratio", Median(*plain) / Median(*floor));
  r.Set("quote_form_p50_ms", Median(*quoted));
  r.Set("quote_form_p99_ms", Percentile(*quoted, 99));
  r.Set("first_quote_ms", first_quote->front());
  r.Set("rss_after_forms_mib", VmMiB(pid, "VmRSS"));
  r.Set("rss_peak_mib", VmMiB(pid, "VmHWM"));
  return r.Print();
}
