// What is not a workbook, and what is one only to do harm: the import's
// reader (sheets/) against zip bombs, headers that lie, encrypted entries,
// old .xls files, OpenDocument files and CSV files renamed; each refused
// with a sentence naming the file and what to do.
#include <gtest/gtest.h>

#include <fstream>

#include "unit_support.h"
#include "xlsx_reader.h"
#include "xlsx_support.h"
#include "zip_archive.h"

namespace signaal::sheets {
namespace {

using test::MinimalWorkbook;
using test::WriteZip;

class XlsxHostile : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  void WriteFile(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }
  static std::string Message(const Status& s) { return s.ok() ? "(ok)" : s.message(); }
  test::TempFolder dir_;
};

// A sheet that inflates to 64 MiB from some 64 KiB stops at the budget,
// counted on what inflate gives, and the reader holds no more than a chunk.
TEST_F(XlsxHostile, AZipBombStopsAtTheBudgetWhileInflating) {
  auto entries = MinimalWorkbook("");
  std::string bomb = "<?xml version=\"1.0\"?><worksheet><sheetData>";
  bomb += std::string(64u << 20, ' ');
  bomb += "</sheetData></worksheet>";
  for (auto& [name, content] : entries) {
    if (name == "xl/worksheets/sheet1.xml") content = std::move(bomb);
  }
  const std::string path = Path("bomb.xlsx");
  ASSERT_TRUE(WriteZip(path, entries, 9));
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  EXPECT_LT(in.tellg(), 1 << 20);  // a bomb indeed

  XlsxLimits limits;
  limits.max_inflated = 8u << 20;
  auto r = ReadSheetAsCsv(path, "bomb.xlsx", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bomb.xlsx, xl/worksheets/sheet1.xml: unpacks to more than"), std::string::npos)
      << r.status().message();

  // The budget is the archive's, not the entry's: what the small parts took counts.
  auto zip = ZipArchive::Open(path, "bomb.xlsx", 8u << 20);
  ASSERT_TRUE(zip.ok());
  uint64_t seen = 0;
  Status s = zip->Read("xl/worksheets/sheet1.xml", UINT64_MAX, [&](std::string_view chunk) {
    seen += chunk.size();
    return Status::Ok();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_LE(seen, 8u << 20);
  EXPECT_LE(zip->used(), (8u << 20) + (64u << 10));  // never more than one chunk past it
  // The real limit: 1 GiB in all, and one part besides the sheet 256 MiB.
  EXPECT_EQ(XlsxLimits{}.max_inflated, 1ull << 30);
  EXPECT_EQ(XlsxLimits{}.max_part, 256ull << 20);
}

// A header that claims fewer bytes than the entry holds: the entry is cut
// where the header says and its checksum no longer fits. Never read as
// good, never read past.
TEST_F(XlsxHostile, AHeaderThatLiesAboutItsSizeIsDamage) {
  auto entries = MinimalWorkbook("<row r=\"1\"><c t=\"inlineStr\"><is><t>" + std::string(5000, 'z') +
                                 "</t></is></c></row>");
  const std::string path = Path("liar.xlsx");
  ASSERT_TRUE(WriteZip(path, entries));
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Each header naming the sheet gets an uncompressed size of 100: local
  // headers at +22, central directory entries at +24.
  const std::string name = "xl/worksheets/sheet1.xml";
  for (auto [sig, name_at, size_at] : {std::tuple<std::string, size_t, size_t>{"PK\x03\x04", 30, 22},
                                       std::tuple<std::string, size_t, size_t>{"PK\x01\x02", 46, 24}}) {
    for (size_t at = bytes.find(sig); at != std::string::npos; at = bytes.find(sig, at + 4)) {
      if (bytes.compare(at + name_at, name.size(), name) != 0) continue;
      bytes[at + size_at] = 100;
      bytes[at + size_at + 1] = bytes[at + size_at + 2] = bytes[at + size_at + 3] = 0;
    }
  }
  WriteFile(path, bytes);
  auto r = ReadSheetAsCsv(path, "liar.xlsx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("liar.xlsx"), std::string::npos) << r.status().message();
}

TEST_F(XlsxHostile, WhatIsNoWorkbookIsToldSo) {
  // A CSV renamed .xlsx.
  WriteFile(Path("renamed.xlsx"), "datum;gemeente;thema\n21-09-2026;Heerlen;schulden\n");
  auto renamed = DetectFileKind(Path("renamed.xlsx"), "renamed.xlsx");
  EXPECT_NE(Message(renamed.status()).find("renamed.xlsx: named like an Excel workbook but not one"),
            std::string::npos) << Message(renamed.status());
  // An old .xls (an OLE compound file), whatever its name.
  WriteFile(Path("oud.xls"), std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(504, '\0'));
  auto xls = DetectFileKind(Path("oud.xls"), "export.csv");
  EXPECT_NE(Message(xls.status()).find("export.csv: an Excel 97-2003 workbook (.xls)"), std::string::npos)
      << Message(xls.status());
  // A CSV is a CSV, an .ods by its name alone is refused.
  WriteFile(Path("a.csv"), "datum,gemeente\n");
  auto csv = DetectFileKind(Path("a.csv"), "a.csv");
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(*csv, FileKind::kCsv);
  EXPECT_FALSE(DetectFileKind(Path("a.csv"), "a.ods").ok());
  EXPECT_NE(Message(DetectFileKind(Path("missing.xlsx"), "missing.xlsx").status()).find("cannot read missing.xlsx"),
            std::string::npos);

  // Zip files that hold no workbook.
  ASSERT_TRUE(WriteZip(Path("odt.ods"), {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
                                        {"content.xml", "<office:document-content/>"}}));
  auto kind = DetectFileKind(Path("odt.ods"), "lijst.ods");
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, FileKind::kXlsx);  // a zip: the workbook reader says what it is
  auto ods = ReadSheetAsCsv(Path("odt.ods"), "lijst.ods");
  EXPECT_NE(Message(ods.status()).find("lijst.ods: an OpenDocument spreadsheet (.ods)"), std::string::npos)
      << Message(ods.status());
  ASSERT_TRUE(WriteZip(Path("other.zip"), {{"hello.txt", "hallo"}}));
  auto other = ReadSheetAsCsv(Path("other.zip"), "other.xlsx");
  EXPECT_NE(Message(other.status()).find("other.xlsx: a zip file, but not an Excel workbook"), std::string::npos)
      << Message(other.status());
  // Zip magic and then nothing a zip reader can use.
  WriteFile(Path("cut.xlsx"), std::string("PK\x03\x04", 4) + std::string(100, 'q'));
  auto cut = ReadSheetAsCsv(Path("cut.xlsx"), "cut.xlsx");
  EXPECT_NE(Message(cut.status()).find("cut.xlsx: not a readable zip file"), std::string::npos)
      << Message(cut.status());
  // A workbook whose sheet is missing from the zip.
  auto entries = MinimalWorkbook("");
  std::erase_if(entries, [](const auto& e) { return e.first == "xl/worksheets/sheet1.xml"; });
  ASSERT_TRUE(WriteZip(Path("nosheet.xlsx"), entries));
  auto nosheet = ReadSheetAsCsv(Path("nosheet.xlsx"), "nosheet.xlsx");
  EXPECT_NE(Message(nosheet.status()).find("nosheet.xlsx: the workbook has no xl/worksheets/sheet1.xml"),
            std::string::npos) << Message(nosheet.status());
  auto named = ReadSheetAsCsv(Path("nosheet.xlsx"), "nosheet.xlsx", {}, "Blad9");
  EXPECT_NE(Message(named.status()).find("no sheet 'Blad9'"), std::string::npos) << Message(named.status());
}

TEST_F(XlsxHostile, AnEncryptedEntryIsRefused) {
  const std::string path = Path("locked.xlsx");
  zipFile zf = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
  ASSERT_NE(zf, nullptr);
  for (const auto& [name, content] : MinimalWorkbook("<row><c><v>1</v></c></row>")) {
    zip_fileinfo info{};
    const bool lock = name == "xl/worksheets/sheet1.xml";
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(content.data()), static_cast<uInt>(content.size()));
    ASSERT_EQ(zipOpenNewFileInZip3_64(zf, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED, 6, 0,
                                      -MAX_WBITS, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY, lock ? "geheim" : nullptr,
                                      lock ? crc : 0, 0),
              ZIP_OK);
    ASSERT_EQ(zipWriteInFileInZip(zf, content.data(), static_cast<unsigned>(content.size())), ZIP_OK);
    ASSERT_EQ(zipCloseFileInZip(zf), ZIP_OK);
  }
  ASSERT_EQ(zipClose(zf, nullptr), ZIP_OK);
  auto r = ReadSheetAsCsv(path, "locked.xlsx");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("locked.xlsx, xl/worksheets/sheet1.xml: encrypted"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace signaal::sheets
