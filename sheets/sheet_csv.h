// SheetCsv: one worksheet's XML, streamed, written as the ';'-separated CSV
// the node imports — one CSV line per sheet row, so the line numbers the
// node names in its row errors are the sheet's row numbers (rows the sheet
// leaves out become blank lines, which the import skips but counts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signaal/status.h"
#include "workbook_parts.h"
#include "xml_stream.h"

namespace signaal::sheets {

// What a sheet's cells point into, and how to tell dates.
struct SheetContext {
  std::string file;                            // names the workbook in errors
  const SharedStrings* strings = nullptr;      // may be null: no shared strings
  const std::vector<bool>* date_styles = nullptr;  // may be null: no styles
  bool date1904 = false;
  XlsxLimits limits;
};

class SheetCsv : public XmlHandler {
 public:
  explicit SheetCsv(SheetContext context);

  // The CSV so far; complete once the part has been read to its end.
  std::string& csv() { return out_; }
  uint32_t rows() const { return last_row_; }

  void Start(std::string_view name, const char** attrs) override;
  void End(std::string_view name) override;
  void Text(std::string_view text) override;

 private:
  enum class Type { kNumber, kShared, kInline, kFormulaText, kBool, kError, kDate };
  void StartRow(const char** attrs);
  void StartCell(const char** attrs);
  void EndCell();
  void EndRow();
  // "report.xlsx cell C12: …"
  void FailAt(const std::string& what);
  std::string CellRef() const;

  SheetContext ctx_;
  std::string out_;
  bool in_row_ = false, in_cell_ = false, in_v_ = false, in_is_ = false, in_t_ = false;
  int in_rph_ = 0;
  bool long_ = false;  // the cell's text went past the cell limit
  uint32_t row_ = 0, last_row_ = 0, column_ = 0;
  Type type_ = Type::kNumber;
  uint32_t style_ = 0;
  std::string ref_;    // the cell's r, when it has one
  std::string value_;  // <v>, or the inline string's text
  std::vector<std::string> fields_;  // this row's cells, as CSV fields, by column - 1
  uint32_t width_ = 0;               // columns of this row with a value
};

}  // namespace signaal::sheets
