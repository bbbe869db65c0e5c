#include "digest_builder.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>

#include "signaal/digest_render.h"

namespace signaal::broker {
namespace {

void Fill(wire::DigestCell& cell, const CellTotals& t) {
  cell.set_signals(static_cast<uint32_t>(t.signals));
  cell.set_persons(static_cast<uint32_t>(t.persons));
  cell.set_organisations(static_cast<uint32_t>(t.organisations.size()));
}

// The weeks and municipalities a digest covers.
struct Footprint {
  std::vector<std::string> weeks;
  std::vector<std::string> municipalities;
};

bool Intersects(const std::set<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : b) {
    if (a.count(x)) return true;
  }
  return false;
}

// Where every cell a digest can list sits on the table's leaf axis. A leaf is
// a subtheme, or a theme's remainder: its signals without a subtheme (sent
// that way, or generalised by a node's min_cell).
struct LeafAxis {
  std::map<std::string, std::vector<int>> leaves_of;  // "" = all, theme, subtheme
  std::map<std::string, int> remainder_of;            // theme -> its remainder leaf
  std::vector<std::string> codes;                     // "", then each theme and its subthemes
  int size = 0;

  explicit LeafAxis(const ReferenceData& ref) {
    codes.push_back("");
    for (const Theme* theme : ref.TopThemes()) {
      codes.push_back(theme->code);
      int rest = size++;
      remainder_of[theme->code] = rest;
      leaves_of[theme->code].push_back(rest);
      for (const Theme* sub : ref.SubthemesOf(theme->code)) {
        codes.push_back(sub->code);
        leaves_of[sub->code] = {size};
        leaves_of[theme->code].push_back(size++);
      }
    }
    for (int l = 0; l < size; ++l) leaves_of[""].push_back(l);
  }
  int level(const std::string& code) const {
    if (code.empty()) return 2;
    return remainder_of.count(code) ? 1 : 0;
  }
};

// A theme's signals without a subtheme.
uint64_t RemainderOf(const ReferenceData& ref, const TotalsByCode& totals, const std::string& theme) {
  auto it = totals.find(theme);
  if (it == totals.end()) return 0;
  uint64_t rest = it->second.signals;
  for (const Theme* sub : ref.SubthemesOf(theme)) {
    if (auto st = totals.find(sub->code); st != totals.end()) rest -= std::min(rest, st->second.signals);
  }
  return rest;
}

// Groups the items of each footprint's list by the set of footprints that
// contain them: the blocks that overlapping releases cut out, in order.
template <typename Member>
std::vector<std::vector<std::string>> Blocks(const std::vector<Footprint>& prints, Member member) {
  std::map<std::string, std::set<size_t>> holders;
  for (size_t d = 0; d < prints.size(); ++d) {
    for (const auto& item : prints[d].*member) holders[item].insert(d);
  }
  std::map<std::set<size_t>, std::vector<std::string>> grouped;
  for (const auto& [item, who] : holders) grouped[who].push_back(item);
  std::vector<std::vector<std::string>> out;
  for (auto& [who, items] : grouped) out.push_back(std::move(items));
  std::sort(out.begin(), out.end());
  return out;
}

bool Within(const std::vector<std::string>& inner, const std::vector<std::string>& outer) {
  return std::includes(outer.begin(), outer.end(), inner.begin(), inner.end());
}

// The weeks × municipalities whose numbers overlapping releases give away by
// difference without any release listing them: runs of week blocks (a month
// minus its first four weeks) by municipality blocks or a release's own
// municipalities (a sub-region minus a municipality; a region in the one week
// two ranges differ by). Only those inside some release, and not a release's
// own footprint, whose cells are in the table already.
std::set<std::pair<std::vector<std::string>, std::vector<std::string>>> Derivable(
    const std::vector<Footprint>& prints) {
  std::set<std::pair<std::vector<std::string>, std::vector<std::string>>> out;
  if (prints.size() < 2) return out;
  auto week_blocks = Blocks(prints, &Footprint::weeks);
  std::vector<std::vector<std::string>> week_sets, muni_sets = Blocks(prints, &Footprint::municipalities);
  for (size_t i = 0; i < week_blocks.size(); ++i) {
    std::vector<std::string> run;
    for (size_t j = i; j < week_blocks.size(); ++j) {
      run.insert(run.end(), week_blocks[j].begin(), week_blocks[j].end());
      std::sort(run.begin(), run.end());
      week_sets.push_back(run);
    }
  }
  for (const auto& p : prints) muni_sets.push_back(p.municipalities);
  for (auto& m : muni_sets) std::sort(m.begin(), m.end());
  for (const auto& w : week_sets) {
    for (const auto& m : muni_sets) {
      bool inside = false, own = false;
      for (const auto& p : prints) {
        if (!Within(w, p.weeks) || !Within(m, p.municipalities)) continue;
        inside = true;
        own |= w.size() == p.weeks.size() && m.size() == p.municipalities.size();
      }
      if (inside && !own) out.emplace(w, m);
    }
  }
  return out;
}

}  // namespace

