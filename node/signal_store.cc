#include "signal_store.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <tuple>

#include <rocksdb/write_batch.h>

#include "aggregates.h"
#include "summariser.h"
#include "signaal/files.h"
#include "hmac.h"
#include "signaal/keys.h"
#include "signaal/log.h"
#include "signaal/numbers.h"
#include "signaal/rocks.h"
#include "sealing.h"

namespace signaal::node {

std::string MineKey(const std::string& account, const std::string& id) { return "mine/" + account + "/" + id; }

namespace {

// "S" and at least 7 digits, as snprintf("S%07llu") wrote it (per row, so
// without the printf machinery).
void AppendSignalId(std::string& out, uint64_t n) {
  char digits[20];
  int len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  out += 'S';
  for (int pad = len; pad < 7; ++pad) out += '0';
  while (len > 0) out += digits[--len];
}

void AppendFixed(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint64_t ReadFixed(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// The steps, with the record keys' step given: it needs the node secret,
// which the migrator's apply(db, batch) cannot see. A step capturing the
// secret keeps the key sums inside the migrator's one synced batch per step
// (with the version bump), where a fill after MigrateStore would need a
// second write that a crash could separate from the first.
StoreFormat MakeNodeStoreFormat(std::function<Status(rocksdb::DB&, rocksdb::WriteBatch&)> key_sums) {
  return StoreFormat{
      "the node store", "signaal-node", "meta/format_version",
      {
          // 1: the layout of the first release; stores from before versions only get the stamp.
          {1, "stamp the format version", [](rocksdb::DB&, rocksdb::WriteBatch&) { return Status::Ok(); }},
          // 2: per-week cell aggregates (agg/, agp/, see aggregates.h), so a snapshot reads O(cells).
          // Nothing to do here any more: step 4 builds them, with key sums, from the same signals.
          {2, "build the weekly cell aggregates (in step 4)",
           [](rocksdb::DB&, rocksdb::WriteBatch&) { return Status::Ok(); }},
          // 3: meta/signal_count, kept with every change, so opening does not count every sig/ key.
          {3, "count the signals once",
           [](rocksdb::DB& db, rocksdb::WriteBatch& batch) {
             uint64_t n = 0;
             std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ScanOptions()));
             for (it->Seek("sig/"); it->Valid() && it->key().starts_with("sig/"); it->Next()) ++n;
             if (!it->status().ok()) return Status::Runtime("cannot count the signals: " + it->status().ToString());
             batch.Put("meta/signal_count", std::to_string(n));
             return Status::Ok();
           }},
          // 4: agg/ values carry the cell's key sum (record_key.h): agg/ and agp/ rebuilt from sig/,
          // every week held marked changed and the outbox emptied, so each is sent again with key sums.
          {4, "rebuild the cell aggregates with key sums", key_sums},
          // 5: the intake page's accounts (acct/) and what each entered (mine/); older signals have no account.
          {5, "make room for the intake page's accounts", [](rocksdb::DB&, rocksdb::WriteBatch&) { return Status::Ok(); }},
          // 6: agg/ values carry the cell's open signals and their key sum (the digest's share still open):
          // rebuilt as in step 4, and every week sent again with them.
          {6, "rebuild the cell aggregates with open counts", std::move(key_sums)},
      }};
}

}  // namespace

const StoreFormat& NodeStoreFormat() {
  static const StoreFormat format = MakeNodeStoreFormat([](rocksdb::DB&, rocksdb::WriteBatch&) {
    return Status::Runtime("the key sums need the node's pseudonym secret; open the store with it");
  });
  return format;
}

StoreFormat NodeStoreFormat(const std::string& secret) {
  return MakeNodeStoreFormat([secret](rocksdb::DB& db, rocksdb::WriteBatch& batch) {
    auto keys = RecordKeys::Create(secret);
    if (!keys.ok()) return keys.status();
    if (Status s = BuildAggregates(db, batch, *keys); !s.ok()) return s;
    // What the broker holds from before has no key sums, and what waits in
    // the outbox neither (a broker of schema 2 refuses it): every week the
    // node still holds signals of is summarised and sent again.
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ScanOptions()));
    std::string last;
    for (it->Seek("sig/"); it->Valid() && it->key().starts_with("sig/"); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      std::string period(key.substr(4, key.find('/', 4) - 4));
      if (period != last) batch.Put("dirty/" + period, "");
      last = std::move(period);
    }
    for (const char* prefix : {"out/", "outv/"}) {
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) batch.Delete(it->key());
    }
    if (!it->status().ok()) return Status::Runtime("cannot read the store: " + it->status().ToString());
    return Status::Ok();
  });
}

