// The national picture (issue 19, part 5): 25 regions, 5,000 partners, a
// year, on synthetic areas (342 municipalities in 25 regions, defined as data
// in areas.csv — no build for another country's map). Two parts:
//
// In process, all 25 regions: each region's table of its 200 partners × 52
// weeks (10 cells a week each); what making a region's week costs the
// regional broker (ThemeTable::RegionCells, serialise, sign); what taking one
// costs the upper broker — validate, the synced store write, the table —
// against a bare synced RocksDB put of the same bytes; the upper broker's
// table memory; and its digests for the whole country, a region and a
// municipality against ThemeTable::Aggregate over the same weeks, and
// against the same digest from one table holding all 5,000 partners (which
// must be equal).
//
// As processes on loopback: --live regional brokers (default 4), their
// stores filled with their partners' year, enrolled at an upper broker with
// `signaal-broker upstream init` and `signaal broker enroll`, started
// together: how long until the upper broker acked every week, its RSS, and a
// year's digest of the whole country published there. The other regions by
// arithmetic from the per-snapshot cost above.
//
//   bench_federation [--smoke] [--runs R] [--live K]
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include <rocksdb/db.h>

#include "bench_util.h"
#include "broker_store.h"
#include "digest_builder.h"
#include "snapshot_validator.h"
#include "theme_table.h"
#include "signaal/period.h"
#include "signaal/ptable.h"

