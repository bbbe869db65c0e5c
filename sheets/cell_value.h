// How a cell's stored value reads as text in the CSV the node imports: the
// date formats that make a number a date, the serial day numbers of Excel's
// two date systems, numbers as Excel shows them, the _xHHHH_ escapes of
// OOXML strings, and the cell references ("C12") errors name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace signaal::sheets {

// True for a number format that shows a date: the built-in ids 14-17 and 22
// (18-21 show only a time), or a format code with d, y or a month's m
// outside quotes, escapes and [brackets], and not only a time ("mm:ss",
// "[h]:mm"). Codes are stored in English whatever the program's language.
bool IsDateFormatId(int id);
bool IsDateFormatCode(std::string_view code);

// The day of an Excel serial number as YYYY-MM-DD (a time of day dropped);
// nullopt before the first day or after 9999-12-31. `date1904`: the Mac
// date system (day 0 = 1904-01-01); else day 1 = 1900-01-01 with Excel's
// phantom 1900-02-29 as day 60.
std::optional<std::string> SerialToIsoDate(double serial, bool date1904);

// A stored number as Excel shows it in General (15 significant digits:
// "0.1" for 0.10000000000000001), or the text as it was when no number.
std::string FormatNumber(std::string_view stored);

// Undoes OOXML's _xHHHH_ escapes ("_x000D_" is a carriage return,
// "_x005F_" an underscore), in place.
void DecodeEscapes(std::string& text);

// Makes a cell's text one CSV field on one line: line breaks and other
// control characters become a space, so a sheet row stays one CSV line.
void OneLine(std::string& text);

// The number of characters (code points) of UTF-8 text.
size_t CharCount(std::string_view text);

// The column number (1 = A) of a reference's letters ("C12" -> 3), 0 when it
// has none; kTooFar for any beyond it.
inline constexpr uint32_t kTooFar = 1u << 24;
uint32_t ColumnOf(std::string_view ref);
// The row number of a reference ("C12" -> 12), 0 when it has none.
uint32_t RowOf(std::string_view ref);
// "C12" from column 3 and row 12.
std::string CellName(uint32_t column, uint32_t row);

}  // namespace signaal::sheets
