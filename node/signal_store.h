// SignalStore: the node's RocksDB — raw signals (which never leave the node),
// the periods changed since the last publication, and the outbox of signed
// snapshots waiting for the broker's ack. Every change that must survive a
// crash is one synced WriteBatch.
//
// Key layout:
//   sig/<period>/<id>   -> storage::StoredSignal
//   dirty/<period>      -> ""             (changed since last publish)
//   out/<period>        -> wire::SignedEnvelope  (pending ack; newest only)
//   outv/<period>       -> version of out/<period> (decimal)
//   acked/<period>      -> last acked version (decimal)
//   meta/next_id, meta/version
//   meta/format_version  -> on-disk format (NodeStoreFormat())
//   agg/<period>/<cell>, agp/<period>/<cell>/<pseudonym> -> the week's cell
//                        counts and key sums, kept with every change (aggregates.h)
//   q/<signal id>       -> storage::StoredQuote (the quote review queue)
//   qs/<quote id>       -> when the quote first left (decimal unix time)
//   qr/<quote id>       -> storage::QuoteRefusalMark (the broker refused it)
//   acct/<name>         -> storage::StoredAccount (the intake page's accounts)
//   mine/<name>/<id>    -> the signal's period: what an account entered,
//                          so the page lists a volunteer's own without a scan
//   dg/<sequence, 20 digits> -> wire::Digest: a published digest of an area
//                          the node lies in, as the broker sent it
//   meta/advice_feed    -> wire::AdviceFeed: the advice on its area, newest
// A signal's record key (record_key.h) is stored nowhere: it is recomputed
// from the pseudonym secret and the id, so it goes with the signal.
//
// Threads (the rule is in store_jobs.h): the signal side — sig/, agg/, agp/,
// dirty/ deletions, meta/next_id, the Writer, Erase, PurgeBefore, RecordKey,
// Backup — has one user at a time: the daemon's StoreWorker while it holds a
// job, the poll loop otherwise. The outbox side (CommitSnapshots' out/ and
// meta/version, Acknowledge, Supersede, ForgetAcksAbove) is the loop's; those
// only put dirty/ markers, which commutes with a job's puts. Reads through
// RocksDB, CountSignals, last_version and LastFailure are safe from either.
// Quotes: q/ is the signal side's (a job adds a row with its signal and
// deletes it with its signal; the loop edits and decides only while no job
// is out); qs/ and qr/ are the outbox side's (acks), by quote id, so an ack
// never writes a row an erasure is deleting. The region's side — dg/ and
// meta/advice_feed, what came back from the broker — is the loop's alone.
#pragma once

#include <cstdint>
#include <functional>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include <rocksdb/write_batch.h>

#include "aggregates.h"
#include "intake.h"
#include "record_key.h"
#include "node_storage.pb.h"
#include "wire.pb.h"
#include "signaal/backup.h"
#include "signaal/scrub.h"
#include "hmac.h"
#include "sealing.h"
#include "scrubber_cache.h"
#include "signaal/status.h"
#include "signaal/store_format.h"

namespace signaal::node {

// Pseudonym of a citizen reference: HMAC-SHA256 under the node's secret of
// the reference with spaces, dots and dashes removed and lower-cased, so
// "1234.56.782" and " 123456782 " are one person.
std::string Pseudonym(const std::string& secret, const std::string& reference);
// The reference as the pseudonym's HMAC sees it.
std::string NormalReference(const std::string& reference);

// The mine/ key of a signal an account entered on the intake page.
std::string MineKey(const std::string& account, const std::string& id);

// "pending", "approved", "rejected", "withdrawn": a review state as the CLI names it.
const char* QuoteStateName(storage::StoredQuote::State state);

// The node store's format and its migrations; add a step for every change
// of the key layout above. Format 4's step (key sums) needs the record keys,
// so the pseudonym secret: stores are migrated with NodeStoreFormat(secret);
// NodeStoreFormat() is for the version numbers, and its step 4 fails.
const StoreFormat& NodeStoreFormat();
StoreFormat NodeStoreFormat(const std::string& pseudonym_secret);
// The manifest's "what" of a node backup.
inline constexpr const char* kNodeBackupWhat = "signaal-node store";

class SignalStore {
 public:
  // `data_key` (32 bytes) seals free text and quotes; `pseudonym_secret` keys
  // the citizen pseudonyms and, through a subkey, the record keys.
  static Result<std::unique_ptr<SignalStore>> Open(const std::string& data_dir, std::string pseudonym_secret,
                                                   std::string data_key);

