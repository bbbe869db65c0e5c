#include "interval_attacker.h"

#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "signaal/period.h"

namespace signaal::attack {

std::string Cell::ToString() const {
  std::string weeks = from_week == to_week ? from_week : from_week + ".." + to_week;
  return region + " " + weeks + " '" + code + "'";
}

namespace {

constexpr uint64_t kUnbounded = UINT64_MAX;

// What one number says about a cell's true count: lo..hi.
struct Interval {
  uint64_t lo = 0;
  uint64_t hi = kUnbounded;
};

struct Statement {
  Cell cell;
  Interval truth;
};

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The integer programme over atom groups, and the solves of one attack.
class Programme {
 public:
  Programme(const AttackParameters& params) : params_(params) {}
  ~Programme() {
    if (lp_) glp_delete_prob(lp_);
  }
  Programme(const Programme&) = delete;
  Programme& operator=(const Programme&) = delete;

  // Rows are lists of groups (1-based columns) with their bounds; a list of
  // one group bounds that group.
  void Build(int groups, const std::vector<std::pair<std::vector<int>, Interval>>& rows) {
    lp_ = glp_create_prob();
    glp_add_cols(lp_, groups);
    std::vector<Interval> col(groups + 1);
    int constraints = 0;
    for (const auto& [cols, iv] : rows) {
      if (cols.size() == 1) {
        col[cols[0]].lo = std::max(col[cols[0]].lo, iv.lo);
        col[cols[0]].hi = std::min(col[cols[0]].hi, iv.hi);
      } else {
        ++constraints;
      }
    }
    for (int j = 1; j <= groups; ++j) {
      SetBounds(/*row=*/false, j, col[j]);
      glp_set_col_kind(lp_, j, GLP_IV);
    }
    if (constraints > 0) glp_add_rows(lp_, constraints);
    int row = 0;
    std::vector<int> ind;
    std::vector<double> val;
    for (const auto& [cols, iv] : rows) {
      if (cols.size() == 1) continue;
      ++row;
      ind.assign(1, 0);
      ind.insert(ind.end(), cols.begin(), cols.end());
      val.assign(ind.size(), 1.0);
      glp_set_mat_row(lp_, row, static_cast<int>(cols.size()), ind.data(), val.data());
      SetBounds(/*row=*/true, row, iv);
    }
    constraints_ = constraints;
  }

  int constraints() const { return constraints_; }

  // False when the statements contradict each other.
  bool Feasible() {
    glp_set_obj_dir(lp_, GLP_MIN);
    return Simplex() == GLP_OPT;
  }

  // The tightest integer bounds on the sum of `cols`.
  struct Answer {
    uint64_t lo = 0, hi = kUnbounded;
    bool mip = false, limited = false;
  };
  Answer Bound(const std::vector<int>& cols, AttackSummary& summary) {
    for (int j : cols) glp_set_obj_coef(lp_, j, 1.0);
    Answer a;
    std::optional<double> lo = Optimise(GLP_MIN, a, summary), hi = Optimise(GLP_MAX, a, summary);
    for (int j : cols) glp_set_obj_coef(lp_, j, 0.0);
    // The LP relaxation's optimum, rounded inwards, bounds the integers too.
    a.lo = lo ? static_cast<uint64_t>(std::max(0.0, std::ceil(*lo - 1e-6))) : 0;
    a.hi = hi ? static_cast<uint64_t>(std::floor(*hi + 1e-6)) : kUnbounded;
    uint64_t possible = a.hi == kUnbounded ? kUnbounded : a.hi - a.lo + 1;
    uint32_t mip_below = params_.mip_below ? params_.mip_below : 2 * params_.k;
    if (possible < mip_below && (fractional_[0] || fractional_[1])) {
      for (int side = 0; side < 2; ++side) {
        if (!fractional_[side]) continue;
        for (int j : cols) glp_set_obj_coef(lp_, j, 1.0);
        std::optional<double> v = Integer(side == 0 ? GLP_MIN : GLP_MAX, a, summary);
        for (int j : cols) glp_set_obj_coef(lp_, j, 0.0);
        if (!v) continue;
        if (side == 0) a.lo = std::max(a.lo, static_cast<uint64_t>(std::max(0.0, std::ceil(*v - 1e-6))));
        if (side == 1) a.hi = std::min(a.hi, static_cast<uint64_t>(std::floor(*v + 1e-6)));
      }
      a.mip = true;
    }
    return a;
  }