std::string NormalReference(const std::string& reference) {
  std::string normal;
  normal.reserve(reference.size());
  for (unsigned char c : reference) {
    if (c == ' ' || c == '.' || c == '-' || c == '\t') continue;
    normal.push_back(static_cast<char>(std::tolower(c)));
  }
  return normal;
}

std::string Pseudonym(const std::string& secret, const std::string& reference) {
  return HmacSha256(secret, NormalReference(reference));
}

Result<std::unique_ptr<SignalStore>> SignalStore::Open(const std::string& data_dir, std::string pseudonym_secret,
                                                       std::string data_key) {
  if (data_key.size() != 32) return Status::Usage("the node's data key must be 32 bytes");
  auto db = OpenRocksDb(data_dir, "the node store", RocksTuning::kSmall);
  if (!db.ok()) return db.status();
  if (auto migrated = MigrateStore(**db, NodeStoreFormat(pseudonym_secret), data_dir); !migrated.ok()) {
    return migrated.status();
  }
  std::unique_ptr<SignalStore> store(
      new SignalStore(std::move(*db), std::move(pseudonym_secret), std::move(data_key)));
  // Keyed once: set up per value they cost more than the sealing and MAC itself.
  auto sealer = Sealer::Create(store->data_key_);
  if (!sealer.ok()) return sealer.status();
  store->sealer_ = std::make_unique<Sealer>(std::move(*sealer));
  auto mac = HmacSha256Key::Create(store->secret_);
  if (!mac.ok()) return mac.status();
  store->pseudonyms_ = std::make_unique<HmacSha256Key>(std::move(*mac));
  auto record_keys = RecordKeys::Create(store->secret_);
  if (!record_keys.ok()) return record_keys.status();
  store->record_keys_ = std::make_unique<RecordKeys>(std::move(*record_keys));
  // A counter that cannot be read is an error, never its default: a default
  // next_id would hand out ids again, a default version be refused as stale.
  uint64_t counters[3];
  const std::tuple<const char*, uint64_t> keys[3] = {{"meta/next_id", 1}, {"meta/version", 0}, {"meta/signal_count", 0}};
  for (int i = 0; i < 3; ++i) {
    auto value = ReadNumber(*store->db_, std::get<0>(keys[i]), std::get<1>(keys[i]));
    if (!value.ok()) return value.status().Prefixed("the node store " + data_dir);
    counters[i] = *value;
  }
  store->next_id_ = counters[0];
  store->last_version_ = counters[1];
  store->signal_count_ = counters[2];
  return store;
}

Status SignalStore::Write(rocksdb::WriteBatch& batch, const std::string& what) {
  rocksdb::Status s = WriteRecovering(*db_, batch);
  std::lock_guard<std::mutex> lock(failure_mu_);
  if (s.ok()) {
    if (!failure_.message.empty()) spdlog::info("the node store writes again after: {}", failure_.message);
    failure_ = Failure();
    return Status::Ok();
  }
  if (failure_.message.empty()) failure_.since = static_cast<int64_t>(std::time(nullptr));
  failure_.message = s.ToString();
  return Status::Runtime(what + ": " + s.ToString());
}

SignalStore::Failure SignalStore::LastFailure() const {
  std::lock_guard<std::mutex> lock(failure_mu_);
  return failure_;
}

Status SignalStore::Recover() {
  rocksdb::Status s = db_->Resume();
  if (!s.ok()) return Status::Runtime("the node store is still read-only: " + s.ToString());
  std::lock_guard<std::mutex> lock(failure_mu_);
  if (!failure_.message.empty()) spdlog::info("the node store writes again after: {}", failure_.message);
  failure_ = Failure();
  return Status::Ok();
}