Result<wire::Digest> DigestBuilder::Build(const std::string& region, const std::string& period, int64_t now,
                                          const std::vector<wire::Digest>& released, Context context) const {
  const Region* r = ref_.FindRegion(region);
  if (!r) return Status::Usage("unknown region '" + region + "'");
  auto range = ParsePeriod(period);
  if (!range.ok()) return range.status();
  if (range->Weeks().size() > static_cast<size_t>(kMaxPeriodWeeks)) {
    return Status::Usage("period '" + period + "' covers " + std::to_string(range->Weeks().size()) +
                         " weeks; a digest covers at most " + std::to_string(kMaxPeriodWeeks) +
                         " (a quarter): ask for quarters and compare them");
  }
  wire::Digest digest = Assemble(*r, *range, now);
  if (Status s = Protect({&digest}, released); !s.ok()) return s;
  const bool breakdown = r->municipalities.size() > 1;
  if (!breakdown && context == Context::kNone) return digest;
  std::vector<wire::Digest> ledger = released;
  ledger.push_back(digest);
  // The context before the breakdown: each weekly release audited with the
  // period's municipality parts costs a large audit of its own (a quarter of
  // Limburg's 31 took 17 minutes); one audit of the parts after all of the
  // context costs one.
  if (context == Context::kFull) {
    if (Status s = AddContext(digest, *r, *range, now, ledger); !s.ok()) return s;
  }
  if (breakdown) {
    if (Status s = AddMunicipalities(digest, *r, *range, now, ledger); !s.ok()) return s;
  }
  return digest;
}

std::vector<wire::Digest> FlatReleases(const wire::Digest& digest) {
  std::vector<wire::Digest> out;
  wire::Digest own = digest;
  own.clear_municipalities();
  own.clear_weeks();
  own.clear_previous();
  out.push_back(std::move(own));
  out.insert(out.end(), digest.municipalities().begin(), digest.municipalities().end());
  out.insert(out.end(), digest.weeks().begin(), digest.weeks().end());
  if (digest.has_previous()) out.push_back(digest.previous());
  return out;
}

Status DigestBuilder::AddMunicipalities(wire::Digest& digest, const Region& region, const PeriodRange& range,
                                        int64_t now, std::vector<wire::Digest>& released) const {
  // Themes only: subthemes by municipality would be mostly below k, and
  // every hidden cell costs the audit and the reader more hidden cells.
  std::vector<wire::Digest> parts;
  for (const auto& gm : region.municipalities) {
    const Region* m = ref_.FindRegion(gm);
    if (!m) return Status::Runtime("municipality '" + gm + "' of region '" + region.code + "' is not in the reference data");
    parts.push_back(Assemble(*m, range, now));
    parts.back().set_themes_only(true);
    for (auto& theme : *parts.back().mutable_themes()) theme.clear_subthemes();
  }
  // All at once, so one audit decides for every municipality, and a cell
  // one municipality hides can protect another's.
  std::vector<wire::Digest*> fresh;
  for (auto& p : parts) fresh.push_back(&p);
  if (Status s = Protect(fresh, released); !s.ok()) return s;
  std::sort(parts.begin(), parts.end(),
            [](const wire::Digest& a, const wire::Digest& b) { return a.region_name() < b.region_name(); });
  for (auto& p : parts) {
    released.push_back(p);
    *digest.add_municipalities() = std::move(p);
  }
  return Status::Ok();
}