  // The free text and quote of a stored signal, opened with the data key.
  Result<std::pair<std::string, std::string>> OpenText(const storage::StoredSignal& s) const;

  // Where the scrubber comes from that a consented quote passes before it
  // enters the review queue, and an approval before it is taken; without
  // one, quotes stay in their signal and never enter the queue. Set before
  // the first write.
  void SetScrubbers(ScrubberCache* scrubbers) { scrubbers_ = scrubbers; }

  // --- The quote review queue (signal_store_quotes.cc) ---
  // A quote as the coordinator sees it: the stored row, its text opened,
  // and what the outbox side knows of it.
  struct QuoteInfo {
    storage::StoredQuote row;
    std::string text;             // "" once rejected or withdrawn
    int64_t sent_unix = 0;        // first acked in a snapshot; 0: never left
    std::string refusal;          // the broker's reason and detail while refused
  };
  // Every quote in the queue, in signal id order.
  Result<std::vector<QuoteInfo>> Quotes() const;
  // One quote by its signal's id or its own id; Usage error if none.
  Result<QuoteInfo> FindQuote(const std::string& id) const;
  // The coordinator's edit: the new text, sealed; an approved or refused
  // quote goes back to review (its week re-sent without it).
  Status EditQuote(const std::string& id, const std::string& text, const std::string& by, int64_t now);
  // Approve (refused while the scrubber finds personal data, or the text is
  // longer than kMaxQuoteChars), reject or withdraw. A change to or from
  // approved marks the week changed, so its next snapshot says so.
  Status DecideQuote(const std::string& id, storage::StoredQuote::State to, const std::string& by, int64_t now);
  // Retention: approved quotes of weeks before `before` are withdrawn (by
  // "retention"), so the weeks, still inside the window, go out once more
  // without them before their signals are purged. Returns how many.
  Result<uint32_t> ExpireQuotes(const std::string& before, int64_t now);
  // The week's approved quotes, as they go on the wire (not the refused).
  Result<std::vector<wire::Quote>> WeekQuotes(const std::string& period) const;
  // Outbox side: the broker refused these (from its Ack).
  Status RefuseQuotes(const google::protobuf::RepeatedPtrField<wire::QuoteRefusal>& refused, int64_t now);
  static constexpr size_t kMaxQuoteChars = 500;       // what goes out
  static constexpr int kMaxQuotesPerWeek = 50;         // what a snapshot carries (the broker's bound)

  // New signals going into one WriteBatch as they come (an import, row by
  // row, without holding them all): each is sealed, pseudonymised and
  // serialised on Append; nothing is stored until Commit writes the batch,
  // synced, all or nothing. One writer at a time.
  class Writer {
   public:
    Writer(SignalStore& store, int64_t now);
    // Assigns the id; `copy`, if given, receives the signal as stored.
    Status Append(const ValidatedSignal& v, storage::StoredSignal* copy = nullptr);
    uint64_t count() const { return count_; }

   private:
    friend class SignalStore;
    SignalStore& store_;
    int64_t now_;
    uint64_t next_id_;
    uint64_t count_ = 0;
    bool spent_ = false;
    // The new sig/ rows of each week, in id order: (id number, value size,
    // value) back to back. Commit puts them into the batch week by week, so
    // RocksDB's memtable receives them in key order (an insertion next to
    // the previous one, instead of a search of the skip list per row).
    struct WeekRows {
      std::string period;
      std::string rows;
    };
    std::vector<WeekRows> weeks_;
    size_t last_week_ = 0;
    AggregateDelta delta_;
    std::vector<std::pair<std::string, std::string>> quotes_;  // q/ and mine/ rows of the new signals
    storage::StoredSignal s_;  // reused per row
    std::string aad_;       // reused per row
  };
  Status Commit(Writer& writer);

  // Stores all signals or none; assigns ids; marks their periods dirty.
  Result<std::vector<storage::StoredSignal>> Add(const std::vector<ValidatedSignal>& signals, int64_t now);

