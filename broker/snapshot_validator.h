// SnapshotValidator: everything the broker checks before it stores a node's
// snapshot — the signature by the node's enrolled key, that the snapshot
// speaks for the authenticated node, a sane period, known taxonomy and
// municipality codes, and plausible counts. A refusal carries a stable reason
// code (sent back in a Nack and counted) and one sentence for humans.
#pragma once

#include <string>

#include "signaal.pb.h"
#include "signaal/reference_data.h"

namespace signaal::broker {

struct Refusal {
  std::string reason;  // stable code: bad-signature, wrong-node, invalid-period, unknown-code, ...
  std::string detail;
};

// Largest count a single cell may carry; more is a bug or an attack.
constexpr uint32_t kMaxCellCount = 1'000'000;

class SnapshotValidator {
 public:
  explicit SnapshotValidator(const ReferenceData& ref) : ref_(ref) {}

  // On success fills `snapshot` and returns true; else fills `refusal`.
  bool Check(const wire::SignedEnvelope& envelope, const wire::Principal& node, int64_t now,
             wire::SummarySnapshot& snapshot, Refusal& refusal) const;

 private:
  bool CheckCells(const wire::SummarySnapshot& snapshot, Refusal& refusal) const;
  const ReferenceData& ref_;
};

}  // namespace signaal::broker
