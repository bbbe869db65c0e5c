// The intake page's side of the store: one signal found, corrected, a
// volunteer's own signals listed, and the page's accounts.
#include <memory>

#include "signal_store.h"
#include "signaal/period.h"
#include "signaal/rocks.h"
#include "signaal/text.h"

namespace signaal::node {
namespace {

bool IsSignalId(const std::string& id) {
  if (id.size() < 2 || id.size() > 20 || id[0] != 'S') return false;
  for (size_t i = 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
  }
  return true;
}

}  // namespace

Result<storage::StoredSignal> SignalStore::Find(const std::string& id, const std::string& period) const {
  if (!IsSignalId(id)) return Status::Usage("'" + id + "' is not a signal id (S0000042)");
  storage::StoredSignal s;
  if (!period.empty()) {
    std::string value;
    auto got = db_->Get(rocksdb::ReadOptions(), "sig/" + period + "/" + id, &value);
    if (got.IsNotFound()) return Status::Usage("no signal " + id + " in week " + period);
    if (!got.ok()) return Status::Runtime("cannot read signal " + id + ": " + got.ToString());
    if (!s.ParseFromString(value)) return Status::Runtime("signal " + id + " is damaged in the store");
    return s;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions()));
  for (it->Seek("sig/"); it->Valid() && it->key().starts_with("sig/"); it->Next()) {
    if (!it->key().ends_with("/" + id)) continue;
    if (!s.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Runtime("signal " + id + " is damaged in the store");
    }
    return s;
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the store: " + it->status().ToString());
  return Status::Usage("no signal " + id);
}

Result<storage::StoredSignal> SignalStore::Correct(const std::string& id, const std::string& period,
                                                   const ValidatedSignal& v) {
  auto old = Find(id, period);
  if (!old.ok()) return old.status();
  storage::StoredSignal s = v.record;
  s.set_id(old->id());
  s.set_received_unix(old->received_unix());
  s.set_entered_by(old->entered_by());
  if (v.person_reference.empty()) {
    s.set_person_pseudonym(old->person_pseudonym());
  } else {
    auto p = pseudonyms_->Mac(NormalReference(v.person_reference));
    if (!p.ok()) return p.status();
    s.set_person_pseudonym(std::move(*p));
  }
  s.clear_sealed_text();
  if (!s.text().empty()) {
    auto sealed = sealer_->Seal(s.text(), s.id() + "/text");
    if (!sealed.ok()) return sealed.status();
    s.set_sealed_text(std::move(*sealed));
    s.clear_text();
  }
  // The quote is the citizen's words under review; a correction leaves it.
  s.clear_quote();
  s.set_quote_consent(old->quote_consent());
  s.set_sealed_quote(old->sealed_quote());

  auto record_key = record_keys_->Of(s.id());
  if (!record_key.ok()) return record_key.status();
  AggregateDelta delta;
  delta.Count(*old, *record_key, -1);
  delta.Count(s, *record_key, +1);
  rocksdb::WriteBatch batch;
  batch.Delete("sig/" + old->period() + "/" + id);
  batch.Put("sig/" + s.period() + "/" + id, s.SerializeAsString());
  batch.Put("dirty/" + old->period(), "");
  batch.Put("dirty/" + s.period(), "");
  if (!s.entered_by().empty()) batch.Put(MineKey(s.entered_by(), id), s.period());
  std::string row;
  auto got = db_->Get(rocksdb::ReadOptions(), "q/" + id, &row);
  if (got.ok()) {
    storage::StoredQuote q;
    if (!q.ParseFromString(row)) return Status::Runtime("the quote of signal " + id + " is damaged in the store");
    q.set_period(s.period());
    q.set_theme(s.theme());
    q.set_subtheme(s.subtheme());
    batch.Put("q/" + id, q.SerializeAsString());
  } else if (!got.IsNotFound()) {
    return Status::Runtime("cannot read the quote of signal " + id + ": " + got.ToString());
  }
  if (Status a = delta.Apply(*db_, batch); !a.ok()) return a;
  if (Status w = Write(batch, "cannot correct signal " + id); !w.ok()) return w;
  return s;
}

Result<std::vector<storage::StoredSignal>> SignalStore::EnteredBy(const std::string& account, size_t limit) const {
  std::vector<storage::StoredSignal> out;
  const std::string prefix = "mine/" + account + "/";
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  // Newest first: ids grow, so the prefix is walked backwards.
  for (it->SeekForPrev(prefix + "\xff"); it->Valid() && it->key().starts_with(prefix) && out.size() < limit;
       it->Prev()) {
    std::string id = it->key().ToString().substr(prefix.size());
    auto s = Find(id, it->value().ToString());
    if (!s.ok()) return s.status();
    out.push_back(std::move(*s));
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the store: " + it->status().ToString());
  return out;
}

Result<uint64_t> SignalStore::CountEnteredBy(const std::string& account) const {
  uint64_t n = 0;
  const std::string prefix = "mine/" + account + "/";
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++n;
  if (!it->status().ok()) return Status::Runtime("cannot read the store: " + it->status().ToString());
  return n;
}

Result<storage::StoredAccount> SignalStore::Account(const std::string& name) const {
  std::string value;
  auto got = db_->Get(rocksdb::ReadOptions(), "acct/" + name, &value);
  if (got.IsNotFound()) return Status::Usage("no account '" + name + "'");
  if (!got.ok()) return Status::Runtime("cannot read account '" + name + "': " + got.ToString());
  storage::StoredAccount a;
  if (!a.ParseFromString(value)) return Status::Runtime("account '" + name + "' is damaged in the store");
  return a;
}

Result<std::vector<storage::StoredAccount>> SignalStore::Accounts() const {
  std::vector<storage::StoredAccount> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("acct/"); it->Valid() && it->key().starts_with("acct/"); it->Next()) {
    storage::StoredAccount a;
    if (!a.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Runtime("account '" + it->key().ToString().substr(5) + "' is damaged in the store");
    }
    out.push_back(std::move(a));
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the accounts: " + it->status().ToString());
  return out;
}

Status SignalStore::PutAccount(const storage::StoredAccount& account) {
  rocksdb::WriteBatch batch;
  batch.Put("acct/" + account.name(), account.SerializeAsString());
  return Write(batch, "cannot store account '" + account.name() + "'");
}

Result<std::vector<std::string>> SignalStore::FollowUpNotes(const storage::StoredSignal& s) const {
  std::vector<std::string> notes;
  if (s.sealed_follow_up().empty()) return notes;
  auto log = Unseal(data_key_, s.sealed_follow_up(), s.id() + "/follow_up");
  if (!log.ok()) return log.status();
  for (size_t start = 0; start < log->size();) {
    size_t end = log->find('\n', start);
    if (end == std::string::npos) end = log->size();
    if (end > start) notes.push_back(log->substr(start, end - start));
    start = end + 1;
  }
  return notes;
}

Result<storage::StoredSignal> SignalStore::FollowUp(const std::string& id, const std::string& status,
                                                    const std::string& note, const std::string& by, int64_t now) {
  auto s = Find(id);
  if (!s.ok()) return s.status();
  const std::string line = OneLine(note);
  if (status.empty() && line.empty()) return Status::Usage("give a --status, a --note or both");
  if (CodePointCount(line) > kMaxFollowUpChars) {
    return Status::Usage("--note: " + std::to_string(CodePointCount(line)) + " characters, at most " +
                         std::to_string(kMaxFollowUpChars));
  }
  const storage::StoredSignal before = *s;
  if (!status.empty() && status != s->status()) {
    s->set_status(status);
    s->set_status_changed_unix(now);
  }
  if (!line.empty()) {
    auto notes = FollowUpNotes(*s);
    if (!notes.ok()) return notes.status();
    if (notes->size() >= kMaxFollowUpNotes) {
      return Status::Usage("signal " + id + " has " + std::to_string(kMaxFollowUpNotes) +
                           " follow-up notes already, the most it keeps");
    }
    std::string log;
    for (const auto& n : *notes) log += n + "\n";
    log += DateFromUnix(now).ToIso() + " " + (by.empty() ? std::string("cli") : by) + ": " + line + "\n";
    auto sealed = sealer_->Seal(log, s->id() + "/follow_up");
    if (!sealed.ok()) return sealed.status();
    s->set_sealed_follow_up(std::move(*sealed));
  }
  rocksdb::WriteBatch batch;
  batch.Put("sig/" + s->period() + "/" + id, s->SerializeAsString());
  if (IsOpen(before) != IsOpen(*s)) {
    // The signal moves between its cell's open and dealt-with parts, which
    // the digest's share still open counts: the week goes out again.
    auto record_key = record_keys_->Of(id);
    if (!record_key.ok()) return record_key.status();
    AggregateDelta delta;
    delta.Count(before, *record_key, -1);
    delta.Count(*s, *record_key, +1);
    if (Status a = delta.Apply(*db_, batch); !a.ok()) return a;
    batch.Put("dirty/" + s->period(), "");
  }
  if (Status w = Write(batch, "cannot store the follow-up of signal " + id); !w.ok()) return w;
  return *s;
}

}  // namespace signaal::node
