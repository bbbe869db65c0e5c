#include "signaal/numbers.h"

#include <charconv>

namespace signaal {

namespace {

template <typename T>
Result<T> ParseDecimal(std::string_view text, const std::string& what) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    // The bytes themselves stay out of the message: damaged, they may be anything.
    return Status::Runtime(what + " is not a number (" + std::to_string(text.size()) + " bytes)");
  }
  return value;
}

}  // namespace

Result<uint64_t> ParseUint64(std::string_view text, const std::string& what) {
  return ParseDecimal<uint64_t>(text, what);
}

Result<int64_t> ParseInt64(std::string_view text, const std::string& what) {
  return ParseDecimal<int64_t>(text, what);
}

}  // namespace signaal