Status DigestBuilder::AddContext(wire::Digest& digest, const Region& region, const PeriodRange& range, int64_t now,
                                 std::vector<wire::Digest>& released) const {
  auto part = [&](const Region& r, const PeriodRange& p) -> Result<wire::Digest> {
    wire::Digest d = Assemble(r, p, now);
    if (Status s = Protect({&d}, released); !s.ok()) return s;
    released.push_back(d);
    return d;
  };
  // The baseline, then the period's weeks the chart shows: a long period's
  // earlier weeks are in its own total already, and every extra release is
  // one more for this audit and every later one (a year's digest would be
  // audited with 64 weekly releases instead of 25).
  std::vector<std::string> weeks;
  for (int i = kBaselineWeeks; i >= 1; --i) weeks.push_back(AddWeeks(range.from, -i));
  std::vector<std::string> own = range.Weeks();
  size_t shown = std::min(own.size(), static_cast<size_t>(kSeriesWeeks));
  weeks.insert(weeks.end(), own.end() - static_cast<std::ptrdiff_t>(shown), own.end());
  for (const auto& w : weeks) {
    auto d = part(region, PeriodRange{w, w, w});
    if (!d.ok()) return d.status();
    *digest.add_weeks() = std::move(*d);
  }
  auto previous = PreviousPeriod(range);
  if (previous.ok()) {
    auto d = part(region, *previous);
    if (!d.ok()) return d.status();
    *digest.mutable_previous() = std::move(*d);
  }
  return Status::Ok();
}

wire::Digest DigestBuilder::Assemble(const Region& r, const PeriodRange& range, int64_t now) const {
  TotalsByCode totals = table_.Aggregate(r.code, range.Weeks());
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
  if (auto it = totals.find(""); it != totals.end()) {
    Fill(*total, it->second);
    digest.set_organisations_total(static_cast<uint32_t>(it->second.organisations.size()));
  }

  // Every theme and subtheme in taxonomy order, zeros too: Protect() drops
  // the zeros it leaves shown, as an unlisted cell is a released zero.
  for (const Theme* theme : ref_.TopThemes()) {
    auto* cell = digest.add_themes();
    cell->set_code(theme->code);
    cell->set_label_nl(theme->label_nl);
    cell->set_label_en(theme->label_en);
    if (auto it = totals.find(theme->code); it != totals.end()) Fill(*cell, it->second);
    for (const Theme* sub : ref_.SubthemesOf(theme->code)) {
      auto* subcell = cell->add_subthemes();
      subcell->set_code(sub->code);
      subcell->set_label_nl(sub->label_nl);
      subcell->set_label_en(sub->label_en);
      if (auto st = totals.find(sub->code); st != totals.end()) Fill(*subcell, st->second);
    }
  }
  return digest;
}

