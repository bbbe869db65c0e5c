// The .xlsx import's reader (sheets/): real workbooks written by
// libxlsxwriter and zips built by hand read as the CSV the node imports,
// row for line; and the errors a hostile or wrong file gets, each naming the
// file and, where one is at fault, the cell or row.
#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include <fstream>

#include "cell_value.h"
#include "intake.h"
#include "unit_support.h"
#include "xlsx_reader.h"
#include "xlsx_support.h"
#include "zip_archive.h"

namespace signaal::sheets {
namespace {

using test::MinimalWorkbook;
using test::WriteZip;

class Xlsx : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  // The first sheet of a hand-built workbook around `rows`, as CSV.
  Result<SheetText> Read(const test::ZipEntries& entries, const XlsxLimits& limits = {}) {
    const std::string path = Path("book" + std::to_string(++n_) + ".xlsx");
    EXPECT_TRUE(WriteZip(path, entries));
    return ReadSheetAsCsv(path, "book.xlsx", limits);
  }
  static std::string Message(const Result<SheetText>& r) { return r.ok() ? "(read)" : r.status().message(); }

  test::TempFolder dir_;
  int n_ = 0;
};

TEST_F(Xlsx, AWorkbookWrittenByLibxlsxwriterReadsAsCsvRowForLine) {
  const std::string path = Path("signalen.xlsx");
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(book, "Signalen");
  workbook_add_worksheet(book, "Tweede");  // not read: the first sheet is
  lxw_format* dutch_date = workbook_add_format(book);
  format_set_num_format(dutch_date, "dd-mm-yyyy");
  lxw_format* builtin_date = workbook_add_format(book);
  format_set_num_format_index(builtin_date, 14);
  lxw_format* long_date = workbook_add_format(book);
  format_set_num_format(long_date, "[$-413]d mmmm yyyy;@");
  lxw_format* time_only = workbook_add_format(book);
  format_set_num_format(time_only, "hh:mm");
  lxw_datetime day = {2026, 9, 21, 0, 0, 0};

  worksheet_write_string(sheet, 0, 0, "Datum", nullptr);
  worksheet_write_string(sheet, 0, 1, "Gemeente", nullptr);
  worksheet_write_string(sheet, 0, 3, "Toelichting", nullptr);  // C1 left empty
  worksheet_write_datetime(sheet, 1, 0, &day, dutch_date);
  worksheet_write_string(sheet, 1, 1, "Cliëntenraad; \"Heerlen\"", nullptr);
  worksheet_write_number(sheet, 1, 2, 2.5, nullptr);
  worksheet_write_string(sheet, 1, 3, "twee\nregels", nullptr);
  worksheet_write_datetime(sheet, 2, 0, &day, builtin_date);
  worksheet_write_boolean(sheet, 2, 1, 1, nullptr);
  worksheet_write_formula_num(sheet, 2, 2, "=1+2", nullptr, 3);
  worksheet_write_string(sheet, 2, 3, "=SUM(A1:A2)", nullptr);  // text, not a formula
  // Row 4 missing: a blank line; row 5 after it.
  worksheet_write_datetime(sheet, 4, 0, &day, long_date);
  worksheet_write_number(sheet, 4, 1, 0.1 + 0.2, nullptr);
  worksheet_write_number(sheet, 4, 2, 0.5, time_only);
  worksheet_write_formula_str(sheet, 4, 3, "=\"a\"&\"b\"", nullptr, "ab");
  ASSERT_EQ(workbook_close(book), LXW_NO_ERROR);

  auto csv = ReadSheetAsCsv(path, "signalen.xlsx");
  ASSERT_TRUE(csv.ok()) << csv.status().message();
  EXPECT_EQ(csv->sheet, "Signalen");
  EXPECT_EQ(csv->rows, 5u);
  EXPECT_EQ(csv->csv,
            "Datum;Gemeente;;Toelichting\n"
            "2026-09-21;\"Cliëntenraad; \"\"Heerlen\"\"\";2.5;twee regels\n"
            "2026-09-21;TRUE;3;=SUM(A1:A2)\n"
            "\n"
            "2026-09-21;0.3;0.5;ab\n");

  // The second sheet, by name (the template's lists are read this way).
  auto second = ReadSheetAsCsv(path, "signalen.xlsx", {}, "Tweede");
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->csv, "");
}

