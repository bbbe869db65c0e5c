// A digest as an .xlsx workbook (libxlsxwriter), for the councils that work
// in a spreadsheet: one sheet, the rows and numbers of the digest's CSV
// (DigestToCsv, from which it is made, so the two cannot differ), under a
// bold, frozen Dutch header; counts as numbers, a suppressed cell empty.
// The broker attaches it to the digest mail; the CLI may write it too.
#pragma once

#include <string>

#include "signaal/status.h"
#include "wire.pb.h"

namespace signaal::sheets {

// The sheet's name in the workbook.
inline constexpr const char* kDigestSheet = "Digest";

// The workbook's bytes. Written through a private temporary file (this
// libxlsxwriter writes only to files), removed before returning.
Result<std::string> DigestToXlsx(const wire::Digest& digest);

// The Dutch header of a column of the digest's CSV ("signals" -> "signalen");
// the column's own name when it has none.
std::string DutchDigestColumn(const std::string& csv_column);

}  // namespace signaal::sheets
