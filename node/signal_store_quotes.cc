// SignalStore, its quote review queue: a consented quote enters scrubbed
// (Writer::Append), a coordinator edits and decides, an approved quote goes
// out with its week (WeekQuotes) and the broker's answer is noted by quote
// id (qs/, qr/). Apart from signal_store.cc to keep each file readable.
#include <algorithm>
#include <ctime>

#include "signal_store.h"
#include "signaal/keys.h"
#include "signaal/numbers.h"
#include "signaal/rocks.h"
#include "signaal/text.h"

namespace signaal::node {
namespace {

const char* StateName(storage::StoredQuote::State s) {
  switch (s) {
    case storage::StoredQuote::PENDING: return "pending";
    case storage::StoredQuote::APPROVED: return "approved";
    case storage::StoredQuote::REJECTED: return "rejected";
    case storage::StoredQuote::WITHDRAWN: return "withdrawn";
    default: return "unknown";
  }
}

}  // namespace

const char* QuoteStateName(storage::StoredQuote::State s) { return StateName(s); }

Result<std::string> SignalStore::QuoteId(const std::string& signal_id) const {
  auto mac = pseudonyms_->Mac("quote/" + signal_id);
  if (!mac.ok()) return mac.status();
  return ToHex(mac->substr(0, 8));
}

Result<storage::StoredQuote> SignalStore::NewQuote(const storage::StoredSignal& s, const std::string& quote,
                                                   int64_t now) const {
  storage::StoredQuote q;
  q.set_signal_id(s.id());
  auto id = QuoteId(s.id());
  if (!id.ok()) return id.status();
  q.set_quote_id(*id);
  q.set_period(s.period());
  q.set_theme(s.theme());
  q.set_subtheme(s.subtheme());
  q.set_state(storage::StoredQuote::PENDING);
  q.set_created_unix(now);
  auto scrubber = scrubbers_->Get();
  if (!scrubber.ok()) return scrubber.status();
  auto sealed = sealer_->Seal((*scrubber)->Scrub(OneLine(quote)).text, s.id() + "/quote-review");
  if (!sealed.ok()) return sealed.status();
  q.set_sealed_text(std::move(*sealed));
  return q;
}

Status SignalStore::PutQuote(rocksdb::WriteBatch& batch, storage::StoredQuote& row, const std::string& text) {
  if (text.empty()) {
    row.clear_sealed_text();
  } else {
    auto sealed = sealer_->Seal(text, row.signal_id() + "/quote-review");
    if (!sealed.ok()) return sealed.status();
    row.set_sealed_text(std::move(*sealed));
  }
  batch.Put("q/" + row.signal_id(), row.SerializeAsString());
  return Status::Ok();
}

Result<std::vector<SignalStore::QuoteInfo>> SignalStore::Quotes() const {
  return ReadQuotes([](const storage::StoredQuote&) { return true; });
}

Result<std::vector<SignalStore::QuoteInfo>> SignalStore::ReadQuotes(
    const std::function<bool(const storage::StoredQuote&)>& wanted) const {
  std::vector<QuoteInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("q/"); it->Valid() && it->key().starts_with("q/"); it->Next()) {
    QuoteInfo info;
    if (!info.row.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Runtime("the node store's '" + it->key().ToString() + "' cannot be read");
    }
    // Only the rows asked for are opened: a week's snapshot reads its own.
    if (!wanted(info.row)) continue;
    if (!info.row.sealed_text().empty()) {
      auto text = Unseal(data_key_, info.row.sealed_text(), info.row.signal_id() + "/quote-review");
      if (!text.ok()) return text.status();
      info.text = std::move(*text);
    }
    auto sent = ReadNumber(*db_, "qs/" + info.row.quote_id(), 0);
    if (!sent.ok()) return sent.status();
    info.sent_unix = static_cast<int64_t>(*sent);
    auto refused = ReadValue(*db_, "qr/" + info.row.quote_id());
    if (!refused.ok()) return refused.status();
    storage::QuoteRefusalMark mark;
    // A refusal counts until the quote is decided again after it.
    if (refused->has_value() && mark.ParseFromString(**refused) &&
        info.row.state() == storage::StoredQuote::APPROVED && mark.unix() >= info.row.decided_unix()) {
      info.refusal = mark.reason() + ": " + mark.detail();
    }
    out.push_back(std::move(info));
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the quotes: " + it->status().ToString());
  // Keys sort as text; signal ids as numbers read better.
  std::stable_sort(out.begin(), out.end(), [](const QuoteInfo& a, const QuoteInfo& b) {
    return a.row.signal_id().size() != b.row.signal_id().size() ? a.row.signal_id().size() < b.row.signal_id().size()
                                                                 : a.row.signal_id() < b.row.signal_id();
  });
  return out;
}

Result<SignalStore::QuoteInfo> SignalStore::FindQuote(const std::string& id) const {
  auto all = ReadQuotes([&](const storage::StoredQuote& q) { return q.signal_id() == id || q.quote_id() == id; });
  if (!all.ok()) return all.status();
  for (auto& q : *all) {
    if (q.row.signal_id() == id || q.row.quote_id() == id) return std::move(q);
  }
  return Status::Usage("no quote with id " + QuoteText(id) + " (signal id or quote id; `signaal node quotes list` shows them)");
}

Status SignalStore::EditQuote(const std::string& id, const std::string& text, const std::string& by, int64_t now) {
  auto q = FindQuote(id);
  if (!q.ok()) return q.status();
  auto& row = q->row;
  if (row.state() == storage::StoredQuote::REJECTED || row.state() == storage::StoredQuote::WITHDRAWN) {
    return Status::Usage("quote " + row.quote_id() + " is " + StateName(row.state()) + ": its text is gone");
  }
  std::string line = OneLine(text);
  if (line.empty()) return Status::Usage("the new text is empty; reject the quote instead");
  if (CodePointCount(line) > kMaxQuoteInputChars) {
    return Status::Usage("the new text is " + std::to_string(CodePointCount(line)) + " characters long; at most " +
                         std::to_string(kMaxQuoteChars) + " go out");
  }
  rocksdb::WriteBatch batch;
  if (row.state() == storage::StoredQuote::APPROVED) batch.Put("dirty/" + row.period(), "");
  row.set_state(storage::StoredQuote::PENDING);
  row.set_edited_by(by);
  row.set_edited_unix(now);
  batch.Delete("qr/" + row.quote_id());
  if (Status s = PutQuote(batch, row, line); !s.ok()) return s;
  return Write(batch, "cannot store the edited quote");
}

Status SignalStore::DecideQuote(const std::string& id, storage::StoredQuote::State to, const std::string& by,
                                int64_t now) {
  auto q = FindQuote(id);
  if (!q.ok()) return q.status();
  auto& row = q->row;
  const auto from = row.state();
  using Q = storage::StoredQuote;
  if (to == Q::APPROVED) {
    if (from != Q::PENDING && !(from == Q::APPROVED && !q->refusal.empty())) {
      return Status::Usage("quote " + row.quote_id() + " is " + StateName(from) + "; only a pending quote is approved");
    }
    if (!scrubbers_) return Status::Runtime("this node has no scrubber; quotes cannot be approved");
    auto scrubber = scrubbers_->Get();
    if (!scrubber.ok()) return scrubber.status();
    const size_t chars = CodePointCount(q->text);
    if (chars > kMaxQuoteChars) {
      return Status::Usage("quote " + row.quote_id() + " is " + std::to_string(chars) + " characters long, at most " +
                           std::to_string(kMaxQuoteChars) + " go out: shorten it with `quotes edit`");
    }
    auto spans = (*scrubber)->Find(q->text);
    if (!spans.empty()) {
      std::string kinds;
      for (const auto& s : spans) kinds += (kinds.empty() ? "" : ", ") + std::string(PiiKindName(s.kind));
      return Status::Refused("quote " + row.quote_id() + " still holds what looks like personal data (" + kinds +
                             "); `quotes show` marks it, `quotes edit` changes it");
    }
  } else if (to == Q::REJECTED) {
    if (from != Q::PENDING) {
      return Status::Usage("quote " + row.quote_id() + " is " + StateName(from) + "; only a pending quote is rejected" +
                           (from == Q::APPROVED ? " (withdraw an approved one)" : ""));
    }
  } else if (to == Q::WITHDRAWN) {
    if (from != Q::APPROVED) {
      return Status::Usage("quote " + row.quote_id() + " is " + StateName(from) + "; only an approved quote is withdrawn");
    }
  } else {
    return Status::Usage("a quote is approved, rejected or withdrawn");
  }
  rocksdb::WriteBatch batch;
  if (from == Q::APPROVED || to == Q::APPROVED) batch.Put("dirty/" + row.period(), "");
  row.set_state(to);
  row.set_decided_by(by);
  row.set_decided_unix(now);
  if (to == Q::APPROVED) batch.Delete("qr/" + row.quote_id());
  // Rejected or withdrawn: the words go; what was decided, by whom, stays.
  if (Status s = PutQuote(batch, row, to == Q::APPROVED ? q->text : ""); !s.ok()) return s;
  return Write(batch, "cannot store the decision on the quote");
}

Result<uint32_t> SignalStore::ExpireQuotes(const std::string& before, int64_t now) {
  auto all = ReadQuotes([&](const storage::StoredQuote& q) {
    return q.period() < before && q.state() == storage::StoredQuote::APPROVED;
  });
  if (!all.ok()) return all.status();
  rocksdb::WriteBatch batch;
  uint32_t expired = 0;
  for (auto& q : *all) {
    batch.Put("dirty/" + q.row.period(), "");
    q.row.set_state(storage::StoredQuote::WITHDRAWN);
    q.row.set_decided_by("retention");
    q.row.set_decided_unix(now);
    if (Status s = PutQuote(batch, q.row, ""); !s.ok()) return s;
    ++expired;
  }
  if (expired == 0) return expired;
  if (Status s = Write(batch, "cannot withdraw expiring quotes"); !s.ok()) return s;
  return expired;
}

Result<std::vector<wire::Quote>> SignalStore::WeekQuotes(const std::string& period) const {
  auto all = ReadQuotes([&](const storage::StoredQuote& q) {
    return q.period() == period && q.state() == storage::StoredQuote::APPROVED;
  });
  if (!all.ok()) return all.status();
  std::vector<wire::Quote> out;
  for (const auto& q : *all) {
    if (!q.refusal.empty()) continue;
    wire::Quote w;
    w.set_id(q.row.quote_id());
    w.set_text(q.text);
    w.set_theme(q.row.theme());
    w.set_subtheme(q.row.subtheme());
    out.push_back(std::move(w));
  }
  return out;
}

Status SignalStore::RefuseQuotes(const google::protobuf::RepeatedPtrField<wire::QuoteRefusal>& refused, int64_t now) {
  rocksdb::WriteBatch batch;
  // The broker's words, bounded before they are stored: an id this node
  // gives (16 hex digits), a reason and a sentence cut to the wire's bounds,
  // and no more refusals than a snapshot carries quotes.
  for (const auto& r : refused) {
    if (batch.Count() >= kMaxQuotesPerWeek) break;
    const std::string& id = r.quote_id();
    if (id.size() != 16 || id.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
    storage::QuoteRefusalMark mark;
    mark.set_reason(r.reason().substr(0, 64));
    mark.set_detail(r.detail().substr(0, 1024));
    mark.set_unix(now);
    batch.Put("qr/" + id, mark.SerializeAsString());
  }
  if (batch.Count() == 0) return Status::Ok();
  return Write(batch, "cannot note the broker's refusal of quotes");
}

Status SignalStore::MarkQuotesSent(rocksdb::WriteBatch& batch, const std::string& envelope, int64_t now) const {
  wire::SignedEnvelope env;
  wire::SummarySnapshot snap;
  if (!env.ParseFromString(envelope) || !snap.ParseFromString(env.payload())) {
    return Status::Runtime("the outbox's acked snapshot cannot be read");
  }
  for (const auto& q : snap.quotes()) {
    auto sent = ReadValue(*db_, "qs/" + q.id());
    if (!sent.ok()) return sent.status();
    if (!sent->has_value()) batch.Put("qs/" + q.id(), std::to_string(now));
  }
  return Status::Ok();
}

}  // namespace signaal::node
