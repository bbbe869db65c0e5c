// `signaal node …`: talks to the node daemon's local control socket.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "node_control.pb.h"
#include "wire.pb.h"
#include "signaal/config.h"
#include "signaal/files.h"
#include "signaal/text.h"
#include "signaal/zmq_util.h"

namespace signaal::cli {
namespace {

using namespace std::chrono_literals;

struct NodeOptions {
  std::string config;
  bool json = false;
  wire::SignalInput signal;
  std::string file;
  bool dry_run = false, skip_invalid = false;
  std::string period;
  uint32_t severity = 0;
  std::string erase_id, erase_person;
  std::string lang = "nl";
  bool quote_consent = false;
  std::string out;
  bool with_keys = false;
  wire::FollowUp follow_up;
};

// Sends one request to the node daemon named in the config. A request that
// changes the store may wait behind a long job (an import of a million rows,
// an erasure's compaction): each time `timeout` passes without an answer, the
// node's status is asked on a second connection, and while it says a job
// runs or requests wait, the wait goes on; a node that died is noticed at
// once (RequestReply), one that stopped answering after `timeout`.
Result<wire::NodeResponse> AskNode(const NodeOptions& o, wire::NodeRequest req, std::chrono::milliseconds timeout) {
  return AskNodeAt(o.config, std::move(req), timeout);
}

// Reports a failed response; returns its exit code (0 when ok).
int Check(const Result<wire::NodeResponse>& r) { return CheckNode(r); }

nlohmann::json RecordJson(const wire::SignalRecord& s) {
  return {{"id", s.id()},           {"date", s.date()},         {"period", s.period()},
          {"municipality", s.municipality()}, {"theme", s.theme()}, {"subtheme", s.subtheme()},
          {"age_band", s.age_band()}, {"channel", s.channel()},   {"severity", s.severity()},
          {"status", s.status()},   {"has_person", s.has_person()}, {"has_text", s.has_text()},
          {"has_quote", s.has_quote()}, {"entered_by", s.entered_by()}};
}

}  // namespace

Result<wire::NodeResponse> AskNodeAt(const std::string& config_path, wire::NodeRequest req,
                                     std::chrono::milliseconds timeout) {
  auto config = LoadNodeConfig(NodeConfigPath(config_path));
  if (!config.ok()) return config.status();
  req.set_schema(wire::SCHEMA_V1);
  std::function<bool()> busy = nullptr;
  if (!req.has_status() && !req.has_list() && !req.has_privacy_report() &&
      !(req.has_quotes() && req.quotes().action() <= wire::QuoteRequest::SHOW)) {
    std::string endpoint = config->control;
    busy = [endpoint] {
      wire::NodeRequest ask;
      ask.set_schema(wire::SCHEMA_V1);
      ask.mutable_status();
      auto s = Call<wire::NodeResponse>(endpoint, nullptr, "", ask, 5000ms, kMaxLocalMessage);
      const bool waiting = s.ok() && s->ok() && (!s->status().job().empty() || s->status().requests_waiting() > 0);
      // Whoever waits is told why, each time the wait goes on.
      if (waiting) {
        const auto& st = s->status();
        std::cerr << "waiting for the node: "
                  << (st.job().empty() ? std::string("a request before this one")
                                       : EscapeText(st.job()) + " (" + EscapeText(st.job_stage()) + ", " +
                                             std::to_string(st.job_rows()) + " rows)")
                  << ", " << st.requests_waiting() << " request(s) in line\n";
      }
      return waiting;
    };
  }
  auto r = Call<wire::NodeResponse>(config->control, nullptr, "", req, timeout, kMaxLocalMessage, busy);
  if (!r.ok()) {
    if (r.status().code() == Code::kUnreachable && r.status().message().rfind("no answer", 0) == 0) {
      return Status::Unreachable("the node daemon at " + config->control + " is not answering; is signaal-node running?");
    }
    return r.status();
  }
  return r;
}

int CheckNode(const Result<wire::NodeResponse>& r) {
  if (!r.ok()) return Report(r.status());
  if (!r->ok()) return Report(Status(static_cast<Code>(r->error_code() ? r->error_code() : 1), r->error()));
  return 0;
}

namespace {

int Status_(const NodeOptions& o) {
  wire::NodeRequest req;
  req.mutable_status();
  auto r = AskNode(o, req, 5000ms);
  if (int rc = Check(r)) return rc;
  const auto& s = r->status();
  if (o.json) {
    nlohmann::json j = {{"node_id", s.node_id()},
                        {"name", s.name()},
                        {"broker", s.broker()},
                        {"broker_state", s.broker_state()},
                        {"broker_state_since", IsoTimeUtc(s.broker_state_since())},
                        {"last_ack", s.last_ack_unix() ? nlohmann::json(IsoTimeUtc(s.last_ack_unix())) : nullptr},
                        {"signals", s.signals()},
                        {"outbox_depth", s.outbox_depth()},
                        {"pending_periods", s.pending_periods()},
                        {"dirty_periods", s.dirty_periods()},
                        {"snapshots_sent", s.snapshots_sent()},
                        {"snapshots_acked", s.snapshots_acked()},
                        {"snapshots_nacked", s.snapshots_nacked()},
                        {"last_nack", s.last_nack()},
                        {"control_refused", s.control_refused()},
                        {"broker_malformed", s.broker_malformed()},
                        {"job", s.job().empty() ? nlohmann::json(nullptr)
                                                : nlohmann::json({{"what", s.job()},
                                                                  {"stage", s.job_stage()},
                                                                  {"rows", s.job_rows()},
                                                                  {"since", IsoTimeUtc(s.job_since())}})},
                        {"requests_waiting", s.requests_waiting()},
                        {"store_error", s.store_error().empty() ? nlohmann::json(nullptr) : nlohmann::json(s.store_error())},
                        {"store_error_since", s.store_error().empty() ? nlohmann::json(nullptr)
                                                                      : nlohmann::json(IsoTimeUtc(s.store_error_since()))},
                        {"taxonomy_version", s.taxonomy_version()},
                        {"software_version", s.software_version()},
                        {"feedback", {{"digests_this_month", s.digests_this_month()},
                                      {"advice_this_month", s.advice_this_month()},
                                      {"digests_kept", s.digests_kept()},
                                      {"digests_received", s.digests_received()},
                                      {"digests_refused", s.digests_refused()}}}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::string broker = s.broker_state();
  if (broker == "refused") broker = "refused by broker";
  if (broker != "connected") broker += " since " + LocalTime(s.broker_state_since());
  std::string pending;
  for (const auto& p : s.pending_periods()) pending += (pending.empty() ? "" : " ") + p;
  Table t({"node", s.node_id() + " (" + s.name() + ")"});
  t.Add({"broker", s.broker() + ": " + broker});
  t.Add({"signals", std::to_string(s.signals())});
  if (!s.job().empty()) {
    std::string job = s.job() + ": " + s.job_stage() + " since " + LocalTime(s.job_since());
    if (s.job_rows() > 0) job += ", " + std::to_string(s.job_rows()) + " rows read";
    if (s.requests_waiting() > 0) job += "; " + std::to_string(s.requests_waiting()) + " requests wait for it";
    t.Add({"job", job});
  }
  if (!s.store_error().empty()) {
    t.Add({"store", "writes fail since " + LocalTime(s.store_error_since()) + ": " + s.store_error() +
                        " (nothing is lost; it writes again once there is room)"});
  }
  t.Add({"outbox", std::to_string(s.outbox_depth()) + (pending.empty() ? "" : " (" + pending + ")")});
  t.Add({"weeks changed", std::to_string(s.dirty_periods()) + " not yet published"});
  t.Add({"snapshots", std::to_string(s.snapshots_sent()) + " sent, " + std::to_string(s.snapshots_acked()) +
                          " acked, " + std::to_string(s.snapshots_nacked()) + " refused"});
  t.Add({"last ack", LocalTime(s.last_ack_unix())});
  if (!s.last_nack().empty()) t.Add({"last refusal", s.last_nack()});
  if (s.control_refused() + s.broker_malformed() > 0) {
    t.Add({"refused input", std::to_string(s.control_refused()) + " malformed local requests, " +
                                std::to_string(s.broker_malformed()) + " undecodable broker messages"});
  }
  t.Add({"versions", "software " + s.software_version() + ", taxonomy " + s.taxonomy_version()});
  t.Add({"teruggekoppeld", SignalsCountedSentence(s.digests_this_month(), s.advice_this_month()) + " (" +
                               std::to_string(s.digests_kept()) + " digests kept: `signaal node digests`)"});
  std::cout << t.Render();
  return 0;
}

int Add(NodeOptions o) {
  o.signal.set_severity(o.severity);
  o.signal.set_quote_consent(o.quote_consent);
  wire::NodeRequest req;
  *req.mutable_add()->mutable_signal() = o.signal;
  auto r = AskNode(o, req, 5000ms);
  if (int rc = Check(r)) return rc;
  if (o.json) {
    std::cout << RecordJson(r->added()).dump(2) << "\n";
  } else {
    std::cout << "stored signal " << r->added().id() << " in week " << r->added().period() << "\n";
  }
  return 0;
}

int Import(const NodeOptions& o) {
  // A workbook's sheet arrives as CSV text: row N of the sheet is line N,
  // so the node's "row N" below names the sheet's row.
  auto file = ReadImportFile(o.file);
  if (!file.ok()) return Report(file.status());
  wire::NodeRequest req;
  auto* imp = req.mutable_import_csv();
  imp->set_file_name(o.file);
  imp->set_content(std::move(file->content));
  imp->set_dry_run(o.dry_run);
  imp->set_skip_invalid(o.skip_invalid);
  auto r = AskNode(o, req, 120000ms);
  if (!r.ok()) return Report(r.status());
  const auto& res = r->import_result();
  for (const auto& e : res.errors()) {
    std::cerr << o.file << " row " << e.row() << (e.field().empty() ? "" : ", field " + e.field()) << ": "
              << e.message() << "\n";
  }
  if (!r->ok()) return Report(Status(static_cast<Code>(r->error_code() ? r->error_code() : 1), r->error()));
  std::string periods;
  for (const auto& p : res.periods()) periods += (periods.empty() ? "" : ", ") + p;
  if (o.json) {
    nlohmann::json j = {{"file", o.file}, {"sheet", file->sheet.empty() ? nlohmann::json(nullptr) : nlohmann::json(file->sheet)},
                        {"rows", res.rows()}, {"imported", res.imported()},
                        {"skipped", res.skipped()}, {"periods", res.periods()}, {"dry_run", o.dry_run}};
    std::cout << j.dump(2) << "\n";
  } else if (o.dry_run) {
    std::cout << o.file << ": " << res.rows() - res.skipped() << " of " << res.rows()
              << " rows are valid; nothing imported (dry run)\n";
  } else {
    std::cout << "imported " << res.imported() << " signals from " << o.file
              << (file->sheet.empty() ? "" : ", sheet '" + file->sheet + "'")
              << (res.skipped() ? " (" + std::to_string(res.skipped()) + " invalid rows skipped)" : "")
              << " (weeks: " << periods << ")\n";
  }
  return 0;
}

int List(const NodeOptions& o) {
  wire::NodeRequest req;
  req.mutable_list()->set_period(o.period);
  auto r = AskNode(o, req, 30000ms);
  if (int rc = Check(r)) return rc;
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& s : r->signals().signals()) j.push_back(RecordJson(s));
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  Table t({"ID", "DATE", "WEEK", "MUNICIPALITY", "THEME", "SUBTHEME", "AGE", "CHANNEL", "STATUS", "PERSON"});
  for (const auto& s : r->signals().signals()) {
    t.Add({s.id(), s.date(), s.period(), s.municipality(), s.theme(), s.subtheme(), s.age_band(), s.channel(),
           s.status(), s.has_person() ? "yes" : "-"});
  }
  std::cout << t.Render();
  return 0;
}

int Erase(const NodeOptions& o) {
  wire::NodeRequest req;
  req.mutable_erase()->set_id(o.erase_id);
  req.mutable_erase()->set_person(o.erase_person);
  auto r = AskNode(o, req, 120000ms);
  if (int rc = Check(r)) return rc;
  const auto& e = r->erased();
  if (o.json) {
    std::cout << nlohmann::json({{"erased", e.erased()}, {"periods", e.periods()}}).dump(2) << "\n";
  } else {
    std::string weeks;
    for (const auto& p : e.periods()) weeks += (weeks.empty() ? "" : ", ") + p;
    std::cout << "erased " << e.erased() << " signals; new summaries of " << weeks << " sent to the broker\n";
  }
  return 0;
}

int Publish(const NodeOptions& o) {
  wire::NodeRequest req;
  req.mutable_publish();
  auto r = AskNode(o, req, 30000ms);
  if (int rc = Check(r)) return rc;
  const auto& p = r->published();
  if (o.json) {
    std::cout << nlohmann::json({{"periods", p.periods()}, {"outbox_depth", p.outbox_depth()}}).dump(2) << "\n";
  } else if (p.periods().empty()) {
    std::cout << "no weeks changed since the last publication; outbox holds " << p.outbox_depth() << "\n";
  } else {
    std::cout << "new snapshots for " << p.periods_size() << " weeks sent to the broker; outbox holds "
              << p.outbox_depth() << " until acked\n";
  }
  return 0;
}

int Backup(const NodeOptions& o) {
  wire::NodeRequest req;
  // The daemon may run in another folder: it gets an absolute path.
  req.mutable_backup()->set_out(AbsolutePath(o.out));
  req.mutable_backup()->set_with_keys(o.with_keys);
  auto r = AskNode(o, req, 600000ms);
  if (int rc = Check(r)) return rc;
  return PrintBackup(r->backup(), o.json, o.with_keys);
}

}  // namespace

void AddNodeCommands(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<NodeOptions>();
  auto* node = app.add_subcommand("node", "work with the node on this host (partner IT staff)");
  node->require_subcommand(1);
  node->fallthrough();  // `signaal node status --config F` as well as `signaal node --config F status`
  node->add_option("--config", o->config, "node.toml (default $SIGNAAL_NODE_CONFIG or /etc/signaal/node.toml)");
  auto json_flag = [&](CLI::App* c) { c->add_flag("--json", o->json, "print JSON"); };

  auto* status = node->add_subcommand("status", "is the node healthy and connected?");
  json_flag(status);
  status->callback([o, &exit_code] { exit_code = Status_(*o); });

  auto* signal = node->add_subcommand("signal", "add, import or list signals");
  signal->require_subcommand(1);
  auto* add = signal->add_subcommand("add", "store one signal");
  add->add_option("--theme", *o->signal.mutable_theme(), "theme code")->required();
  add->add_option("--subtheme", *o->signal.mutable_subtheme(), "subtheme code");
  add->add_option("--municipality", *o->signal.mutable_municipality(), "CBS code or name")->required();
  add->add_option("--age-band", *o->signal.mutable_age_band(), "0-17, 18-26, 27-66, 67+, unknown");
  add->add_option("--channel", *o->signal.mutable_channel(), "default: the node's type");
  add->add_option("--date", *o->signal.mutable_date(), "YYYY-MM-DD (default today)");
  add->add_option("--text", *o->signal.mutable_text(), "description (stays at the node)");
  add->add_option("--person", *o->signal.mutable_person(), "citizen reference (stored only as a pseudonym)");
  add->add_option("--severity", o->severity, "1-3");
  add->add_option("--status", *o->signal.mutable_status(), "open, referred, resolved");
  add->add_flag("--quote-consent", o->quote_consent, "the citizen consents to quoting");
  add->add_option("--quote", *o->signal.mutable_quote(), "quote text (needs --quote-consent)");
  json_flag(add);
  add->callback([o, &exit_code] {
    if (o->signal.date().empty()) {
      std::time_t t = std::time(nullptr);
      std::tm tm{};
      localtime_r(&t, &tm);
      char buf[16];
      std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
      o->signal.set_date(buf);
    }
    exit_code = Add(*o);
  });

  auto* import = signal->add_subcommand("import", "import a CSV file or an .xlsx workbook's first sheet, all or nothing");
  import->add_option("FILE", o->file, "CSV file (',' or ';', UTF-8 with or without BOM) or .xlsx workbook")->required();
  import->add_flag("--dry-run", o->dry_run, "check only, import nothing");
  import->add_flag("--skip-invalid", o->skip_invalid, "import the valid rows, report the others");
  json_flag(import);
  import->callback([o, &exit_code] { exit_code = Import(*o); });

  AddTemplateCommand(*signal, std::shared_ptr<const std::string>(o, &o->config), exit_code);

  auto* list = signal->add_subcommand("list", "list stored signals (without free text)");
  list->add_option("--period", o->period, "ISO week, e.g. 2026-W41");
  json_flag(list);
  list->callback([o, &exit_code] { exit_code = List(*o); });

  auto* erase = signal->add_subcommand("erase", "erase signals on a citizen's request; re-sends the affected weeks");
  auto* by_id = erase->add_option("--id", o->erase_id, "a signal id from `signal list`");
  auto* by_person = erase->add_option("--person", o->erase_person, "the citizen reference, as entered");
  by_id->excludes(by_person);
  json_flag(erase);
  erase->callback([o, &exit_code] { exit_code = Erase(*o); });

  auto* follow = signal->add_subcommand("follow-up", "what became of a signal here: its status and a note, kept sealed");
  follow->add_option("id", *o->follow_up.mutable_id(), "the signal's id (`signal list`)")->required();
  follow->add_option("--status", *o->follow_up.mutable_status(), "open, doorverwezen (referred) or opgelost (resolved)");
  follow->add_option("--note", *o->follow_up.mutable_note(), "what was done, one line (at most 1,000 characters)");
  json_flag(follow);
  follow->callback([o, &exit_code] {
    wire::NodeRequest req;
    *req.mutable_follow_up() = o->follow_up;
    auto r = AskNode(*o, req, 5000ms);
    if ((exit_code = Check(r)) != 0) return;
    const auto& s = r->added();
    if (o->json) {
      std::cout << nlohmann::json({{"id", s.id()},
                                   {"status", s.status()},
                                   {"status_changed", s.status_changed_unix() ? nlohmann::json(IsoTimeUtc(s.status_changed_unix()))
                                                                              : nlohmann::json(nullptr)},
                                   {"follow_up", std::vector<std::string>(s.follow_up().begin(), s.follow_up().end())}})
                       .dump(2)
                << "\n";
      return;
    }
    std::cout << "signal " << s.id() << ": " << s.status() << "\n";
    for (const auto& n : s.follow_up()) std::cout << "  " << EscapeText(n) << "\n";
  });

  auto* report = node->add_subcommand("privacy-report", "what leaves this node, to whom, under which policy");
  report->add_option("--lang", o->lang, "nl (default) or en")->check(CLI::IsMember({"nl", "en"}));
  json_flag(report);
  report->callback([o, &exit_code] {
    wire::NodeRequest req;
    req.mutable_privacy_report();
    auto r = AskNode(*o, req, 5000ms);
    exit_code = Check(r);
    if (exit_code == 0) exit_code = PrintPrivacyReport(r->privacy_report(), o->json, o->lang);
  });

  auto* publish = node->add_subcommand("publish", "send the changed weeks to the broker now");
  json_flag(publish);
  publish->callback([o, &exit_code] { exit_code = Publish(*o); });

  auto* backup = node->add_subcommand("backup", "the running node copies its store into a new folder");
  backup->add_option("--out", o->out, "a new or empty folder the node's user may write in; never overwritten")->required();
  backup->add_flag("--with-keys", o->with_keys, "copy the node's key file too (mode 0600): guard the backup like the key");
  json_flag(backup);
  backup->callback([o, &exit_code] { exit_code = Backup(*o); });

  AddQuoteCommands(*node, std::shared_ptr<const std::string>(o, &o->config), exit_code);
  AddNodeDigestCommands(*node, std::shared_ptr<const std::string>(o, &o->config), exit_code);
  AddUserCommands(*node, std::shared_ptr<const std::string>(o, &o->config), exit_code);
}

}  // namespace signaal::cli
