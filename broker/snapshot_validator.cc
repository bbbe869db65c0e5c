#include "snapshot_validator.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "signaal/config.h"
#include "signaal/period.h"
#include "signaal/text.h"
#include "signaal/wire_limits.h"

namespace signaal::broker {
namespace {

bool Refuse(Refusal& r, std::string reason, std::string detail) {
  r.reason = std::move(reason);
  r.detail = std::move(detail);
  return false;
}

// Index of `v` in a fixed code list; `none` for "" (always allowed), -1 if unknown.
int IndexIn(const std::vector<std::string>& list, const std::string& v, int none) {
  if (v.empty()) return none;
  auto it = std::find(list.begin(), list.end(), v);
  return it == list.end() ? -1 : static_cast<int>(it - list.begin());
}

std::string Where(int index) { return "cell " + std::to_string(index) + ": "; }

}  // namespace

SnapshotValidator::SnapshotValidator(const ReferenceData& ref, const std::string& area) : ref_(ref), area_(area) {
  const auto& ms = ref_.municipalities();
  for (size_t i = 0; i < ms.size(); ++i) {
    municipalities_.emplace(ms[i].code, static_cast<uint16_t>(i));
    in_area_.push_back(area.empty() || ref_.RegionContains(area, ms[i].code));
  }
  const auto& ts = ref_.themes();
  std::unordered_map<std::string, uint16_t> index;
  for (size_t i = 0; i < ts.size(); ++i) index.emplace(ts[i].code, static_cast<uint16_t>(i));
  for (size_t i = 0; i < ts.size(); ++i) {
    uint16_t parent = kNone;
    if (!ts[i].parent.empty()) {
      auto p = index.find(ts[i].parent);
      if (p == index.end()) continue;  // an orphan is no valid subtheme of anything
      parent = p->second;
    }
    themes_.emplace(ts[i].code, ThemeCode{static_cast<uint16_t>(i), parent});
  }
}

bool SnapshotValidator::CheckSignature(const wire::SignedEnvelope& envelope, const wire::Principal& node,
                                       Refusal& refusal) const {
  auto it = keys_.find(node.id());
  if (it == keys_.end() || it->second.public_hex != node.sign_public_key()) {
    auto key = VerifyKey::FromHex(node.sign_public_key());
    if (!key.ok()) {
      // An enrolled key that does not decode has no id any envelope could name.
      keys_.erase(node.id());
      return Refuse(refusal, "unknown-signing-key", "the snapshot is signed with a key not enrolled for " + node.id());
    }
    it = keys_.insert_or_assign(node.id(), CachedKey{node.sign_public_key(), std::move(*key)}).first;
  }
  const VerifyKey& key = it->second.key;
  if (envelope.key_id() != key.key_id()) {
    return Refuse(refusal, "unknown-signing-key", "the snapshot is signed with a key not enrolled for " + node.id());
  }
  if (!key.Verify(envelope.payload(), envelope.signature())) {
    return Refuse(refusal, "bad-signature", "the snapshot's Ed25519 signature does not verify");
  }
  return true;
}

bool SnapshotValidator::Check(const wire::SignedEnvelope& envelope, const wire::Principal& node, int64_t now,
                              wire::SummarySnapshot& snapshot, Refusal& refusal) const {
  if (!CheckSignature(envelope, node, refusal)) return false;
  if (!snapshot.ParseFromString(envelope.payload())) {
    return Refuse(refusal, "invalid-snapshot", "the signed payload is not a SummarySnapshot");
  }
  // Before anything of it is compared, quoted or logged.
  if (Status s = CheckWireStrings(snapshot); !s.ok()) return Refuse(refusal, "invalid-string", s.message());
  if (snapshot.node_id() != node.id()) {
    return Refuse(refusal, "wrong-node",
                  "the snapshot names node " + QuoteText(snapshot.node_id()) + " but the connection is " + node.id());
  }
  if (snapshot.version() == 0) return Refuse(refusal, "invalid-snapshot", "field 'version' must be at least 1");
  if (!IsValidWeek(snapshot.period())) {
    return Refuse(refusal, "invalid-period", "field 'period': " + QuoteText(snapshot.period()) + " is not an ISO week");
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
                  "the node uses taxonomy " + QuoteText(snapshot.taxonomy_version()) + ", the broker " +
                      ref_.taxonomy_version());
  }
  return CheckCells(snapshot, node, refusal);
}

const std::vector<bool>& SnapshotValidator::RegionMask(const std::string& region) const {
  auto it = region_masks_.find(region);
  if (it != region_masks_.end()) return it->second;
  std::vector<bool> mask;
  for (const auto& m : ref_.municipalities()) mask.push_back(ref_.RegionContains(region, m.code));
  return region_masks_.emplace(region, std::move(mask)).first->second;
}

std::string SnapshotValidator::CheckPartners(const wire::SummaryCell& c) {
  if (c.partners_size() == 0) return "no partners: a regional broker names the partners behind every cell";
  if (c.partners_size() > kMaxCellPartners || static_cast<uint32_t>(c.partners_size()) > c.signals()) {
    return std::to_string(c.partners_size()) + " partners for " + std::to_string(c.signals()) + " signals";
  }
  if (!c.age_band().empty() || !c.channel().empty()) return "a regional broker's cell has no age band or channel";
  uint32_t with_open = 0, with_dealt_with = 0;
  for (int i = 0; i < c.partners_size(); ++i) {
    const wire::CellPartner& p = c.partners(i);
    if (i > 0 && p.token() <= c.partners(i - 1).token()) return "partners are not sorted by token, each once";
    with_open += p.has_open() ? 1 : 0;
    with_dealt_with += p.has_dealt_with() ? 1 : 0;
  }
  if (!c.has_open()) {
    if (with_open + with_dealt_with > 0) return "partners with open or dealt-with signals in a cell without open counts";
    return "";
  }
  // Each partner marked has at least one signal of its part; a part with
  // signals has at least one partner.
  const uint32_t dealt_with = c.signals() - c.open();
  if (with_open > c.open() || with_dealt_with > dealt_with || (c.open() > 0) != (with_open > 0) ||
      (dealt_with > 0) != (with_dealt_with > 0)) {
    return "the partners' open and dealt-with marks do not fit the open count";
  }
  return "";
}