 private:
  void SetBounds(bool row, int i, Interval iv) {
    double lo = static_cast<double>(iv.lo);
    int type = iv.hi == kUnbounded ? GLP_LO : (iv.hi == iv.lo ? GLP_FX : GLP_DB);
    double hi = iv.hi == kUnbounded ? 0.0 : static_cast<double>(iv.hi);
    if (iv.hi < iv.lo) hi = lo;  // contradictory: Feasible() reports it through the rows
    if (row) {
      glp_set_row_bnds(lp_, i, type, lo, hi);
    } else {
      glp_set_col_bnds(lp_, i, type, lo, hi);
    }
  }

  int Simplex() {
    glp_smcp p;
    glp_init_smcp(&p);
    p.msg_lev = GLP_MSG_OFF;
    p.it_lim = params_.lp_iterations;
    p.tm_lim = static_cast<int>(params_.lp_seconds * 1000);
    int ret = glp_simplex(lp_, &p);
    if (ret == GLP_EBADB || ret == GLP_ESING || ret == GLP_ECOND) {
      // A basis the branch and bound left behind: start afresh.
      glp_adv_basis(lp_, 0);
      ret = glp_simplex(lp_, &p);
    }
    if (ret != 0) return -1;
    return glp_get_status(lp_);
  }

  // The LP optimum in one direction; nullopt when unbounded or cut short.
  std::optional<double> Optimise(int direction, Answer& a, AttackSummary& summary) {
    glp_set_obj_dir(lp_, direction);
    ++summary.lp_solves;
    int side = direction == GLP_MIN ? 0 : 1;
    fractional_[side] = false;
    int status = Simplex();
    if (status == GLP_UNBND) return std::nullopt;
    if (status != GLP_OPT) {
      a.limited = true;
      return std::nullopt;
    }
    for (int j = 1, n = glp_get_num_cols(lp_); j <= n && !fractional_[side]; ++j) {
      double v = glp_get_col_prim(lp_, j);
      fractional_[side] = std::abs(v - std::round(v)) > 1e-7;
    }
    return glp_get_obj_val(lp_);
  }

  // Branch and bound from the LP optimum just found in the same direction
  // (Simplex() is run again: the other direction's came between). Within the
  // time limit the optimum; past it the best bound branch and bound had proved.
  std::optional<double> Integer(int direction, Answer& a, AttackSummary& summary) {
    glp_set_obj_dir(lp_, direction);
    if (Simplex() != GLP_OPT) return std::nullopt;
    ++summary.mip_solves;
    struct Tracked {
      std::optional<double> bound;
    } tracked;
    glp_iocp p;
    glp_init_iocp(&p);
    p.msg_lev = GLP_MSG_OFF;
    p.tm_lim = static_cast<int>(params_.mip_seconds * 1000);
    p.cb_info = &tracked;
    p.cb_func = [](glp_tree* tree, void* info) {
      int best = glp_ios_best_node(tree);
      if (best != 0) static_cast<Tracked*>(info)->bound = glp_ios_node_bound(tree, best);
    };
    int ret = glp_intopt(lp_, &p);
    if (ret == 0 && glp_mip_status(lp_) == GLP_OPT) return glp_mip_obj_val(lp_);
    a.limited = true;
    return tracked.bound;
  }

  const AttackParameters& params_;
  glp_prob* lp_ = nullptr;
  int constraints_ = 0;
  bool fractional_[2] = {false, false};
};

}  // namespace

struct IntervalAttacker::Impl {
  const ReferenceData& ref;
  AttackParameters params;
  std::vector<std::vector<Statement>> digests;  // release order
  std::map<std::string, std::vector<int>> leaves_of;  // code -> leaves
  int leaves = 0;

  Impl(const ReferenceData& r, AttackParameters p) : ref(r), params(p) {
    std::vector<int> all;
    for (const Theme* theme : ref.TopThemes()) {
      std::vector<int>& mine = leaves_of[theme->code];
      mine.push_back(leaves++);  // the theme's signals without a subtheme
      for (const Theme* sub : ref.SubthemesOf(theme->code)) {
        leaves_of[sub->code] = {leaves};
        mine.push_back(leaves++);
      }
      all.insert(all.end(), mine.begin(), mine.end());
    }
    leaves_of[""] = all;
  }

