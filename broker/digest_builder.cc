#include "digest_builder.h"

#include <algorithm>
#include <map>
#include <set>

#include "signaal/keys.h"
#include "signaal/saturating.h"

namespace signaal::broker {
namespace {

// The weeks the series shows: the baseline, then the period's last weeks (a
// long period's earlier weeks are in its own total already).
std::vector<std::string> SeriesWeeks(const PeriodRange& range) {
  std::vector<std::string> weeks;
  for (int i = DigestBuilder::kBaselineWeeks; i >= 1; --i) weeks.push_back(AddWeeks(range.from, -i));
  std::vector<std::string> own = range.Weeks();
  size_t shown = std::min(own.size(), static_cast<size_t>(DigestBuilder::kSeriesWeeks));
  weeks.insert(weeks.end(), own.end() - static_cast<std::ptrdiff_t>(shown), own.end());
  return weeks;
}

// A digest lists what was heard rather than a page of zeros: a cell
// published as 0 is not listed (a reader cannot tell a true zero from a
// small count published as zero, and need not).
bool Unlisted(const wire::DigestCell& c) { return c.signals() == 0 && !c.suppressed() && c.subthemes_size() == 0; }

bool Abandoned(const std::atomic<bool>* abandon) { return abandon && abandon->load(std::memory_order_relaxed); }
const Status kAbandoned = Status::Runtime("the digest was abandoned before it was built");

}  // namespace

std::vector<std::string> DigestBuilder::WeeksRead(const PeriodRange& range, Context context) {
  std::vector<std::string> weeks = range.Weeks();
  if (context == Context::kFull) {
    for (auto& w : SeriesWeeks(range)) weeks.push_back(std::move(w));
    if (auto previous = PreviousPeriod(range); previous.ok()) {
      for (auto& w : previous->Weeks()) weeks.push_back(std::move(w));
    }
  }
  std::sort(weeks.begin(), weeks.end());
  weeks.erase(std::unique(weeks.begin(), weeks.end()), weeks.end());
  return weeks;
}

Result<wire::Digest> DigestBuilder::Build(const std::string& region, const std::string& period, int64_t now,
                                          Context context, const std::atomic<bool>* abandon) const {
  const Region* r = ref_.FindRegion(region);
  if (!r) return Status::Usage("unknown region '" + region + "'");
  auto range = ParsePeriod(period);  // at most kMaxPeriodWeeks: a year
  if (!range.ok()) return range.status();
  const std::vector<std::string> own = range->Weeks();
  const ThemeTable::Grid grid = table_.ReadGrid(r->municipalities, WeeksRead(*range, context));
  if (Abandoned(abandon)) return kAbandoned;
  wire::Digest digest = Assemble(*r, *range, grid.Sum(own, r->municipalities), now);
  if (context == Context::kFull) {
    for (const auto& w : SeriesWeeks(*range)) {
      if (Abandoned(abandon)) return kAbandoned;
      *digest.add_weeks() = Assemble(*r, PeriodRange{w, w, w}, grid.Sum({w}, r->municipalities), now);
    }
    if (auto previous = PreviousPeriod(*range); previous.ok()) {
      *digest.mutable_previous() = Assemble(*r, *previous, grid.Sum(previous->Weeks(), r->municipalities), now);
    }
  }
  AddQuotes(digest, *r, own);
  if (r->municipalities.size() > 1) {
    // Themes only: subthemes by municipality would be mostly below k.
    std::vector<wire::Digest> parts;
    for (const auto& gm : r->municipalities) {
      if (Abandoned(abandon)) return kAbandoned;
      const Region* m = ref_.FindRegion(gm);
      if (!m) return Status::Runtime("municipality '" + gm + "' of region '" + r->code + "' is not in the reference data");
      CountsByCode totals = grid.Sum(own, {gm});
      for (auto it = totals.begin(); it != totals.end();) {
        const Theme* t = it->first.empty() ? nullptr : ref_.FindTheme(it->first);
        it = t && !t->parent.empty() ? totals.erase(it) : std::next(it);
      }
      parts.push_back(Assemble(*m, *range, totals, now));
      parts.back().set_themes_only(true);
    }
    std::sort(parts.begin(), parts.end(),
              [](const wire::Digest& a, const wire::Digest& b) { return a.region_name() < b.region_name(); });
    for (auto& p : parts) *digest.add_municipalities() = std::move(p);
  }
  return digest;
}

void DigestBuilder::AddQuotes(wire::Digest& digest, const Region& region, const std::vector<std::string>& weeks) const {
  std::vector<ThemeTable::HeldQuote> held = table_.QuotesIn(region.municipalities, weeks);
  if (held.empty()) return;
  // Only beside a number the digest shows: a theme not suppressed, with
  // signals, from at least min_organisations partners (which Publish
  // guarantees for a shown cell; said again here so it cannot drift).
  std::map<std::string, std::vector<std::pair<std::string, const ThemeTable::HeldQuote*>>> candidates;
  for (const auto& h : held) candidates[h.quote.theme()];
  for (const auto& theme : digest.themes()) {
    auto c = candidates.find(theme.code());
    if (c == candidates.end() || theme.suppressed() || theme.signals() == 0 ||
        theme.organisations() < policy_.min_organisations()) {
      continue;
    }
    for (const auto& h : held) {
      if (h.quote.theme() != theme.code()) continue;
      // Ordered by a hash of the digest and the quote: the same digest
      // shows the same quotes, and no partner's are always first.
      c->second.emplace_back(Sha256Hex(digest.region() + "|" + digest.period() + "|" + h.node + "|" + h.quote.id()), &h);
    }
    std::sort(c->second.begin(), c->second.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < c->second.size() && i < static_cast<size_t>(kQuotesPerTheme); ++i) {
      const ThemeTable::HeldQuote& h = *c->second[i].second;
      auto* q = digest.add_quotes();
      q->set_text(h.quote.text());
      q->set_theme(theme.code());
      q->set_theme_label_nl(theme.label_nl());
      q->set_theme_label_en(theme.label_en());
      q->set_week(h.week);
    }
  }
}

void DigestBuilder::Publish(wire::DigestCell& cell, const CountsByCode& counts, const std::string& code,
                            bool with_open) const {
  auto it = counts.find(code);
  if (it == counts.end()) return;
  const CellCounts& t = it->second;
  DisclosurePolicy::Shown shown = policy_.Publish(t.signals, t.persons, t.organisations, t.key);
  if (shown.suppressed) {
    // A suppressed cell carries no number at all, and its organisations
    // count would tell which partner is behind it.
    cell.set_suppressed(true);
    return;
  }
  // The wire carries 32 bits: a larger total shows as the largest, never wrapped.
  cell.set_signals(SaturatingCast<uint32_t>(shown.signals));
  cell.set_persons(SaturatingCast<uint32_t>(shown.persons));
  if (shown.signals > 0) cell.set_organisations(t.organisations);
  if (!with_open || !t.open_known || shown.signals == 0) return;
  // The share still open: the cell's open signals and the rest, each a cell
  // of its own under the cell-key method (the rest's key is what the open
  // ones leave of the cell's key).
  auto split = policy_.PublishSplit({t.open, t.open_key, t.open_organisations},
                                    {t.signals - t.open, t.key - t.open_key, t.dealt_with_organisations});
  if (split.suppressed) {
    cell.set_open_suppressed(true);
  } else if (split.first + split.second > 0) {
    cell.set_open(SaturatingCast<uint32_t>(split.first));
    cell.set_dealt_with(SaturatingCast<uint32_t>(split.second));
  }
}

wire::Digest DigestBuilder::Assemble(const Region& r, const PeriodRange& range, const CountsByCode& totals,
                                     int64_t now) const {
  wire::Digest digest;
  digest.set_region(r.code);
  digest.set_region_name(r.name);
  digest.set_period(range.label);
  digest.set_from_week(range.from);
  digest.set_to_week(range.to);
  digest.set_generated_unix(now);
  digest.set_taxonomy_version(ref_.taxonomy_version());

  auto* total = digest.mutable_total();
  total->set_code("");
  total->set_label_nl("Totaal");
  total->set_label_en("Total");
  Publish(*total, totals, "", true);
  digest.set_organisations_total(total->organisations());

  uint32_t published = total->signals() > 0 ? 1 : 0, suppressed = total->suppressed() ? 1 : 0;
  for (const Theme* theme : ref_.TopThemes()) {
    wire::DigestCell cell;
    cell.set_code(theme->code);
    cell.set_label_nl(theme->label_nl);
    cell.set_label_en(theme->label_en);
    Publish(cell, totals, theme->code, true);
    for (const Theme* sub : ref_.SubthemesOf(theme->code)) {
      wire::DigestCell subcell;
      subcell.set_code(sub->code);
      subcell.set_label_nl(sub->label_nl);
      subcell.set_label_en(sub->label_en);
      Publish(subcell, totals, sub->code, false);
      if (Unlisted(subcell)) continue;
      (subcell.suppressed() ? suppressed : published)++;
      *cell.add_subthemes() = std::move(subcell);
    }
    if (Unlisted(cell)) continue;
    if (cell.suppressed()) {
      ++suppressed;
    } else if (cell.signals() > 0) {
      ++published;
    }
    *digest.add_themes() = std::move(cell);
  }
  auto* policy = digest.mutable_policy();
  policy->set_k(policy_.k());
  policy->set_min_organisations(policy_.min_organisations());
  policy->set_method(DisclosurePolicy::method());
  policy->set_max_deviation(policy_.ptable().max_deviation());
  policy->set_variance(policy_.ptable().variance());
  policy->set_cells_published(published);
  policy->set_cells_suppressed(suppressed);
  return digest;
}

}  // namespace signaal::broker
