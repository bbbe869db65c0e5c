// What the spreadsheet tests share: zip files built by hand with minizip's
// zip.h (for what libxlsxwriter never writes: inline strings, cells without
// r=, rich text, the 1904 date system, zip bombs), and the parts of a
// minimal workbook around a sheet's XML.
#pragma once

#include <zip.h>

#include <string>
#include <utility>
#include <vector>

namespace signaal::test {

using ZipEntries = std::vector<std::pair<std::string, std::string>>;

// Writes `entries` to a new zip at `path` (deflated at `level`); false on failure.
inline bool WriteZip(const std::string& path, const ZipEntries& entries, int level = 6) {
  zipFile zf = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
  if (!zf) return false;
  bool ok = true;
  for (const auto& [name, content] : entries) {
    zip_fileinfo info{};
    ok = ok && zipOpenNewFileInZip64(zf, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED, level,
                                     content.size() > 0xffffffffu - 1) == ZIP_OK;
    // Written in pieces: zip.h takes an unsigned length.
    for (size_t at = 0; ok && at < content.size(); at += 1 << 20) {
      const size_t n = std::min<size_t>(1 << 20, content.size() - at);
      ok = zipWriteInFileInZip(zf, content.data() + at, static_cast<unsigned>(n)) == ZIP_OK;
    }
    ok = ok && zipCloseFileInZip(zf) == ZIP_OK;
  }
  return zipClose(zf, nullptr) == ZIP_OK && ok;
}

inline const char* kSheetNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

// A workbook of one sheet, "Blad1", whose <sheetData> holds `rows`; with
// shared strings `shared` (the <si> items) and cell formats `xfs` (numFmtId
// per cellXfs entry) where given, `workbook_pr` inside <workbookPr …/>.
inline ZipEntries MinimalWorkbook(const std::string& rows, const std::vector<std::string>& shared = {},
                                  const std::vector<std::string>& xfs = {}, const std::string& workbook_pr = "",
                                  const std::string& num_fmts = "") {
  const std::string ns = kSheetNs;
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  ZipEntries e;
  e.emplace_back("[Content_Types].xml",
                 "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
  e.emplace_back("_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
                                "2006/relationships\"><Relationship Id=\"rId1\" Type=\"" + rel +
                                    "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
  e.emplace_back("xl/workbook.xml", "<?xml version=\"1.0\"?><workbook xmlns=\"" + ns + "\" xmlns:r=\"" + rel +
                                        "\"><workbookPr " + workbook_pr +
                                        "/><sheets><sheet name=\"Blad1\" sheetId=\"1\" r:id=\"rId7\"/>"
                                        "<sheet name=\"Blad2\" sheetId=\"2\" r:id=\"rId8\"/></sheets></workbook>");
  e.emplace_back("xl/_rels/workbook.xml.rels",
                 "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                 "relationships\"><Relationship Id=\"rId8\" Type=\"" + rel + "/worksheet\" Target=\"worksheets/sheet2.xml\"/>"
                 "<Relationship Id=\"rId7\" Type=\"" + rel + "/worksheet\" Target=\"/xl/worksheets/sheet1.xml\"/>"
                 "<Relationship Id=\"rId9\" Type=\"" + rel + "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
                 "<Relationship Id=\"rId10\" Type=\"" + rel + "/styles\" Target=\"./styles.xml\"/></Relationships>");
  e.emplace_back("xl/worksheets/sheet1.xml",
                 "<?xml version=\"1.0\"?><worksheet xmlns=\"" + ns + "\"><sheetData>" + rows + "</sheetData></worksheet>");
  e.emplace_back("xl/worksheets/sheet2.xml", "<?xml version=\"1.0\"?><worksheet xmlns=\"" + ns +
                                                 "\"><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>other sheet</t>"
                                                 "</is></c></row></sheetData></worksheet>");
  std::string sst = "<?xml version=\"1.0\"?><sst xmlns=\"" + ns + "\">";
  for (const auto& si : shared) sst += "<si>" + si + "</si>";
  e.emplace_back("xl/sharedStrings.xml", sst + "</sst>");
  std::string styles = "<?xml version=\"1.0\"?><styleSheet xmlns=\"" + ns + "\">" + num_fmts +
                       "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs>";
  for (const auto& id : xfs) styles += "<xf numFmtId=\"" + id + "\" xfId=\"0\"/>";
  e.emplace_back("xl/styles.xml", styles + "</cellXfs></styleSheet>");
  return e;
}

}  // namespace signaal::test