  // One stored signal by id (its week known or found); a Usage error if none.
  Result<storage::StoredSignal> Find(const std::string& id, const std::string& period = "") const;
  // A correction: the signal `id` gets `v`'s fields, keeping its id, who
  // entered it, its quote (moved to the new week and theme) and, unless `v`
  // names a person, its pseudonym. Both weeks are marked changed.
  Result<storage::StoredSignal> Correct(const std::string& id, const std::string& period, const ValidatedSignal& v);
  // What became of a signal at the source: its status, when not empty, and
  // `note` added to its sealed follow-up log as "YYYY-MM-DD by: note".
  Result<storage::StoredSignal> FollowUp(const std::string& id, const std::string& status, const std::string& note,
                                         const std::string& by, int64_t now);
  // The follow-up log, opened: one note a line, oldest first.
  Result<std::vector<std::string>> FollowUpNotes(const storage::StoredSignal& s) const;
  static constexpr size_t kMaxFollowUpNotes = 20;
  static constexpr size_t kMaxFollowUpChars = 1000;
  // The newest `limit` signals `account` entered, newest first.
  Result<std::vector<storage::StoredSignal>> EnteredBy(const std::string& account, size_t limit) const;

  // --- The intake page's accounts (signal_store_accounts.cc) ---
  Result<storage::StoredAccount> Account(const std::string& name) const;  // NotFound if none
  Result<std::vector<storage::StoredAccount>> Accounts() const;
  Status PutAccount(const storage::StoredAccount& account);
  // How many signals the account entered (its mine/ keys).
  Result<uint64_t> CountEnteredBy(const std::string& account) const;

  // The record key of the signal with this id (record_key.h); the reference
  // Summarise takes it as its RecordKeyOf. Not for two threads at once.
  Result<uint32_t> RecordKey(const std::string& id) const;

  std::vector<storage::StoredSignal> SignalsOf(const std::string& period) const;
  // The week's summary cells from its aggregates, O(cells); the same cells
  // as Summarise(SignalsOf(period), min_cell, record keys).
  std::vector<wire::SummaryCell> WeekCells(const std::string& period, uint32_t min_cell) const;
  std::vector<storage::StoredSignal> List(const std::string& period_or_all) const;
  uint64_t CountSignals() const { return signal_count_.load(); }

  std::vector<std::string> DirtyPeriods() const;

  // Erases signals by id, or by citizen reference (through its pseudonym),
  // marks their weeks dirty, then compacts so the erased values are gone from
  // the files, not just hidden. Returns the affected weeks; none found -> empty.
  struct Erased {
    uint32_t count = 0;
    std::vector<std::string> periods;
  };
  Result<Erased> EraseById(const std::string& id);
  Result<Erased> EraseByPerson(const std::string& reference);

  // Retention: removes every signal of a week before `oldest_week` (and any
  // unsent snapshot of such a week); summaries already sent stand.
  Result<uint32_t> PurgeBefore(const std::string& oldest_week);

  // One snapshot per period, to be put in the outbox with the dirty markers
  // cleared and the version counter advanced, atomically.
  struct PendingSnapshot {
    std::string period;
    uint64_t version;
    std::string envelope;  // serialised SignedEnvelope
  };
  uint64_t last_version() const { return last_version_.load(); }
  Status CommitSnapshots(const std::vector<PendingSnapshot>& snapshots, const std::vector<std::string>& cleared);

  struct OutboxEntry {
    uint64_t version = 0;
    std::string envelope;
  };
  Result<std::map<std::string, OutboxEntry>> Outbox() const;
  // Pending weeks and their versions, without reading the envelopes.
  Result<std::map<std::string, uint64_t>> PendingVersions() const;
  // Removes out/<period> if it still holds `version`; records the ack.
  Status Acknowledge(const std::string& period, uint64_t version, bool record_ack);
  // The newest snapshot the broker acked (serialised SignedEnvelope), or "".
  Result<std::string> LastAcked() const;

  // The broker holds `broker_version` of `period`, newer than (or differing
  // from) our `version`: drops that outbox entry, marks the week changed and
  // lifts the version counter to the broker's, so the next snapshot of the
  // week is taken. Happens after a restore from a backup.
  Status Supersede(const std::string& period, uint64_t version, uint64_t broker_version);

