// The broker store's digest mail queue (mq/): a mail per published digest
// and address until the SMTP server accepted it. Written with the digest
// (AppendDigest), rewritten after a failed attempt, deleted after success.
#include <cstdio>
#include <memory>

#include "broker_store.h"
#include "signaal/rocks.h"

namespace signaal::broker {

std::string BrokerStore::MailKey(const storage::MailItem& item) {
  char seq[32];
  std::snprintf(seq, sizeof seq, "mq/%020llu/", static_cast<unsigned long long>(item.sequence()));
  return seq + item.address();
}

Status BrokerStore::PutMail(const storage::MailItem& item) {
  rocksdb::WriteBatch batch;
  batch.Put(MailKey(item), item.SerializeAsString());
  if (auto s = WriteRecovering(*db_, batch); !s.ok()) {
    return Status::Runtime("cannot record the mail of digest " + std::to_string(item.sequence()) + ": " + s.ToString());
  }
  return Status::Ok();
}

Status BrokerStore::DeleteMail(const storage::MailItem& item) {
  rocksdb::WriteBatch batch;
  batch.Delete(MailKey(item));
  if (auto s = WriteRecovering(*db_, batch); !s.ok()) {
    return Status::Runtime("cannot take the mail of digest " + std::to_string(item.sequence()) +
                           " off the queue: " + s.ToString());
  }
  return Status::Ok();
}

std::vector<storage::MailItem> BrokerStore::AllMail(size_t* damaged) const {
  std::vector<storage::MailItem> out;
  *damaged = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanOptions()));
  for (it->Seek("mq/"); it->Valid() && it->key().starts_with("mq/"); it->Next()) {
    storage::MailItem item;
    if (!item.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      ++*damaged;
      continue;
    }
    out.push_back(std::move(item));
  }
  if (!it->status().ok()) ++*damaged;
  return out;
}

}  // namespace signaal::broker
