// The node's copy of what the region made of its signals: the published
// digests of the areas it lies in and the advice feed, as the broker sent
// them (issue 18). Read by `signaal node digests` and the status; never sent
// anywhere. The poll loop's alone (signal_store.h, "Threads").
#include <cinttypes>
#include <cstdio>
#include <memory>

#include "signal_store.h"
#include "signaal/rocks.h"

namespace signaal::node {
namespace {

std::string DigestKey(uint64_t sequence) {
  char key[32];
  std::snprintf(key, sizeof key, "dg/%020" PRIu64, sequence);
  return key;
}

}  // namespace

Status SignalStore::KeepDigest(const wire::Digest& digest, size_t keep) {
  rocksdb::WriteBatch batch;
  batch.Put(DigestKey(digest.sequence()), digest.SerializeAsString());
  // The oldest beyond `keep`: counted from the newest, this one included.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  size_t seen = 1;
  const std::string self = DigestKey(digest.sequence());
  for (it->SeekForPrev("dg/~"); it->Valid() && it->key().starts_with("dg/"); it->Prev()) {
    if (it->key().ToString() == self) continue;
    if (++seen > keep) batch.Delete(it->key());
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the kept digests: " + it->status().ToString());
  if (auto s = WriteRecovering(*db_, batch); !s.ok()) {
    return Status::Runtime("cannot keep digest " + std::to_string(digest.sequence()) + ": " + s.ToString());
  }
  return Status::Ok();
}

Result<std::vector<wire::Digest>> SignalStore::KeptDigests(size_t limit) const {
  std::vector<wire::Digest> newest_first;
  if (limit == 0) return newest_first;
  Status read = ForEachKeptDigestNewestFirst([&](const wire::Digest& d) {
    newest_first.push_back(d);
    return newest_first.size() < limit;
  });
  if (!read.ok()) return read;
  return std::vector<wire::Digest>(newest_first.rbegin(), newest_first.rend());
}

Result<uint64_t> SignalStore::DigestCursor() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev("dg/~");
  if (!it->status().ok()) return Status::Runtime("cannot read the kept digests: " + it->status().ToString());
  if (!it->Valid() || !it->key().starts_with("dg/")) return uint64_t{0};
  return static_cast<uint64_t>(std::strtoull(it->key().ToString().substr(3).c_str(), nullptr, 10));
}

Status SignalStore::ForEachKeptDigestNewestFirst(const std::function<bool(const wire::Digest&)>& more) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekForPrev("dg/~"); it->Valid() && it->key().starts_with("dg/"); it->Prev()) {
    wire::Digest d;
    if (!d.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Runtime("kept digest " + it->key().ToString().substr(3) + " is damaged in the node store");
    }
    if (!more(d)) break;
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the kept digests: " + it->status().ToString());
  return Status::Ok();
}

Result<size_t> SignalStore::CountKeptDigests() const {
  size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("dg/"); it->Valid() && it->key().starts_with("dg/"); it->Next()) ++n;
  if (!it->status().ok()) return Status::Runtime("cannot read the kept digests: " + it->status().ToString());
  return n;
}

Result<std::set<std::string>> SignalStore::AckedWeeks() const {
  std::set<std::string> weeks;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("acked/"); it->Valid() && it->key().starts_with("acked/"); it->Next()) {
    weeks.insert(it->key().ToString().substr(6));
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the acknowledged weeks: " + it->status().ToString());
  return weeks;
}

Status SignalStore::KeepAdviceFeed(const wire::AdviceFeed& feed) {
  rocksdb::WriteBatch batch;
  batch.Put("meta/advice_feed", feed.SerializeAsString());
  if (auto s = WriteRecovering(*db_, batch); !s.ok()) return Status::Runtime("cannot keep the advice feed: " + s.ToString());
  return Status::Ok();
}

Result<wire::AdviceFeed> SignalStore::AdviceFeed() const {
  auto v = ReadValue(*db_, "meta/advice_feed");
  if (!v.ok()) return v.status();
  wire::AdviceFeed feed;
  if (v->has_value() && !feed.ParseFromString(**v)) return Status::Runtime("the kept advice feed is damaged");
  return feed;
}

}  // namespace signaal::node