  Status Read(const wire::Digest& d, std::vector<Statement>& out) const {
    if (!ref.FindRegion(d.region())) return Status::Usage("digest for unknown region '" + d.region() + "'");
    if (!IsValidWeek(d.from_week()) || !IsValidWeek(d.to_week()) || d.to_week() < d.from_week()) {
      return Status::Usage("digest " + d.region() + " " + d.period() + " has no valid weeks");
    }
    std::map<std::string, const wire::DigestCell*> listed{{"", &d.total()}};
    for (const auto& theme : d.themes()) {
      listed[theme.code()] = &theme;
      for (const auto& sub : theme.subthemes()) listed[sub.code()] = &sub;
    }
    const uint64_t d_max = params.max_deviation;
    auto say = [&](const std::string& code) {
      Interval iv;
      auto it = listed.find(code);
      if (it == listed.end() || (!it->second->suppressed() && it->second->signals() == 0)) {
        iv = {0, d_max};  // published as 0
      } else if (it->second->suppressed()) {
        iv = {1, params.min_organisations > 1 ? kUnbounded : params.k - 1 + d_max};
      } else {
        uint64_t v = it->second->signals();
        iv = {v > d_max ? std::max<uint64_t>(1, v - d_max) : 1, v + d_max};
      }
      out.push_back({{d.region(), d.from_week(), d.to_week(), code}, iv});
    };
    say("");
    for (const Theme* theme : ref.TopThemes()) {
      say(theme->code);
      if (d.themes_only()) continue;
      for (const Theme* sub : ref.SubthemesOf(theme->code)) say(sub->code);
    }
    for (const auto& part : d.weeks()) {
      if (Status s = Read(part, out); !s.ok()) return s;
    }
    if (d.has_previous()) {
      if (Status s = Read(d.previous(), out); !s.ok()) return s;
    }
    for (const auto& part : d.municipalities()) {
      if (Status s = Read(part, out); !s.ok()) return s;
    }
    return Status::Ok();
  }

  // Each cell's newest statement among digests[first..].
  std::map<Cell, Interval> Newest(size_t first) const {
    std::map<Cell, Interval> out;
    for (size_t i = first; i < digests.size(); ++i) {
      for (const auto& s : digests[i]) out[s.cell] = s.truth;
    }
    return out;
  }

  // The model of a set of statements: atoms grouped, rows over groups.
  struct Model {
    std::map<Cell, std::vector<int>> groups_of;  // cell -> its columns
    std::vector<std::pair<std::vector<int>, Interval>> rows;
    int groups = 0;
  };

