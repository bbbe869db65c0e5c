#include "aggregates.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <string_view>

#include "signaal/log.h"
#include "signaal/rocks.h"

namespace signaal::node {
namespace {

// Codes never hold these, but a cell key must split back into its fields and
// end before the pseudonym whatever a field holds.
void AppendField(std::string& out, const std::string& field) {
  static const char* hex = "0123456789ABCDEF";
  size_t from = 0;
  for (size_t at; (at = field.find_first_of("%|/", from)) != std::string::npos; from = at + 1) {
    out.append(field, from, at - from);
    char c = field[at];
    out += '%';
    out += hex[(static_cast<unsigned char>(c) >> 4) & 0xF];
    out += hex[static_cast<unsigned char>(c) & 0xF];
  }
  out.append(field, from, std::string::npos);
}

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      unsigned v = 0;
      std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void AppendCellKey(std::string& out, const std::string& m, const std::string& t, const std::string& s,
                   const std::string& a, const std::string& c) {
  AppendField(out, m);
  out += '|';
  AppendField(out, t);
  out += '|';
  AppendField(out, s);
  out += '|';
  AppendField(out, a);
  out += '|';
  AppendField(out, c);
}

std::string CellKey(const std::string& m, const std::string& t, const std::string& s, const std::string& a,
                    const std::string& c) {
  std::string out;
  out.reserve(m.size() + t.size() + s.size() + a.size() + c.size() + 4);
  AppendCellKey(out, m, t, s, a, c);
  return out;
}

// CellOf into `out`, reusing its storage.
void AppendCellOf(std::string& out, const storage::StoredSignal& s) {
  out.append(s.period()).append("/");
  AppendCellKey(out, s.municipality(), s.theme(), s.subtheme(), s.age_band(), s.channel());
}

uint64_t ToUint(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

struct Counts {
  int64_t signals = 0, anonymous = 0, distinct = 0;
  uint32_t key_sum = 0;
  int64_t open = 0;
  uint32_t open_key_sum = 0;
};

// A value without all six fields (before format 6, or damaged) reads as an
// empty cell; the migrations rebuild agg/ rather than reading old values.
Counts ParseCounts(std::string_view v) {
  Counts c;
  std::string_view field[6];
  size_t from = 0;
  for (size_t i = 0; i < 6; ++i) {
    size_t comma = i < 5 ? v.find(',', from) : v.size();
    if (comma == std::string_view::npos) return c;
    field[i] = v.substr(from, comma - from);
    from = comma + 1;
  }
  c.signals = static_cast<int64_t>(ToUint(field[0]));
  c.anonymous = static_cast<int64_t>(ToUint(field[1]));
  c.distinct = static_cast<int64_t>(ToUint(field[2]));
  c.key_sum = static_cast<uint32_t>(ToUint(field[3]));
  c.open = static_cast<int64_t>(ToUint(field[4]));
  c.open_key_sum = static_cast<uint32_t>(ToUint(field[5]));
  return c;
}

}  // namespace

bool IsOpen(const storage::StoredSignal& s) { return s.status().empty() || s.status() == "open"; }

std::string CellOf(const storage::StoredSignal& s) {
  std::string out;
  AppendCellOf(out, s);
  return out;
}

void AggregateDelta::Count(const storage::StoredSignal& s, uint32_t record_key, int sign) {
  cell_.clear();
  AppendCellOf(cell_, s);
  // A copy of the key only for a cell not seen before.
  auto [it, inserted] = index_.try_emplace(cell_, static_cast<uint32_t>(cells_.size()));
  if (inserted) cells_.push_back(CellDelta{it->first, 0, 0, 0, 0, 0});
  CellDelta& d = cells_[it->second];
  d.signals += sign;
  // Unsigned, so both wrap mod 2^32: an erasure takes back exactly what the add put in.
  d.key_sum = sign > 0 ? d.key_sum + record_key : d.key_sum - record_key;
  if (IsOpen(s)) {
    d.open += sign;
    d.open_key_sum = sign > 0 ? d.open_key_sum + record_key : d.open_key_sum - record_key;
  }
  const std::string& p = s.person_pseudonym();
  if (p.empty()) {
    d.anonymous += sign;
    return;
  }
  persons_.push_back(PersonDelta{it->second, sign, static_cast<uint32_t>(pseudonyms_.size()),
                                 static_cast<uint32_t>(p.size())});
  pseudonyms_ += p;
}

size_t AggregateDelta::BatchBytesHint() const {
  size_t bytes = cells_.size() * 32;
  for (const CellDelta& d : cells_) bytes += d.cell.size();
  for (const PersonDelta& p : persons_) bytes += cells_[p.cell].cell.size() + p.size + 16;
  return bytes;
}

Status AggregateDelta::Apply(rocksdb::DB& db, rocksdb::WriteBatch& batch, Onto onto) const {
  // Person rows first, in key order (MultiGet reads sorted keys best): each
  // person's net change per cell, and whether they came (0 -> n) or went.
  std::vector<uint32_t> rank(cells_.size());
  std::vector<uint32_t> cell_order(cells_.size());  // cells in key order
  for (uint32_t i = 0; i < cell_order.size(); ++i) cell_order[i] = i;
  std::sort(cell_order.begin(), cell_order.end(),
            [&](uint32_t a, uint32_t b) { return cells_[a].cell < cells_[b].cell; });
  for (uint32_t i = 0; i < cell_order.size(); ++i) rank[cell_order[i]] = i;
  auto pseudonym = [&](const PersonDelta& p) { return std::string_view(pseudonyms_).substr(p.offset, p.size); };
  std::vector<uint32_t> order(persons_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const PersonDelta &x = persons_[a], &y = persons_[b];
    if (x.cell != y.cell) return rank[x.cell] < rank[y.cell];
    return pseudonym(x) < pseudonym(y);
  });
  std::vector<int64_t> distinct(cells_.size(), 0);
  constexpr size_t kChunk = 1024;
  std::vector<std::string> keys;
  std::vector<int64_t> deltas;
  std::vector<uint32_t> key_cells;
  auto flush = [&]() -> Status {
    if (keys.empty()) return Status::Ok();
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size(), rocksdb::Status::NotFound());
    if (onto == Onto::kStored) {
      db.MultiGet(rocksdb::ReadOptions(), db.DefaultColumnFamily(), keys.size(), slices.data(), values.data(),
                  statuses.data(), true);
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!statuses[i].ok() && !statuses[i].IsNotFound()) {
        return Status::Runtime("cannot read the aggregates: " + statuses[i].ToString());
      }
      int64_t old = statuses[i].ok() ? static_cast<int64_t>(ToUint(values[i].ToStringView())) : 0;
      int64_t now = old + deltas[i];
      if (now < 0) {
        spdlog::warn("aggregate {} would drop below zero; the store's aggregates disagree with its signals", keys[i]);
        now = 0;
      }
      if (now == 0) {
        batch.Delete(keys[i]);
      } else {
        batch.Put(keys[i], std::to_string(now));
      }
      if (old == 0 && now > 0) ++distinct[key_cells[i]];
      if (old > 0 && now == 0) --distinct[key_cells[i]];
    }
    keys.clear();
    deltas.clear();
    key_cells.clear();
    return Status::Ok();
  };
  for (size_t i = 0; i < order.size();) {
    const PersonDelta& first = persons_[order[i]];
    int64_t net = 0;
    size_t j = i;
    for (; j < order.size(); ++j) {
      const PersonDelta& p = persons_[order[j]];
      if (p.cell != first.cell || pseudonym(p) != pseudonym(first)) break;
      net += p.sign;
    }
    i = j;
    if (net == 0) continue;
    std::string key = "agp/" + cells_[first.cell].cell + "/";
    key += pseudonym(first);
    keys.push_back(std::move(key));
    deltas.push_back(net);
    key_cells.push_back(first.cell);
    if (keys.size() == kChunk) {
      if (Status s = flush(); !s.ok()) return s;
    }
  }
  if (Status s = flush(); !s.ok()) return s;

  // In key order too, as the batch's other puts.
  for (uint32_t c : cell_order) {
    const CellDelta& d = cells_[c];
    if (d.signals == 0 && d.anonymous == 0 && distinct[c] == 0 && d.key_sum == 0 && d.open == 0 &&
        d.open_key_sum == 0) {
      continue;
    }
    std::string key = "agg/" + d.cell, value;
    rocksdb::Status s = onto == Onto::kStored ? db.Get(rocksdb::ReadOptions(), key, &value) : rocksdb::Status::NotFound();
    if (!s.ok() && !s.IsNotFound()) return Status::Runtime("cannot read the aggregates: " + s.ToString());
    Counts n = s.ok() ? ParseCounts(value) : Counts{};
    n.signals += d.signals;
    n.anonymous += d.anonymous;
    n.distinct += distinct[c];
    n.key_sum += d.key_sum;
    n.open += d.open;
    n.open_key_sum += d.open_key_sum;
    if (n.signals < 0 || n.anonymous < 0 || n.distinct < 0 || n.open < 0 || n.open > n.signals) {
      spdlog::warn("aggregate {} would drop below zero or count more open signals than signals; the store's "
                   "aggregates disagree with its signals", key);
    }
    if (n.signals <= 0) {
      batch.Delete(key);
      continue;
    }
    batch.Put(key, std::to_string(n.signals) + "," + std::to_string(std::max<int64_t>(n.anonymous, 0)) + "," +
                       std::to_string(std::max<int64_t>(n.distinct, 0)) + "," + std::to_string(n.key_sum) + "," +
                       std::to_string(std::clamp<int64_t>(n.open, 0, n.signals)) + "," +
                       std::to_string(n.open_key_sum));
  }
  return Status::Ok();
}

