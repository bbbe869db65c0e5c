// The broker store's advice records (av/): what councils did with the
// signals, kept beside the digests they drew on.
#include <cstdio>
#include <memory>

#include "broker_store.h"
#include "signaal/rocks.h"

namespace signaal::broker {

Result<std::string> BrokerStore::NextAdviceId() {
  auto next = ReadNumber(*db_, "m/advice_next", 1);
  if (!next.ok()) return next.status();
  rocksdb::WriteBatch batch;
  batch.Put("m/advice_next", std::to_string(*next + 1));
  if (auto s = WriteRecovering(*db_, batch); !s.ok()) return Status::Runtime("cannot count advice: " + s.ToString());
  char id[24];
  std::snprintf(id, sizeof id, "A%04llu", static_cast<unsigned long long>(*next));
  return std::string(id);
}

Status BrokerStore::PutAdvice(const wire::Advice& advice) {
  rocksdb::WriteBatch batch;
  batch.Put("av/" + advice.id(), advice.SerializeAsString());
  if (auto s = WriteRecovering(*db_, batch); !s.ok()) {
    return Status::Runtime("cannot store advice " + advice.id() + ": " + s.ToString());
  }
  return Status::Ok();
}

Result<wire::Advice> BrokerStore::FindAdvice(const std::string& id) const {
  std::string value;
  auto got = db_->Get(rocksdb::ReadOptions(), "av/" + id, &value);
  if (got.IsNotFound()) return Status::Usage("no advice " + id + " (see `signaal broker advice list`)");
  if (!got.ok()) return Status::Runtime("cannot read advice " + id + ": " + got.ToString());
  wire::Advice a;
  if (!a.ParseFromString(value)) return Status::Runtime("advice " + id + " is damaged in the broker store");
  return a;
}

Result<std::vector<wire::Advice>> BrokerStore::AllAdvice() const {
  std::vector<wire::Advice> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions()));
  for (it->Seek("av/"); it->Valid() && it->key().starts_with("av/"); it->Next()) {
    wire::Advice a;
    if (!a.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Runtime("advice " + it->key().ToString().substr(3) + " is damaged in the broker store");
    }
    out.push_back(std::move(a));
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the advice: " + it->status().ToString());
  return out;
}

}  // namespace signaal::broker
