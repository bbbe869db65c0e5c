#include "broker_store.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

#include "signaal/keys.h"
#include "signaal/numbers.h"
#include "signaal/rocks.h"

namespace signaal::broker {
namespace {

std::string SnapshotKey(const std::string& node, const std::string& period) { return "s/" + node + "/" + period; }

std::string DigestKey(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "d/%020llu", static_cast<unsigned long long>(seq));
  return buf;
}

// A retry carries the same cells; a node restored from a backup may reuse a
// version number for different cells, which must not pass as a retry.
bool SameContent(wire::SummarySnapshot a, wire::SummarySnapshot b) {
  a.clear_created_unix();
  b.clear_created_unix();
  return a.SerializeAsString() == b.SerializeAsString();
}

std::string RecordKey(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "a/%020llu", static_cast<unsigned long long>(n));
  return buf;
}


// Puts one release record and its content into `batch`; `counts` holds the
// content reference counts already changed in this batch.
Status PutRelease(rocksdb::DB& db, rocksdb::WriteBatch& batch, uint64_t number, storage::ReleaseRecord record,
                  const wire::Digest& digest, std::map<std::string, uint64_t>& counts) {
  wire::Digest content = digest;
  content.clear_generated_unix();
  content.clear_sequence();
  std::string bytes = content.SerializeAsString();
  record.set_content(Sha256Hex(bytes));
  record.set_region(digest.region());
  record.set_period(digest.period());
  record.set_from_week(digest.from_week());
  record.set_to_week(digest.to_week());
  auto [it, fresh] = counts.try_emplace(record.content(), 0);
  if (fresh) {
    auto count = ReadNumber(db, "an/" + record.content(), 0);
    if (!count.ok()) return count.status();
    it->second = *count;
  }
  if (it->second++ == 0) batch.Put("ac/" + record.content(), bytes);
  batch.Put("an/" + record.content(), std::to_string(it->second));
  batch.Put(RecordKey(number), record.SerializeAsString());
  return Status::Ok();
}

}  // namespace

const StoreFormat& BrokerStoreFormat() {
  static const StoreFormat format{
      "the broker store", "signaal-broker", "m/format_version",
      {
          // 1: the layout of the first release; stores from before versions only get the stamp.
          {1, "stamp the format version", [](rocksdb::DB&, rocksdb::WriteBatch&) { return Status::Ok(); }},
          // 2: the cell-key method. The ledger the audit read (r/, digests
          // fetched on demand) becomes the audit trail (a/, ac/, an/), with
          // every published digest (d/, which stays for catch-up) recorded
          // too; stored snapshots' cells get key sums.
          {2, "turn the release ledger into the audit trail", [](rocksdb::DB& db, rocksdb::WriteBatch& batch) {
             std::map<std::string, uint64_t> counts;
             uint64_t number = 0;
             std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
             for (const char* prefix : {"d/", "r/"}) {
               for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
                 wire::Digest d;
                 if (!d.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
                   return Status::Runtime("cannot read the released digest " + it->key().ToString());
                 }
                 storage::ReleaseRecord record;
                 record.set_released_unix(d.generated_unix());
                 record.set_kind(prefix[0] == 'd' ? "publish" : "fetch");
                 if (Status s = PutRelease(db, batch, number++, record, d, counts); !s.ok()) return s;
                 if (prefix[0] == 'r') batch.Delete(it->key());
               }
             }
             // Snapshots stored before key sums: each cell gets a random key
             // sum, kept with it, in place of its records' unknown keys. A
             // key of 0 would make the noise of every cell they alone fill
             // predictable; a random one keeps it as secret as a record key
             // would, until the node sends the week again with real ones
             // (its format 4 marks every week it holds changed).
             for (it->Seek("s/"); it->Valid() && it->key().starts_with("s/"); it->Next()) {
               wire::SummarySnapshot snap;
               if (!snap.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
               bool changed = false;
               for (auto& cell : *snap.mutable_cells()) {
                 if (cell.has_key_sum()) continue;
                 const std::string r = RandomBytes(4);
                 uint32_t key = 0;
                 for (char c : r) key = key << 8 | static_cast<unsigned char>(c);
                 cell.set_key_sum(key);
                 changed = true;
               }
               if (changed) batch.Put(it->key(), snap.SerializeAsString());
             }
             if (!it->status().ok()) return Status::Runtime("cannot read the store: " + it->status().ToString());
             batch.Put("m/release_next", std::to_string(number));
             return Status::Ok();
           }},
          // 3: the councils' advice records (av/, m/advice_next); older stores have none.
          {3, "make room for advice records", [](rocksdb::DB&, rocksdb::WriteBatch&) { return Status::Ok(); }},
      }};
  return format;
}

