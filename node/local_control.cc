#include "local_control.h"

#include "signaal/log.h"
#include "signaal/period.h"

#include <set>

namespace signaal::node {
namespace {

wire::NodeResponse Ok() {
  wire::NodeResponse r;
  r.set_schema(wire::SCHEMA_V1);
  r.set_ok(true);
  return r;
}

wire::SignalRecord Record(const storage::StoredSignal& s) {
  wire::SignalRecord r;
  r.set_id(s.id());
  r.set_date(s.date());
  r.set_period(s.period());
  r.set_municipality(s.municipality());
  r.set_theme(s.theme());
  r.set_subtheme(s.subtheme());
  r.set_age_band(s.age_band());
  r.set_channel(s.channel());
  r.set_severity(s.severity());
  r.set_status(s.status());
  r.set_has_person(!s.person_pseudonym().empty());
  r.set_has_text(!s.text().empty());
  return r;
}

}  // namespace

wire::NodeResponse NodeError(const Status& status) {
  wire::NodeResponse r;
  r.set_schema(wire::SCHEMA_V1);
  r.set_ok(false);
  r.set_error_code(static_cast<uint32_t>(status.exit_code()));
  r.set_error(status.message());
  return r;
}

wire::NodeResponse LocalControl::Handle(const wire::NodeRequest& req, int64_t now) {
  using R = wire::NodeRequest;
  switch (req.body_case()) {
    case R::kAdd: return Add(req.add(), now);
    case R::kImportCsv: return Import(req.import_csv(), now);
    case R::kList: return List(req.list());
    case R::kStatus: return StatusView();
    case R::kPublish: return Publish(now);
    case R::kErase: return Erase(req.erase(), now);
    case R::kPrivacyReport: return Report();
    case R::kBackup: return Backup(req.backup());
    case R::BODY_NOT_SET: break;
  }
  return NodeError(Status::Usage("the request names no operation this node knows"));
}

wire::NodeResponse LocalControl::Add(const wire::AddSignal& req, int64_t now) {
  auto checked = ValidateSignal(req.signal(), c_.ref, c_.config.type, DateFromUnix(now));
  if (auto* e = std::get_if<FieldError>(&checked)) {
    return NodeError(Status::Usage("field '" + e->field + "': " + e->message));
  }
  auto stored = c_.store.Add({std::get<ValidatedSignal>(checked)}, now);
  if (!stored.ok()) return NodeError(stored.status());
  spdlog::info("stored 1 signal in {}", stored->front().period());
  auto r = Ok();
  *r.mutable_added() = Record(stored->front());
  return r;
}

wire::NodeResponse LocalControl::Import(const wire::ImportSignals& req, int64_t now) {
  std::string name = req.file_name().empty() ? "the file" : req.file_name();
  // One pass: each valid row goes straight into the store's batch, so the
  // node never holds the whole file as signals; the batch is written only if
  // the file may be imported (all or nothing), after the last row.
  SignalStore::Writer writer(c_.store, now);
  std::set<std::string> periods;
  wire::ImportResult result;
  auto outcome = ParseSignalCsv(req.content(), name, c_.ref, c_.config.type, DateFromUnix(now),
                                [&](ValidatedSignal&& v) -> Status {
                                  periods.insert(v.record.period());
                                  return req.dry_run() ? Status::Ok() : writer.Append(v);
                                });
  if (!outcome.ok()) return NodeError(outcome.status());
  bool any_error = !outcome->errors.empty();
  result.set_rows(outcome->rows);
  for (const auto& e : outcome->errors) *result.add_errors() = e;
  if (any_error && !req.skip_invalid()) {
    auto r = NodeError(Status::Usage(std::to_string(outcome->errors.size()) + " of " +
                                     std::to_string(outcome->rows) + " rows in " + name +
                                     " have errors; nothing was imported"));
    *r.mutable_import_result() = result;
    return r;
  }
  for (const auto& p : periods) result.add_periods(p);
  result.set_skipped(static_cast<uint32_t>(outcome->errors.size()));
  if (!req.dry_run()) {
    uint64_t imported = writer.count();
    if (Status s = c_.store.Commit(writer); !s.ok()) return NodeError(s);
    result.set_imported(static_cast<uint32_t>(imported));
    spdlog::info("imported {} signals ({} rows, {} skipped) into {} weeks", imported, outcome->rows,
                 outcome->errors.size(), periods.size());
  }
  auto r = Ok();
  *r.mutable_import_result() = result;
  return r;
}

wire::NodeResponse LocalControl::List(const wire::ListSignals& req) const {
  if (!req.period().empty() && !IsValidWeek(req.period())) {
    return NodeError(Status::Usage("--period: '" + req.period() + "' is not an ISO week (2026-W41)"));
  }
  auto r = Ok();
  for (const auto& s : c_.store.List(req.period())) *r.mutable_signals()->add_signals() = Record(s);
  return r;
}

wire::NodeResponse LocalControl::StatusView() const {
  auto r = Ok();
  auto* s = r.mutable_status();
  s->set_node_id(c_.config.id);
  s->set_name(c_.config.name);
  s->set_broker(c_.config.broker_endpoint);
  s->set_broker_connected(c_.link.state() == BrokerLink::State::kConnected);
  s->set_broker_state(c_.link.StateName());
  s->set_broker_state_since(c_.link.state_since());
  s->set_last_ack_unix(c_.counters.last_ack_unix);
  s->set_signals(c_.store.CountSignals());
  auto pending = c_.outbox.PendingPeriods();
  s->set_outbox_depth(static_cast<uint32_t>(pending.size()));
  for (const auto& p : pending) s->add_pending_periods(p);
  s->set_snapshots_sent(c_.counters.snapshots_sent);
  s->set_snapshots_acked(c_.counters.snapshots_acked);
  s->set_snapshots_nacked(c_.counters.snapshots_nacked);
  s->set_last_nack(c_.counters.last_nack);
  s->set_control_refused(c_.counters.control_refused);
  s->set_broker_malformed(c_.link.malformed());
  s->set_taxonomy_version(c_.ref.taxonomy_version());
  s->set_software_version(SIGNAAL_VERSION);
  s->set_dirty_periods(static_cast<uint32_t>(c_.store.DirtyPeriods().size()));
  return r;
}

wire::NodeResponse LocalControl::Publish(int64_t now) {
  auto periods = c_.outbox.Publish(now);
  if (!periods.ok()) return NodeError(periods.status());
  c_.outbox.ResetBackoff();
  c_.send_now();
  auto r = Ok();
  for (const auto& p : *periods) r.mutable_published()->add_periods(p);
  r.mutable_published()->set_outbox_depth(static_cast<uint32_t>(c_.outbox.depth()));
  return r;
}

wire::NodeResponse LocalControl::Erase(const wire::EraseSignals& req, int64_t now) {
  if (req.id().empty() == req.person().empty()) {
    return NodeError(Status::Usage("give exactly one of --id and --person"));
  }
  auto erased = req.id().empty() ? c_.store.EraseByPerson(req.person()) : c_.store.EraseById(req.id());
  if (!erased.ok()) return NodeError(erased.status());
  if (erased->count == 0) {
    return NodeError(Status::Usage(req.id().empty() ? "no signals with that citizen reference"
                                                    : "no signal with id '" + req.id() + "'"));
  }
  spdlog::info("erased {} signals on request; re-summarising {} weeks", erased->count, erased->periods.size());
  // The affected weeks get new snapshot versions at once: the broker replaces
  // the old counts, it does not wait for the next publication round.
  auto published = c_.outbox.Publish(now);
  if (!published.ok()) return NodeError(published.status());
  c_.outbox.ResetBackoff();
  c_.send_now();
  auto r = Ok();
  r.mutable_erased()->set_erased(erased->count);
  for (const auto& p : erased->periods) r.mutable_erased()->add_periods(p);
  return r;
}

wire::NodeResponse LocalControl::Report() const {
  auto r = Ok();
  auto* p = r.mutable_privacy_report();
  p->set_node_id(c_.config.id);
  p->set_name(c_.config.name);
  p->set_broker_endpoint(c_.config.broker_endpoint);
  p->set_broker_public_key(c_.config.broker_public_key);
  p->set_min_cell(static_cast<uint32_t>(c_.config.min_cell));
  p->set_retention_days(static_cast<uint32_t>(c_.config.retention_days));
  p->set_taxonomy_version(c_.ref.taxonomy_version());
  p->set_signals_held(c_.store.CountSignals());
  auto last = c_.store.LastAcked();
  if (!last.ok()) return NodeError(last.status());
  wire::SignedEnvelope env;
  if (env.ParseFromString(*last) && p->mutable_last_snapshot_sent()->ParseFromString(env.payload())) {
    p->set_last_sent_unix(p->last_snapshot_sent().created_unix());
  }
  return r;
}

wire::NodeResponse LocalControl::Backup(const wire::BackupRequest& req) const {
  BackupSpec spec;
  spec.out = req.out();
  spec.data_dir = c_.config.data_dir;
  spec.manifest = {{"what", kNodeBackupWhat}, {"node_id", c_.config.id}, {"name", c_.config.name}};
  if (req.with_keys()) spec.key_files.push_back(c_.config.key_file);
  auto done = c_.store.Backup(spec);
  if (!done.ok()) return NodeError(done.status());
  spdlog::info("backup of {} signals in {} ({} files, {} bytes, {} ms{})", c_.store.CountSignals(), done->path,
               done->files, done->bytes, done->millis, req.with_keys() ? ", with the key file" : "");
  auto r = Ok();
  auto* b = r.mutable_backup();
  b->set_path(done->path);
  b->set_bytes(done->bytes);
  b->set_files(done->files);
  b->set_millis(done->millis);
  b->set_manifest(done->manifest);
  return r;
}

}  // namespace signaal::node
