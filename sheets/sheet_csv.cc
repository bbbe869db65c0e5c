#include "sheet_csv.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "cell_value.h"

namespace signaal::sheets {
namespace {

// A whole number of digits up to 2^32 - 1 (a row number, a style, an index): false for anything else.
bool ParseIndex(const char* text, uint64_t& out) {
  if (!text || !*text) return false;
  out = 0;
  for (const char* p = text; *p; ++p) {
    if (*p < '0' || *p > '9') return false;
    out = out * 10 + static_cast<uint64_t>(*p - '0');
    if (out > UINT32_MAX) return false;
  }
  return true;
}

// 1048576 -> "1,048,576", as the limits are written in messages.
std::string Thousands(size_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

SheetCsv::SheetCsv(SheetContext context) : ctx_(std::move(context)) {}

std::string SheetCsv::CellRef() const { return ref_.empty() ? CellName(column_, row_) : ref_; }

void SheetCsv::FailAt(const std::string& what) { Fail(Status::Usage(ctx_.file + " cell " + CellRef() + ": " + what)); }

void SheetCsv::Start(std::string_view name, const char** attrs) {
  if (name == "row") {
    StartRow(attrs);
  } else if (name == "c" && in_row_) {
    StartCell(attrs);
  } else if (!in_cell_) {
    return;
  } else if (name == "v") {
    in_v_ = true;
  } else if (name == "is") {
    in_is_ = true;
  } else if (name == "rPh") {
    ++in_rph_;
  } else if (name == "t" && in_is_ && in_rph_ == 0) {
    in_t_ = true;
  }
}

void SheetCsv::End(std::string_view name) {
  if (name == "row" && in_row_) {
    EndRow();
  } else if (name == "c" && in_cell_) {
    EndCell();
  } else if (name == "v") {
    in_v_ = false;
  } else if (name == "is") {
    in_is_ = false;
  } else if (name == "rPh") {
    --in_rph_;
  } else if (name == "t") {
    in_t_ = false;
  }
}

void SheetCsv::Text(std::string_view text) {
  // The value of <v>, or the text of an inline string (<is><t>, <is><r><t>);
  // a formula (<f>) is not read: its cached value is.
  const bool inline_text = type_ == Type::kInline;
  if (long_ || !(inline_text ? in_t_ : in_v_)) return;
  if (value_.size() + text.size() > 4 * ctx_.limits.max_cell_chars + 4) {
    long_ = true;
    value_.clear();
    return;
  }
  value_ += text;
}

void SheetCsv::StartRow(const char** attrs) {
  uint64_t r = 0;
  const char* given = Attribute(attrs, "r");
  if (!given) {
    r = uint64_t{last_row_} + 1;  // rows without r= follow each other
  } else if (!ParseIndex(given, r) || r == 0) {
    Fail(Status::Usage(ctx_.file + ": a row numbered '" + std::string(given).substr(0, 20) + "'"));
    return;
  }
  if (r <= last_row_) {
    Fail(Status::Usage(ctx_.file + " row " + std::to_string(r) + ": comes after row " + std::to_string(last_row_) +
                       " in the sheet (rows out of order)"));
    return;
  }
  if (r > ctx_.limits.max_rows) {
    Fail(Status::Usage(ctx_.file + " row " + std::to_string(r) + ": beyond the " + Thousands(ctx_.limits.max_rows) +
                       " rows a sheet has"));
    return;
  }
  row_ = static_cast<uint32_t>(r);
  in_row_ = true;
  column_ = 0;
  for (uint32_t i = 0; i < width_; ++i) fields_[i].clear();
  width_ = 0;
}

void SheetCsv::StartCell(const char** attrs) {
  in_cell_ = true;
  long_ = false;
  value_.clear();
  const char* r = Attribute(attrs, "r");
  ref_.assign(r ? r : "", r ? std::min<size_t>(std::strlen(r), 24) : 0);
  const uint32_t col = r ? ColumnOf(r) : 0;
  column_ = col > 0 ? col : column_ + 1;  // a cell without r= follows the one before
  if (column_ > ctx_.limits.max_columns) {
    ref_ = ref_.empty() ? "in column " + std::to_string(column_) + " of row " + std::to_string(row_) : ref_;
    FailAt("beyond the " + Thousands(ctx_.limits.max_columns) + " columns a sheet has");
    return;
  }
  const char* t = Attribute(attrs, "t");
  const std::string_view type = t ? t : "n";
  type_ = type == "s"           ? Type::kShared
          : type == "inlineStr" ? Type::kInline
          : type == "str"       ? Type::kFormulaText
          : type == "b"         ? Type::kBool
          : type == "e"         ? Type::kError
          : type == "d"         ? Type::kDate
                                : Type::kNumber;
  uint64_t s = 0;
  style_ = ParseIndex(Attribute(attrs, "s"), s) ? static_cast<uint32_t>(s) : 0;
}

void SheetCsv::EndCell() {
  in_cell_ = in_v_ = in_is_ = in_t_ = false;
  in_rph_ = 0;
  auto too_long = [&] {
    FailAt("holds more than " + Thousands(ctx_.limits.max_cell_chars) +
           " characters, more than a cell may (Excel's own limit)");
  };
  if (long_) return too_long();
  std::string field;
  switch (type_) {
    case Type::kShared: {
      uint64_t i = 0;
      const size_t known = ctx_.strings ? ctx_.strings->fields.size() : 0;
      if (value_.empty()) break;
      if (!ParseIndex(value_.c_str(), i) || i >= known) {
        return FailAt("points at shared text " + value_.substr(0, 20) + ", but the workbook has " +
                      std::to_string(known));
      }
      if (ctx_.strings->too_long[i]) return too_long();
      // Already one line and quoted where needed (ReadSharedStrings).
      if (fields_.size() < column_) fields_.resize(column_);
      fields_[column_ - 1] = ctx_.strings->fields[i];
      if (!fields_[column_ - 1].empty()) width_ = std::max(width_, column_);
      return;
    }
    case Type::kInline:
    case Type::kFormulaText:
    case Type::kError:  // "#N/A", "#DIV/0!": as Excel shows them, for the import to refuse
      DecodeEscapes(value_);
      OneLine(value_);
      if (CharCount(value_) > ctx_.limits.max_cell_chars) return too_long();
      field = std::move(value_);
      break;
    case Type::kBool:
      if (!value_.empty()) field = value_ == "1" || value_ == "true" ? "TRUE" : "FALSE";
      break;
    case Type::kDate:  // ISO 8601 written as such: "2026-09-21T00:00:00"
      field = value_.size() >= 10 && value_[4] == '-' && value_[7] == '-' ? value_.substr(0, 10) : value_;
      OneLine(field);  // what is no date is kept as written, on one line
      break;
    case Type::kNumber: {
      if (value_.empty()) break;
      const bool date = ctx_.date_styles && style_ < ctx_.date_styles->size() && (*ctx_.date_styles)[style_];
      std::optional<std::string> day;
      if (date) day = SerialToIsoDate(std::strtod(value_.c_str(), nullptr), ctx_.date1904);
      field = day ? *day : FormatNumber(value_);
      OneLine(field);  // what is no number is kept as written, on one line
      break;
    }
  }
  value_.clear();
  if (field.empty()) return;
  if (fields_.size() < column_) fields_.resize(column_);
  fields_[column_ - 1].clear();
  AppendCsvField(fields_[column_ - 1], field);
  width_ = std::max(width_, column_);
}

void SheetCsv::EndRow() {
  in_row_ = false;
  // One line per sheet row: the rows the sheet leaves out as blank lines.
  out_.append(row_ - last_row_ - 1, '\n');
  for (uint32_t i = 0; i < width_; ++i) {
    if (i) out_ += ';';
    out_ += fields_[i];
  }
  out_ += '\n';
  last_row_ = row_;
  if (out_.size() > ctx_.limits.max_csv_bytes) {
    Fail(Status::Usage(ctx_.file + " row " + std::to_string(row_) + ": the sheet comes to more than " +
                       Mebibytes(ctx_.limits.max_csv_bytes) + " of text, more than one import takes; "
                       "split it into several files"));
  }
}

}  // namespace signaal::sheets
