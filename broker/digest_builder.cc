#include "digest_builder.h"

namespace signaal::broker {
namespace {

void Fill(wire::DigestCell& cell, const CellTotals& t) {
  cell.set_signals(static_cast<uint32_t>(t.signals));
  cell.set_persons(static_cast<uint32_t>(t.persons));
  cell.set_organisations(static_cast<uint32_t>(t.organisations.size()));
}

}  // namespace

Result<wire::Digest> DigestBuilder::Build(const std::string& region, const std::string& period, int64_t now) const {
  const Region* r = ref_.FindRegion(region);
  if (!r) return Status::Usage("unknown region '" + region + "'");
  auto range = ParsePeriod(period);
  if (!range.ok()) return range.status();

  TotalsByCode totals = table_.Aggregate(region, range->Weeks());
  wire::Digest digest;
  digest.set_region(r->code);
  digest.set_region_name(r->name);
  digest.set_period(range->label);
  digest.set_from_week(range->from);
  digest.set_to_week(range->to);
  digest.set_generated_unix(now);
  digest.set_taxonomy_version(ref_.taxonomy_version());

  auto* total = digest.mutable_total();
  total->set_code("");
  total->set_label_nl("Totaal");
  total->set_label_en("Total");
  if (auto it = totals.find(""); it != totals.end()) {
    Fill(*total, it->second);
    digest.set_organisations_total(static_cast<uint32_t>(it->second.organisations.size()));
  }

  // Themes in taxonomy order; only those with signals, so a digest lists what
  // was heard rather than a page of zeros.
  for (const Theme* theme : ref_.TopThemes()) {
    auto it = totals.find(theme->code);
    if (it == totals.end() || it->second.signals == 0) continue;
    auto* cell = digest.add_themes();
    cell->set_code(theme->code);
    cell->set_label_nl(theme->label_nl);
    cell->set_label_en(theme->label_en);
    Fill(*cell, it->second);
    for (const Theme* sub : ref_.SubthemesOf(theme->code)) {
      auto st = totals.find(sub->code);
      if (st == totals.end() || st->second.signals == 0) continue;
      auto* subcell = cell->add_subthemes();
      subcell->set_code(sub->code);
      subcell->set_label_nl(sub->label_nl);
      subcell->set_label_en(sub->label_en);
      Fill(*subcell, st->second);
    }
  }
  policy_.Apply(digest);
  return digest;
}

}  // namespace signaal::broker
