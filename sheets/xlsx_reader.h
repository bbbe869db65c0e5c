// Reading a volunteer's spreadsheet for `signaal node signal import`: an
// .xlsx workbook's first sheet becomes the ';'-separated CSV text the node
// already imports, so the node never opens a zip file and both kinds of file
// follow the same columns and rules. Sheet row N is CSV line N, so the
// node's "row N" errors name the sheet's rows.
#pragma once

#include <string>

#include "signaal/status.h"
#include "workbook_parts.h"

namespace signaal::sheets {

enum class FileKind { kCsv, kXlsx };

// Tells a workbook from a CSV file by its first bytes (a zip: "PK\3\4") and
// its name. Fails, saying what to do, for what neither import reads: an old
// .xls, a password-protected workbook, an .ods, or a file named .xlsx that
// is no zip (a CSV renamed). `name` is how errors call the file.
Result<FileKind> DetectFileKind(const std::string& path, const std::string& name);

struct SheetText {
  std::string sheet;  // the sheet's name in the workbook
  std::string csv;    // ';'-separated, one line per sheet row, no BOM
  uint32_t rows = 0;  // the last row of the sheet with a <row>
};

// The sheet `sheet` ("" = the first) of the workbook at `path` as CSV: text,
// numbers as Excel shows them in General, dates (a number in a date format,
// either date system) as YYYY-MM-DD, booleans TRUE/FALSE, a formula's cached
// value, text that looks like a formula as text; a line break in a cell
// becomes a space. Every error names `name` and, where one is at fault, the
// cell ("report.xlsx cell C12: …") or row.
Result<SheetText> ReadSheetAsCsv(const std::string& path, const std::string& name, const XlsxLimits& limits = {},
                                 const std::string& sheet = "");

}  // namespace signaal::sheets
