// RiskReport: the residual risk of what the broker released, measured — the
// interval attacker (attack/interval_attacker.h), the same one the attacker
// test runs, over the digests the audit trail recorded for a period. It
// reports how many cells with 1..k−1 signals an outsider holding every one of
// those digests could narrow to fewer than k possible values, how many to
// exactly one, and the narrowest: the figure a privacy officer signs, from
// real history. Runs on the digest worker; the poll loop only reads the
// records and hands them over.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "disclosure_policy.h"
#include "broker_control.pb.h"
#include "broker_storage.pb.h"
#include "wire.pb.h"
#include "signaal/period.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"
#include "theme_table.h"

namespace signaal::broker {

// At most this many recorded digests go into one report, the newest first:
// the attacker's programme grows with every number.
inline constexpr size_t kMaxRiskDigests = 400;

// True if a released digest's numbers (its own weeks, its series and its
// previous period) can say anything about `period`.
bool ReleaseTouches(const storage::ReleaseRecord& record, const PeriodRange& period);

// Attacks `released` (oldest first) with the public parameters of `policy`,
// and compares with the true counts in `table`. When `abandon` becomes true
// the remaining targets are skipped and the result is an error: the attack
// is minutes of integer programmes, and a stopping broker must not wait.
Result<wire::RiskReport> MakeRiskReport(const ReferenceData& ref, const ThemeTable& table,
                                        const DisclosurePolicy& policy, const std::string& period,
                                        const std::vector<wire::Digest>& released,
                                        const std::atomic<bool>* abandon = nullptr);

}  // namespace signaal::broker