namespace signaal::bench {
namespace {

struct Shape {
  int regions = 25;
  int municipalities = 342;
  int partners = 5000;
  int weeks = 52;
  int cells = 10;  // a partner's week
};

// A data folder with the real taxonomy and scrubber lists, and a synthetic
// country of `municipalities` in `regions`.
Status WriteCountry(const std::string& dir, const Shape& s) {
  namespace fs = std::filesystem;
  const std::string from = ReferenceData::DefaultDir();
  std::error_code ec;
  for (const char* f : {"themes.csv", "reference.toml"}) fs::copy_file(from + "/" + f, dir + "/" + f, ec);
  fs::copy(from + "/scrub", dir + "/scrub", fs::copy_options::recursive, ec);
  if (ec) return Status::Runtime("cannot copy the reference data: " + ec.message());
  std::ofstream munis(dir + "/municipalities.csv"), areas(dir + "/areas.csv");
  munis << "code,name\n";
  areas << "code,name,parent,kind\nnl,Nederland,,land\n";
  char code[24], region[24];
  for (int r = 1; r <= s.regions; ++r) {
    std::snprintf(region, sizeof region, "regio-%02d", r);
    areas << region << ",Regio " << r << ",nl,regio\n";
  }
  for (int m = 1; m <= s.municipalities; ++m) {
    std::snprintf(code, sizeof code, "GM%04d", m);
    std::snprintf(region, sizeof region, "regio-%02d", (m - 1) % s.regions + 1);
    munis << code << ",Gemeente " << m << "\n";
    areas << code << ",Gemeente " << m << "," << region << ",gemeente\n";
  }
  return munis && areas ? Status::Ok() : Status::Runtime("cannot write " + dir);
}

std::string RegionCode(int r) {
  char region[24];
  std::snprintf(region, sizeof region, "regio-%02d", r + 1);
  return region;
}

// Partner p's week w, in one municipality of its region.
wire::SummarySnapshot PartnerWeek(const ReferenceData& ref, const Shape& s, int region, int p, int w,
                                  const std::string& week) {
  const auto& gms = ref.FindRegion(RegionCode(region))->municipalities;
  wire::SummarySnapshot snap;
  snap.set_node_id("partner-" + std::to_string(region) + "-" + std::to_string(p));
  snap.set_period(week);
  snap.set_version(static_cast<uint64_t>(w) + 1);
  snap.set_taxonomy_version(ref.taxonomy_version());
  for (auto& c : MakeCells(ref, gms[static_cast<size_t>(p) % gms.size()], s.cells,
                           static_cast<uint32_t>(region * 100003 + p * 131 + w))) {
    *snap.add_cells() = std::move(c);
  }
  return snap;
}

std::vector<std::string> Weeks(int n) {
  std::vector<std::string> weeks;
  for (int w = 0; w < n; ++w) weeks.push_back(AddWeeks(IsoWeekOf(Today()), w - n + 1));
  return weeks;
}

uint64_t Token(const std::string& secret, const std::string& name) {
  const std::string mac = HmacSha256(secret, name);
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = t << 8 | static_cast<unsigned char>(mac[static_cast<size_t>(i)]);
  return t;
}

// --- As processes --------------------------------------------------------

struct Live {
  double upper_idle_mib = 0;  // before any region sent anything
  double seconds_to_all_acked = 0;
  double upper_rss_mib = 0, upper_peak_mib = 0;
  double digest_ms = 0;
  int weeks_acked = 0;
};

Result<Live> RunLive(const ReferenceData& ref, const Shape& s, int live, const std::vector<std::string>& weeks) {
  using test::Network;
  test::TempDir upper_dir;
  Network upper(upper_dir);
  if (!upper.StartBroker("nl")) return Status::Runtime("the upper broker did not start");
  std::vector<std::unique_ptr<test::TempDir>> dirs;
  std::vector<std::unique_ptr<Network>> regions;
  const int per_region = s.partners / s.regions;
  for (int r = 0; r < live; ++r) {
    dirs.push_back(std::make_unique<test::TempDir>());
    regions.push_back(std::make_unique<Network>(*dirs.back()));
    Network& net = *regions.back();
    if (!net.StartBroker(RegionCode(r))) return Status::Runtime("regional broker " + RegionCode(r) + " did not start");
    net.broker().Stop();
    {
      // Its partners' year, as if their nodes had sent it.
      auto store = broker::BrokerStore::Open(net.dir() + "/broker/data");
      if (!store.ok()) return store.status();
      for (int p = 0; p < per_region; ++p) {
        std::vector<wire::SummarySnapshot> year;
        for (int w = 0; w < s.weeks; ++w) year.push_back(PartnerWeek(ref, s, r, p, w, weeks[static_cast<size_t>(w)]));
        std::vector<const wire::SummarySnapshot*> batch;
        for (const auto& y : year) batch.push_back(&y);
        if (auto o = (*store)->OfferSnapshots(batch); !o.ok()) return o.status();
      }
    }
    auto init = test::RunCommand({test::BrokerBinary(), "upstream", "init", "--config", net.broker_config(),
                                  "--endpoint", upper.listen(), "--upper-key", upper.broker_key(), "--json"});
    if (init.exit_code != 0) return Status::Runtime("upstream init: " + init.err);
    auto enrol = upper.BrokerCli({"enroll", init.Json()["enrolment_request"].get<std::string>()});
    if (enrol.exit_code != 0) return Status::Runtime("enroll: " + enrol.err);
  }
  // All regional brokers at once: each makes its 52 weeks and sends them.
  Live out;
  out.upper_idle_mib = VmMiB(ChildPid(upper.broker_config()), "VmRSS");
  const auto start = Clock::now();
  for (auto& net : regions) net->broker().Start();
  const bool done = test::WaitUntil(
      [&] {
        int acked = 0;
        for (auto& net : regions) {
          auto st = net->BrokerCli({"upstream", "status", "--json"}).Json();
          if (st.is_null() || st["weeks_pending"] != 0) return false;
          acked += st["weeks_acked"].get<int>();
        }
        out.weeks_acked = acked;
        return acked == live * s.weeks;
      },
      std::chrono::seconds(900));
  out.seconds_to_all_acked = SecondsSince(start);
  if (!done) return Status::Runtime("the upper broker did not ack every week within 900 s");
  const int pid = ChildPid(upper.broker_config());
  out.upper_rss_mib = VmMiB(pid, "VmRSS");
  const auto publish = Clock::now();
  auto pub = upper.BrokerCli({"digest", "publish", "--period", weeks.front() + ".." + weeks.back(), "--region", "nl"});
  out.digest_ms = SecondsSince(publish) * 1000;
  if (pub.exit_code != 0) return Status::Runtime("publish at the upper broker: " + pub.err);
  out.upper_peak_mib = VmMiB(pid, "VmHWM");
  return out;
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  using namespace signaal;
  using namespace signaal::bench;
  bool smoke = false;
  int runs = 5, live = 4;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) smoke = true;
    else if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--live") == 0 && i + 1 < argc) live = std::max(0, std::atoi(argv[++i]));
  }
  Shape s;
  if (smoke) {
    s = Shape{3, 30, 30, 4, 4};
    runs = 1;
    live = 1;
  }
  live = std::min(live, s.regions);
  test::TempDir data;
  if (Status st = WriteCountry(data.path(), s); !st.ok()) return Fail("federation", st.message());
  // The daemons started below read the same country.
  setenv("SIGNAAL_DATA_DIR", data.path().c_str(), 1);
  auto loaded = ReferenceData::Load(data.path());
  if (!loaded.ok()) return Fail("federation", loaded.status().message());
  const ReferenceData& ref = *loaded;
  const auto weeks = Weeks(s.weeks);
  const int per_region = s.partners / s.regions;
  Report report("federation");
  report.Note("regions", s.regions);
  report.Note("partners", s.partners);
  report.Note("weeks", s.weeks);