SignalStore::Writer::Writer(SignalStore& store, int64_t now) : store_(store), now_(now), next_id_(store.next_id_) {}

Status SignalStore::Writer::Append(const ValidatedSignal& v, storage::StoredSignal* copy) {
  if (!store_.sealer_ || !store_.pseudonyms_ || !store_.record_keys_) return Status::Runtime("the node store's keys are not set up");
  s_ = v.record;
  s_.mutable_id()->clear();
  AppendSignalId(*s_.mutable_id(), next_id_);
  s_.set_received_unix(now_);
  if (!v.person_reference.empty()) {
    auto p = store_.pseudonyms_->Mac(NormalReference(v.person_reference));
    if (!p.ok()) return p.status();
    s_.set_person_pseudonym(std::move(*p));
  }
  // Free text and quotes are kept only sealed.
  if (!s_.text().empty()) {
    aad_.assign(s_.id()).append("/text");
    auto sealed = store_.sealer_->Seal(s_.text(), aad_);
    if (!sealed.ok()) return sealed.status();
    s_.set_sealed_text(std::move(*sealed));
    s_.clear_text();
  }
  if (!s_.quote().empty() && s_.quote_consent() && store_.scrubbers_) {
    // Given with consent: it enters the coordinator's review queue scrubbed.
    auto q = store_.NewQuote(s_, s_.quote(), now_);
    if (!q.ok()) return q.status();
    quotes_.emplace_back("q/" + s_.id(), q->SerializeAsString());
  }
  if (!s_.entered_by().empty()) quotes_.emplace_back(MineKey(s_.entered_by(), s_.id()), s_.period());
  if (!s_.quote().empty()) {
    aad_.assign(s_.id()).append("/quote");
    auto sealed = store_.sealer_->Seal(s_.quote(), aad_);
    if (!sealed.ok()) return sealed.status();
    s_.set_sealed_quote(std::move(*sealed));
    s_.clear_quote();
  }
  if (last_week_ >= weeks_.size() || weeks_[last_week_].period != s_.period()) {
    auto it = std::find_if(weeks_.begin(), weeks_.end(), [&](const WeekRows& w) { return w.period == s_.period(); });
    if (it == weeks_.end()) it = weeks_.insert(weeks_.end(), WeekRows{s_.period(), {}});
    last_week_ = static_cast<size_t>(it - weeks_.begin());
  }
  std::string& rows = weeks_[last_week_].rows;
  size_t size = s_.ByteSizeLong();
  AppendFixed(rows, next_id_, 8);
  AppendFixed(rows, size, 4);
  size_t at = rows.size();
  rows.resize(at + size);
  s_.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(rows.data() + at));
  auto record_key = store_.record_keys_->Of(s_.id());
  if (!record_key.ok()) return record_key.status();
  delta_.Count(s_, *record_key, +1);
  ++next_id_;
  ++count_;
  if (copy) *copy = s_;
  return Status::Ok();
}