namespace {

// A digest taking part in the audit, with what it covers.
struct Audited {
  const wire::Digest* digest;
  Footprint print;
};

// What a digest covers; nothing for a region no longer in the reference data.
std::optional<Footprint> FootprintOf(const ReferenceData& ref, const wire::Digest& d) {
  const Region* r = ref.FindRegion(d.region());
  if (!r) return std::nullopt;
  Footprint fp{PeriodRange{"", d.from_week(), d.to_week()}.Weeks(), r->municipalities};
  std::sort(fp.municipalities.begin(), fp.municipalities.end());
  return fp;
}

// The new digests first, then every earlier release whose weeks and
// municipalities overlap them, directly or through each other.
std::vector<Audited> Connected(const ReferenceData& ref, std::vector<Audited> fresh,
                               const std::vector<wire::Digest>& released) {
  std::vector<Audited> pending;
  for (const auto& d : released) {
    if (auto fp = FootprintOf(ref, d)) pending.push_back({&d, std::move(*fp)});
  }
  std::set<std::string> weeks, munis;
  for (const auto& f : fresh) {
    weeks.insert(f.print.weeks.begin(), f.print.weeks.end());
    munis.insert(f.print.municipalities.begin(), f.print.municipalities.end());
  }
  std::vector<Audited> out = std::move(fresh);
  for (bool grew = true; grew;) {
    grew = false;
    for (auto it = pending.begin(); it != pending.end();) {
      if (!Intersects(weeks, it->print.weeks) || !Intersects(munis, it->print.municipalities)) {
        ++it;
        continue;
      }
      weeks.insert(it->print.weeks.begin(), it->print.weeks.end());
      munis.insert(it->print.municipalities.begin(), it->print.municipalities.end());
      out.push_back(std::move(*it));
      it = pending.erase(it);
      grew = true;
    }
  }
  return out;
}

// Marks the new digest's hidden cells suppressed with no numbers, drops the
// zeros it leaves shown, and records the policy. `cells`: code -> table index.
void Blank(wire::Digest& digest, const DisclosureTable& table, const std::map<std::string, int>& cells) {
  uint32_t published = 0, suppressed = 0, secondary = 0;
  for (const auto& [code, index] : cells) {
    wire::DigestCell* cell = FindCell(digest, code);
    if (table.cell(index).shown) {
      if (cell->signals() > 0) ++published;
      continue;
    }
    if (table.cell(index).HiddenForOthers()) ++secondary;
    // A suppressed cell carries no number at all, and its organisations
    // count would tell which partner is behind it.
    cell->set_suppressed(true);
    cell->set_signals(0);
    cell->set_persons(0);
    cell->set_organisations(0);
    ++suppressed;
  }
  // A digest lists what was heard rather than a page of zeros.
  auto unlisted = [](const wire::DigestCell& c) {
    return c.signals() == 0 && !c.suppressed() && c.subthemes_size() == 0;
  };
  auto* themes = digest.mutable_themes();
  for (auto& theme : *themes) {
    auto* subs = theme.mutable_subthemes();
    subs->erase(std::remove_if(subs->begin(), subs->end(), unlisted), subs->end());
  }
  themes->erase(std::remove_if(themes->begin(), themes->end(), unlisted), themes->end());
  if (digest.total().suppressed()) digest.set_organisations_total(0);
  digest.mutable_policy()->set_cells_published(published);
  digest.mutable_policy()->set_cells_suppressed(suppressed);
  digest.mutable_policy()->set_cells_secondary(secondary);
}

}  // namespace