Result<std::unique_ptr<BrokerStore>> BrokerStore::Open(const std::string& data_dir, uint64_t max_release_records) {
  auto db = OpenRocksDb(data_dir, "the broker store");
  if (!db.ok()) return db.status();
  if (auto migrated = MigrateStore(**db, BrokerStoreFormat(), data_dir); !migrated.ok()) return migrated.status();
  std::unique_ptr<BrokerStore> store(new BrokerStore(std::move(*db), std::max<uint64_t>(max_release_records, 1)));
  // A counter that cannot be read is an error, never zero: a zero sequence
  // would number new digests over published ones.
  auto seq = ReadNumber(*store->db_, "m/digest_sequence", 0);
  if (!seq.ok()) return seq.status().Prefixed("the broker store " + data_dir);
  store->digest_sequence_ = *seq;
  auto next = ReadNumber(*store->db_, "m/release_next", 0);
  if (!next.ok()) return next.status().Prefixed("the broker store " + data_dir);
  store->release_next_ = *next;
  store->Scan("a/", [&](const rocksdb::Slice&, const rocksdb::Slice&) { ++store->release_count_; });
  return store;
}

Status BrokerStore::PutPrincipal(const wire::Principal& p, bool sync) {
  rocksdb::WriteBatch batch;
  batch.Put("p/" + p.id(), p.SerializeAsString());
  auto s = WriteRecovering(*db_, batch, sync);
  return s.ok() ? Status::Ok() : Status::Runtime("cannot store principal " + p.id() + ": " + s.ToString());
}

void BrokerStore::Scan(const std::string& prefix,
                       const std::function<void(const rocksdb::Slice&, const rocksdb::Slice&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) fn(it->key(), it->value());
}

void BrokerStore::ForEachPrincipal(const std::function<void(const wire::Principal&)>& fn) const {
  Scan("p/", [&](const rocksdb::Slice&, const rocksdb::Slice& v) {
    wire::Principal p;
    if (p.ParseFromArray(v.data(), static_cast<int>(v.size()))) fn(p);
  });
}

uint64_t BrokerStore::NewestVersion(const std::string& node) const {
  if (auto it = newest_.find(node); it != newest_.end()) return it->second;
  uint64_t newest = 0;
  Scan("s/" + node + "/", [&](const rocksdb::Slice&, const rocksdb::Slice& v) {
    wire::SummarySnapshot snap;
    if (snap.ParseFromArray(v.data(), static_cast<int>(v.size()))) newest = std::max(newest, snap.version());
  });
  newest_[node] = newest;
  return newest;
}

uint64_t BrokerStore::SnapshotVersion(const std::string& node, const std::string& period) const {
  std::string existing;
  wire::SummarySnapshot old;
  if (!db_->Get(rocksdb::ReadOptions(), SnapshotKey(node, period), &existing).ok()) return 0;
  return old.ParseFromString(existing) ? old.version() : 0;
}

Result<BackupOutcome> BrokerStore::Backup(BackupSpec spec) const {
  uint64_t principals = 0, snapshots = 0;
  Scan("p/", [&](const rocksdb::Slice&, const rocksdb::Slice&) { ++principals; });
  Scan("s/", [&](const rocksdb::Slice&, const rocksdb::Slice&) { ++snapshots; });
  spec.manifest["format_version"] = BrokerStoreFormat().current();
  spec.manifest["principals"] = principals;
  spec.manifest["snapshots"] = snapshots;
  spec.manifest["digest_sequence"] = digest_sequence_;
  spec.manifest["releases"] = release_count_;
  return WriteBackup(*db_, spec);
}

Result<BrokerStore::Offer> BrokerStore::OfferSnapshot(const wire::SummarySnapshot& snapshot) {
  auto results = OfferSnapshots({&snapshot});
  if (!results.ok()) return results.status();
  return results->front().offer;
}