  // 1. Every region's table, and its weeks as it sends them upward.
  const std::string secret(32, 's');
  auto single = std::make_unique<broker::ThemeTable>(ref);
  std::vector<wire::SummarySnapshot> upward;
  std::vector<double> make_ms;
  size_t bytes = 0, partners_named = 0;
  SigningKeyPair signer = GenerateSigningKeyPair();
  for (int r = 0; r < s.regions; ++r) {
    broker::ThemeTable region(ref);
    for (int p = 0; p < per_region; ++p) {
      for (int w = 0; w < s.weeks; ++w) {
        auto snap = PartnerWeek(ref, s, r, p, w, weeks[static_cast<size_t>(w)]);
        region.Put(snap);
        single->Put(snap);
      }
    }
    for (const auto& week : weeks) {
      wire::SummarySnapshot up;
      make_ms.push_back(MillisOf([&] {
        up.set_node_id("broker-" + RegionCode(r));
        up.set_period(week);
        up.set_version(1);
        up.set_taxonomy_version(ref.taxonomy_version());
        for (auto& c : region.RegionCells(week, [&](const std::string& n) { return Token(secret, n); })) {
          partners_named += static_cast<size_t>(c.partners_size());
          *up.add_cells() = std::move(c);
        }
        (void)Sign(signer, up.SerializeAsString());  // what the regional broker pays to sign it
      }));
      bytes += up.ByteSizeLong();
      upward.push_back(std::move(up));
    }
  }
  malloc_trim(0);
  std::printf("regions: %d x %d partners x %d weeks; a region's week made in %.2f ms (median), %.1f KiB, "
              "%.1f partners named per cell\n",
              s.regions, per_region, s.weeks, Median(make_ms), bytes / 1024.0 / static_cast<double>(upward.size()),
              static_cast<double>(partners_named) /
                  static_cast<double>(std::max<size_t>(1, [&] {
                    size_t n = 0;
                    for (const auto& u : upward) n += static_cast<size_t>(u.cells_size());
                    return n;
                  }())));
  report.Set("region_week.make_ms", Median(make_ms));
  report.Set("region_week.kib", bytes / 1024.0 / static_cast<double>(upward.size()));

