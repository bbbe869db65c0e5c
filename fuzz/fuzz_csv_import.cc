// Fuzz target: a CSV file as `signaal node import` hands it to the node —
// the CSV reader (common/csv) and the row checks against the reference data
// (node/intake), for a helpdesk node on a fixed day.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_common.h"
#include "intake.h"
#include "signaal/period.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  signaal::fuzz::Quiet();
  using namespace signaal;
  static const Date today = DateFromUnix(fuzz::kNow);
  const std::string content(reinterpret_cast<const char*>(data), size);
  auto outcome = node::ParseSignalCsv(content, "fuzz.csv", fuzz::Ref(), "helpdesk", today);
  if (!outcome.ok()) {
    if (fuzz::Verbose()) std::fprintf(stderr, "  refused: %s\n", outcome.status().message().c_str());
    return 0;
  }
  if (fuzz::Verbose()) {
    std::fprintf(stderr, "  %u rows, %zu valid, %zu errors\n", outcome->rows, outcome->valid.size(),
                 outcome->errors.size());
    for (const auto& e : outcome->errors) {
      std::fprintf(stderr, "    line %u %s: %s\n", e.row(), e.field().c_str(), e.message().c_str());
    }
  }
  // Every row is either valid or has an error naming a line of the file.
  if (outcome->valid.size() + outcome->errors.size() != outcome->rows) __builtin_trap();
  for (const auto& e : outcome->errors) {
    if (e.row() < 2) __builtin_trap();
  }
  for (const auto& v : outcome->valid) {
    if (!IsValidWeek(v.record.period())) __builtin_trap();
  }
  return 0;
}