Result<std::vector<BrokerStore::OfferResult>> BrokerStore::OfferSnapshots(
    const std::vector<const wire::SummarySnapshot*>& snapshots) {
  std::vector<OfferResult> results;
  results.reserve(snapshots.size());
  // Key -> the newest snapshot of this batch for it: what a later snapshot of
  // the same (node, period) in the batch is decided against.
  std::unordered_map<std::string, const wire::SummarySnapshot*> pending;
  for (const wire::SummarySnapshot* snapshot : snapshots) {
    std::string key = SnapshotKey(snapshot->node_id(), snapshot->period());
    wire::SummarySnapshot stored;
    const wire::SummarySnapshot* old = nullptr;
    if (auto it = pending.find(key); it != pending.end()) {
      old = it->second;
    } else if (std::string existing; db_->Get(rocksdb::ReadOptions(), key, &existing).ok() &&
                                     stored.ParseFromString(existing)) {
      old = &stored;
    }
    if (old && old->version() == snapshot->version()) {
      results.push_back({SameContent(*old, *snapshot) ? Offer::kDuplicate : Offer::kStale, old->version()});
    } else if (old && old->version() > snapshot->version()) {
      results.push_back({Offer::kStale, old->version()});
    } else {
      results.push_back({Offer::kStored, snapshot->version()});
      pending[key] = snapshot;
    }
  }
  if (pending.empty()) return results;
  rocksdb::WriteBatch batch;
  for (const auto& [key, snapshot] : pending) batch.Put(key, snapshot->SerializeAsString());
  auto s = WriteRecovering(*db_, batch);
  if (!s.ok()) {
    return Status::Runtime("cannot store " + std::to_string(pending.size()) + " snapshots: " + s.ToString());
  }
  for (const auto& [key, snapshot] : pending) {
    if (auto it = newest_.find(snapshot->node_id()); it != newest_.end()) {
      it->second = std::max(it->second, snapshot->version());
    }
  }
  return results;
}

void BrokerStore::ForEachSnapshot(const std::function<void(const wire::SummarySnapshot&)>& fn) const {
  Scan("s/", [&](const rocksdb::Slice&, const rocksdb::Slice& v) {
    wire::SummarySnapshot snap;
    if (snap.ParseFromArray(v.data(), static_cast<int>(v.size()))) fn(snap);
  });
}

Result<uint64_t> BrokerStore::AppendDigest(wire::Digest& digest, const std::string& kind,
                                           std::vector<storage::MailItem>* mail) {
  uint64_t seq = digest_sequence_ + 1;
  digest.set_sequence(seq);
  rocksdb::WriteBatch batch;
  batch.Put(DigestKey(seq), digest.SerializeAsString());
  batch.Put("m/digest_sequence", std::to_string(seq));
  if (!kind.empty()) batch.Put("dk/" + digest.region() + "/" + kind, std::to_string(digest.generated_unix()));
  if (mail) {
    for (auto& item : *mail) {
      item.set_sequence(seq);
      batch.Put(MailKey(item), item.SerializeAsString());
    }
  }
  auto s = WriteRecovering(*db_, batch);
  if (!s.ok()) return Status::Runtime("cannot store digest: " + s.ToString());
  digest_sequence_ = seq;
  return seq;
}

Result<wire::Digest> BrokerStore::FindDigest(uint64_t sequence) const {
  std::string value;
  auto got = db_->Get(rocksdb::ReadOptions(), DigestKey(sequence), &value);
  if (got.IsNotFound()) return Status::Usage("no stored digest " + std::to_string(sequence));
  if (!got.ok()) return Status::Runtime("cannot read digest " + std::to_string(sequence) + ": " + got.ToString());
  wire::Digest d;
  if (!d.ParseFromString(value)) return Status::Runtime("stored digest " + std::to_string(sequence) + " is damaged");
  return d;
}

