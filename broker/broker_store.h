// BrokerStore: the broker's durable state in one RocksDB. Every write that
// precedes an Ack is synced before the Ack is sent.
//
// Key layout:
//   p/<principal id>            -> wire::Principal
//   s/<node id>/<period>        -> wire::SummarySnapshot (newest version only)
//   d/<sequence, 20 digits>     -> wire::Digest (published digests)
//   r/<region>/<from>/<to>/<hash> -> wire::Digest (digests fetched on demand)
//   m/digest_sequence           -> last digest sequence (decimal)
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "signaal.pb.h"
#include "signaal/status.h"

namespace signaal::broker {

class BrokerStore {
 public:
  static Result<std::unique_ptr<BrokerStore>> Open(const std::string& data_dir);

  Status PutPrincipal(const wire::Principal& p, bool sync = true);
  void ForEachPrincipal(const std::function<void(const wire::Principal&)>& fn) const;

  // What happened to an offered snapshot.
  enum class Offer { kStored, kDuplicate, kStale };
  // Stores `snapshot` if its version is newer than the stored one for
  // (node, period), durably, before returning.
  Result<Offer> OfferSnapshot(const wire::SummarySnapshot& snapshot);
  void ForEachSnapshot(const std::function<void(const wire::SummarySnapshot&)>& fn) const;

  // Assigns the next sequence number and stores the digest durably.
  Result<uint64_t> AppendDigest(wire::Digest& digest);
  void ForEachDigestAfter(uint64_t after, const std::function<void(const wire::Digest&)>& fn) const;
  uint64_t last_digest_sequence() const { return digest_sequence_; }
  // The scheduled run the broker last made (unix time; 0 = none).
  int64_t LastScheduledRun() const;
  Status SetLastScheduledRun(int64_t when);

  // Records a digest released on demand, and each of its context digests,
  // for the disclosure audit of later digests; an identical earlier release
  // is kept once.
  Status RecordRelease(const wire::Digest& digest);
  // Every digest that has left the broker, published and fetched, context
  // digests as releases of their own (none nested); read from disk once at
  // Open and kept current, as every digest build audits them.
  const std::vector<wire::Digest>& Releases() const { return releases_; }

 private:
  explicit BrokerStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
  // Calls fn(key, value) for every key with the prefix.
  void Scan(const std::string& prefix, const std::function<void(const rocksdb::Slice&, const rocksdb::Slice&)>& fn) const;
  // Adds a published digest and its context digests to releases_.
  void Remember(const wire::Digest& digest);

  std::unique_ptr<rocksdb::DB> db_;
  uint64_t digest_sequence_ = 0;
  std::vector<wire::Digest> releases_;
  std::set<std::string> fetched_keys_;  // r/ keys in releases_
};

}  // namespace signaal::broker
