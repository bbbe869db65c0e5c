#include "interval_attacker.h"

#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
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

// The statements over atom groups (columns 1..groups): a statement of one
// group bounds that column, one of several is a row.
struct Model {
  struct Row {
    std::vector<int> cols;
    Interval iv;
  };
  int groups = 0;
  std::vector<Interval> col;            // by column; [0] unused
  std::vector<Row> rows;
  std::vector<std::vector<int>> rows_of;  // by column: the rows it is in
  std::map<Cell, std::vector<int>> groups_of;

  // Interval propagation to a fixed point (or `sweeps`): each row bounds
  // each of its columns by its own bounds less the others' extremes. Every
  // bound it sets follows from the statements, so the neighbourhoods may
  // use them for what lies outside. False when the statements contradict
  // each other.
  bool Propagate(int sweeps) {
    for (int sweep = 0; sweep < sweeps; ++sweep) {
      bool changed = false;
      for (const Row& r : rows) {
        uint64_t min_sum = 0, max_sum = 0;
        int unbounded = 0;
        for (int g : r.cols) {
          min_sum += col[g].lo;
          if (col[g].hi == kUnbounded) {
            ++unbounded;
          } else {
            max_sum += col[g].hi;
          }
        }
        if (min_sum > r.iv.hi || (unbounded == 0 && max_sum < r.iv.lo)) return false;
        for (int g : r.cols) {
          Interval& c = col[g];
          // Others' least sum: min_sum − c.lo; so c ≤ row.hi − that.
          if (r.iv.hi != kUnbounded) {
            uint64_t hi = r.iv.hi - (min_sum - c.lo);
            if (hi < c.hi) {
              c.hi = hi;
              changed = true;
            }
          }
          // Others' greatest sum bounds c from below, when it is finite.
          bool others_bounded = unbounded == 0 || (unbounded == 1 && c.hi == kUnbounded);
          if (others_bounded) {
            uint64_t others = max_sum - (c.hi == kUnbounded ? 0 : c.hi);
            if (r.iv.lo > others && r.iv.lo - others > c.lo) {
              c.lo = r.iv.lo - others;
              changed = true;
            }
          }
          if (c.lo > c.hi) return false;
        }
      }
      if (!changed) break;
    }
    return true;
  }
};

// One linear programme in GLPK, solved from scratch per target.
class Programme {
 public:
  explicit Programme(const AttackParameters& params) : params_(params), lp_(glp_create_prob()) {}
  ~Programme() { glp_delete_prob(lp_); }
  Programme(const Programme&) = delete;
  Programme& operator=(const Programme&) = delete;

  void AddColumns(const std::vector<Interval>& bounds) {
    glp_add_cols(lp_, static_cast<int>(bounds.size()));
    for (size_t j = 0; j < bounds.size(); ++j) {
      int col = static_cast<int>(j) + 1;
      SetBounds(false, col, bounds[j]);
      glp_set_col_kind(lp_, col, GLP_IV);
    }
  }
  // `lo` may be negative: a relaxed row whose outside part can exceed its bound.
  void AddRow(const std::vector<int>& cols, int64_t lo, uint64_t hi) {
    int row = glp_add_rows(lp_, 1);
    std::vector<int> ind{0};
    ind.insert(ind.end(), cols.begin(), cols.end());
    std::vector<double> val(ind.size(), 1.0);
    glp_set_mat_row(lp_, row, static_cast<int>(cols.size()), ind.data(), val.data());
    bool has_lo = lo > 0, has_hi = hi != kUnbounded;
    int type = GLP_FR;
    if (has_lo && has_hi) {
      type = static_cast<uint64_t>(lo) == hi ? GLP_FX : GLP_DB;
    } else if (has_lo || has_hi) {
      type = has_lo ? GLP_LO : GLP_UP;
    }
    glp_set_row_bnds(lp_, row, type, has_lo ? static_cast<double>(lo) : 0.0, has_hi ? static_cast<double>(hi) : 0.0);
  }
  int rows() const { return glp_get_num_rows(lp_); }

  // False when the statements contradict each other (or the solve was cut short).
  bool Feasible() {
    glp_set_obj_dir(lp_, GLP_MIN);
    return Simplex() == GLP_OPT;
  }

