// The small parts of an .xlsx workbook that say how to read its sheet: which
// sheet is first and where it is (xl/workbook.xml and its relationships),
// the 1904 date system, which cell styles show dates (xl/styles.xml), and
// the shared strings table most text cells point into.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signaal/status.h"
#include "zip_archive.h"

namespace signaal::sheets {

// Bounds on what a workbook may make the reader hold or write: it comes from
// outside (a volunteer's laptop, or anyone's mail).
struct XlsxLimits {
  // Inflated bytes of all parts together: a sheet of a million rows and
  // thirteen columns is some 400 MiB of XML.
  uint64_t max_inflated = 1ull << 30;
  // Inflated bytes of one part other than the sheet (shared strings, styles,
  // workbook): each is held in memory.
  uint64_t max_part = 256ull << 20;
  size_t max_shared_strings = 4'000'000;
  uint32_t max_columns = 16'384;    // Excel's own: XFD
  uint32_t max_rows = 1'048'576;    // Excel's own
  size_t max_cell_chars = 32'767;   // Excel's own
  // The CSV must fit one message to the node (kMaxLocalMessage, 256 MiB).
  size_t max_csv_bytes = 255ull << 20;
};

struct WorkbookParts {
  std::string sheet_name;            // as the workbook names it ("Blad1")
  std::string sheet_entry;           // "xl/worksheets/sheet1.xml"
  std::string shared_strings_entry;  // "" when the workbook has none
  std::string styles_entry;          // "" when the workbook has none
  bool date1904 = false;
};

// Finds the sheet called `sheet`, or the first sheet when `sheet` is "".
// `file` names the workbook in errors; a zip that is no workbook (an .ods,
// a .docx) is told so.
Result<WorkbookParts> ReadWorkbookParts(ZipArchive& zip, const std::string& file, const XlsxLimits& limits,
                                        const std::string& sheet = "");

// The shared strings, each as one CSV field (OneLine, quoted where needed),
// and which are longer than a cell may be (named by the first cell that uses
// one).
struct SharedStrings {
  std::vector<std::string> fields;
  std::vector<bool> too_long;
};
Result<SharedStrings> ReadSharedStrings(ZipArchive& zip, const std::string& entry, const std::string& file,
                                        const XlsxLimits& limits);

// By cell style (the `s` of a cell, an index into cellXfs): true when its
// number format shows a date.
Result<std::vector<bool>> ReadDateStyles(ZipArchive& zip, const std::string& entry, const std::string& file,
                                         const XlsxLimits& limits);

// Text as one field of ';'-separated CSV: quoted (quotes doubled) when it
// holds a ';' or a '"'.
void AppendCsvField(std::string& out, std::string_view text);

}  // namespace signaal::sheets