TEST_F(Xlsx, InlineStringsRichTextCellsWithoutReferencesAndPrefixes) {
  auto csv = Read(MinimalWorkbook(
      // Row 1: shared strings (plain, rich text runs, a phonetic guide left out).
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"D1\" t=\"s\"><v>2</v></c></row>"
      // Row 2, no r=: cells without r= follow each other; inline strings, rich inline text.
      "<row><c t=\"inlineStr\"><is><t>inline</t></is></c><c t=\"inlineStr\"><is><r><rPr><b/></rPr><t>vet</t></r>"
      "<r><t xml:space=\"preserve\"> en gewoon</t></r></is></c><c r=\"E2\" t=\"e\"><v>#N/A</v></c>"
      "<c t=\"inlineStr\"><is><t>a_x000D__x000A_b_x005F_x0041_</t></is></c></row>"
      // Row 4: an ISO date cell, a formula without a cached value, a cell with only a style.
      "<row r=\"4\"><c r=\"A4\" t=\"d\"><v>2026-09-21T00:00:00</v></c><c r=\"B4\"><f>A1</f></c><c r=\"C4\" s=\"0\"/>"
      "<c r=\"D4\"><v>1E-3</v></c><c r=\"E4\"><v>1&#13;2</v></c></row>",
      {"<t>datum</t>", "<r><t>Ge</t></r><r><rPr><i/></rPr><t>meente</t></r>",
       "<t>漢字</t><rPh sb=\"0\" eb=\"2\"><t>かんじ</t></rPh>"}));
  ASSERT_TRUE(csv.ok()) << Message(csv);
  EXPECT_EQ(csv->csv,
            "datum;Gemeente;;漢字\n"
            "inline;vet en gewoon;;;#N/A;a b_x0041_\n"
            "\n"
            "2026-09-21;;;0.001;1 2\n");  // a number cell that is none stays on its line

  // A generator that prefixes every element (x:row, x:c) reads the same.
  std::string prefixed = "<?xml version=\"1.0\"?><x:worksheet xmlns:x=\"" + std::string(test::kSheetNs) +
                         "\"><x:sheetData><x:row r=\"2\"><x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t>x</x:t></x:is>"
                         "</x:c></x:row></x:sheetData></x:worksheet>";
  auto entries = MinimalWorkbook("");
  for (auto& [name, content] : entries) {
    if (name == "xl/worksheets/sheet1.xml") content = prefixed;
  }
  auto p = Read(entries);
  ASSERT_TRUE(p.ok()) << Message(p);
  EXPECT_EQ(p->csv, "\n;x\n");
}

TEST_F(Xlsx, DatesByFormatInBothDateSystems) {
  // Styles: 0 General, 1 built-in 14, 2 custom dd/mm/yyyy, 3 custom time,
  // 4 built-in 20 (h:mm), 5 a custom format that redefines id 14 as text.
  const std::string fmts = "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
                           "<numFmt numFmtId=\"165\" formatCode=\"[h]:mm:ss\"/></numFmts>";
  const std::string rows = "<row r=\"1\"><c r=\"A1\" s=\"1\"><v>45000</v></c><c r=\"B1\" s=\"2\"><v>45000.75</v></c>"
                           "<c r=\"C1\" s=\"3\"><v>45000</v></c><c r=\"D1\" s=\"4\"><v>0.5</v></c>"
                           "<c r=\"E1\" s=\"0\"><v>45000</v></c><c r=\"F1\" s=\"1\"><v>0</v></c>"
                           "<c r=\"G1\" s=\"99\"><v>7</v></c></row>";
  auto in1900 = Read(MinimalWorkbook(rows, {}, {"0", "14", "164", "165", "20"}, "", fmts));
  ASSERT_TRUE(in1900.ok()) << Message(in1900);
  EXPECT_EQ(in1900->csv, "2023-03-15;2023-03-15;45000;0.5;45000;0;7\n");
  auto in1904 = Read(MinimalWorkbook(rows, {}, {"0", "14", "164", "165", "20"}, "date1904=\"1\"", fmts));
  ASSERT_TRUE(in1904.ok()) << Message(in1904);
  EXPECT_EQ(in1904->csv, "2027-03-16;2027-03-16;45000;0.5;45000;1904-01-01;7\n");
}