WeekAggregates::WeekAggregates(rocksdb::DB& db, std::string period)
    : period_(std::move(period)), it_(db.NewIterator(rocksdb::ReadOptions())) {}

std::vector<CellAggregate> WeekAggregates::Cells() {
  std::string prefix = "agg/" + period_ + "/";
  std::vector<CellAggregate> out;
  auto& it = it_;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key = it->key().ToStringView().substr(prefix.size());
    std::string_view fields[5];
    size_t n = 0;
    for (size_t start = 0; n < 5; ++n) {
      size_t bar = n < 4 ? key.find('|', start) : key.size();
      if (bar == std::string_view::npos) break;
      fields[n] = key.substr(start, bar - start);
      start = bar + 1;
    }
    if (n != 5) continue;
    Counts c = ParseCounts(it->value().ToStringView());
    CellAggregate a;
    a.municipality = Unescape(fields[0]);
    a.theme = Unescape(fields[1]);
    a.subtheme = Unescape(fields[2]);
    a.age_band = Unescape(fields[3]);
    a.channel = Unescape(fields[4]);
    // Stored in 64 bits; a count past 32 bits reads as the largest, never wrapped.
    auto count = [](int64_t v) { return SaturatingCast<uint32_t>(static_cast<uint64_t>(std::max<int64_t>(v, 0))); };
    a.signals = count(c.signals);
    a.anonymous = count(c.anonymous);
    a.distinct = count(c.distinct);
    a.key_sum = c.key_sum;
    a.open = std::min(count(c.open), a.signals);
    a.open_key_sum = c.open_key_sum;
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<std::string> WeekAggregates::Pseudonyms(const CellAggregate& cell) {
  std::string prefix = "agp/" + period_ + "/" +
                       CellKey(cell.municipality, cell.theme, cell.subtheme, cell.age_band, cell.channel) + "/";
  std::vector<std::string> out;
  auto& it = it_;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out.emplace_back(it->key().ToStringView().substr(prefix.size()));
  }
  return out;
}