  // The broker holds nothing newer than `newest` from us, yet acked more:
  // it was restored from a backup. Forgets the acks above `newest` and marks
  // those weeks changed, so they are summarised and sent again; returns them.
  Result<std::vector<std::string>> ForgetAcksAbove(uint64_t newest);

  // --- What the region made of the signals (signal_store_digests.cc) ---
  // The digests a node keeps, the newest: a year of weekly digests of its few areas.
  static constexpr size_t kDigestsKept = 200;
  // Keeps a published digest the broker sent; beyond `keep` the oldest go.
  Status KeepDigest(const wire::Digest& digest, size_t keep);
  // The kept digests, oldest first, at most `limit` of the newest.
  Result<std::vector<wire::Digest>> KeptDigests(size_t limit = SIZE_MAX) const;
  // The newest kept digest's sequence, where the node's Subscribe resumes; 0 when none.
  Result<uint64_t> DigestCursor() const;
  // The kept digests newest first, while `more` says go on: a reader that
  // wants only recent ones stops at the first older one (sequence and time rise together).
  Status ForEachKeptDigestNewestFirst(const std::function<bool(const wire::Digest&)>& more) const;
  // How many digests are kept.
  Result<size_t> CountKeptDigests() const;
  // The weeks the broker acknowledged a snapshot of: the weeks whose signals left.
  Result<std::set<std::string>> AckedWeeks() const;
  Status KeepAdviceFeed(const wire::AdviceFeed& feed);
  // The advice feed last received; empty when none came yet.
  Result<wire::AdviceFeed> AdviceFeed() const;

  // A consistent copy of the store while it is in use (see signaal/backup.h);
  // adds the store's format and counts to the manifest.
  Result<BackupOutcome> Backup(BackupSpec spec) const;

  // A full disk: the last write failed and none succeeded since. RocksDB is
  // read-only meanwhile; it clears that itself once there is room for a
  // memtable (16 MiB), and every write tries DB::Resume first (WriteRecovering).
  struct Failure {
    std::string message;  // "" while writes succeed
    int64_t since = 0;    // unix time of the first failure in a row
  };
  Failure LastFailure() const;
  // DB::Resume: clears the read-only state if its cause has gone, so status
  // stops reporting a failure RocksDB has recovered from. Ok when it writes.
  Status Recover();

 private:
  SignalStore(std::unique_ptr<rocksdb::DB> db, std::string secret, std::string data_key)
      : db_(std::move(db)), secret_(std::move(secret)), data_key_(std::move(data_key)) {}
  // True when the outbox holds `version` of `period`.
  Result<bool> Holds(const std::string& period, uint64_t version) const;
  Result<Erased> Erase(const std::function<bool(const storage::StoredSignal&)>& match);
  // Every write: synced, through WriteRecovering, noting a failure for status.
  Status Write(rocksdb::WriteBatch& batch, const std::string& what);
  // Flushes and compacts everything, so deleted values leave the files.
  Status Compact();
  // The q/ row for a new signal's consented quote, scrubbed and sealed.
  Result<storage::StoredQuote> NewQuote(const storage::StoredSignal& s, const std::string& quote, int64_t now) const;
  // The queue's rows that `wanted` picks, their texts opened (only theirs).
  Result<std::vector<QuoteInfo>> ReadQuotes(const std::function<bool(const storage::StoredQuote&)>& wanted) const;
  // The opaque id of a signal's quote on the wire.
  Result<std::string> QuoteId(const std::string& signal_id) const;
  Status PutQuote(rocksdb::WriteBatch& batch, storage::StoredQuote& row, const std::string& text);
  // Marks the quotes of an acked snapshot as sent (Acknowledge's batch).
  Status MarkQuotesSent(rocksdb::WriteBatch& batch, const std::string& envelope, int64_t now) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::string secret_;
  std::string data_key_;
  std::unique_ptr<Sealer> sealer_;
  std::unique_ptr<HmacSha256Key> pseudonyms_;
  std::unique_ptr<RecordKeys> record_keys_;
  ScrubberCache* scrubbers_ = nullptr;
  uint64_t next_id_ = 1;  // signal side
  // Read by either thread (status, the backup manifest), written by the side that owns it.
  std::atomic<uint64_t> last_version_{0};
  std::atomic<uint64_t> signal_count_{0};
  mutable std::mutex failure_mu_;
  Failure failure_;
};

}  // namespace signaal::node
