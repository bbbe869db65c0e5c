// The node's record keys (cell-key method): a function of the node secret and
// the signal id only, so stable across reopening and different under another
// secret; unrelated to the pseudonyms; and uniform enough over [0, 2^32)
// that a cell's key sum is a uniform key.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "record_key.h"
#include "signal_store.h"
#include "signaal/keys.h"
#include "signaal/rocks.h"
#include "unit_support.h"

namespace signaal::node {
namespace {

using Folder = test::TempFolder;

std::string Id(int n) {
  std::string digits = std::to_string(n);
  return "S" + std::string(digits.size() < 7 ? 7 - digits.size() : 0, '0') + digits;
}

ValidatedSignal Signal(int day) {
  ValidatedSignal v;
  v.record.set_period("2026-W41");
  v.record.set_date("2026-10-0" + std::to_string(5 + day % 3));
  v.record.set_municipality("GM0917");
  v.record.set_theme("werk");
  v.record.set_status("open");
  return v;
}

TEST(RecordKeys, StableAcrossReopeningAndDifferentUnderAnotherSecret) {
  Folder a, b;
  std::vector<std::string> ids;
  std::vector<uint32_t> keys;
  {
    auto store = std::move(*SignalStore::Open(a.path(), "secret A", std::string(32, 'k')));
    std::vector<ValidatedSignal> batch;
    for (int i = 0; i < 50; ++i) batch.push_back(Signal(i));
    auto added = store->Add(batch, 1);
    ASSERT_TRUE(added.ok());
    for (const auto& s : *added) {
      ids.push_back(s.id());
      keys.push_back(*store->RecordKey(s.id()));
      EXPECT_EQ(keys.back(), *RecordKey("secret A", s.id()));  // keyed once == one-shot
    }
  }
  auto reopened = std::move(*SignalStore::Open(a.path(), "secret A", std::string(32, 'k')));
  auto other = std::move(*SignalStore::Open(b.path(), "secret B", std::string(32, 'k')));
  int same_under_b = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(*reopened->RecordKey(ids[i]), keys[i]) << ids[i];
    if (*other->RecordKey(ids[i]) == keys[i]) ++same_under_b;
  }
  EXPECT_EQ(same_under_b, 0);  // 50 chances in 2^32 each
  // The keys are derived, not stored: no signal's row holds its key (in
  // either byte order), so erasing the row erases the key.
  reopened.reset();
  auto db = OpenRocksDb(a.path(), "the test store");
  ASSERT_TRUE(db.ok());
  std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator(rocksdb::ReadOptions()));
  size_t rows = 0;
  for (it->Seek("sig/"); it->Valid() && it->key().starts_with("sig/"); it->Next(), ++rows) {
    storage::StoredSignal s;
    ASSERT_TRUE(s.ParseFromString(it->value().ToString()));
    uint32_t key = keys[static_cast<size_t>(std::find(ids.begin(), ids.end(), s.id()) - ids.begin())];
    std::string be, le;
    for (int i = 0; i < 4; ++i) {
      be += static_cast<char>(key >> (24 - 8 * i));
      le += static_cast<char>(key >> (8 * i));
    }
    EXPECT_EQ(it->value().ToString().find(be), std::string::npos) << s.id();
    EXPECT_EQ(it->value().ToString().find(le), std::string::npos) << s.id();
    EXPECT_EQ(it->value().ToString().find(std::to_string(key)), std::string::npos) << s.id();
  }
  EXPECT_EQ(rows, ids.size());
}

// Domain separation: a record key is not the first bytes of the pseudonym
// HMAC (under the secret itself) of the same string.
TEST(RecordKeys, AreNotThePseudonymHmac) {
  int equal = 0;
  for (int n = 1; n <= 200; ++n) {
    std::string mac = HmacSha256("secret", Id(n));
    const auto* b = reinterpret_cast<const unsigned char*>(mac.data());
    uint32_t plain = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
    if (plain == *RecordKey("secret", Id(n))) ++equal;
  }
  EXPECT_EQ(equal, 0);
}

// 20,000 consecutive ids (as the store gives them): every bit is set about
// half the time, and the top and bottom bytes fall evenly in 256 bins
// (chi-square, 255 degrees of freedom: mean 255, sd 22.6; the bound is over
// 8 sd out, so the test fails only for keys that are plainly not uniform).
TEST(RecordKeys, LookUniform) {
  constexpr int kIds = 20000;
  auto keys = RecordKeys::Create("a node secret");
  ASSERT_TRUE(keys.ok());
  std::array<int, 32> bits{};
  std::array<int, 256> top{}, bottom{};
  for (int n = 1; n <= kIds; ++n) {
    auto key = keys->Of(Id(n));
    ASSERT_TRUE(key.ok());
    for (int b = 0; b < 32; ++b) bits[static_cast<size_t>(b)] += (*key >> b) & 1;
    ++top[*key >> 24];
    ++bottom[*key & 0xFF];
  }
  // sd of a bit count is sqrt(20000/4) = 70.7; 6 sd is 424.
  for (int b = 0; b < 32; ++b) {
    EXPECT_NEAR(bits[static_cast<size_t>(b)], kIds / 2, 425) << "bit " << b;
  }
  auto chi_square = [&](const std::array<int, 256>& bins) {
    double expected = kIds / 256.0, chi = 0;
    for (int count : bins) chi += (count - expected) * (count - expected) / expected;
    return chi;
  };
  EXPECT_LT(chi_square(top), 440.0);
  EXPECT_LT(chi_square(bottom), 440.0);
  // And the check can fail: the ids' own digits are far from uniform.
  std::array<int, 256> digits{};
  for (int n = 1; n <= kIds; ++n) ++digits[static_cast<unsigned char>(Id(n).back()) * 7 % 256];
  EXPECT_GT(chi_square(digits), 440.0);
}

}  // namespace
}  // namespace signaal::node