TEST(XlsxCellValue, DateFormatsSerialsNumbersAndReferences) {
  EXPECT_TRUE(IsDateFormatCode("dd-mm-yyyy"));
  EXPECT_TRUE(IsDateFormatCode("[$-413]d mmmm yyyy;@"));
  EXPECT_TRUE(IsDateFormatCode("mmm"));
  EXPECT_TRUE(IsDateFormatCode("d-m-yy h:mm"));
  EXPECT_FALSE(IsDateFormatCode("hh:mm"));
  EXPECT_FALSE(IsDateFormatCode("[h]:mm:ss"));
  EXPECT_FALSE(IsDateFormatCode("mm:ss"));
  EXPECT_FALSE(IsDateFormatCode("General"));
  EXPECT_FALSE(IsDateFormatCode("0.00E+00"));
  EXPECT_FALSE(IsDateFormatCode("#,##0 \"dagen\""));
  EXPECT_FALSE(IsDateFormatCode("[Red]0.00"));
  EXPECT_TRUE(IsDateFormatId(14));
  EXPECT_TRUE(IsDateFormatId(22));
  EXPECT_FALSE(IsDateFormatId(20));
  EXPECT_EQ(SerialToIsoDate(1, false), "1900-01-01");
  EXPECT_EQ(SerialToIsoDate(59, false), "1900-02-28");
  EXPECT_EQ(SerialToIsoDate(60, false), "1900-02-29");  // Excel's phantom leap day
  EXPECT_EQ(SerialToIsoDate(61, false), "1900-03-01");
  EXPECT_EQ(SerialToIsoDate(46286.9999999999, false), "2026-09-22");  // rounded to the millisecond
  EXPECT_EQ(SerialToIsoDate(0, false), std::nullopt);
  EXPECT_EQ(SerialToIsoDate(-1, true), std::nullopt);
  EXPECT_EQ(SerialToIsoDate(1e12, false), std::nullopt);
  EXPECT_EQ(FormatNumber("0.30000000000000004"), "0.3");
  EXPECT_EQ(FormatNumber("6411"), "6411");
  EXPECT_EQ(FormatNumber("abc"), "abc");
  EXPECT_EQ(ColumnOf("XFD1048576"), 16384u);
  EXPECT_EQ(ColumnOf("12"), 0u);
  EXPECT_EQ(ColumnOf("ZZZZZZZ1"), kTooFar);
  EXPECT_EQ(CellName(28, 12), "AB12");
  std::string escaped = "x_x00E9_y_x005F_";
  DecodeEscapes(escaped);
  EXPECT_EQ(escaped, "xéy_");
}

// Sheet row N is CSV line N, so the node's row errors name the sheet's rows.
TEST_F(Xlsx, TheNodesRowErrorsNameTheSheetsRows) {
  auto csv = Read(MinimalWorkbook(
      "<row r=\"1\"><c t=\"inlineStr\"><is><t>datum</t></is></c><c t=\"inlineStr\"><is><t>gemeente</t></is></c>"
      "<c t=\"inlineStr\"><is><t>thema</t></is></c></row>"
      "<row r=\"3\"><c s=\"1\"><v>46286</v></c><c t=\"inlineStr\"><is><t>Heerlen</t></is></c>"
      "<c t=\"inlineStr\"><is><t>Schulden &amp; geldzaken</t></is></c></row>"
      "<row r=\"7\"><c s=\"1\"><v>46286</v></c><c t=\"inlineStr\"><is><t>Atlantis</t></is></c>"
      "<c t=\"inlineStr\"><is><t>schulden</t></is></c></row>",
      {}, {"0", "14"}));
  ASSERT_TRUE(csv.ok()) << Message(csv);
  auto out = node::ParseSignalCsv(csv->csv, "book.xlsx", test::SourceReferenceData(), "helpdesk", Date{2026, 11, 1});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->valid.size(), 1u);
  EXPECT_EQ(out->valid[0].record.date(), "2026-09-21");
  ASSERT_EQ(out->errors.size(), 1u);
  EXPECT_EQ(out->errors[0].row(), 7u);
  EXPECT_EQ(out->errors[0].field(), "municipality");
}