// Builds the DisclosureTable of the new digests, the earlier releases they
// connect to and what their overlaps give away; lets the policy choose what
// to hide; blanks the hidden cells of the new digests.
Status DigestBuilder::Protect(const std::vector<wire::Digest*>& fresh, const std::vector<wire::Digest>& released) const {
  std::vector<Audited> own;
  for (wire::Digest* d : fresh) {
    auto print = FootprintOf(ref_, *d);
    if (!print) return Status::Runtime("digest for unknown region '" + d->region() + "'");
    own.push_back({d, std::move(*print)});
  }
  const std::vector<Audited> audited = Connected(ref_, std::move(own), released);

  std::map<std::string, int> week_index, muni_index;
  for (const auto& a : audited) {
    for (const auto& w : a.print.weeks) week_index.emplace(w, 0);
    for (const auto& m : a.print.municipalities) muni_index.emplace(m, 0);
  }
  int n = 0;
  for (auto& [w, i] : week_index) i = n++;
  n = 0;
  for (auto& [m, i] : muni_index) i = n++;
  const LeafAxis leaves(ref_);
  DisclosureTable table(static_cast<int>(week_index.size()), static_cast<int>(muni_index.size()), leaves.size);

  auto frame_of = [&](const std::vector<std::string>& weeks, const std::vector<std::string>& munis) {
    TableCell frame;
    for (const auto& w : weeks) frame.weeks.push_back(week_index.at(w));
    for (const auto& m : munis) frame.municipalities.push_back(muni_index.at(m));
    return frame;
  };
  auto cell_of = [&](TableCell c, const std::string& code, uint64_t signals) {
    c.leaves = leaves.leaves_of.at(code);
    c.level = leaves.level(code);
    c.signals = signals;
    return c;
  };
  auto sensitive = [&](const CellTotals& t) {
    return policy_.PrimarySuppressed(t.signals, t.persons, t.organisations.size());
  };
  // The remainders: never listed, derivable when a theme and all its
  // subthemes are shown, so protected like any cell when small.
  auto add_small_remainders = [&](const TableCell& frame, const TotalsByCode& totals) {
    for (const auto& [theme, leaf] : leaves.remainder_of) {
      uint64_t rest = RemainderOf(ref_, totals, theme);
      if (rest == 0 || rest >= policy_.k()) continue;
      TableCell c = frame;
      c.leaves = {leaf};
      c.signals = rest;
      c.sensitive = true;
      table.Add(std::move(c));
    }
  };

  std::vector<std::map<std::string, int>> new_cells(fresh.size());  // per new digest: code -> table index
  for (size_t a = 0; a < audited.size(); ++a) {
    const auto& [rel, print] = audited[a];
    const bool is_new = a < fresh.size();
    TableCell frame = frame_of(print.weeks, print.municipalities);
    frame.settled = !is_new;
    // Values as the table holds them now; an earlier release whose number has
    // changed since (late signals, erasure) no longer constrains this table.
    TotalsByCode now = table_.AggregateIn({print.municipalities.begin(), print.municipalities.end()}, print.weeks);
    for (const auto& code : leaves.codes) {
      if (rel->themes_only() && leaves.level(code) == 0) continue;  // not listed, so not a zero either
      auto it = now.find(code);
      TableCell c = cell_of(frame, code, it == now.end() ? 0 : it->second.signals);
      if (is_new) {
        c.in_digest = true;
        c.sensitive = it != now.end() && sensitive(it->second);
        c.shown = !c.sensitive;
        new_cells[a][code] = table.Add(std::move(c));
        continue;
      }
      const wire::DigestCell* was = FindCell(*rel, code);
      c.in_digest = was && was->suppressed();
      if (!c.in_digest) c.shown = (was ? was->signals() : 0) == c.signals;
      table.Add(std::move(c));
    }
    add_small_remainders(frame, now);
  }

  // Differencing: releases that overlap tell the numbers of the weeks and
  // municipalities where they differ (a month minus its first four weeks is
  // its last week; a sub-region minus a municipality is the rest). Each such
  // set is a cell some later digest could list, so its sensitive cells are
  // protected now, before anything narrows them.
  std::vector<Footprint> prints;
  for (const auto& a : audited) prints.push_back(a.print);
  for (const auto& [weeks, munis] : Derivable(prints)) {
    TotalsByCode totals = table_.AggregateIn({munis.begin(), munis.end()}, weeks);
    TableCell frame = frame_of(weeks, munis);
    frame.sensitive = true;
    for (const auto& code : leaves.codes) {
      auto it = totals.find(code);
      if (it != totals.end() && sensitive(it->second)) table.Add(cell_of(frame, code, it->second.signals));
    }
    add_small_remainders(frame, totals);
  }

  auto outcome = policy_.Protect(table);
  if (!outcome.ok()) return outcome.status();
  if (outcome->unprotectable > 0) {
    // Earlier releases already pin these; nothing in this digest can help.
    spdlog::warn("digest {} {}: {} hidden cells were already pinned narrower than k by earlier digests",
                 fresh.front()->region(), fresh.front()->period(), outcome->unprotectable);
  }
  for (size_t i = 0; i < fresh.size(); ++i) {
    wire::Digest& digest = *fresh[i];
    Blank(digest, table, new_cells[i]);
    auto* policy = digest.mutable_policy();
    policy->set_k(policy_.k());
    policy->set_min_organisations(policy_.min_organisations());
    policy->set_method(DisclosurePolicy::method());
    policy->set_earlier_digests_audited(static_cast<uint32_t>(audited.size() - fresh.size()));
  }
  return Status::Ok();
}

}  // namespace signaal::broker
