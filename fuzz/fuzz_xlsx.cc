// Fuzz target: a workbook as `signaal node signal import FILE.xlsx` reads it
// in the CLI (sheets/). First byte even: the rest is the .xlsx file itself
// (written to a scratch file: minizip opens by path), read with small
// limits; odd: the rest is a worksheet's XML, streamed through SheetCsv with
// a fixed shared strings table and date styles — where most of the reading
// is. Either way, what is read keeps one CSV line per sheet row.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "fuzz_common.h"
#include "sheet_csv.h"
#include "xlsx_reader.h"
#include "xml_stream.h"

namespace {

signaal::sheets::XlsxLimits SmallLimits() {
  signaal::sheets::XlsxLimits l;
  l.max_inflated = 8u << 20;
  l.max_part = 1u << 20;
  l.max_shared_strings = 1000;
  l.max_columns = 200;
  l.max_rows = 100000;
  l.max_cell_chars = 1000;
  l.max_csv_bytes = 4u << 20;
  return l;
}

void Check(const std::string& csv, uint32_t rows) {
  size_t lines = 0;
  for (char c : csv) lines += c == '\n';
  if (lines != rows) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signaal;
  fuzz::Quiet();
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) {
    static const fuzz::ScratchDir scratch;  // removed at exit
    static const std::string path = scratch.path() + "/fuzz.xlsx";
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << body;
    }
    auto sheet = sheets::ReadSheetAsCsv(path, "fuzz.xlsx", SmallLimits());
    if (fuzz::Verbose()) std::fprintf(stderr, "  zip: %s\n", sheet.ok() ? "read" : sheet.status().message().c_str());
    if (sheet.ok()) Check(sheet->csv, sheet->rows);
    return 0;
  }
  static const sheets::SharedStrings strings{{"datum", "\"a;b\"", "Heerlen", ""}, {false, false, false, true}};
  static const std::vector<bool> dates = {false, true, false};
  sheets::SheetCsv csv(sheets::SheetContext{"fuzz.xlsx", &strings, &dates, (data[0] & 2) != 0, SmallLimits()});
  sheets::XmlStream xml(csv, "fuzz.xlsx, sheet");
  // Fed in two pieces: a chunk boundary may fall anywhere.
  Status s = xml.Feed(std::string_view(body).substr(0, body.size() / 2));
  if (s.ok()) s = xml.Feed(std::string_view(body).substr(body.size() / 2));
  if (s.ok()) s = xml.Finish();
  if (fuzz::Verbose()) std::fprintf(stderr, "  sheet: %s\n", s.ok() ? "read" : s.message().c_str());
  if (s.ok()) Check(csv.csv(), csv.rows());
  return 0;
}