  // 2. The upper broker takes them: validate (signature and cells), the
  // synced store write, the table; against a bare synced put of the bytes.
  test::TempDir store_dir, bare_dir;
  auto store = broker::BrokerStore::Open(store_dir.path());
  if (!store.ok()) return Fail("federation", store.status().message());
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, bare_dir.path(), &raw).ok()) return Fail("federation", "cannot open bare RocksDB");
  std::unique_ptr<rocksdb::DB> bare(raw);
  rocksdb::WriteOptions synced;
  synced.sync = true;
  broker::SnapshotValidator validator(ref, "nl");
  broker::ThemeTable upper(ref);
  std::vector<double> take_ms, bare_ms;
  for (size_t i = 0; i < upward.size(); ++i) {
    wire::Principal regional;
    regional.set_id(upward[i].node_id());
    regional.set_role(wire::ROLE_BROKER);
    regional.add_regions(upward[i].node_id().substr(7));
    regional.set_sign_public_key(signer.public_hex);
    wire::SignedEnvelope env;
    env.set_payload(upward[i].SerializeAsString());
    env.set_signature(*Sign(signer, env.payload()));
    env.set_key_id(KeyId(signer.public_hex));
    bool ok = true;
    take_ms.push_back(MillisOf([&] {
      wire::SummarySnapshot snap;
      broker::Refusal refusal;
      ok = validator.Check(env, regional, std::time(nullptr), snap, refusal);
      if (ok) ok = (*store)->OfferSnapshot(snap).ok();
      if (ok) upper.Put(snap);
    }));
    if (!ok) return Fail("federation", "the upper broker refused " + upward[i].node_id() + " " + upward[i].period());
    bare_ms.push_back(MillisOf([&] { ok = bare->Put(synced, "s/" + std::to_string(i), env.payload()).ok(); }));
  }
  // The table's memory alone: a second one built from the same weeks, with
  // nothing else allocated meanwhile.
  malloc_trim(0);
  const double rss_before_probe = RssMiB();
  double upper_table_mib = 0;
  {
    broker::ThemeTable probe(ref);
    for (const auto& up : upward) probe.Put(up);
    malloc_trim(0);
    upper_table_mib = RssMiB() - rss_before_probe;
  }
  upward.clear();
  upward.shrink_to_fit();
  std::printf("upper broker: a region's week taken in %.2f ms (median), a bare synced put of it %.2f ms: %.2fx; "
              "table of %d region-weeks ~%.0f MiB\n",
              Median(take_ms), Median(bare_ms), Median(take_ms) / Median(bare_ms), s.regions * s.weeks,
              upper_table_mib);
  report.Set("upper.take_ms", Median(take_ms));
  report.Set("upper.take_ratio_bare_put", Median(take_ms) / Median(bare_ms));
  report.Set("upper.table_mib", upper_table_mib);

  // 3. Digests at the upper broker: against Aggregate, and equal to one
  // broker's holding every partner.
  auto ptable = PTable::Make(2, 1.0);
  if (!ptable.ok()) return Fail("federation", ptable.status().message());
  broker::DisclosurePolicy policy(5, 2, std::move(*ptable));
  broker::DigestBuilder from_upper(ref, upper, policy), from_single(ref, *single, policy);
  struct Case {
    std::string area, period;
  };
  const std::string year = weeks.front() + ".." + weeks.back();
  const std::vector<Case> cases = {{"nl", weeks.back()}, {"nl", AddWeeks(weeks.back(), -12) + ".." + weeks.back()},
                                   {"nl", year},         {RegionCode(0), year},
                                   {ref.FindRegion(RegionCode(0))->municipalities.front(), year}};
  std::printf("%-10s %-20s %10s %12s %8s %6s\n", "area", "period", "digest ms", "aggregate ms", "ratio", "equal");
  for (const auto& c : cases) {
    auto range = ParsePeriod(c.period);
    if (!range.ok()) return Fail("federation", range.status().message());
    const auto read = broker::DigestBuilder::WeeksRead(*range, broker::DigestBuilder::Context::kFull);
    std::vector<double> d_ms, a_ms;
    Result<wire::Digest> built = Status::Runtime("not built");
    for (int r = 0; r < runs; ++r) {
      a_ms.push_back(MillisOf([&] { auto t = upper.Aggregate(c.area, read); (void)t; }));
      d_ms.push_back(MillisOf([&] { built = from_upper.Build(c.area, c.period, 1000, broker::DigestBuilder::Context::kFull); }));
    }
    auto reference = from_single.Build(c.area, c.period, 1000, broker::DigestBuilder::Context::kFull);
    if (!built.ok() || !reference.ok()) return Fail("federation", "cannot build " + c.area + " " + c.period);
    const bool equal = built->SerializeAsString() == reference->SerializeAsString();
    std::printf("%-10s %-20s %10.1f %12.1f %7.2fx %6s\n", c.area.c_str(), c.period.c_str(), Median(d_ms), Median(a_ms),
                Median(d_ms) / Median(a_ms), equal ? "yes" : "NO");
    if (!equal) return Fail("federation", "the upper broker's digest of " + c.area + " differs from one broker's");
    report.Set("digest_ms." + c.area + "." + c.period, Median(d_ms));
    report.Set("digest_ratio." + c.area + "." + c.period, Median(d_ms) / Median(a_ms));
  }
  single.reset();

  // 4. As processes.
  if (live > 0) {
    auto l = RunLive(ref, s, live, weeks);
    if (!l.ok()) return Fail("federation", l.status().message());
    const double per_week_s = l->seconds_to_all_acked / l->weeks_acked;
    const double per_region_week_mib = (l->upper_rss_mib - l->upper_idle_mib) / l->weeks_acked;
    std::printf("live: %d regional brokers started at once; the upper broker acked all %d weeks in %.1f s "
                "(%.0f ms a region-week end to end); its RSS %.0f MiB idle, %.0f MiB holding them, peak %.0f MiB; "
                "the country's year published there in %.0f ms\n",
                live, l->weeks_acked, l->seconds_to_all_acked, per_week_s * 1000, l->upper_idle_mib, l->upper_rss_mib,
                l->upper_peak_mib, l->digest_ms);
    std::printf("all %d regions by arithmetic: the upper broker's RSS %.0f MiB holding a year of them\n", s.regions,
                l->upper_idle_mib + per_region_week_mib * s.regions * s.weeks);
    report.Set("live.upper_idle_mib", l->upper_idle_mib);
    report.Set("estimate.upper_rss_mib", l->upper_idle_mib + per_region_week_mib * s.regions * s.weeks);
    std::printf("all %d regions' year by arithmetic: %.0f s to catch up from nothing at that rate; a normal week "
                "(every region changes its last weeks) %.1f s\n",
                s.regions, per_week_s * s.regions * s.weeks, per_week_s * s.regions * 2);
    report.Set("live.regions", live);
    report.Set("live.seconds_to_all_acked", l->seconds_to_all_acked);
    report.Set("live.upper_rss_mib", l->upper_rss_mib);
    report.Set("live.upper_peak_mib", l->upper_peak_mib);
    report.Set("live.digest_year_ms", l->digest_ms);
  }
  return report.Print();
}
