// Saturating arithmetic for counts (signals, persons, organisations): a sum
// that would pass the largest value of its type stays at that value instead
// of wrapping round to a small number. A count that wrapped would publish a
// small, believable and wrong number (issue 15, finding 6); one that sticks
// at the maximum is visibly wrong and never smaller than the truth.
//
// Key sums of the cell-key method are not counts: they add mod 2^32 on
// purpose and must keep wrapping. Do not use these for them.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

namespace signaal {

// a + b, or the largest T when that does not fit.
template <typename T>
constexpr T SaturatingAdd(T a, T b) {
  static_assert(std::is_unsigned_v<T>, "counts are unsigned");
  T sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<T>::max() : sum;
}

// Adds `b` to `a` in place, saturating; for accumulators.
template <typename T, typename U>
constexpr void SaturatingAddTo(T& a, U b) {
  static_assert(std::is_unsigned_v<T> && std::is_unsigned_v<U>, "counts are unsigned");
  T sum = 0;
  a = __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<T>::max() : sum;
}

// A wider count in a narrower type: the largest T when it does not fit.
template <typename T, typename U>
constexpr T SaturatingCast(U v) {
  static_assert(std::is_unsigned_v<T> && std::is_unsigned_v<U>, "counts are unsigned");
  return v > std::numeric_limits<T>::max() ? std::numeric_limits<T>::max() : static_cast<T>(v);
}

}  // namespace signaal
