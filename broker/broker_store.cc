#include "broker_store.h"

#include <cstdio>
#include <functional>

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

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

}  // namespace

const StoreFormat& BrokerStoreFormat() {
  static const StoreFormat format{
      "the broker store", "signaal-broker", "m/format_version",
      {
          // 1: the layout of the first release; stores from before versions only get the stamp.
          {1, "stamp the format version", [](rocksdb::DB&, rocksdb::WriteBatch&) { return Status::Ok(); }},
      }};
  return format;
}

Result<std::unique_ptr<BrokerStore>> BrokerStore::Open(const std::string& data_dir) {
  auto db = OpenRocksDb(data_dir, "the broker store");
  if (!db.ok()) return db.status();
  if (auto migrated = MigrateStore(**db, BrokerStoreFormat(), data_dir); !migrated.ok()) return migrated.status();
  std::unique_ptr<BrokerStore> store(new BrokerStore(std::move(*db)));
  std::string seq;
  if (store->db_->Get(rocksdb::ReadOptions(), "m/digest_sequence", &seq).ok()) {
    store->digest_sequence_ = std::stoull(seq);
  }
  for (const char* prefix : {"d/", "r/"}) {
    store->Scan(prefix, [&](const rocksdb::Slice& key, const rocksdb::Slice& v) {
      wire::Digest d;
      if (!d.ParseFromArray(v.data(), static_cast<int>(v.size()))) return;
      if (key.starts_with("r/")) store->fetched_keys_.insert(key.ToString());
      store->Remember(d);
    });
  }
  return store;
}

Status BrokerStore::PutPrincipal(const wire::Principal& p, bool sync) {
  rocksdb::WriteOptions w;
  w.sync = sync;
  auto s = db_->Put(w, "p/" + p.id(), p.SerializeAsString());
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
  spec.manifest["releases"] = releases_.size();
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
  auto s = db_->Write(Synced(), &batch);
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

Result<uint64_t> BrokerStore::AppendDigest(wire::Digest& digest) {
  uint64_t seq = digest_sequence_ + 1;
  digest.set_sequence(seq);
  rocksdb::WriteBatch batch;
  batch.Put(DigestKey(seq), digest.SerializeAsString());
  batch.Put("m/digest_sequence", std::to_string(seq));
  auto s = db_->Write(Synced(), &batch);
  if (!s.ok()) return Status::Runtime("cannot store digest: " + s.ToString());
  digest_sequence_ = seq;
  Remember(digest);
  return seq;
}

int64_t BrokerStore::LastScheduledRun() const {
  std::string v;
  if (!db_->Get(rocksdb::ReadOptions(), "m/schedule_last", &v).ok()) return 0;
  try {
    return std::stoll(v);
  } catch (...) {
    return 0;
  }
}

Status BrokerStore::SetLastScheduledRun(int64_t when) {
  auto s = db_->Put(Synced(), "m/schedule_last", std::to_string(when));
  if (!s.ok()) return Status::Runtime("cannot record the scheduled run: " + s.ToString());
  return Status::Ok();
}

void BrokerStore::Remember(const wire::Digest& digest) {
  for (const auto& part : digest.weeks()) releases_.push_back(part);
  if (digest.has_previous()) releases_.push_back(digest.previous());
  wire::Digest own = digest;
  own.clear_weeks();
  own.clear_previous();
  releases_.push_back(std::move(own));
}

Status BrokerStore::RecordRelease(const wire::Digest& digest) {
  // Every breakdown and context digest is a release of its own; the ledger
  // holds them flat.
  for (const auto& part : digest.municipalities()) {
    if (Status s = RecordRelease(part); !s.ok()) return s;
  }
  for (const auto& part : digest.weeks()) {
    if (Status s = RecordRelease(part); !s.ok()) return s;
  }
  if (digest.has_previous()) {
    if (Status s = RecordRelease(digest.previous()); !s.ok()) return s;
  }
  // What was released, without when or to whom: equal releases share a key.
  wire::Digest content = digest;
  content.clear_generated_unix();
  content.clear_sequence();
  content.clear_municipalities();
  content.clear_weeks();
  content.clear_previous();
  std::string bytes = content.SerializeAsString();
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016zx", std::hash<std::string>{}(bytes));
  std::string key = "r/" + digest.region() + "/" + digest.from_week() + "/" + digest.to_week() + "/" + hash;
  if (fetched_keys_.count(key)) return Status::Ok();
  auto s = db_->Put(Synced(), key, bytes);
  if (!s.ok()) return Status::Runtime("cannot record released digest: " + s.ToString());
  fetched_keys_.insert(key);
  releases_.push_back(std::move(content));
  return Status::Ok();
}

void BrokerStore::ForEachDigestAfter(uint64_t after, const std::function<void(const wire::Digest&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(DigestKey(after + 1)); it->Valid() && it->key().starts_with("d/"); it->Next()) {
    wire::Digest d;
    if (d.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) fn(d);
  }
}

}  // namespace signaal::broker
