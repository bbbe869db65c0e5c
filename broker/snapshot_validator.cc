#include "snapshot_validator.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "signaal/config.h"
#include "signaal/keys.h"
#include "signaal/period.h"

namespace signaal::broker {
namespace {

bool Refuse(Refusal& r, std::string reason, std::string detail) {
  r.reason = std::move(reason);
  r.detail = std::move(detail);
  return false;
}

bool InList(const std::vector<std::string>& list, const std::string& v) {
  return v.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

bool SnapshotValidator::Check(const wire::SignedEnvelope& envelope, const wire::Principal& node, int64_t now,
                              wire::SummarySnapshot& snapshot, Refusal& refusal) const {
  if (envelope.key_id() != KeyId(node.sign_public_key())) {
    return Refuse(refusal, "unknown-signing-key", "the snapshot is signed with a key not enrolled for " + node.id());
  }
  if (!Verify(node.sign_public_key(), envelope.payload(), envelope.signature())) {
    return Refuse(refusal, "bad-signature", "the snapshot's Ed25519 signature does not verify");
  }
  if (!snapshot.ParseFromString(envelope.payload())) {
    return Refuse(refusal, "invalid-snapshot", "the signed payload is not a SummarySnapshot");
  }
  if (snapshot.node_id() != node.id()) {
    return Refuse(refusal, "wrong-node",
                  "the snapshot names node '" + snapshot.node_id() + "' but the connection is " + node.id());
  }
  if (snapshot.version() == 0) return Refuse(refusal, "invalid-snapshot", "field 'version' must be at least 1");
  if (!IsValidWeek(snapshot.period())) {
    return Refuse(refusal, "invalid-period", "field 'period': '" + snapshot.period() + "' is not an ISO week");
  }
  // A node's clock may run a little ahead; a week beyond next week is not a clock error.
  std::string latest_allowed = AddWeeks(IsoWeekOf(DateFromUnix(now)), 1);
  if (snapshot.period() > latest_allowed) {
    return Refuse(refusal, "invalid-period", "field 'period': " + snapshot.period() + " lies in the future");
  }
  std::string oldest_allowed = IsoWeekOf(DateFromUnix(now - int64_t{86400} * kMaxRetentionDays));
  if (snapshot.period() < oldest_allowed) {
    return Refuse(refusal, "invalid-period",
                  "field 'period': " + snapshot.period() + " is older than any node may keep signals");
  }
  if (snapshot.taxonomy_version() != ref_.taxonomy_version()) {
    return Refuse(refusal, "taxonomy-version",
                  "the node uses taxonomy " + snapshot.taxonomy_version() + ", the broker " + ref_.taxonomy_version());
  }
  return CheckCells(snapshot, refusal);
}

bool SnapshotValidator::CheckCells(const wire::SummarySnapshot& snapshot, Refusal& refusal) const {
  std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>> keys;
  int index = 0;
  for (const auto& c : snapshot.cells()) {
    std::string where = "cell " + std::to_string(index++) + ": ";
    const Municipality* m = ref_.FindMunicipality(c.municipality());
    if (!m || m->code != c.municipality()) {
      return Refuse(refusal, "unknown-code", where + "unknown municipality '" + c.municipality() + "'");
    }
    if (!ref_.IsTopTheme(c.theme())) return Refuse(refusal, "unknown-code", where + "unknown theme '" + c.theme() + "'");
    if (!c.subtheme().empty() && !ref_.IsSubthemeOf(c.subtheme(), c.theme())) {
      return Refuse(refusal, "unknown-code", where + "unknown subtheme '" + c.subtheme() + "' of " + c.theme());
    }
    if (!InList(ReferenceData::AgeBands(), c.age_band())) {
      return Refuse(refusal, "unknown-code", where + "unknown age band '" + c.age_band() + "'");
    }
    if (!InList(ReferenceData::Channels(), c.channel())) {
      return Refuse(refusal, "unknown-code", where + "unknown channel '" + c.channel() + "'");
    }
    if (c.signals() == 0 || c.signals() > kMaxCellCount || c.persons() > c.signals() || c.persons() == 0) {
      return Refuse(refusal, "invalid-count",
                    where + "counts out of range (signals " + std::to_string(c.signals()) + ", persons " +
                        std::to_string(c.persons()) + ")");
    }
    if (!keys.emplace(c.municipality(), c.theme(), c.subtheme(), c.age_band(), c.channel()).second) {
      return Refuse(refusal, "invalid-snapshot", where + "the same cell appears twice");
    }
  }
  return true;
}

}  // namespace signaal::broker
