#include "signal_store.h"

#include <cctype>
#include <cstdio>

#include <rocksdb/write_batch.h>

#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/rocks.h"

namespace signaal::node {
namespace {

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

std::string SignalId(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "S%07llu", static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

std::string Pseudonym(const std::string& secret, const std::string& reference) {
  std::string normal;
  for (unsigned char c : reference) {
    if (c == ' ' || c == '.' || c == '-' || c == '\t') continue;
    normal.push_back(static_cast<char>(std::tolower(c)));
  }
  return HmacSha256(secret, normal);
}

Result<std::unique_ptr<SignalStore>> SignalStore::Open(const std::string& data_dir, std::string pseudonym_secret) {
  auto db = OpenRocksDb(data_dir, "the node store");
  if (!db.ok()) return db.status();
  std::unique_ptr<SignalStore> store(new SignalStore(std::move(*db), std::move(pseudonym_secret)));
  store->next_id_ = std::stoull(store->GetOr("meta/next_id", "1"));
  store->last_version_ = std::stoull(store->GetOr("meta/version", "0"));
  std::unique_ptr<rocksdb::Iterator> it(store->db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("sig/"); it->Valid() && it->key().starts_with("sig/"); it->Next()) ++store->signal_count_;
  return store;
}

std::string SignalStore::GetOr(const std::string& key, const std::string& fallback) const {
  std::string v;
  return db_->Get(rocksdb::ReadOptions(), key, &v).ok() ? v : fallback;
}

Result<std::vector<wire::StoredSignal>> SignalStore::Add(const std::vector<ValidatedSignal>& signals, int64_t now) {
  rocksdb::WriteBatch batch;
  std::vector<wire::StoredSignal> stored;
  uint64_t id = next_id_;
  for (const auto& v : signals) {
    wire::StoredSignal s = v.record;
    s.set_id(SignalId(id++));
    s.set_received_unix(now);
    if (!v.person_reference.empty()) s.set_person_pseudonym(Pseudonym(secret_, v.person_reference));
    batch.Put("sig/" + s.period() + "/" + s.id(), s.SerializeAsString());
    batch.Put("dirty/" + s.period(), "");
    stored.push_back(std::move(s));
  }
  batch.Put("meta/next_id", std::to_string(id));
  auto s = db_->Write(Synced(), &batch);
  if (!s.ok()) return Status::Runtime("cannot store signals: " + s.ToString());
  next_id_ = id;
  signal_count_ += signals.size();
  return stored;
}

std::vector<wire::StoredSignal> SignalStore::List(const std::string& period) const {
  std::string prefix = period.empty() ? "sig/" : "sig/" + period + "/";
  std::vector<wire::StoredSignal> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    wire::StoredSignal s;
    if (s.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) out.push_back(std::move(s));
  }
  return out;
}

std::vector<wire::StoredSignal> SignalStore::SignalsOf(const std::string& period) const { return List(period); }

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
  auto s = db_->Write(Synced(), &batch);
  if (!s.ok()) return Status::Runtime("cannot write the outbox: " + s.ToString());
  last_version_ = version;
  return Status::Ok();
}

std::map<std::string, SignalStore::OutboxEntry> SignalStore::Outbox() const {
  std::map<std::string, OutboxEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("out/"); it->Valid() && it->key().starts_with("out/"); it->Next()) {
    std::string period = it->key().ToString().substr(4);
    out[period] = OutboxEntry{std::stoull(GetOr("outv/" + period, "0")), it->value().ToString()};
  }
  return out;
}

Status SignalStore::Acknowledge(const std::string& period, uint64_t version, bool record_ack) {
  rocksdb::WriteBatch batch;
  if (GetOr("outv/" + period, "") == std::to_string(version)) {
    batch.Delete("out/" + period);
    batch.Delete("outv/" + period);
  }
  if (record_ack) batch.Put("acked/" + period, std::to_string(version));
  auto s = db_->Write(Synced(), &batch);
  return s.ok() ? Status::Ok() : Status::Runtime("cannot update the outbox: " + s.ToString());
}

}  // namespace signaal::node