  struct Answer {
    uint64_t lo = 0, hi = kUnbounded;
    bool mip = false, limited = false;
  };
  // The tightest integer bounds on the sum of `cols` (1-based), within `outer`.
  Answer Bound(const std::vector<int>& cols, Interval outer, AttackSummary& summary) {
    for (int j : cols) glp_set_obj_coef(lp_, j, 1.0);
    Answer a{outer.lo, outer.hi};
    bool fractional[2] = {false, false};
    std::optional<double> lo = Optimise(GLP_MIN, a, fractional[0], summary);
    std::optional<double> hi = Optimise(GLP_MAX, a, fractional[1], summary);
    // The relaxation's optimum, rounded inwards, bounds the integers too.
    if (lo) a.lo = std::max(a.lo, static_cast<uint64_t>(std::max(0.0, std::ceil(*lo - 1e-6))));
    if (hi) a.hi = std::min(a.hi, static_cast<uint64_t>(std::max(0.0, std::floor(*hi + 1e-6))));
    uint64_t possible = a.hi == kUnbounded ? kUnbounded : a.hi - a.lo + 1;
    uint32_t mip_below = params_.mip_below ? params_.mip_below : 2 * params_.k;
    if (possible < mip_below && (fractional[0] || fractional[1])) {
      a.mip = true;
      for (int side = 0; side < 2; ++side) {
        if (!fractional[side]) continue;
        std::optional<double> v = Integer(side == 0 ? GLP_MIN : GLP_MAX, a, summary);
        if (!v) continue;
        if (side == 0) a.lo = std::max(a.lo, static_cast<uint64_t>(std::max(0.0, std::ceil(*v - 1e-6))));
        if (side == 1) a.hi = std::min(a.hi, static_cast<uint64_t>(std::max(0.0, std::floor(*v + 1e-6))));
      }
    }
    return a;
  }

 private:
  void SetBounds(bool row, int i, Interval iv) {
    double lo = static_cast<double>(iv.lo);
    int type = iv.hi == kUnbounded ? GLP_LO : (iv.hi == iv.lo ? GLP_FX : GLP_DB);
    double hi = iv.hi == kUnbounded ? 0.0 : static_cast<double>(std::max(iv.hi, iv.lo));
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
      glp_adv_basis(lp_, 0);
      ret = glp_simplex(lp_, &p);
    }
    if (ret != 0) return -1;
    return glp_get_status(lp_);
  }

  // The LP optimum in one direction; nullopt when unbounded or cut short.
  std::optional<double> Optimise(int direction, Answer& a, bool& fractional, AttackSummary& summary) {
    glp_set_obj_dir(lp_, direction);
    ++summary.lp_solves;
    int status = Simplex();
    if (status == GLP_UNBND) return std::nullopt;
    if (status != GLP_OPT) {
      a.limited = true;
      return std::nullopt;
    }
    for (int j = 1, n = glp_get_num_cols(lp_); j <= n && !fractional; ++j) {
      double v = glp_get_col_prim(lp_, j);
      fractional = std::abs(v - std::round(v)) > 1e-7;
    }
    return glp_get_obj_val(lp_);
  }

  // Branch and bound from this direction's LP optimum: within the time limit
  // the optimum; past it the best bound it had proved, if any.
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
  glp_prob* lp_;
};

// The programme of one target: its neighbourhood's columns, every row that
// touches them with its outside part replaced by that part's propagated
// bounds.
class Neighbourhood {
 public:
  Neighbourhood(const Model& m, uint32_t cap) : m_(m), cap_(cap ? cap : UINT32_MAX), local_(m.groups + 1, 0) {}

  Programme::Answer Bound(const std::vector<int>& target, Interval outer, const AttackParameters& params,
                          AttackSummary& summary) {
    Select(target);
    Programme p(params);
    std::vector<Interval> bounds;
    for (int g : members_) bounds.push_back(m_.col[g]);
    p.AddColumns(bounds);
    ++stamp_;
    std::vector<int> inside;
    for (int g : members_) {
      for (int r : m_.rows_of[g]) {
        if (row_stamp_[r] == stamp_) continue;
        row_stamp_[r] = stamp_;
        const Model::Row& row = m_.rows[r];
        inside.clear();
        uint64_t out_lo = 0, out_hi = 0, in_lo = 0, in_hi = 0;
        bool out_unbounded = false, in_unbounded = false;
        for (int c : row.cols) {
          const Interval& b = m_.col[c];
          if (local_[c]) {
            inside.push_back(local_[c]);
            in_lo += b.lo;
            if (b.hi == kUnbounded) in_unbounded = true; else in_hi += b.hi;
          } else {
            out_lo += b.lo;
            if (b.hi == kUnbounded) out_unbounded = true; else out_hi += b.hi;
          }
        }
        int64_t lo = out_unbounded || row.iv.lo <= out_hi ? 0 : static_cast<int64_t>(row.iv.lo - out_hi);
        uint64_t hi = row.iv.hi == kUnbounded ? kUnbounded : row.iv.hi - std::min(out_lo, row.iv.hi);
        // Implied by the columns' own bounds: adds nothing.
        if (static_cast<uint64_t>(lo) <= in_lo && (hi == kUnbounded || (!in_unbounded && in_hi <= hi))) continue;
        p.AddRow(inside, lo, hi);
      }
    }
    std::vector<int> cols;
    for (int g : target) cols.push_back(local_[g]);
    Programme::Answer a = p.Bound(cols, outer, summary);
    for (int g : members_) local_[g] = 0;
    return a;
  }