Status SignalStore::Commit(Writer& w) {
  if (w.spent_) return Status::Runtime("this import's signals were already handed to a failed write");
  if (w.count_ == 0) return Status::Ok();
  w.spent_ = true;  // the rows move into the batch below; a failed write cannot be retried
  // Weeks in key order; within a week the rows are in id order already.
  std::sort(w.weeks_.begin(), w.weeks_.end(),
            [](const Writer::WeekRows& a, const Writer::WeekRows& b) { return a.period < b.period; });
  size_t bytes = 0;
  for (const auto& week : w.weeks_) bytes += week.rows.size();
  // Reserved once (key ~21 bytes and record overhead per row, the
  // aggregates' puts on top): growing the batch by doubling copied it.
  rocksdb::WriteBatch batch(bytes + w.count_ * 24 + w.delta_.BatchBytesHint() + 4096);
  std::string key;
  for (auto& week : w.weeks_) {
    const char* p = week.rows.data();
    const char* end = p + week.rows.size();
    while (p < end) {
      uint64_t id = ReadFixed(p, 8);
      size_t size = static_cast<size_t>(ReadFixed(p + 8, 4));
      key.assign("sig/").append(week.period).append("/");
      AppendSignalId(key, id);
      batch.Put(key, rocksdb::Slice(p + 12, size));
      p += 12 + size;
    }
    std::string().swap(week.rows);  // the batch holds it now
  }
  for (const auto& week : w.weeks_) batch.Put("dirty/" + week.period, "");
  for (const auto& [key, row] : w.quotes_) batch.Put(key, row);
  batch.Put("meta/next_id", std::to_string(w.next_id_));
  batch.Put("meta/signal_count", std::to_string(signal_count_ + w.count_));
  if (Status a = w.delta_.Apply(*db_, batch); !a.ok()) return a;
  if (Status s = Write(batch, "cannot store signals"); !s.ok()) return s;
  next_id_ = w.next_id_;
  signal_count_ += w.count_;
  w.weeks_.clear();
  w.last_week_ = 0;
  w.delta_ = AggregateDelta();
  w.quotes_.clear();
  w.count_ = 0;
  w.spent_ = false;
  return Status::Ok();
}

Result<std::vector<storage::StoredSignal>> SignalStore::Add(const std::vector<ValidatedSignal>& signals, int64_t now) {
  Writer w(*this, now);
  std::vector<storage::StoredSignal> stored(signals.size());
  for (size_t i = 0; i < signals.size(); ++i) {
    if (Status s = w.Append(signals[i], &stored[i]); !s.ok()) return s;
  }
  if (Status s = Commit(w); !s.ok()) return s;
  return stored;
}

std::vector<storage::StoredSignal> SignalStore::List(const std::string& period) const {
  std::string prefix = period.empty() ? "sig/" : "sig/" + period + "/";
  std::vector<storage::StoredSignal> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    storage::StoredSignal s;
    if (s.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) out.push_back(std::move(s));
  }
  return out;
}

Result<std::pair<std::string, std::string>> SignalStore::OpenText(const storage::StoredSignal& s) const {
  std::pair<std::string, std::string> out;
  if (!s.sealed_text().empty()) {
    auto text = Unseal(data_key_, s.sealed_text(), s.id() + "/text");
    if (!text.ok()) return text.status();
    out.first = *text;
  }
  if (!s.sealed_quote().empty()) {
    auto quote = Unseal(data_key_, s.sealed_quote(), s.id() + "/quote");
    if (!quote.ok()) return quote.status();
    out.second = *quote;
  }
  return out;
}

Result<uint32_t> SignalStore::RecordKey(const std::string& id) const { return record_keys_->Of(id); }

std::vector<storage::StoredSignal> SignalStore::SignalsOf(const std::string& period) const { return List(period); }

std::vector<wire::SummaryCell> SignalStore::WeekCells(const std::string& period, uint32_t min_cell) const {
  WeekAggregates week(*db_, period);
  return SummariseAggregates(week.Cells(), min_cell,
                             [&](const CellAggregate& cell) { return week.Pseudonyms(cell); });
}

Result<SignalStore::Erased> SignalStore::Erase(const std::function<bool(const storage::StoredSignal&)>& match) {
  rocksdb::WriteBatch batch;
  AggregateDelta delta;
  Erased erased;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions()));
  for (it->Seek("sig/"); it->Valid() && it->key().starts_with("sig/"); it->Next()) {
    storage::StoredSignal s;
    if (!s.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) || !match(s)) continue;
    auto record_key = record_keys_->Of(s.id());
    if (!record_key.ok()) return record_key.status();
    batch.Delete(it->key());
    batch.Delete("q/" + s.id());  // its quote goes with it, approved or not
    if (!s.entered_by().empty()) batch.Delete(MineKey(s.entered_by(), s.id()));
    delta.Count(s, *record_key, -1);
    ++erased.count;
    if (erased.periods.empty() || erased.periods.back() != s.period()) {
      erased.periods.push_back(s.period());
      batch.Put("dirty/" + s.period(), "");
    }
  }
  if (erased.count == 0) return erased;
  if (Status a = delta.Apply(*db_, batch); !a.ok()) return a;
  batch.Put("meta/signal_count", std::to_string(signal_count_ - erased.count));
  if (Status s = Write(batch, "cannot erase signals"); !s.ok()) return s;
  signal_count_ -= erased.count;
  // The erasure is committed either way; but its promise is that the values
  // are gone from the files, so a compaction that failed is the erasure's error.
  if (Status c = Compact(); !c.ok()) {
    return Status::Runtime("the signals are erased, but not yet gone from the store's files (" + c.message() +
                           "); erase again to retry");
  }
  return erased;
}

