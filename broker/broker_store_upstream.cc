// The broker store's record of what this (regional) broker made for its
// upper broker (up/): per week the signed snapshot until it is acked, and
// what tells whether the week changed since.
#include <memory>

#include "broker_store.h"
#include "signaal/rocks.h"

namespace signaal::broker {

Result<uint64_t> BrokerStore::UpstreamVersion() const { return ReadNumber(*db_, "m/upstream_version", 0); }

Status BrokerStore::PutUpstreamWeek(const std::string& week, const storage::UpstreamWeek& entry) {
  rocksdb::WriteBatch batch;
  batch.Put("up/w/" + week, entry.SerializeAsString());
  // The counter moves with the week in one synced write: a version is never
  // used twice, whatever the crash.
  auto current = UpstreamVersion();
  if (!current.ok()) return current.status();
  if (entry.version() > *current) batch.Put("m/upstream_version", std::to_string(entry.version()));
  if (auto s = WriteRecovering(*db_, batch); !s.ok()) {
    return Status::Runtime("cannot keep week " + week + " for the upper broker: " + s.ToString());
  }
  return Status::Ok();
}

Result<std::optional<storage::UpstreamWeek>> BrokerStore::FindUpstreamWeek(const std::string& week) const {
  std::string value;
  auto got = db_->Get(rocksdb::ReadOptions(), "up/w/" + week, &value);
  if (got.IsNotFound()) return std::optional<storage::UpstreamWeek>();
  if (!got.ok()) return Status::Runtime("cannot read week " + week + " for the upper broker: " + got.ToString());
  storage::UpstreamWeek entry;
  if (!entry.ParseFromString(value)) {
    return Status::Runtime("week " + week + " for the upper broker is damaged in the broker store");
  }
  return std::optional<storage::UpstreamWeek>(std::move(entry));
}

Result<std::map<std::string, storage::UpstreamWeek>> BrokerStore::AllUpstreamWeeks() const {
  std::map<std::string, storage::UpstreamWeek> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions()));
  for (it->Seek("up/w/"); it->Valid() && it->key().starts_with("up/w/"); it->Next()) {
    storage::UpstreamWeek entry;
    const std::string week = it->key().ToString().substr(5);
    if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Runtime("week " + week + " for the upper broker is damaged in the broker store");
    }
    out.emplace(week, std::move(entry));
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the weeks for the upper broker: " + it->status().ToString());
  return out;
}

}  // namespace signaal::broker