  Model Shape(const std::map<Cell, Interval>& statements) const {
    std::map<std::string, int> week_index, muni_index;
    std::map<std::pair<std::string, std::string>, std::vector<int>> weeks_of;
    std::map<std::string, std::vector<int>> munis_of;
    for (const auto& [cell, iv] : statements) {
      auto& w = weeks_of[{cell.from_week, cell.to_week}];
      if (w.empty()) {
        for (const auto& week : PeriodRange{"", cell.from_week, cell.to_week}.Weeks()) {
          w.push_back(week_index.emplace(week, static_cast<int>(week_index.size())).first->second);
        }
      }
      auto& m = munis_of[cell.region];
      if (m.empty()) {
        for (const auto& gm : ref.FindRegion(cell.region)->municipalities) {
          m.push_back(muni_index.emplace(gm, static_cast<int>(muni_index.size())).first->second);
        }
      }
    }
    const size_t munis = muni_index.size(), atoms = week_index.size() * munis * leaves;
    auto for_atoms = [&](const Cell& cell, auto&& visit) {
      const auto& leaf_list = leaves_of.at(cell.code);
      const auto& muni_list = munis_of.at(cell.region);
      for (int w : weeks_of.at({cell.from_week, cell.to_week})) {
        for (int gm : muni_list) {
          size_t base = (static_cast<size_t>(w) * munis + gm) * leaves;
          for (int l : leaf_list) visit(base + l);
        }
      }
    };
    // An atom's signature is the set of statements it is in; a 128-bit sum
    // of random numbers per statement names it (a collision would merge two
    // groups: at 2^-128 per pair, never).
    std::vector<std::pair<uint64_t, uint64_t>> signature(atoms);
    uint64_t r = 0;
    for (const auto& [cell, iv] : statements) {
      uint64_t a = SplitMix(2 * r + 1), b = SplitMix(2 * r + 2);
      ++r;
      for_atoms(cell, [&](size_t atom) {
        signature[atom].first += a;
        signature[atom].second += b;
      });
    }
    struct PairHash {
      size_t operator()(const std::pair<uint64_t, uint64_t>& p) const { return p.first ^ (p.second * 31); }
    };
    std::unordered_map<std::pair<uint64_t, uint64_t>, int, PairHash> group_of;
    std::vector<int> group(atoms, 0);
    Model m;
    for (size_t atom = 0; atom < atoms; ++atom) {
      if (signature[atom] == std::pair<uint64_t, uint64_t>{0, 0}) continue;  // in no statement
      auto [it, fresh] = group_of.try_emplace(signature[atom], m.groups + 1);
      if (fresh) ++m.groups;
      group[atom] = it->second;
    }
    std::vector<int> stamp(m.groups + 1, -1);
    int row = 0;
    for (const auto& [cell, iv] : statements) {
      std::vector<int> cols;
      for_atoms(cell, [&](size_t atom) {
        int g = group[atom];
        if (stamp[g] != row) {
          stamp[g] = row;
          cols.push_back(g);
        }
      });
      ++row;
      std::sort(cols.begin(), cols.end());
      m.rows.push_back({cols, iv});
      m.groups_of[cell] = std::move(cols);
    }
    return m;
  }
};

IntervalAttacker::IntervalAttacker(const ReferenceData& ref, AttackParameters params)
    : impl_(std::make_unique<Impl>(ref, params)) {}
IntervalAttacker::~IntervalAttacker() = default;

Status IntervalAttacker::Add(const wire::Digest& digest) {
  std::vector<Statement> statements;
  if (Status s = impl_->Read(digest, statements); !s.ok()) return s;
  impl_->digests.push_back(std::move(statements));
  return Status::Ok();
}

std::vector<Cell> IntervalAttacker::Cells() const {
  std::vector<Cell> out;
  for (const auto& [cell, iv] : impl_->Newest(0)) out.push_back(cell);
  return out;
}

Result<AttackReport> IntervalAttacker::Attack(const Truth& truth) {
  const auto started = std::chrono::steady_clock::now();
  const Impl& im = *impl_;
  AttackReport report;
  AttackSummary& sum = report.summary;
  sum.digests = static_cast<uint32_t>(im.digests.size());
  if (im.digests.empty()) return report;

  // The longest run of newest digests whose statements agree: adding an
  // older digest only adds statements, so agreement shrinks with the run's
  // start and a binary search finds it.
  auto build = [&](size_t first) {
    auto statements = im.Newest(first);
    auto model = std::make_unique<Impl::Model>(im.Shape(statements));
    auto programme = std::make_unique<Programme>(im.params);
    programme->Build(model->groups, model->rows);
    return std::make_pair(std::move(model), std::move(programme));
  };
  size_t first = 0;
  auto [model, programme] = build(0);
  if (!programme->Feasible()) {
    size_t bad = 0, good = im.digests.size() - 1;  // the newest digest alone agrees with itself
    while (good - bad > 1) {
      size_t mid = (bad + good) / 2;
      auto trial = build(mid);
      (trial.second->Feasible() ? good : bad) = mid;
    }
    first = good;
    std::tie(model, programme) = build(first);
    if (!programme->Feasible()) return Status::Runtime("the newest digest contradicts itself");
  }
  sum.digests_used = static_cast<uint32_t>(im.digests.size() - first);
  for (size_t i = first; i < im.digests.size(); ++i) sum.numbers += static_cast<uint32_t>(im.digests[i].size());
  sum.distinct_cells = static_cast<uint32_t>(model->groups_of.size());
  sum.variables = static_cast<uint32_t>(model->groups);
  sum.constraints = static_cast<uint32_t>(programme->constraints());

  for (const auto& [cell, cols] : model->groups_of) {
    std::optional<uint64_t> t = truth(cell);
    if (!t || *t < 1 || *t >= im.params.k) continue;
    Programme::Answer a = programme->Bound(cols, sum);
    TargetBounds b{cell, *t, a.lo, a.hi, a.mip, a.limited};
    ++sum.cells_attacked;
    if (a.limited) ++sum.limited;
    if (!b.contains_truth()) {
      ++sum.misled;
    } else {
      if (b.possible() < im.params.k) ++sum.narrowed_below_k;
      if (b.possible() == 1) ++sum.exact;
      sum.narrowest = std::min(sum.narrowest, b.possible());
    }
    report.targets.push_back(std::move(b));
  }
  sum.seconds = Seconds(started);
  return report;
}

}  // namespace signaal::attack