 private:
  // The target's columns, then those of the rows touching the neighbourhood,
  // smallest rows first, while they fit under the cap.
  void Select(const std::vector<int>& target) {
    members_.clear();
    if (row_stamp_.empty()) row_stamp_.assign(m_.rows.size(), 0);
    auto add = [&](int g) {
      if (local_[g]) return;
      members_.push_back(g);
      local_[g] = static_cast<int>(members_.size());
    };
    for (int g : target) add(g);
    ++stamp_;
    size_t expanded = 0;
    while (expanded < members_.size() && members_.size() < cap_) {
      std::vector<int> ring;
      for (size_t i = expanded, n = members_.size(); i < n; ++i) {
        for (int r : m_.rows_of[members_[i]]) {
          if (row_stamp_[r] == stamp_) continue;
          row_stamp_[r] = stamp_;
          ring.push_back(r);
        }
      }
      expanded = members_.size();
      std::sort(ring.begin(), ring.end(),
                [&](int a, int b) { return m_.rows[a].cols.size() < m_.rows[b].cols.size(); });
      for (int r : ring) {
        size_t fresh = 0;
        for (int g : m_.rows[r].cols) fresh += local_[g] == 0;
        if (members_.size() + fresh > cap_) break;
        for (int g : m_.rows[r].cols) add(g);
      }
    }
  }

  const Model& m_;
  const uint32_t cap_;
  std::vector<int> local_;  // by column: its place in the neighbourhood (1-based), 0 outside
  std::vector<int> members_;
  std::vector<uint32_t> row_stamp_;
  uint32_t stamp_ = 0;
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
        iv = {1, params.mark_bounded ? params.k - 1 + d_max : kUnbounded};
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
    m.col.assign(m.groups + 1, Interval{});
    m.rows_of.assign(m.groups + 1, {});
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
      if (cols.size() == 1) {
        Interval& c = m.col[cols[0]];
        c = {std::max(c.lo, iv.lo), std::min(c.hi, iv.hi)};
      } else {
        for (int g : cols) m.rows_of[g].push_back(static_cast<int>(m.rows.size()));
        m.rows.push_back({cols, iv});
      }
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
  // start and a binary search finds it. Agreement as propagation sees it: a
  // contradiction it misses leaves some neighbourhoods without a solution,
  // counted as limited.
  constexpr int kSweeps = 30;
  auto build = [&](size_t first) {
    auto model = std::make_unique<Model>(im.Shape(im.Newest(first)));
    bool agree = model->Propagate(kSweeps);
    return std::make_pair(std::move(model), agree);
  };
  size_t first = 0;
  auto [model, agree] = build(0);
  if (!agree) {
    size_t bad = 0, good = im.digests.size() - 1;  // the newest digest alone agrees with itself
    while (good - bad > 1) {
      size_t mid = (bad + good) / 2;
      (build(mid).second ? good : bad) = mid;
    }
    first = good;
    std::tie(model, agree) = build(first);
    if (!agree) return Status::Runtime("the newest digest contradicts itself");
  }
  const std::map<Cell, Interval> statements = im.Newest(first);
  sum.digests_used = static_cast<uint32_t>(im.digests.size() - first);
  for (size_t i = first; i < im.digests.size(); ++i) sum.numbers += static_cast<uint32_t>(im.digests[i].size());
  sum.distinct_cells = static_cast<uint32_t>(model->groups_of.size());
  sum.variables = static_cast<uint32_t>(model->groups);
  sum.constraints = static_cast<uint32_t>(model->rows.size());

  Neighbourhood neighbourhood(*model, im.params.neighbourhood);
  for (const auto& [cell, cols] : model->groups_of) {
    std::optional<uint64_t> t = truth(cell);
    if (!t || *t < 1 || *t >= im.params.k) continue;
    // What propagation alone allows: the statement, within its columns' bounds.
    Interval outer = statements.at(cell);
    uint64_t lo = 0, hi = 0;
    for (int g : cols) {
      lo += model->col[g].lo;
      hi = hi == kUnbounded || model->col[g].hi == kUnbounded ? kUnbounded : hi + model->col[g].hi;
    }
    outer = {std::max(outer.lo, lo), std::min(outer.hi, hi)};
    Programme::Answer a = outer.lo == outer.hi ? Programme::Answer{outer.lo, outer.hi}
                                               : neighbourhood.Bound(cols, outer, im.params, sum);
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