void DeleteAggregatesBefore(rocksdb::DB& db, rocksdb::WriteBatch& batch, const std::string& oldest_week) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ScanOptions()));
  for (const char* prefix : {"agg/", "agp/"}) {
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().ToStringView().substr(4, 8) >= oldest_week) break;  // keys sort by week
      batch.Delete(it->key());
    }
  }
}

Status BuildAggregates(rocksdb::DB& db, rocksdb::WriteBatch& batch, RecordKeys& keys) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ScanOptions()));
  // Deleted first: the puts below come later in the batch, so they win
  // where a key is both.
  for (const char* prefix : {"agg/", "agp/"}) {
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) batch.Delete(it->key());
    if (!it->status().ok()) return Status::Runtime("cannot read the aggregates: " + it->status().ToString());
  }
  AggregateDelta delta;
  for (it->Seek("sig/"); it->Valid() && it->key().starts_with("sig/"); it->Next()) {
    storage::StoredSignal s;
    if (!s.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
    auto key = keys.Of(s.id());
    if (!key.ok()) return key.status();
    delta.Count(s, *key, +1);
  }
  if (!it->status().ok()) return Status::Runtime("cannot read the signals: " + it->status().ToString());
  return delta.Apply(db, batch, AggregateDelta::Onto::kNothing);
}

}  // namespace signaal::node
