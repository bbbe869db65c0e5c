// AdviceBook: the councils' advice records at the broker — what was done
// with the signals after a digest (issue 18). Checks a record against the
// reference data before it is stored, gives new records their id, and
// applies an update's changed fields. Kept in the broker store (av/), so in
// its backups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker_control.pb.h"
#include "broker_store.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::broker {

// The statuses an advice goes through, as councils name them.
const std::vector<std::string>& AdviceStatuses();

class AdviceBook {
 public:
  AdviceBook(BrokerStore& store, const ReferenceData& ref) : store_(store), ref_(ref) {}

  // A new record: checked, given the next id (A0001, ...), stored.
  Result<wire::Advice> Add(wire::Advice advice, const std::string& by, int64_t now);
  // The record `changes.id()` with every non-empty field of `changes` in
  // place of its own; checked again as a whole, stored.
  Result<wire::Advice> Update(const wire::Advice& changes, const std::string& by, int64_t now);
  Result<wire::Advice> Find(const std::string& id) const;
  // Every record, oldest first; with `region`, those whose area lies in it
  // or contains it (a municipality's advice shows in its region's list).
  Result<std::vector<wire::Advice>> List(const std::string& region) const;

  // The bounds on what an administrator writes into a record.
  static constexpr size_t kMaxTitle = 200;
  static constexpr size_t kMaxName = 120;       // council, addressee
  static constexpr size_t kMaxResponse = 1000;  // within the wire bound of 4,096 bytes
  static constexpr size_t kMaxListed = 50;      // digests, themes

 private:
  Status Check(const wire::Advice& a) const;
  BrokerStore& store_;
  const ReferenceData& ref_;
};

}  // namespace signaal::broker
