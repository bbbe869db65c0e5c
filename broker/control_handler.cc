#include "control_handler.h"

#include "advice_book.h"

#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/ptable.h"
#include "signaal/saturating.h"
#include "signaal/text.h"

namespace signaal::broker {

wire::ControlResponse ErrorResponse(const Status& status) {
  wire::ControlResponse r;
  r.set_schema(wire::SCHEMA_V1);
  r.set_ok(false);
  r.set_error_code(static_cast<uint32_t>(status.exit_code()));
  r.set_error(status.message());
  return r;
}

wire::ControlResponse OkResponse() {
  wire::ControlResponse r;
  r.set_schema(wire::SCHEMA_V1);
  r.set_ok(true);
  return r;
}


wire::ControlResponse ControlHandler::Handle(const wire::ControlRequest& req, const wire::Principal& admin,
                                             int64_t now) {
  using R = wire::ControlRequest;
  switch (req.body_case()) {
    case R::kEnrollNode: {
      if (req.enroll_node().type() == "broker") {
        // A regional broker: its region must lie inside this broker's area.
        const std::string& region = req.enroll_node().region();
        if (c_.ref.FindRegion(region)) {
          Status s = Area().CheckRegion(region, "enrolment request: field 'region'");
          if (!s.ok()) return ErrorResponse(s);
        }
        auto p = c_.registry.EnrollBroker(req.enroll_node(), c_.ref);
        if (!p.ok()) return ErrorResponse(p.status());
        spdlog::info("{} enrolled regional broker {} for {}", admin.id(), p->id(), p->regions(0));
        auto r = OkResponse();
        *r.mutable_principal() = *p;
        return r;
      }
      // A node from outside the area could only feed cells the broker refuses.
      if (const Municipality* m = c_.ref.FindMunicipality(req.enroll_node().municipality())) {
        Status s = Area().CheckMunicipality(m->code, "enrolment request: field 'municipality'");
        if (!s.ok()) return ErrorResponse(s);
      }
      auto p = c_.registry.EnrollNode(req.enroll_node(), c_.ref);
      if (!p.ok()) return ErrorResponse(p.status());
      spdlog::info("{} enrolled node {}", admin.id(), p->id());
      auto r = OkResponse();
      *r.mutable_principal() = *p;
      return r;
    }
    case R::kEnrollSubscriber: {
      for (const auto& region : req.enroll_subscriber().regions()) {
        if (!c_.ref.FindRegion(region)) continue;  // the registry names the unknown one
        if (Status s = Area().CheckRegion(region, "--regions"); !s.ok()) return ErrorResponse(s);
      }
      auto p = c_.registry.EnrollSubscriber(req.enroll_subscriber(), c_.ref);
      if (!p.ok()) return ErrorResponse(p.status());
      spdlog::info("{} enrolled subscriber {}", admin.id(), p->id());
      auto r = OkResponse();
      *r.mutable_principal() = *p;
      return r;
    }
    case R::kSubscriberEmail: {
      const auto& change = req.subscriber_email();
      auto p = c_.registry.ChangeEmails(change.id(), {change.add().begin(), change.add().end()},
                                        {change.remove().begin(), change.remove().end()});
      if (!p.ok()) return ErrorResponse(p.status());
      // The addresses themselves stay out of the log: the principal list shows them.
      spdlog::info("{} changed the e-mail addresses of {}: {} added, {} removed; {} now", admin.id(), p->id(),
                   change.add_size(), change.remove_size(), p->emails_size());
      auto r = OkResponse();
      *r.mutable_principal() = *p;
      return r;
    }
    case R::kRevoke: {
      if (req.revoke().id() == admin.id()) {
        return ErrorResponse(Status::Refused("an administrator cannot revoke its own key"));
      }
      auto p = c_.registry.Revoke(req.revoke().id());
      if (!p.ok()) return ErrorResponse(p.status());
      spdlog::info("{} revoked {}", admin.id(), p->id());
      auto r = OkResponse();
      *r.mutable_principal() = *p;
      return r;
    }
    case R::kPrincipals: return Principals(now);
    case R::kStatus: return StatusView();
    case R::kThemes: return Themes(req.themes(), now);
    case R::kPublishDigest:
      return ErrorResponse(Status::Runtime("a digest is published by the broker's digest worker, not here"));
    case R::kDigests: return Digests();
    case R::kBackup: return Backup(req.backup(), admin);
    case R::kPtable: return PTableView();
    case R::kRiskReport:
      return ErrorResponse(Status::Runtime("a risk report is made by the broker's digest worker, not here"));
    case R::kAdvice: return Advice(req.advice(), admin, now);
    case R::kUpstreamStatus:
      return ErrorResponse(Status::Runtime("the upstream link is the broker daemon's, not answered here"));
    case R::BODY_NOT_SET: break;
  }
  return ErrorResponse(Status::Usage("the control request names no operation this broker knows"));
}

wire::ControlResponse ControlHandler::Principals(int64_t now) const {
  auto r = OkResponse();
  for (auto p : c_.registry.List()) {
    if (p.role() == wire::ROLE_NODE || p.role() == wire::ROLE_BROKER) {
      p.set_latest_period(c_.table.LatestPeriod(p.id()));
    }
    *r.mutable_principals()->add_principals() = std::move(p);
  }
  return r;
}

wire::ControlResponse ControlHandler::StatusView() const {
  auto r = OkResponse();
  auto* s = r.mutable_status();
  s->set_region(c_.config.region);
  s->set_listen(c_.config.listen);
  s->set_control(c_.config.control);
  s->set_started_unix(c_.started);
  s->set_taxonomy_version(c_.ref.taxonomy_version());
  for (const auto& p : c_.registry.List()) {
    if (p.revoked()) continue;
    if (p.role() == wire::ROLE_NODE) s->set_nodes(s->nodes() + 1);
    if (p.role() == wire::ROLE_SUBSCRIBER) s->set_subscribers(s->subscribers() + 1);
  }
  s->set_snapshots_stored(c_.table.snapshot_count());
  s->set_digests_published(c_.store.last_digest_sequence());
  s->set_digests_building(c_.digests_building());
  s->set_mail_queued(c_.mail_queued());
  for (const auto& [name, value] : c_.counters) (*s->mutable_counters())[name] = value;
  (*s->mutable_counters())["handshake.refused"] = c_.zap_refused();
  return r;
}

// Made from the config, not taken from the policy: both come from the same
// two keys, and the table is cheap (D <= 20 rows of D <= 41 values).
wire::ControlResponse ControlHandler::PTableView() const {
  // The table the digests are perturbed with, not one made again from the config.
  const PTable& table = c_.policy.ptable();
  auto r = OkResponse();
  auto* view = r.mutable_ptable();
  view->set_max_deviation(table.max_deviation());
  view->set_variance(table.variance());
  view->set_k(c_.policy.k());
  for (const PTable::Row& row : table.rows()) {
    auto* out = view->add_rows();
    out->set_value(row.value);
    out->set_first(row.first);
    for (double p : row.p) out->add_p(p);
  }
  return r;
}

wire::ControlResponse ControlHandler::Themes(const wire::ThemesRequest& req, int64_t now) const {
  std::string region = req.region().empty() ? c_.config.region : req.region();
  if (!c_.ref.FindRegion(region)) return ErrorResponse(Status::Usage("--region: unknown region " + QuoteText(region)));
  if (Status s = Area().CheckRegion(region, "--region"); !s.ok()) return ErrorResponse(s);
  uint32_t weeks = req.weeks() == 0 ? 4 : std::min<uint32_t>(req.weeks(), 104);
  std::string current = IsoWeekOf(DateFromUnix(now));
  auto r = OkResponse();
  auto* view = r.mutable_themes();
  view->set_region(region);
  view->set_k(c_.policy.k());
  for (int i = static_cast<int>(weeks) - 1; i >= 0; --i) {
    std::string week = AddWeeks(current, -i);
    TotalsByCode totals = c_.table.Aggregate(region, {week});
    for (const Theme* theme : c_.ref.TopThemes()) {
      auto it = totals.find(theme->code);
      if (it == totals.end() || it->second.signals == 0) continue;
      // The numbers a digest of that week shows: the same cell, the same key.
      const auto shown = c_.policy.PublishCounts(it->second.signals, it->second.persons, it->second.key);
      if (!shown.suppressed && shown.signals == 0) continue;  // published as zero: not listed, as in a digest
      auto* row = view->add_rows();
      row->set_period(week);
      row->set_theme(theme->code);
      row->set_label(theme->label_nl);
      if (shown.suppressed) {
        row->set_suppressed(true);
      } else {
        // 32 bits on the wire: saturated like a digest's numbers, never wrapped.
        row->set_signals(SaturatingCast<uint32_t>(shown.signals));
        row->set_persons(SaturatingCast<uint32_t>(shown.persons));
        row->set_organisations(SaturatingCast<uint32_t>(it->second.organisations.size()));
      }
    }
  }
  return r;
}

wire::ControlResponse ControlHandler::Digests() const {
  auto r = OkResponse();
  c_.store.ForEachDigestAfter(0, [&](const wire::Digest& d) {
    wire::Digest header = d;
    header.clear_themes();
    *r.mutable_digests()->add_digests() = std::move(header);
  });
  return r;
}

wire::ControlResponse ControlHandler::Backup(const wire::BackupRequest& req, const wire::Principal& admin) const {
  BackupSpec spec;
  spec.out = req.out();
  spec.data_dir = c_.config.data_dir;
  spec.manifest = {{"what", kBrokerBackupWhat}, {"region", c_.config.region}, {"requested_by", admin.id()}};
  // Only the broker's own server key: the administrators' keys are theirs.
  if (req.with_keys()) spec.key_files.push_back(c_.config.key_file);
  auto done = c_.store.Backup(spec);
  if (!done.ok()) return ErrorResponse(done.status());
  spdlog::info("{} made a backup in {} ({} files, {} bytes, {} ms{})", admin.id(), done->path, done->files,
               done->bytes, done->millis, req.with_keys() ? ", with the key file" : "");
  auto r = OkResponse();
  auto* b = r.mutable_backup();
  b->set_path(done->path);
  b->set_bytes(done->bytes);
  b->set_files(done->files);
  b->set_millis(done->millis);
  b->set_manifest(done->manifest);
  return r;
}

wire::ControlResponse ControlHandler::Advice(const wire::AdviceRequest& req, const wire::Principal& admin,
                                             int64_t now) {
  using A = wire::AdviceRequest;
  AdviceBook book(c_.store, c_.ref);
  auto r = OkResponse();
  auto* out = r.mutable_advice();
  switch (req.action()) {
    case A::LIST: {
      auto all = book.List(req.region());
      if (!all.ok()) return ErrorResponse(all.status());
      for (auto& a : *all) *out->add_advice() = std::move(a);
      return r;
    }
    case A::SHOW: {
      auto a = book.Find(req.advice().id());
      if (!a.ok()) return ErrorResponse(a.status());
      *out->add_advice() = std::move(*a);
      return r;
    }
    case A::ADD:
    case A::UPDATE: {
      auto a = req.action() == A::ADD ? book.Add(req.advice(), admin.id(), now)
                                      : book.Update(req.advice(), admin.id(), now);
      if (!a.ok()) return ErrorResponse(a.status());
      spdlog::info("{} {} advice {} ({})", admin.id(), req.action() == A::ADD ? "added" : "updated", a->id(),
                   a->status());
      *out->add_advice() = std::move(*a);
      return r;
    }
    default: break;
  }
  return ErrorResponse(Status::Usage("the advice request names no action this broker knows"));
}

}  // namespace signaal::broker