TEST_F(Xlsx, ACellLongerThanExcelAllowsIsNamed) {
  const std::string long_text(40000, 'x');
  auto inline_cell = Read(MinimalWorkbook("<row r=\"12\"><c r=\"C12\" t=\"inlineStr\"><is><t>" + long_text +
                                          "</t></is></c></row>"));
  ASSERT_FALSE(inline_cell.ok());
  EXPECT_NE(Message(inline_cell).find("book.xlsx cell C12"), std::string::npos) << Message(inline_cell);
  EXPECT_NE(Message(inline_cell).find("32,767"), std::string::npos) << Message(inline_cell);

  auto shared = Read(MinimalWorkbook("<row r=\"3\"><c r=\"A3\" t=\"s\"><v>1</v></c><c r=\"B3\" t=\"s\"><v>0</v></c></row>",
                                     {"<t>" + long_text + "</t>", "<t>kort</t>"}));
  ASSERT_FALSE(shared.ok());
  EXPECT_NE(Message(shared).find("book.xlsx cell B3"), std::string::npos) << Message(shared);

  // Exactly the limit is taken; counted in characters, not bytes.
  std::string at_limit;
  for (int i = 0; i < 32767; ++i) at_limit += "é";
  auto fits = Read(MinimalWorkbook("<row><c t=\"inlineStr\"><is><t>" + at_limit + "</t></is></c></row>"));
  ASSERT_TRUE(fits.ok()) << Message(fits);
}

TEST_F(Xlsx, BoundsOnColumnsRowsSharedStringsAndOutput) {
  auto far = Read(MinimalWorkbook("<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>"));
  EXPECT_NE(Message(far).find("book.xlsx cell XFE1: beyond the 16,384 columns"), std::string::npos) << Message(far);
  auto low = Read(MinimalWorkbook("<row r=\"1048577\"><c><v>1</v></c></row>"));
  EXPECT_NE(Message(low).find("book.xlsx row 1048577"), std::string::npos) << Message(low);
  auto order = Read(MinimalWorkbook("<row r=\"5\"/><row r=\"3\"/>"));
  EXPECT_NE(Message(order).find("book.xlsx row 3: comes after row 5"), std::string::npos) << Message(order);
  auto index = Read(MinimalWorkbook("<row r=\"2\"><c r=\"D2\" t=\"s\"><v>9</v></c></row>", {"<t>a</t>"}));
  EXPECT_NE(Message(index).find("book.xlsx cell D2: points at shared text 9"), std::string::npos) << Message(index);

  XlsxLimits limits;
  limits.max_shared_strings = 2;
  auto many = Read(MinimalWorkbook("", {"<t>a</t>", "<t>b</t>", "<t>c</t>"}), limits);
  EXPECT_NE(Message(many).find("more than 2 different texts"), std::string::npos) << Message(many);
  limits = {};
  limits.max_csv_bytes = 1 << 20;
  std::string rows;
  for (int r = 1; r <= 300; ++r) {
    rows += "<row><c t=\"inlineStr\"><is><t>" + std::string(4000, 'y') + "</t></is></c></row>";
  }
  auto big = Read(MinimalWorkbook(rows), limits);
  EXPECT_NE(Message(big).find("more than 1 MiB of text"), std::string::npos) << Message(big);

  // An XML bomb never starts: no workbook part declares a DOCTYPE.
  auto entries = MinimalWorkbook("");
  for (auto& [name, content] : entries) {
    if (name == "xl/sharedStrings.xml") {
      content = "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                "<sst><si><t>&b;</t></si></sst>";
    }
  }
  auto bomb = Read(entries);
  EXPECT_NE(Message(bomb).find("book.xlsx, xl/sharedStrings.xml: declares a DOCTYPE"), std::string::npos)
      << Message(bomb);
  auto broken = Read(MinimalWorkbook("<row><c>"));
  EXPECT_NE(Message(broken).find("book.xlsx, xl/worksheets/sheet1.xml: not well-formed XML"), std::string::npos)
      << Message(broken);
}

}  // namespace
}  // namespace signaal::sheets