Status SignalStore::Compact() {
  // Flush and rewrite every file so deleted values do not linger in the
  // memtable's log or in older table files.
  if (auto s = db_->Flush(rocksdb::FlushOptions()); !s.ok()) return Status::Runtime("flush: " + s.ToString());
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  if (auto s = db_->CompactRange(options, nullptr, nullptr); !s.ok()) {
    return Status::Runtime("compaction: " + s.ToString());
  }
  return Status::Ok();
}

Result<SignalStore::Erased> SignalStore::EraseById(const std::string& id) {
  return Erase([&](const storage::StoredSignal& s) { return s.id() == id; });
}

Result<SignalStore::Erased> SignalStore::EraseByPerson(const std::string& reference) {
  std::string pseudonym = Pseudonym(secret_, reference);
  return Erase([&](const storage::StoredSignal& s) { return s.person_pseudonym() == pseudonym; });
}

Result<uint32_t> SignalStore::PurgeBefore(const std::string& oldest_week) {
  rocksdb::WriteBatch batch;
  uint32_t purged = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions()));
  for (it->Seek("sig/"); it->Valid() && it->key().starts_with("sig/"); it->Next()) {
    const std::string key = it->key().ToString();
    if (key.substr(4, 8) >= oldest_week) break;  // keys sort by week
    batch.Delete(it->key());
    batch.Delete("q/" + key.substr(key.rfind('/') + 1));
    storage::StoredSignal s;
    if (s.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) && !s.entered_by().empty()) {
      batch.Delete(MineKey(s.entered_by(), s.id()));
    }
    ++purged;
  }
  DeleteAggregatesBefore(*db_, batch, oldest_week);
  for (const char* prefix : {"dirty/", "out/", "outv/"}) {
    std::string p = prefix;
    for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
      if (it->key().ToString().substr(p.size(), 8) < oldest_week) batch.Delete(it->key());
    }
  }
  if (batch.Count() == 0) return purged;
  if (purged > 0) batch.Put("meta/signal_count", std::to_string(signal_count_ - purged));
  if (Status s = Write(batch, "cannot purge old signals"); !s.ok()) return s;
  signal_count_ -= purged;
  if (purged > 0) {
    if (Status c = Compact(); !c.ok()) {
      return Status::Runtime("old signals are purged, but not yet gone from the store's files (" + c.message() + ")");
    }
  }
  return purged;
}

std::vector<std::string> SignalStore::DirtyPeriods() const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("dirty/"); it->Valid() && it->key().starts_with("dirty/"); it->Next()) {
    out.push_back(it->key().ToString().substr(6));
  }
  return out;
}

Status SignalStore::CommitSnapshots(const std::vector<PendingSnapshot>& snapshots,
                                    const std::vector<std::string>& cleared) {
  rocksdb::WriteBatch batch;
  uint64_t version = last_version_;
  for (const auto& p : snapshots) {
    batch.Put("out/" + p.period, p.envelope);
    batch.Put("outv/" + p.period, std::to_string(p.version));
    version = std::max(version, p.version);
  }
  for (const auto& period : cleared) batch.Delete("dirty/" + period);
  batch.Put("meta/version", std::to_string(version));
  if (Status s = Write(batch, "cannot write the outbox"); !s.ok()) return s;
  last_version_ = version;
  return Status::Ok();
}

