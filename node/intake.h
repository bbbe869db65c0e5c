// Intake: a signal entered by hand or a whole CSV file, checked against the
// reference data before anything is stored. An import is all or nothing, so
// validation reports every bad row (line number and field) in one pass.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "node_control.pb.h"
#include "node_storage.pb.h"
#include "signaal/period.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::node {

// A checked signal. `record.person_pseudonym` is empty: the store derives it
// from `person_reference`, which is never stored.
struct ValidatedSignal {
  storage::StoredSignal record;
  std::string person_reference;
};

// The longest quote intake and a coordinator's edit take (intake.h's
// check): room to shorten it to the 500 characters that go out, and a bound
// on what the scrubber reads.
inline constexpr size_t kMaxQuoteInputChars = 2000;

struct FieldError {
  std::string field;
  std::string message;
};

// Checks one signal; `default_channel` is the node's type.
std::variant<ValidatedSignal, FieldError> ValidateSignal(const wire::SignalInput& in, const ReferenceData& ref,
                                                         const std::string& default_channel, const Date& today);
// What checking a row works out that repeats from row to row of one file (a
// file has a few hundred dates, each many times): the parsed date with its
// ISO form and week. At most kMaxEntries are kept; the checks against today
// are made per row.
struct IntakeMemo {
  static constexpr size_t kMaxEntries = 4096;
  struct ParsedDate {
    Date date;
    std::string iso, week;
  };
  std::unordered_map<std::string, ParsedDate> dates;
  // A theme and subtheme written as labels, by what was written: a
  // spreadsheet names the same few hundred a million times.
  std::unordered_map<std::string, std::pair<std::string, std::string>> themes;
};

// The same into `out`, reusing its strings (an import checks a million rows);
// `out` is cleared first. Returns the first bad field, or nothing.
std::optional<FieldError> ValidateSignalInto(const wire::SignalInput& in, const ReferenceData& ref,
                                             const std::string& default_channel, const Date& today,
                                             ValidatedSignal& out, IntakeMemo* memo = nullptr);

struct ImportOutcome {
  uint32_t rows = 0;
  std::vector<ValidatedSignal> valid;
  std::vector<wire::RowError> errors;
};

// Parses and checks a CSV file (DESIGN §4). Row problems land in `errors`;
// a file-level problem (no header, a missing required or unknown column,
// bad UTF-8) is the returned Status.
Result<ImportOutcome> ParseSignalCsv(std::string_view content, const std::string& file_name,
                                     const ReferenceData& ref, const std::string& default_channel,
                                     const Date& today);

// The same, handing each valid signal to `on_valid` as its row is checked
// instead of keeping them all in `valid` (an import of a million rows);
// a failing `on_valid` stops the parse with its Status.
Result<ImportOutcome> ParseSignalCsv(std::string_view content, const std::string& file_name,
                                     const ReferenceData& ref, const std::string& default_channel,
                                     const Date& today, const std::function<Status(ValidatedSignal&&)>& on_valid);

}  // namespace signaal::node
