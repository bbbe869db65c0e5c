// Small text helpers shared by the binaries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace signaal {

// A readable id from a name: lower-case ASCII, common accented letters folded
// ("Cliëntenraad Heerlen" -> "clientenraad-heerlen"), '-' between words.
std::string Slug(const std::string& name);

// Splits on `sep`, trimming spaces, dropping empty parts.
std::vector<std::string> SplitList(const std::string& text, char sep = ',');

// A number as people read it, the shortest form that reads back the same
// ("1", "1.5"); with `comma` the Dutch decimal comma ("1,5"). The variance
// of the cell-key method in digests, the CLI and the privacy officer's pages.
std::string Decimal(double value, bool comma);

// A Unix time through strftime `format`, in UTC or local time; "" for 0.
std::string FormatTime(int64_t unix_seconds, const char* format, bool utc);
// "2026-11-23T10:00:00Z" for a Unix time, "" for 0.
inline std::string IsoTimeUtc(int64_t unix_seconds) { return FormatTime(unix_seconds, "%Y-%m-%dT%H:%M:%SZ", true); }

}  // namespace signaal