bool SnapshotValidator::CheckCells(const wire::SummarySnapshot& snapshot, const wire::Principal& sender,
                                   Refusal& refusal) const {
  // A regional broker sends its region's combined cells, each naming its
  // partners; a node its own cells, naming none.
  const bool regional = sender.role() == wire::ROLE_BROKER;
  const std::string region = regional && sender.regions_size() > 0 ? sender.regions(0) : "";
  const std::vector<bool>* in_region = regional ? &RegionMask(region) : nullptr;
  // Each valid cell's five codes packed into one number, with its index: a
  // repeated cell is found by sorting these, not through a set of strings.
  std::vector<std::pair<uint64_t, int>> keys;
  keys.reserve(static_cast<size_t>(snapshot.cells_size()));
  Refusal first_bad;  // the first cell with a bad code or count, if any
  int bad_at = -1;
  auto bad = [&](int index, const char* reason, std::string what) {
    bad_at = index;
    Refuse(first_bad, reason, Where(index) + what);
  };
  const auto& age_bands = ReferenceData::AgeBands();
  const auto& channels = ReferenceData::Channels();
  // In 64 bits: every cell is checked against kMaxCellCount below, and there
  // are at most a few hundred thousand in a 4 MiB message, so this cannot wrap.
  uint64_t total_signals = 0;
  for (int index = 0; index < snapshot.cells_size() && bad_at < 0; ++index) {
    const wire::SummaryCell& c = snapshot.cells(index);
    auto m = municipalities_.find(c.municipality());
    auto t = themes_.find(c.theme());
    auto s = c.subtheme().empty() ? themes_.end() : themes_.find(c.subtheme());
    int age = IndexIn(age_bands, c.age_band(), 0xff), channel = IndexIn(channels, c.channel(), 0xff);
    if (m == municipalities_.end()) {
      bad(index, "unknown-code", "unknown municipality " + QuoteText(c.municipality()));
    } else if (!in_area_[m->second]) {
      bad(index, "outside-area", "municipality " + c.municipality() + " lies outside this broker's region " + area_);
    } else if (in_region && !(*in_region)[m->second]) {
      bad(index, "outside-area", "municipality " + c.municipality() + " lies outside " + sender.id() + "'s region " +
                                     QuoteText(region));
    } else if (t == themes_.end() || t->second.parent != kNone) {
      bad(index, "unknown-code", "unknown theme " + QuoteText(c.theme()));
    } else if (!c.subtheme().empty() && (s == themes_.end() || s->second.parent != t->second.index)) {
      bad(index, "unknown-code", "unknown subtheme " + QuoteText(c.subtheme()) + " of " + c.theme());
    } else if (age < 0) {
      bad(index, "unknown-code", "unknown age band " + QuoteText(c.age_band()));
    } else if (channel < 0) {
      bad(index, "unknown-code", "unknown channel " + QuoteText(c.channel()));
    } else if (!c.has_key_sum()) {
      bad(index, "schema",
          "no key_sum: schema 2 (the cell-key method) requires one on every cell; update signaal-node");
    } else if (c.has_open() != c.has_open_key_sum()) {
      bad(index, "schema", "open and open_key_sum come together or not at all");
    } else if (!regional && c.partners_size() > 0) {
      bad(index, "invalid-snapshot", "a node's cell names no partners");
    } else if (c.signals() == 0 || c.signals() > kMaxCellCount || c.persons() > c.signals() || c.persons() == 0 ||
               c.open() > c.signals()) {
      bad(index, "invalid-count",
          "counts out of range (signals " + std::to_string(c.signals()) + ", persons " + std::to_string(c.persons()) +
              (c.has_open() ? ", open " + std::to_string(c.open()) : std::string()) + ")");
    } else if (std::string why = regional ? CheckPartners(c) : ""; !why.empty()) {
      bad(index, "invalid-partners", why);
    } else {
      total_signals += c.signals();
      uint64_t sub = s == themes_.end() ? kNone : s->second.index;
      keys.emplace_back(uint64_t{m->second} << 48 | uint64_t{t->second.index} << 32 | sub << 16 |
                            static_cast<uint64_t>(age) << 8 | static_cast<uint64_t>(channel),
                        index);
    }
  }
  // The first repeat comes before the first bad cell, or it would not have been reached.
  std::sort(keys.begin(), keys.end());
  int repeat_at = -1;
  for (size_t i = 1; i < keys.size(); ++i) {
    if (keys[i].first == keys[i - 1].first && (repeat_at < 0 || keys[i].second < repeat_at)) repeat_at = keys[i].second;
  }
  if (repeat_at >= 0) return Refuse(refusal, "invalid-snapshot", Where(repeat_at) + "the same cell appears twice");
  if (bad_at >= 0) {
    refusal = std::move(first_bad);
    return false;
  }
  if (total_signals > kMaxSnapshotSignals) {
    return Refuse(refusal, "invalid-total",
                  "the cells add up to " + std::to_string(total_signals) + " signals, more than the " +
                      std::to_string(kMaxSnapshotSignals) + " one snapshot may carry");
  }
  return true;
}

}  // namespace signaal::broker
