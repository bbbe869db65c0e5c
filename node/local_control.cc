#include "local_control.h"

#include <algorithm>

#include "signaal/log.h"
#include "signaal/text.h"
#include "signaal/period.h"

namespace signaal::node {

wire::SignalRecord SignalRecordOf(const storage::StoredSignal& s) {
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
  r.set_has_text(!s.sealed_text().empty() || !s.text().empty());
  r.set_has_quote(!s.sealed_quote().empty() || !s.quote().empty());
  r.set_entered_by(s.entered_by());
  r.set_received_unix(s.received_unix());
  r.set_postcode4(s.postcode4());
  return r;
}

wire::NodeResponse NodeOk() {
  wire::NodeResponse r;
  r.set_schema(wire::SCHEMA_V1);
  r.set_ok(true);
  return r;
}

wire::NodeResponse NodeError(const Status& status) {
  wire::NodeResponse r;
  r.set_schema(wire::SCHEMA_V1);
  r.set_ok(false);
  r.set_error_code(static_cast<uint32_t>(status.exit_code()));
  r.set_error(status.message());
  return r;
}

wire::NodeResponse LocalControl::Handle(const wire::NodeRequest& req, int64_t now, const std::string& account,
                                          bool from_web) {
  using R = wire::NodeRequest;
  if (from_web) {
    if (auto refused = WebRefusal(req)) return std::move(*refused);
  } else if (!req.web_account().empty() || req.web_password_set() != 0) {
    return NodeError(Status::Refused("web_account is set by the node's intake page only"));
  }
  switch (req.body_case()) {
    case R::kAdd: return Add(req.add(), now, req.web_account());
    case R::kImportCsv:
    case R::kErase:
    case R::kBackup: {
      StoreJob job;
      job.request = req;
      job.now = now;
      RunStoreJob(job, c_.config, c_.ref, c_.store, nullptr);
      return Finish(job, now);
    }
    case R::kList: return req.list().entered_by().empty() ? List(req.list()) : ListMine(req.list());
    case R::kStatus: {
      auto r = StatusView();
      // What came of the signals: figures from the node's own copies.
      if (Status s = AddFeedback(*r.mutable_status(), now); !s.ok()) spdlog::error("{}", s.message());
      return r;
    }
    case R::kPublish: return Publish(now);
    case R::kPrivacyReport: return Report();
    case R::kQuotes: return Quotes(req.quotes(), now, account);
    case R::kAccounts: return Accounts(req.accounts(), now, account, from_web);
    case R::kCorrect: return Correct(req.correct(), req, now);
    case R::kShow: return Show(req.show(), req);
    case R::kScrubHint: return Hint(req.scrub_hint());
    case R::kDigests: return Digests(req.digests());
    case R::kFollowUp: return FollowUp(req.follow_up(), account, now);
    case R::BODY_NOT_SET: break;
  }
  return NodeError(Status::Usage("the request names no operation this node knows"));
}

wire::NodeResponse LocalControl::Add(const wire::AddSignal& req, int64_t now, const std::string& entered_by) {
  auto checked = ValidateSignal(req.signal(), c_.ref, c_.config.type, DateFromUnix(now));
  if (auto* e = std::get_if<FieldError>(&checked)) {
    auto r = NodeError(Status::Usage("field '" + e->field + "': " + e->message));
    r.set_error_field(e->field);
    return r;
  }
  auto& valid = std::get<ValidatedSignal>(checked);
  valid.record.set_entered_by(entered_by);
  auto stored = c_.store.Add({valid}, now);
  if (!stored.ok()) return NodeError(stored.status());
  spdlog::info("stored 1 signal in {}", stored->front().period());
  auto r = NodeOk();
  *r.mutable_added() = SignalRecordOf(stored->front());
  return r;
}

wire::NodeResponse LocalControl::List(const wire::ListSignals& req) const {
  if (!req.period().empty() && !IsValidWeek(req.period())) {
    return NodeError(Status::Usage("--period: '" + req.period() + "' is not an ISO week (2026-W41)"));
  }
  auto r = NodeOk();
  for (const auto& s : c_.store.List(req.period())) *r.mutable_signals()->add_signals() = SignalRecordOf(s);
  return r;
}

wire::NodeResponse LocalControl::StatusView() const {
  auto r = NodeOk();
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
  auto failure = c_.store.LastFailure();
  s->set_store_error(failure.message);
  s->set_store_error_since(failure.since);
  if (c_.describe_jobs) c_.describe_jobs(*s);
  return r;
}

wire::NodeResponse LocalControl::Publish(int64_t now) {
  auto periods = c_.outbox.Publish(now);
  if (!periods.ok()) return NodeError(periods.status());
  c_.outbox.ResetBackoff();
  c_.send_now();
  auto r = NodeOk();
  for (const auto& p : *periods) r.mutable_published()->add_periods(p);
  r.mutable_published()->set_outbox_depth(static_cast<uint32_t>(c_.outbox.depth()));
  return r;
}

wire::NodeResponse LocalControl::Finish(StoreJob& job, int64_t now) {
  if (job.request.has_erase() && job.response.ok()) {
    // The affected weeks get new snapshot versions at once: the broker replaces
    // the old counts, it does not wait for the next publication round.
    auto published = c_.outbox.Publish(now);
    if (!published.ok()) return NodeError(published.status());
    c_.outbox.ResetBackoff();
    c_.send_now();
  }
  return std::move(job.response);
}

wire::NodeResponse LocalControl::Report() const {
  auto r = NodeOk();
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
  auto quotes = c_.store.Quotes();
  if (!quotes.ok()) return NodeError(quotes.status());
  for (const auto& q : *quotes) {
    if (q.sent_unix > 0) *p->add_quotes_sent() = View(q);
  }
  return r;
}

wire::QuoteView LocalControl::View(const SignalStore::QuoteInfo& q) const {
  wire::QuoteView v;
  v.set_signal_id(q.row.signal_id());
  v.set_quote_id(q.row.quote_id());
  v.set_period(q.row.period());
  v.set_theme(q.row.theme());
  v.set_subtheme(q.row.subtheme());
  v.set_state(q.refusal.empty() ? QuoteStateName(q.row.state()) : "refused");
  v.set_text(q.text);
  auto scrubber = c_.scrubbers && !q.text.empty() ? c_.scrubbers->Get()
                                                  : Result<std::shared_ptr<const PiiScrubber>>(nullptr);
  if (!scrubber.ok()) {
    // Shown without its marks; approving it says the same error.
    spdlog::error("{}", scrubber.status().message());
  } else if (*scrubber) {
    for (const auto& s : (*scrubber)->Find(q.text)) {
      auto* span = v.add_spans();
      span->set_start(static_cast<uint32_t>(s.start));
      span->set_end(static_cast<uint32_t>(s.end));
      span->set_kind(std::string(PiiKindName(s.kind)));
    }
  }
  v.set_created_unix(q.row.created_unix());
  v.set_decided_by(q.row.decided_by());
  v.set_decided_unix(q.row.decided_unix());
  v.set_edited_by(q.row.edited_by());
  v.set_edited_unix(q.row.edited_unix());
  v.set_sent_unix(q.sent_unix);
  v.set_refusal(q.refusal);
  return v;
}

wire::NodeResponse LocalControl::Quotes(const wire::QuoteRequest& req, int64_t now, const std::string& account) {
  using A = wire::QuoteRequest;
  using Q = storage::StoredQuote;
  Status done;
  switch (req.action()) {
    case A::LIST: {
      static const std::vector<std::string> kStates = {"", "pending", "approved", "rejected", "withdrawn", "refused"};
      if (std::find(kStates.begin(), kStates.end(), req.state()) == kStates.end()) {
        return NodeError(Status::Usage("--state: '" + req.state() +
                                       "' is not one of pending, approved, rejected, withdrawn, refused"));
      }
      auto quotes = c_.store.Quotes();
      if (!quotes.ok()) return NodeError(quotes.status());
      auto r = NodeOk();
      for (const auto& q : *quotes) {
        wire::QuoteView v = View(q);
        if (req.state().empty() || v.state() == req.state()) *r.mutable_quotes()->add_quotes() = std::move(v);
      }
      return r;
    }
    case A::SHOW: break;
    case A::EDIT: done = c_.store.EditQuote(req.id(), req.text(), account, now); break;
    case A::APPROVE: done = c_.store.DecideQuote(req.id(), Q::APPROVED, account, now); break;
    case A::REJECT: done = c_.store.DecideQuote(req.id(), Q::REJECTED, account, now); break;
    case A::WITHDRAW: done = c_.store.DecideQuote(req.id(), Q::WITHDRAWN, account, now); break;
    default: return NodeError(Status::Usage("the quote request names no action this node knows"));
  }
  if (!done.ok()) return NodeError(done);
  auto q = c_.store.FindQuote(req.id());
  if (!q.ok()) return NodeError(q.status());
  if (req.action() != A::SHOW) {
    spdlog::info("quote {} of signal {}: {} by {}", q->row.quote_id(), q->row.signal_id(),
                 A::Action_Name(req.action()), EscapeText(account));
    // A week whose quotes changed goes out again now, as after an erasure.
    auto published = c_.outbox.Publish(now);
    if (!published.ok()) return NodeError(published.status());
    c_.outbox.ResetBackoff();
    c_.send_now();
  }
  auto r = NodeOk();
  *r.mutable_quotes()->add_quotes() = View(*q);
  return r;
}

}  // namespace signaal::node
