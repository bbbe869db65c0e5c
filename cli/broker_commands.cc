// `signaal broker …`: the administrator's commands, over the broker's CURVE
// control port, with the admin key from broker.toml or given explicitly.
#include <charconv>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "broker_client.h"
#include "commands.h"
#include "broker_control.pb.h"
#include "wire.pb.h"
#include "signaal/config.h"
#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/period.h"
#include "signaal/text.h"
#include "signaal/zmq_util.h"

namespace signaal::cli {
namespace {

using namespace std::chrono_literals;

const char* RoleName(wire::Role r) {
  switch (r) {
    case wire::ROLE_NODE: return "node";
    case wire::ROLE_SUBSCRIBER: return "subscriber";
    case wire::ROLE_ADMIN: return "admin";
    case wire::ROLE_BROKER: return "broker";
    default: return "unknown";
  }
}

// Whole weeks from a node's newest week at the broker to this week: 0 when
// it sent this week, -1 when it never sent. A quiet week of a small
// organisation counts too, so it is a prompt to look, not a fault.
int WeeksBehind(const wire::Principal& p, int64_t now) {
  auto newest = MondayOfWeek(p.latest_period());
  auto current = MondayOfWeek(IsoWeekOf(DateFromUnix(now)));
  if (p.latest_period().empty() || !newest.ok() || !current.ok()) return -1;
  return static_cast<int>((DaysFromCivil(*current) - DaysFromCivil(*newest)) / 7);
}

nlohmann::json PrincipalJson(const wire::Principal& p) {
  nlohmann::json j = {{"id", p.id()},
                      {"name", p.name()},
                      {"role", RoleName(p.role())},
                      {"status", p.revoked() ? "revoked" : "active"},
                      {"last_seen", p.last_seen_unix() ? nlohmann::json(IsoTimeUtc(p.last_seen_unix())) : nullptr},
                      {"public_key", p.curve_public_key()},
                      {"enrolled", IsoTimeUtc(p.enrolled_unix())}};
  if (p.role() == wire::ROLE_NODE) {
    j["type"] = p.type();
    j["municipality"] = p.municipality();
    j["latest_period"] = p.latest_period().empty() ? nlohmann::json(nullptr) : nlohmann::json(p.latest_period());
    j["outbox_depth"] = p.outbox_depth();
    int behind = WeeksBehind(p, std::time(nullptr));
    j["weeks_behind"] = behind < 0 ? nlohmann::json(nullptr) : nlohmann::json(behind);
    j["software_version"] = p.software_version();
    j["taxonomy_version"] = p.taxonomy_version();
  }
  if (p.role() == wire::ROLE_SUBSCRIBER) {
    j["regions"] = p.regions();
    j["emails"] = p.emails();
  }
  if (p.role() == wire::ROLE_BROKER) {
    // A regional broker: its region, and how far behind its newest week is.
    j["region"] = p.regions_size() > 0 ? p.regions(0) : "";
    j["latest_period"] = p.latest_period().empty() ? nlohmann::json(nullptr) : nlohmann::json(p.latest_period());
    j["outbox_depth"] = p.outbox_depth();
    int behind = WeeksBehind(p, std::time(nullptr));
    j["weeks_behind"] = behind < 0 ? nlohmann::json(nullptr) : nlohmann::json(behind);
    j["software_version"] = p.software_version();
  }
  return j;
}

int Enroll(const BrokerOptions& o) {
  auto text = ReadFile(o.request_file);
  if (!text.ok()) return Report(Status::Usage("cannot read " + o.request_file));
  wire::ControlRequest req;
  auto parsed = google::protobuf::util::JsonStringToMessage(*text, req.mutable_enroll_node());
  if (!parsed.ok()) {
    return Report(Status::Usage(o.request_file + " is not an enrolment request: " + std::string(parsed.message())));
  }
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  if (o.json) std::cout << PrincipalJson(r->principal()).dump(2) << "\n";
  else std::cout << (r->principal().role() == wire::ROLE_BROKER ? "enrolled regional broker " : "enrolled node ")
                 << EscapeText(r->principal().id()) << " (" << EscapeText(r->principal().name()) << ")\n";
  return 0;
}

int EnrollSubscriber(const BrokerOptions& o) {
  wire::ControlRequest req;
  auto* s = req.mutable_enroll_subscriber();
  s->set_name(o.name);
  for (const auto& r : SplitList(o.regions)) s->add_regions(r);
  s->set_curve_public_key(o.public_key);
  for (const auto& e : o.emails) s->add_emails(e);
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  if (o.json) std::cout << PrincipalJson(r->principal()).dump(2) << "\n";
  else std::cout << "enrolled subscriber " << EscapeText(r->principal().id()) << " for " << EscapeText(o.regions) << "\n";
  return 0;
}

int SubscriberEmail(const BrokerOptions& o) {
  if (o.add_emails.empty() && o.remove_emails.empty()) return Report(Status::Usage("give --add or --remove"));
  wire::ControlRequest req;
  auto* change = req.mutable_subscriber_email();
  change->set_id(o.id);
  for (const auto& e : o.add_emails) change->add_add(e);
  for (const auto& e : o.remove_emails) change->add_remove(e);
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  const auto& p = r->principal();
  std::string list;
  for (const auto& e : p.emails()) list += (list.empty() ? "" : ", ") + EscapeText(e);
  if (o.json) std::cout << PrincipalJson(p).dump(2) << "\n";
  else std::cout << "subscriber " << EscapeText(p.id()) << " is mailed digests at " << (list.empty() ? "no address" : list) << "\n";
  return 0;
}

int Revoke(const BrokerOptions& o) {
  wire::ControlRequest req;
  req.mutable_revoke()->set_id(o.id);
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  if (o.json) std::cout << PrincipalJson(r->principal()).dump(2) << "\n";
  else std::cout << "revoked " << EscapeText(r->principal().id()) << "; its open connections are refused from now on\n";
  return 0;
}

int Principals(const BrokerOptions& o) {
  wire::ControlRequest req;
  req.mutable_principals();
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& p : r->principals().principals()) j.push_back(PrincipalJson(p));
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  Table t({"ID", "NAME", "ROLE", "STATUS", "LAST SEEN", "VERSION", "DETAIL"});
  for (const auto& p : r->principals().principals()) {
    std::string detail, version;
    if (p.role() == wire::ROLE_NODE || p.role() == wire::ROLE_BROKER) {
      int behind = WeeksBehind(p, std::time(nullptr));
      detail = (p.role() == wire::ROLE_NODE ? p.municipality() : (p.regions_size() ? p.regions(0) : "")) + ", newest week " + (p.latest_period().empty() ? "-" : p.latest_period()) +
               (behind > 0 ? " (" + std::to_string(behind) + (behind == 1 ? " week" : " weeks") + " behind)" : "") +
               ", outbox " + std::to_string(p.outbox_depth());
      if (!p.software_version().empty()) version = p.software_version() + " / " + p.taxonomy_version();
    } else if (p.role() == wire::ROLE_SUBSCRIBER) {
      for (const auto& reg : p.regions()) detail += (detail.empty() ? "" : ",") + reg;
      for (const auto& e : p.emails()) detail += ", " + e;
    }
    t.Add({p.id(), p.name(), RoleName(p.role()), p.revoked() ? "revoked" : "active", LocalTime(p.last_seen_unix()),
           version.empty() ? "-" : version, detail});
  }
  std::cout << t.Render();
  return 0;
}

int BrokerStatus(const BrokerOptions& o) {
  wire::ControlRequest req;
  req.mutable_status();
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  const auto& s = r->status();
  if (o.json) {
    nlohmann::json j = {{"region", s.region()},
                        {"listen", s.listen()},
                        {"control", s.control()},
                        {"started", IsoTimeUtc(s.started_unix())},
                        {"nodes", s.nodes()},
                        {"subscribers", s.subscribers()},
                        {"snapshots_stored", s.snapshots_stored()},
                        {"digests_published", s.digests_published()},
                        {"digests_building", s.digests_building()},
                        {"mail_queued", s.mail_queued()},
                        {"upstream", s.upstream_state().empty()
                                         ? nlohmann::json(nullptr)
                                         : nlohmann::json({{"state", s.upstream_state()},
                                                           {"weeks_pending", s.upstream_weeks_pending()}})},
                        {"taxonomy_version", s.taxonomy_version()},
                        {"counters", nlohmann::json::object()}};
    for (const auto& [k, v] : s.counters()) j["counters"][k] = v;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  Table t({"region", s.region()});
  t.Add({"listen", s.listen()});
  t.Add({"control", s.control()});
  t.Add({"started", LocalTime(s.started_unix())});
  t.Add({"nodes", std::to_string(s.nodes())});
  t.Add({"subscribers", std::to_string(s.subscribers())});
  t.Add({"snapshots stored", std::to_string(s.snapshots_stored())});
  t.Add({"digests published", std::to_string(s.digests_published())});
  t.Add({"digests being built", std::to_string(s.digests_building())});
  t.Add({"digest mails queued", std::to_string(s.mail_queued())});
  if (!s.upstream_state().empty()) {
    t.Add({"upper broker", s.upstream_state() + ", " + std::to_string(s.upstream_weeks_pending()) +
                               " weeks waiting (signaal broker upstream status)"});
  }
  std::map<std::string, uint64_t> counters(s.counters().begin(), s.counters().end());
  for (const auto& [k, v] : counters) t.Add({k, std::to_string(v)});
  std::cout << t.Render();
  return 0;
}

int Themes(const BrokerOptions& o) {
  wire::ControlRequest req;
  req.mutable_themes()->set_region(o.region);
  req.mutable_themes()->set_weeks(o.weeks);
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  const auto& v = r->themes();
  auto num = [](const wire::ThemeRow& row, uint32_t n) -> nlohmann::json {
    return row.suppressed() ? nlohmann::json(nullptr) : nlohmann::json(n);
  };
  if (o.json) {
    nlohmann::json j = {{"region", v.region()}, {"k", v.k()}, {"rows", nlohmann::json::array()}};
    for (const auto& row : v.rows()) {
      j["rows"].push_back({{"period", row.period()}, {"theme", row.theme()}, {"label", row.label()},
                           {"suppressed", row.suppressed()}, {"signals", num(row, row.signals())},
                           {"persons", num(row, row.persons())}, {"organisations", num(row, row.organisations())}});
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  auto cell = [](const wire::ThemeRow& row, uint32_t n) { return row.suppressed() ? "×" : std::to_string(n); };
  Table t({"WEEK", "THEME", "SIGNALS", "PERSONS", "ORGANISATIONS"});
  for (const auto& row : v.rows()) {
    t.Add({row.period(), row.label(), cell(row, row.signals()), cell(row, row.persons()),
           cell(row, row.organisations())});
  }
  std::cout << "Themes in " << v.region() << "\n" << t.Render()
            << "× onderdrukt ter bescherming van de privacy (k = " << v.k() << ")\n";
  return 0;
}

int PublishDigest(const BrokerOptions& o) {
  // Refused here with the same sentence the broker would give, without the
  // round trip, and sent normalised so "2026-h1" names the same digest.
  auto period = ParsePeriod(o.period);
  if (!period.ok()) return Report(period.status());
  wire::ControlRequest req;
  req.mutable_publish_digest()->set_period(period->label);
  req.mutable_publish_digest()->set_region(o.region);
  // Built on the broker's digest worker, perhaps behind others: seconds.
  auto r = AskBroker(o, req, 120000ms);
  if (!r.ok()) return Report(r.status());
  const auto& d = r->digest();
  if (o.json) {
    std::cout << nlohmann::json({{"sequence", d.sequence()}, {"region", d.region()}, {"period", d.period()},
                                 {"cells_published", d.policy().cells_published()},
                                 {"cells_suppressed", d.policy().cells_suppressed()}})
                     .dump(2)
              << "\n";
  } else {
    std::cout << "published digest " << d.sequence() << ": " << d.region() << " " << d.period() << " ("
              << d.policy().cells_published() << " cells shown, " << d.policy().cells_suppressed()
              << " suppressed)\n";
  }
  return 0;
}

int Digests(const BrokerOptions& o) {
  wire::ControlRequest req;
  req.mutable_digests();
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& d : r->digests().digests()) {
      j.push_back({{"sequence", d.sequence()}, {"region", d.region()}, {"period", d.period()},
                   {"generated_at", IsoTimeUtc(d.generated_unix())}});
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  Table t({"SEQ", "REGION", "PERIOD", "GENERATED"});
  for (const auto& d : r->digests().digests()) {
    t.Add({std::to_string(d.sequence()), d.region(), d.period(), LocalTime(d.generated_unix())});
  }
  std::cout << t.Render();
  return 0;
}

nlohmann::json AdviceJson(const wire::Advice& a) {
  return {{"id", a.id()},
          {"title", a.title()},
          {"council", a.council()},
          {"addressee", a.addressee()},
          {"region", a.region()},
          {"sent", a.sent_date()},
          {"digests", std::vector<std::string>(a.digests().begin(), a.digests().end())},
          {"themes", std::vector<std::string>(a.themes().begin(), a.themes().end())},
          {"status", a.status()},
          {"response", a.response()},
          {"response_date", a.response_date()},
          {"created", IsoTimeUtc(a.created_unix())},
          {"updated", IsoTimeUtc(a.updated_unix())},
          {"updated_by", a.updated_by()}};
}

int Advice(const BrokerOptions& o, wire::AdviceRequest::Action action) {
  wire::ControlRequest req;
  auto* a = req.mutable_advice();
  a->set_action(action);
  *a->mutable_advice() = o.advice;
  a->set_region(o.region);
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  if (!r->ok()) return Report(Status(static_cast<Code>(r->error_code() ? r->error_code() : 1), r->error()));
  const auto& all = r->advice().advice();
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : all) j.push_back(AdviceJson(v));
    std::cout << (action == wire::AdviceRequest::LIST ? j : j.empty() ? nlohmann::json() : j[0]).dump(2) << "\n";
    return 0;
  }
  if (action == wire::AdviceRequest::LIST) {
    Table t({"ID", "STATUS", "SENT", "REGION", "COUNCIL", "TITLE"});
    for (const auto& v : all) {
      t.Add({v.id(), v.status(), v.sent_date().empty() ? "-" : v.sent_date(), v.region(), EscapeText(v.council()),
             EscapeText(v.title())});
    }
    std::cout << t.Render();
    if (all.empty()) std::cout << "no advice recorded; add one with `signaal broker advice add`\n";
    return 0;
  }
  const auto& v = all.at(0);
  std::string themes, digests;
  for (const auto& t : v.themes()) themes += (themes.empty() ? "" : ", ") + t;
  for (const auto& d : v.digests()) digests += (digests.empty() ? "" : ", ") + EscapeText(d);
  std::cout << "advice " << v.id() << ": " << EscapeText(v.title()) << "\n"
            << "  from " << EscapeText(v.council()) << " to " << EscapeText(v.addressee()) << ", about "
            << v.region() << "\n"
            << "  status " << v.status() << (v.sent_date().empty() ? "" : ", sent " + v.sent_date()) << "\n";
  if (!themes.empty()) std::cout << "  themes " << themes << "\n";
  if (!digests.empty()) std::cout << "  drew on " << digests << "\n";
  if (!v.response().empty()) {
    std::cout << "  response" << (v.response_date().empty() ? "" : " of " + v.response_date()) << ": "
              << EscapeText(v.response()) << "\n";
  }
  return 0;
}

int Backup(const BrokerOptions& o) {
  wire::ControlRequest req;
  // The path is on the broker's host; made absolute here for a local broker.
  req.mutable_backup()->set_out(AbsolutePath(o.out));
  req.mutable_backup()->set_with_keys(o.with_keys);
  auto r = AskBroker(o, req, 600000ms);
  if (!r.ok()) return Report(r.status());
  return PrintBackup(r->backup(), o.json, o.with_keys);
}

// A probability as a Dutch percentage with one decimal.
std::string Percent(double p) {
  if (p > 0 && p < 0.0005) return "<0,1%";  // rare, never impossible: not 0,0%
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * p);
  std::string out = buf;
  for (char& c : out) c = c == '.' ? ',' : c;
  return out;
}

int PTable(const BrokerOptions& o) {
  wire::ControlRequest req;
  req.mutable_ptable();
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  const auto& t = r->ptable();
  if (o.json) {
    nlohmann::json j = {{"max_deviation", t.max_deviation()}, {"variance", t.variance()}, {"k", t.k()},
                        {"rows", nlohmann::json::array()}};
    for (const auto& row : t.rows()) {
      j["rows"].push_back({{"value", row.value()}, {"first", row.first()}, {"p", row.p()}});
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  // Columns: every value a row can publish, 0 up to the last row's top.
  uint32_t last = 0;
  for (const auto& row : t.rows()) last = std::max<uint32_t>(last, row.first() + row.p_size() - 1);
  std::vector<std::string> header = {"WAAR \\ GEPUBLICEERD"};
  for (uint32_t v = 0; v <= last; ++v) header.push_back(std::to_string(v));
  Table table(header);
  for (const auto& row : t.rows()) {
    std::vector<std::string> line = {std::to_string(row.value())};
    for (uint32_t v = 0; v <= last; ++v) {
      bool in_row = v >= row.first() && v - row.first() < static_cast<uint32_t>(row.p_size());
      line.push_back(in_row ? Percent(row.p(static_cast<int>(v - row.first()))) : "-");
    }
    table.Add(line);
  }
  const uint32_t d = t.max_deviation();
  std::cout << "p-tabel (cell-key-methode): maximale afwijking D = " << d << ", variantie V = "
            << Decimal(t.variance(), true) << ", k = " << t.k() << "\n"
            << table.Render() << d + 1 << " en hoger: als bij " << d << ", verschoven (ware telling n: gepubliceerd n-"
            << d << " tot n+" << d << ")\n"
            << "Kans per gepubliceerde waarde bij elke ware telling; gepubliceerde waarden onder k tonen \"<" << t.k() << "\".\n";
  return 0;
}

int RiskReport(const BrokerOptions& o) {
  auto period = ParsePeriod(o.period);
  if (!period.ok()) return Report(period.status().Prefixed("--period"));
  wire::ControlRequest req;
  req.mutable_risk_report()->set_period(period->label);
  // Integer programmes over every number released for the period: minutes
  // for a long, busy period.
  auto r = AskBroker(o, req, 900000ms);
  if (!r.ok()) return Report(r.status());
  const auto& t = r->risk_report();
  if (o.json) {
    nlohmann::json j = {{"period", t.period()},
                        {"digests", t.digests()},
                        {"numbers", t.numbers()},
                        {"cells_attacked", t.cells_attacked()},
                        {"narrowed_below_k", t.narrowed_below_k()},
                        {"exact", t.exact()},
                        {"narrowest_width", t.cells_attacked() > 0 ? nlohmann::json(t.narrowest_width()) : nlohmann::json(nullptr)},
                        {"k", t.k()},
                        {"max_deviation", t.max_deviation()},
                        {"variance", t.variance()},
                        {"millis", t.millis()},
                        {"truncated", t.truncated()}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  Table table({"WAT", "UITKOMST"});
  table.Add({"periode", t.period()});
  table.Add({"rapportages bekeken", std::to_string(t.digests()) + (t.truncated() ? " (de nieuwste; er zijn er meer)" : "")});
  table.Add({"getallen gebruikt", std::to_string(t.numbers())});
  table.Add({"cellen met 1 tot " + std::to_string(t.k() - 1) + " signalen", std::to_string(t.cells_attacked())});
  table.Add({"  vernauwd tot minder dan " + std::to_string(t.k()) + " mogelijke waarden", std::to_string(t.narrowed_below_k())});
  table.Add({"  precies bepaald", std::to_string(t.exact())});
  table.Add({"  smalste interval (mogelijke waarden)", t.cells_attacked() > 0 ? std::to_string(t.narrowest_width()) : "-"});
  table.Add({"beleid", "cell-key, D = " + std::to_string(t.max_deviation()) + ", V = " + Decimal(t.variance(), true) +
                           ", k = " + std::to_string(t.k())});
  std::cout << "Restrisico: een aanvaller met alle signalenrapportages die de broker voor deze periode uitgaf, die elk getal als "
               "interval leest\n"
            << table.Render()
            << (t.exact() == 0 ? "Geen enkele kleine cel is precies te bepalen.\n"
                               : "Let op: " + std::to_string(t.exact()) + " kleine cellen zijn precies te bepalen.\n");
  return 0;
}

}  // namespace

void AddBrokerCommands(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BrokerOptions>();
  auto* broker = app.add_subcommand("broker", "administer the broker");
  broker->require_subcommand(1);
  broker->fallthrough();
  broker->add_option("--config", o->config, "broker.toml (default $SIGNAAL_BROKER_CONFIG or /etc/signaal/broker.toml)");
  broker->add_option("--control", o->control, "control endpoint (remote administration)");
  broker->add_option("--key", o->key_file, "administrator key file (remote administration)");
  broker->add_option("--broker-key", o->broker_key, "the broker's public key (remote administration)");
  auto json = [&](CLI::App* c) { c->add_flag("--json", o->json, "print JSON"); };

  auto* enroll = broker->add_subcommand("enroll", "enrol a node from its enrolment request");
  enroll->add_option("REQUEST_FILE", o->request_file, "enrolment.json from signaal-node init")->required();
  json(enroll);
  enroll->callback([o, &exit_code] { exit_code = Enroll(*o); });

  auto* sub = broker->add_subcommand("enroll-subscriber", "enrol a digest subscriber");
  sub->add_option("--name", o->name, "who subscribes")->required();
  sub->add_option("--regions", o->regions, "regions it may receive, comma-separated")->required();
  sub->add_option("--public-key", o->public_key, "its CURVE public key (signaal keys generate)")->required();
  sub->add_option("--email", o->emails, "an address published digests are mailed to (repeat; [mail] in broker.toml)");
  json(sub);
  sub->callback([o, &exit_code] { exit_code = EnrollSubscriber(*o); });

  auto* email = broker->add_subcommand("subscriber-email", "change the e-mail addresses of an enrolled subscriber");
  email->add_option("ID", o->id, "the subscriber's id from `signaal broker principals`")->required();
  email->add_option("--add", o->add_emails, "an address to mail published digests to (repeat)");
  email->add_option("--remove", o->remove_emails, "an address to stop mailing (repeat)");
  json(email);
  email->callback([o, &exit_code] { exit_code = SubscriberEmail(*o); });

  auto* revoke = broker->add_subcommand("revoke", "revoke a principal's key");
  revoke->add_option("ID", o->id, "id from `signaal broker principals`")->required();
  json(revoke);
  revoke->callback([o, &exit_code] { exit_code = Revoke(*o); });

  auto* upstream = broker->add_subcommand("upstream", "this regional broker's link to its upper broker");
  upstream->require_subcommand(1);
  auto* upstream_status = upstream->add_subcommand("status", "the link, the weeks waiting and the last refusal");
  json(upstream_status);
  upstream_status->callback([o, &exit_code] { exit_code = UpstreamStatus(*o); });

  auto* principals = broker->add_subcommand("principals", "list enrolled nodes, subscribers, regional brokers and administrators");
  json(principals);
  principals->callback([o, &exit_code] { exit_code = Principals(*o); });

  auto* status = broker->add_subcommand("status", "the broker's state and counters");
  json(status);
  status->callback([o, &exit_code] { exit_code = BrokerStatus(*o); });

  auto* themes = broker->add_subcommand("themes", "the disclosure-controlled live view per week");
  themes->add_option("--region", o->region, "region (default: the broker's)");
  themes->add_option("--weeks", o->weeks, "how many recent weeks (default 4)");
  json(themes);
  themes->callback([o, &exit_code] { exit_code = Themes(*o); });

  auto* ptable = broker->add_subcommand("ptable", "the public perturbation table of the cell-key method");
  json(ptable);
  ptable->callback([o, &exit_code] { exit_code = PTable(*o); });

  auto* risk = broker->add_subcommand("risk-report", "the interval attacker over the digests released for a period");
  risk->add_option("--period", o->period, "2026-W41, 2026-W38..2026-W41, 2026-10, 2026-Q4, 2026-H1 or 2026")->required();
  json(risk);
  risk->callback([o, &exit_code] { exit_code = RiskReport(*o); });

  auto* digest = broker->add_subcommand("digest", "digests");
  digest->require_subcommand(1);
  auto* publish = digest->add_subcommand("publish", "build, store and deliver a digest");
  publish->add_option("--period", o->period, "2026-W41, 2026-W38..2026-W41, 2026-10, 2026-Q4, 2026-H1 or 2026")->required();
  publish->add_option("--region", o->region, "region (default: the broker's)");
  json(publish);
  publish->callback([o, &exit_code] { exit_code = PublishDigest(*o); });

  auto* digests = broker->add_subcommand("digests", "list published digests");
  json(digests);
  digests->callback([o, &exit_code] { exit_code = Digests(*o); });

  auto* backup = broker->add_subcommand("backup", "the running broker copies its store into a new folder on its host");
  backup->add_option("--out", o->out, "a new or empty folder the broker's user may write in; never overwritten")->required();
  backup->add_flag("--with-keys", o->with_keys, "copy the broker's server key file too (mode 0600)");
  json(backup);
  backup->callback([o, &exit_code] { exit_code = Backup(*o); });

  auto* advice = broker->add_subcommand(
      "advice", "the councils' advice on the signals and the responses to it (terugkoppeling in the digests)");
  advice->require_subcommand(1);
  using A = wire::AdviceRequest;
  auto fields = [&](CLI::App* c, bool adding) {
    auto* a = &o->advice;
    c->add_option("--title", *a->mutable_title(), "what the advice is about")->required(adding);
    c->add_option("--council", *a->mutable_council(), "the council that gave it")->required(adding);
    c->add_option("--addressee", *a->mutable_addressee(), "to whom: college van B&W, UWV, zorgverzekeraar, …");
    c->add_option("--region", *a->mutable_region(), "the area it concerns: a region or municipality code")
        ->required(adding);
    c->add_option("--sent", *a->mutable_sent_date(), "the date it was sent (YYYY-MM-DD)");
    c->add_option("--status", *a->mutable_status(), "concept, verstuurd, reactie-ontvangen, opgevolgd or afgewezen");
    c->add_option("--response", *a->mutable_response(), "the response, in a few sentences");
    c->add_option("--response-date", *a->mutable_response_date(), "the date of the response (YYYY-MM-DD)");
    c->add_option_function<std::vector<std::string>>(
        "--theme", [a](const std::vector<std::string>& v) { for (const auto& t : v) a->add_themes(t); },
        "a theme it drew on (repeat)");
    c->add_option_function<std::vector<std::string>>(
        "--digest", [a](const std::vector<std::string>& v) { for (const auto& d : v) a->add_digests(d); },
        "a digest it drew on, 'REGION PERIOD' (repeat)");
    json(c);
  };
  auto* add = advice->add_subcommand("add", "record an advice (a concept until --sent)");
  fields(add, true);
  add->callback([o, &exit_code] { exit_code = Advice(*o, A::ADD); });
  auto* update = advice->add_subcommand("update", "change an advice: its status, the response, …");
  update->add_option("ID", *o->advice.mutable_id(), "A0001")->required();
  fields(update, false);
  update->callback([o, &exit_code] { exit_code = Advice(*o, A::UPDATE); });
  auto* list = advice->add_subcommand("list", "every advice, oldest first");
  list->add_option("--region", o->region, "only what concerns this area or a part of it");
  json(list);
  list->callback([o, &exit_code] { exit_code = Advice(*o, A::LIST); });
  auto* show = advice->add_subcommand("show", "one advice in full");
  show->add_option("ID", *o->advice.mutable_id(), "A0001")->required();
  json(show);
  show->callback([o, &exit_code] { exit_code = Advice(*o, A::SHOW); });
}

}  // namespace signaal::cli