Result<std::map<std::string, SignalStore::OutboxEntry>> SignalStore::Outbox() const {
  auto versions = PendingVersions();
  if (!versions.ok()) return versions.status();
  std::map<std::string, OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("out/"); it->Valid() && it->key().starts_with("out/"); it->Next()) {
    std::string period = it->key().ToString().substr(4);
    auto version = versions->find(period);
    if (version == versions->end()) return Status::Runtime("the outbox holds week " + period + " without a version");
    out[period] = OutboxEntry{version->second, it->value().ToString()};
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the outbox: " + it->status().ToString());
  return out;
}

Result<std::map<std::string, uint64_t>> SignalStore::PendingVersions() const {
  std::map<std::string, uint64_t> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("outv/"); it->Valid() && it->key().starts_with("outv/"); it->Next()) {
    std::string key = it->key().ToString();
    auto version = ParseUint64(it->value().ToString(), "the store's '" + key + "'");
    if (!version.ok()) return version.status();
    out[key.substr(5)] = *version;
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the outbox: " + it->status().ToString());
  return out;
}

Result<std::string> SignalStore::LastAcked() const {
  auto value = ReadValue(*db_, "meta/last_acked");
  if (!value.ok()) return value.status();
  return value->value_or("");
}

Result<bool> SignalStore::Holds(const std::string& period, uint64_t version) const {
  auto held = ReadValue(*db_, "outv/" + period);
  if (!held.ok()) return held.status();
  return held->has_value() && **held == std::to_string(version);
}

Status SignalStore::Acknowledge(const std::string& period, uint64_t version, bool record_ack) {
  rocksdb::WriteBatch batch;
  auto holds = Holds(period, version);
  if (!holds.ok()) return holds.status();
  if (*holds) {
    if (record_ack) {
      auto envelope = ReadValue(*db_, "out/" + period);
      if (!envelope.ok()) return envelope.status();
      batch.Put("meta/last_acked", envelope->value_or(""));
      if (envelope->has_value()) {
        if (Status q = MarkQuotesSent(batch, **envelope, static_cast<int64_t>(std::time(nullptr))); !q.ok()) return q;
      }
    }
    batch.Delete("out/" + period);
    batch.Delete("outv/" + period);
  }
  if (record_ack) batch.Put("acked/" + period, std::to_string(version));
  return Write(batch, "cannot update the outbox");
}

Status SignalStore::Supersede(const std::string& period, uint64_t version, uint64_t broker_version) {
  rocksdb::WriteBatch batch;
  auto holds = Holds(period, version);
  if (!holds.ok()) return holds.status();
  if (*holds) {
    batch.Delete("out/" + period);
    batch.Delete("outv/" + period);
  }
  batch.Put("dirty/" + period, "");
  uint64_t lifted = std::max(last_version_.load(), broker_version);
  batch.Put("meta/version", std::to_string(lifted));
  if (Status s = Write(batch, "cannot update the outbox"); !s.ok()) return s;
  last_version_ = lifted;
  return Status::Ok();
}

Result<std::vector<std::string>> SignalStore::ForgetAcksAbove(uint64_t newest) {
  rocksdb::WriteBatch batch;
  std::vector<std::string> periods;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("acked/"); it->Valid() && it->key().starts_with("acked/"); it->Next()) {
    std::string key = it->key().ToString();
    auto acked = ParseUint64(it->value().ToString(), "the store's '" + key + "'");
    if (!acked.ok()) return acked.status();
    if (*acked <= newest) continue;
    std::string period = key.substr(6);
    batch.Delete(it->key());
    batch.Put("dirty/" + period, "");
    periods.push_back(period);
  }
  if (periods.empty()) return periods;
  if (Status s = Write(batch, "cannot mark weeks for resending"); !s.ok()) return s;
  return periods;
}

Result<BackupOutcome> SignalStore::Backup(BackupSpec spec) const {
  spec.manifest["format_version"] = NodeStoreFormat().current();
  spec.manifest["signals"] = signal_count_.load();
  spec.manifest["last_version"] = last_version_.load();
  spec.manifest["next_signal_id"] = next_id_;
  auto pending = PendingVersions();
  if (!pending.ok()) return pending.status();
  spec.manifest["outbox"] = pending->size();
  spec.manifest["dirty_weeks"] = DirtyPeriods().size();
  return WriteBackup(*db_, spec);
}

}  // namespace signaal::node
