// BrokerStore: the broker's durable state in one RocksDB. Every write that
// precedes an Ack is synced before the Ack is sent.
//
// Key layout:
//   p/<principal id>            -> wire::Principal
//   s/<node id>/<period>        -> wire::SummarySnapshot (newest version only)
//   d/<sequence, 20 digits>     -> wire::Digest (published digests)
//   a/<record number, 20 digits> -> storage::ReleaseRecord (the audit trail)
//   ac/<content hash>           -> wire::Digest as released (time and sequence cleared)
//   an/<content hash>           -> records naming that content (decimal)
//   av/<advice id>              -> wire::Advice (the councils' advice records, advice_book.h)
//   mq/<sequence, 20 digits>/<address> -> storage::MailItem (the digest mail queue, mail_service.h):
//                                  written with d/<sequence>, deleted once the SMTP server accepted it
//   dk/<region>/<kind>          -> when the newest digest of that region and kind of period
//                                  was published (unix seconds; advice_section.h)
//   up/w/<week>                 -> storage::UpstreamWeek (a regional broker's week as made for
//                                  its upper broker, upstream.h)
//   m/upstream_version          -> the newest version made for the upper broker (decimal)
//   m/advice_next               -> the number of the next advice id (decimal)
//   m/digest_sequence           -> last digest sequence (decimal)
//   m/release_next              -> the next record number (decimal)
//   m/format_version            -> on-disk format (BrokerStoreFormat())
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <rocksdb/db.h>

#include "broker_control.pb.h"
#include "broker_storage.pb.h"
#include "wire.pb.h"
#include "signaal/backup.h"
#include "signaal/status.h"
#include "signaal/store_format.h"

namespace signaal::broker {

// The broker store's format and its migrations; add a step for every change
// of the key layout above.
const StoreFormat& BrokerStoreFormat();
// The manifest's "what" of a broker backup.
inline constexpr const char* kBrokerBackupWhat = "signaal-broker store";

class BrokerStore {
 public:
  // The audit trail's bound (see RecordRelease).
  static constexpr uint64_t kMaxReleaseRecords = 20000;
  // `max_release_records`: the audit trail's bound (kMaxReleaseRecords).
  static Result<std::unique_ptr<BrokerStore>> Open(const std::string& data_dir,
                                                   uint64_t max_release_records = kMaxReleaseRecords);

  Status PutPrincipal(const wire::Principal& p, bool sync = true);
  void ForEachPrincipal(const std::function<void(const wire::Principal&)>& fn) const;

  // What happened to an offered snapshot.
  enum class Offer { kStored, kDuplicate, kStale };
  // Stores `snapshot` if its version is newer than the stored one for
  // (node, period), durably, before returning. The same version with other
  // cells is stale too (a node restored from a backup reusing a number).
  Result<Offer> OfferSnapshot(const wire::SummarySnapshot& snapshot);
  // What became of one snapshot of a batch, with the version stored for its
  // (node, period) when it was decided (for a stale one's Nack).
  struct OfferResult {
    Offer offer;
    uint64_t stored_version;
  };
  // A group commit: decides each snapshot in order, as OfferSnapshot one by
  // one would — against the store and the snapshots before it in the batch —
  // and writes the stored ones in one synced WriteBatch before returning. On
  // failure nothing of the batch is stored.
  Result<std::vector<OfferResult>> OfferSnapshots(const std::vector<const wire::SummarySnapshot*>& snapshots);
  void ForEachSnapshot(const std::function<void(const wire::SummarySnapshot&)>& fn) const;
  // The highest version stored from `node` over all its weeks; 0 when none.
  // Read from disk on the first ask per node and then kept current.
  uint64_t NewestVersion(const std::string& node) const;
  // The stored version of (node, period); 0 when none.
  uint64_t SnapshotVersion(const std::string& node, const std::string& period) const;

