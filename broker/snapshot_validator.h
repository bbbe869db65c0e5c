// SnapshotValidator: everything the broker checks before it stores a node's
// snapshot — the signature by the node's enrolled key, that the snapshot
// speaks for the authenticated node, every string within its bound and class
// (wire_limits.h), a sane period, known taxonomy codes, municipalities inside
// the broker's area (and a regional broker's inside its own region), and
// plausible counts. A refusal carries a stable reason
// code (sent back in a Nack and counted) and one sentence for humans.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker_control.pb.h"
#include "wire.pb.h"
#include "signaal/keys.h"
#include "signaal/reference_data.h"

namespace signaal::broker {

struct Refusal {
  std::string reason;  // stable code: bad-signature, wrong-node, invalid-period, unknown-code, ...
  std::string detail;
};

// Largest count a single cell may carry; more is a bug or an attack.
constexpr uint32_t kMaxCellCount = 1'000'000;
// Largest number of signals one snapshot (one organisation's week) may carry
// over all its cells: each cell may be within kMaxCellCount and the cells
// still sum past 2^32 (issue 15, finding 6). Ten full cells; a real partner's
// week is thousands. Refused with Nack "invalid-total" (docs/PROTOCOL.md).
// Persons never exceed signals in a cell, so they stay below it too.
constexpr uint64_t kMaxSnapshotSignals = 10'000'000;
// Most partners one regional broker's cell may name (CellPartner): each has
// at least one of the cell's signals, and a region has hundreds of partners.
constexpr int kMaxCellPartners = 10'000;

class SnapshotValidator {
 public:
  // Cells are taken for the municipalities inside `area` (a region code; ""
  // for all of the reference data's).
  explicit SnapshotValidator(const ReferenceData& ref, const std::string& area = "");

  // On success fills `snapshot` and returns true; else fills `refusal`.
  bool Check(const wire::SignedEnvelope& envelope, const wire::Principal& node, int64_t now,
             wire::SummarySnapshot& snapshot, Refusal& refusal) const;

 private:
  bool CheckSignature(const wire::SignedEnvelope& envelope, const wire::Principal& node, Refusal& refusal) const;
  bool CheckCells(const wire::SummarySnapshot& snapshot, const wire::Principal& sender, Refusal& refusal) const;
  // A regional broker's cell: its partners present, sorted and of the
  // cell's parts; "" when fine, else what is wrong.
  static std::string CheckPartners(const wire::SummaryCell& c);
  // By municipality index: inside `region` (a regional broker's), cached.
  const std::vector<bool>& RegionMask(const std::string& region) const;

  // A theme or subtheme: its index, and its parent's (kNone for a top theme).
  struct ThemeCode {
    uint16_t index;
    uint16_t parent;
  };
  static constexpr uint16_t kNone = 0xffff;

  const ReferenceData& ref_;
  // Exact codes to small indexes, built once: a cell's five codes are looked
  // up for every cell of every snapshot.
  std::unordered_map<std::string, uint16_t> municipalities_;
  std::vector<bool> in_area_;  // by municipality index
  std::string area_;
  mutable std::unordered_map<std::string, std::vector<bool>> region_masks_;
  std::unordered_map<std::string, ThemeCode> themes_;

  // Each node's key as decoded for its enrolled hex; re-decoded when the hex
  // changes (a re-enrolment). Only a cache: Check decides the same without it.
  struct CachedKey {
    std::string public_hex;
    VerifyKey key;
  };
  mutable std::unordered_map<std::string, CachedKey> keys_;
};

}  // namespace signaal::broker
