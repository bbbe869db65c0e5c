#include "xlsx_reader.h"

#include <fstream>

#include "sheet_csv.h"
#include "xml_stream.h"
#include "zip_archive.h"

namespace signaal::sheets {
namespace {

bool EndsWith(const std::string& name, std::string_view ext) {
  if (name.size() < ext.size()) return false;
  for (size_t i = 0; i < ext.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[name.size() - ext.size() + i])) != ext[i]) return false;
  }
  return true;
}

}  // namespace

Result<FileKind> DetectFileKind(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Usage("cannot read " + name);
  char head[8] = {};
  in.read(head, sizeof head);
  const std::string_view magic(head, static_cast<size_t>(in.gcount()));
  if (magic.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return FileKind::kXlsx;
  // The compound file of Excel 97-2003, and of any workbook saved with a password.
  if (magic == std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
    return Status::Usage(name + ": an Excel 97-2003 workbook (.xls) or one protected by a password; save it as "
                                "Excel workbook (.xlsx) without a password, or as CSV UTF-8");
  }
  if (EndsWith(name, ".xlsx") || EndsWith(name, ".xlsm")) {
    return Status::Usage(name + ": named like an Excel workbook but not one (an .xlsx is a zip file; is it a CSV or "
                                "text file renamed?); give it its real name, e.g. .csv");
  }
  if (EndsWith(name, ".xls") || EndsWith(name, ".ods")) {
    return Status::Usage(name + ": this import reads .xlsx workbooks and CSV files; save it as Excel workbook "
                                "(.xlsx) or as CSV UTF-8");
  }
  return FileKind::kCsv;
}

Result<SheetText> ReadSheetAsCsv(const std::string& path, const std::string& name, const XlsxLimits& limits,
                                 const std::string& sheet) {
  auto zip = ZipArchive::Open(path, name, limits.max_inflated);
  if (!zip.ok()) return zip.status();
  auto parts = ReadWorkbookParts(*zip, name, limits, sheet);
  if (!parts.ok()) return parts.status();
  SharedStrings strings;
  if (!parts->shared_strings_entry.empty() && zip->Has(parts->shared_strings_entry)) {
    auto read = ReadSharedStrings(*zip, parts->shared_strings_entry, name, limits);
    if (!read.ok()) return read.status();
    strings = std::move(*read);
  }
  std::vector<bool> dates;
  if (!parts->styles_entry.empty() && zip->Has(parts->styles_entry)) {
    auto read = ReadDateStyles(*zip, parts->styles_entry, name, limits);
    if (!read.ok()) return read.status();
    dates = std::move(*read);
  }
  SheetCsv csv(SheetContext{name, &strings, &dates, parts->date1904, limits});
  XmlStream xml(csv, name + ", " + parts->sheet_entry);
  Status read = zip->Read(parts->sheet_entry, limits.max_inflated,
                          [&](std::string_view chunk) { return xml.Feed(chunk); });
  if (!read.ok()) return read;
  if (Status done = xml.Finish(); !done.ok()) return done;
  SheetText out;
  out.sheet = parts->sheet_name;
  out.rows = csv.rows();
  out.csv = std::move(csv.csv());
  return out;
}

}  // namespace signaal::sheets
