// XmlStream: expat fed in chunks, for the parts of a workbook. A sheet of a
// million rows is read as it inflates, never held whole or as a tree.
// Element and attribute names are handed over without their namespace
// prefix ("x:row" -> "row"): generators differ in prefixes, not in names.
#pragma once

#include <string>
#include <string_view>

#include "signaal/status.h"

namespace signaal::sheets {

// What a part's reader does with the elements it meets. A handler that finds
// the content wrong calls Fail; the stream stops at once and returns it.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  // `attrs` as expat gives them: name, value, name, value, …, nullptr.
  virtual void Start(std::string_view name, const char** attrs) = 0;
  virtual void End(std::string_view name) = 0;
  virtual void Text(std::string_view text) = 0;

  void Fail(Status s) {
    if (failure_.ok()) failure_ = std::move(s);
  }
  const Status& failure() const { return failure_; }

 private:
  Status failure_;
};

// The value of attribute `name` (without prefix), or nullptr.
const char* Attribute(const char** attrs, std::string_view name);
// A name without its namespace prefix.
std::string_view LocalName(const char* name);

// One expat parser over one part. Refuses a DOCTYPE (no OOXML part has one,
// and entities declared there are how XML bombs start).
class XmlStream {
 public:
  // `where` names the part in errors ("report.xlsx, xl/worksheets/sheet1.xml").
  XmlStream(XmlHandler& handler, std::string where);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  // The next chunk; the handler's failure (as it is: it names file and
  // cell) or a syntax error (named by `where` and line) stops it.
  [[nodiscard]] Status Feed(std::string_view chunk);
  // The end of the part: fails on a document that is not finished.
  [[nodiscard]] Status Finish();

 private:
  [[nodiscard]] Status Parse(const char* data, size_t size, bool last);

 public:
  struct Parser;  // expat's parser and the handler (xml_stream.cc)

 private:
  Parser* parser_;
  XmlHandler& handler_;
  std::string where_;
};

}  // namespace signaal::sheets