  // Assigns the next sequence number and stores the digest durably; with
  // `kind` (DigestKind: week, month, ...) also when its series was last
  // published, and with `mail` the digest's mails (their sequence is set
  // here), all in the same write, so a published digest is never without
  // its queued mails.
  Result<uint64_t> AppendDigest(wire::Digest& digest, const std::string& kind = "",
                                std::vector<storage::MailItem>* mail = nullptr);
  // When the newest digest of `region` and `kind` was published (its
  // generated time); 0 when none was.
  Result<int64_t> LastPublished(const std::string& region, const std::string& kind) const;
  // One stored digest; a Usage error when there is none.
  Result<wire::Digest> FindDigest(uint64_t sequence) const;
  void ForEachDigestAfter(uint64_t after, const std::function<void(const wire::Digest&)>& fn) const;
  // A bounded read for a subscriber's catch-up: at most `limit` stored
  // digests after sequence `after`, in order. `last` is the sequence to
  // continue after; `damaged` names the ones that could not be read (skipped,
  // so one bad record never stops a catch-up).
  struct DigestPage {
    std::vector<wire::Digest> digests;
    std::vector<uint64_t> damaged;
    uint64_t last = 0;
    bool more = false;  // digests remain after `last`
  };
  Result<DigestPage> DigestsAfter(uint64_t after, size_t limit) const;
  uint64_t last_digest_sequence() const { return digest_sequence_; }
  // The scheduled run the broker last made (unix time; 0 = none).
  // The newest scheduled run done (0: none yet).
  Result<int64_t> LastScheduledRun() const;
  Status SetLastScheduledRun(int64_t when);

  // The audit trail: every digest that left the broker — fetched or
  // published, with its context and breakdown — to whom and when. It is not
  // the protection (the cell-key method needs no memory of releases) but the
  // record a privacy officer asks for, and what `risk-report` attacks. Kept
  // on disk, bounded: beyond the bound the oldest records go.
  Status RecordRelease(const wire::Digest& digest, const std::string& principal, const std::string& kind,
                       int64_t now);
  // Every record, oldest first, with the digest it released.
  void ForEachRelease(const std::function<void(const storage::ReleaseRecord&, const wire::Digest&)>& fn) const;
  // The newest `limit` records `wanted` accepts, their digests oldest first;
  // `more` says whether older ones it accepts were left out. Reads back from
  // the newest and stops at the limit, so a caller on the poll loop pays for
  // `limit` digests, not for the whole trail.
  std::vector<wire::Digest> NewestReleases(size_t limit, const std::function<bool(const storage::ReleaseRecord&)>& wanted,
                                           bool* more) const;
  uint64_t release_count() const { return release_count_; }

  // --- The councils' advice records (broker_store_advice.cc) ---
  // The next advice id ("A0001"), counted durably.
  Result<std::string> NextAdviceId();
  Status PutAdvice(const wire::Advice& advice);
  Result<wire::Advice> FindAdvice(const std::string& id) const;  // a Usage error when none
  Result<std::vector<wire::Advice>> AllAdvice() const;             // in id order

  // --- The digest mail queue (broker_store_mail.cc) ---
  static std::string MailKey(const storage::MailItem& item);
  Status PutMail(const storage::MailItem& item);
  Status DeleteMail(const storage::MailItem& item);
  // Every queued mail in key order (by digest, then address); a damaged
  // one is skipped and counted in `damaged`.
  std::vector<storage::MailItem> AllMail(size_t* damaged) const;

  // --- What a regional broker made for its upper broker (broker_store_upstream.cc) ---
  Result<uint64_t> UpstreamVersion() const;  // 0 when none was made
  // Synced; lifts m/upstream_version to the entry's version in the same write.
  Status PutUpstreamWeek(const std::string& week, const storage::UpstreamWeek& entry);
  Result<std::optional<storage::UpstreamWeek>> FindUpstreamWeek(const std::string& week) const;
  Result<std::map<std::string, storage::UpstreamWeek>> AllUpstreamWeeks() const;

  // A consistent copy of the store while it is in use (see signaal/backup.h);
  // adds the store's format and counts to the manifest.
  Result<BackupOutcome> Backup(BackupSpec spec) const;

 private:
  BrokerStore(std::unique_ptr<rocksdb::DB> db, uint64_t max_release_records)
      : db_(std::move(db)), max_release_records_(max_release_records) {}
  // Calls fn(key, value) for every key with the prefix.
  void Scan(const std::string& prefix, const std::function<void(const rocksdb::Slice&, const rocksdb::Slice&)>& fn) const;
  std::unique_ptr<rocksdb::DB> db_;
  uint64_t digest_sequence_ = 0;
  uint64_t release_next_ = 0;   // the next record's number
  uint64_t release_count_ = 0;  // records held
  uint64_t max_release_records_;
  // NewestVersion by node, for the nodes asked about: every heartbeat asks,
  // and reading it from disk parses all the node's snapshots.
  mutable std::unordered_map<std::string, uint64_t> newest_;
};

}  // namespace signaal::broker