Result<int64_t> BrokerStore::LastPublished(const std::string& region, const std::string& kind) const {
  const std::string key = "dk/" + region + "/" + kind;
  auto v = ReadValue(*db_, key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return int64_t{0};
  return ParseInt64(**v, "the store's '" + key + "'");
}

Result<int64_t> BrokerStore::LastScheduledRun() const {
  auto v = ReadValue(*db_, "m/schedule_last");
  if (!v.ok()) return v.status();
  if (!v->has_value()) return int64_t{0};
  return ParseInt64(**v, "the store's 'm/schedule_last'");
}

Status BrokerStore::SetLastScheduledRun(int64_t when) {
  rocksdb::WriteBatch batch;
  batch.Put("m/schedule_last", std::to_string(when));
  auto s = WriteRecovering(*db_, batch);
  if (!s.ok()) return Status::Runtime("cannot record the scheduled run: " + s.ToString());
  return Status::Ok();
}

Status BrokerStore::RecordRelease(const wire::Digest& digest, const std::string& principal, const std::string& kind,
                                  int64_t now) {
  rocksdb::WriteBatch batch;
  std::map<std::string, uint64_t> counts;
  storage::ReleaseRecord record;
  record.set_released_unix(now);
  record.set_principal(principal);
  record.set_kind(kind);
  if (Status s = PutRelease(*db_, batch, release_next_, record, digest, counts); !s.ok()) return s;
  // The oldest records beyond the bound go, and their content once no record names it.
  const uint64_t excess = release_count_ + 1 > max_release_records_ ? release_count_ + 1 - max_release_records_ : 0;
  uint64_t dropped = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("a/"); dropped < excess && it->Valid() && it->key().starts_with("a/"); it->Next(), ++dropped) {
    storage::ReleaseRecord old;
    batch.Delete(it->key());
    if (!old.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
    auto [c, fresh] = counts.try_emplace(old.content(), 0);
    if (fresh) {
      auto count = ReadNumber(*db_, "an/" + old.content(), 0);
      if (!count.ok()) return count.status();
      c->second = *count;
    }
    if (c->second > 0 && --c->second == 0) {
      batch.Delete("ac/" + old.content());
      batch.Delete("an/" + old.content());
    } else {
      batch.Put("an/" + old.content(), std::to_string(c->second));
    }
  }
  batch.Put("m/release_next", std::to_string(release_next_ + 1));
  auto s = WriteRecovering(*db_, batch);
  if (!s.ok()) return Status::Runtime("cannot record the released digest: " + s.ToString());
  ++release_next_;
  release_count_ = release_count_ + 1 - dropped;
  return Status::Ok();
}

void BrokerStore::ForEachRelease(
    const std::function<void(const storage::ReleaseRecord&, const wire::Digest&)>& fn) const {
  Scan("a/", [&](const rocksdb::Slice&, const rocksdb::Slice& v) {
    storage::ReleaseRecord record;
    std::string bytes;
    wire::Digest digest;
    if (!record.ParseFromArray(v.data(), static_cast<int>(v.size()))) return;
    if (!db_->Get(rocksdb::ReadOptions(), "ac/" + record.content(), &bytes).ok()) return;
    if (digest.ParseFromString(bytes)) fn(record, digest);
  });
}

std::vector<wire::Digest> BrokerStore::NewestReleases(size_t limit,
                                                      const std::function<bool(const storage::ReleaseRecord&)>& wanted,
                                                      bool* more) const {
  std::vector<wire::Digest> out;
  *more = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekForPrev("a0"); it->Valid() && it->key().starts_with("a/"); it->Prev()) {  // '0' follows '/'
    storage::ReleaseRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) || !wanted(record)) continue;
    if (out.size() == limit) {
      *more = true;
      break;
    }
    std::string bytes;
    wire::Digest digest;
    if (db_->Get(rocksdb::ReadOptions(), "ac/" + record.content(), &bytes).ok() && digest.ParseFromString(bytes)) {
      out.push_back(std::move(digest));
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void BrokerStore::ForEachDigestAfter(uint64_t after, const std::function<void(const wire::Digest&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(DigestKey(after + 1)); it->Valid() && it->key().starts_with("d/"); it->Next()) {
    wire::Digest d;
    if (d.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) fn(d);
  }
}

Result<BrokerStore::DigestPage> BrokerStore::DigestsAfter(uint64_t after, size_t limit) const {
  DigestPage page;
  page.last = after;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  size_t read = 0;
  for (it->Seek(DigestKey(after + 1)); it->Valid() && it->key().starts_with("d/"); it->Next()) {
    if (read == limit) {
      page.more = true;
      break;
    }
    ++read;
    // The key is d/ and twenty digits (DigestKey); the sequence is read from
    // it so that a record whose value is damaged is still passed over.
    auto seq = ParseUint64(it->key().ToString().substr(2), "the broker store's digest key " + it->key().ToString());
    if (!seq.ok()) return seq.status();
    page.last = *seq;
    wire::Digest d;
    if (d.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      page.digests.push_back(std::move(d));
    } else {
      page.damaged.push_back(*seq);
    }
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the stored digests: " + it->status().ToString());
  return page;
}

}  // namespace signaal::broker
