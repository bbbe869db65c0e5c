#include "workbook_parts.h"

#include <cstdlib>
#include <map>

#include "cell_value.h"
#include "xml_stream.h"

namespace signaal::sheets {
namespace {

// Streams one part through `handler`.
Status ParsePart(ZipArchive& zip, const std::string& entry, const std::string& file, uint64_t cap,
                 XmlHandler& handler) {
  XmlStream xml(handler, file + ", " + entry);
  Status read = zip.Read(entry, cap, [&](std::string_view chunk) { return xml.Feed(chunk); });
  if (!read.ok()) return read;
  return xml.Finish();
}

// A relationships part (.rels): Id -> (Type, Target).
class RelsReader : public XmlHandler {
 public:
  struct Rel {
    std::string type, target;
  };
  std::map<std::string, Rel> rels;

  void Start(std::string_view name, const char** attrs) override {
    if (name != "Relationship") return;
    const char* id = Attribute(attrs, "Id");
    const char* target = Attribute(attrs, "Target");
    const char* mode = Attribute(attrs, "TargetMode");
    if (!id || !target || (mode && std::string_view(mode) == "External")) return;
    const char* type = Attribute(attrs, "Type");
    rels[id] = Rel{type ? type : "", target};
  }
  void End(std::string_view) override {}
  void Text(std::string_view) override {}

  // The target of the first relationship whose type ends in `/kind`.
  std::string OfType(std::string_view kind) const {
    for (const auto& [id, rel] : rels) {
      if (rel.type.size() > kind.size() && rel.type.compare(rel.type.size() - kind.size(), kind.size(), kind) == 0 &&
          rel.type[rel.type.size() - kind.size() - 1] == '/') {
        return rel.target;
      }
    }
    return "";
  }
};

// A relationship's target as a zip entry: relative to the folder of the part
// that names it, or absolute from the package root; "." and ".." undone.
std::string Resolve(const std::string& folder, const std::string& target) {
  std::string path = !target.empty() && target[0] == '/' ? target.substr(1) : folder + target;
  std::vector<std::string> parts;
  size_t at = 0;
  while (at <= path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(at, slash - at);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(std::move(part));
    }
    at = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string FolderOf(const std::string& entry) {
  size_t slash = entry.rfind('/');
  return slash == std::string::npos ? "" : entry.substr(0, slash + 1);
}

// xl/workbook.xml: the sheets in order with their relationship ids, and the
// date system.
class WorkbookReader : public XmlHandler {
 public:
  struct Sheet {
    std::string name, rel;
  };
  std::vector<Sheet> sheets;
  bool date1904 = false;

  void Start(std::string_view name, const char** attrs) override {
    if (name == "workbookPr") {
      const char* d = Attribute(attrs, "date1904");
      date1904 = d && (std::string_view(d) == "1" || std::string_view(d) == "true");
    } else if (name == "sheet") {
      const char* n = Attribute(attrs, "name");
      const char* rel = Attribute(attrs, "id");  // r:id
      if (n && rel) sheets.push_back({n, rel});
    }
  }
  void End(std::string_view) override {}
  void Text(std::string_view) override {}
};

}  // namespace

void AppendCsvField(std::string& out, std::string_view text) {
  if (text.find_first_of(";\"") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Result<WorkbookParts> ReadWorkbookParts(ZipArchive& zip, const std::string& file, const XlsxLimits& limits,
                                        const std::string& sheet) {
  // The package's own relationships name the workbook part; xl/workbook.xml
  // when they do not say.
  std::string workbook = "xl/workbook.xml";
  if (zip.Has("_rels/.rels")) {
    RelsReader root;
    if (Status s = ParsePart(zip, "_rels/.rels", file, limits.max_part, root); !s.ok()) return s;
    if (std::string target = root.OfType("officeDocument"); !target.empty()) workbook = Resolve("", target);
  }
  if (!zip.Has(workbook)) {
    if (zip.Has("content.xml") && zip.Has("mimetype")) {
      return Status::Usage(file + ": an OpenDocument spreadsheet (.ods), not an Excel workbook; save it as .xlsx "
                                  "(Excel 2007-365) or as CSV");
    }
    return Status::Usage(file + ": a zip file, but not an Excel workbook (.xlsx): it has no " + workbook);
  }
  WorkbookReader book;
  if (Status s = ParsePart(zip, workbook, file, limits.max_part, book); !s.ok()) return s;
  if (book.sheets.empty()) return Status::Usage(file + ": the workbook has no sheet");
  const WorkbookReader::Sheet* chosen = &book.sheets.front();
  if (!sheet.empty()) {
    chosen = nullptr;
    for (const auto& s : book.sheets) {
      if (s.name == sheet) chosen = &s;
    }
    if (!chosen) return Status::Usage(file + ": the workbook has no sheet '" + sheet + "'");
  }
  const std::string folder = FolderOf(workbook);
  const std::string rels_entry = folder + "_rels/" + workbook.substr(folder.size()) + ".rels";
  RelsReader rels;
  if (Status s = ParsePart(zip, rels_entry, file, limits.max_part, rels); !s.ok()) return s;
  auto it = rels.rels.find(chosen->rel);
  if (it == rels.rels.end()) {
    return Status::Usage(file + ": sheet '" + chosen->name + "' is not found in " + rels_entry);
  }
  if (it->second.type.find("/worksheet") == std::string::npos) {
    return Status::Usage(file + ": sheet '" + chosen->name + "' is a chart or dialog sheet, not a sheet with cells; "
                                "move the signals to the first sheet");
  }
  WorkbookParts parts;
  parts.sheet_name = chosen->name;
  parts.sheet_entry = Resolve(folder, it->second.target);
  parts.date1904 = book.date1904;
  if (std::string t = rels.OfType("sharedStrings"); !t.empty()) parts.shared_strings_entry = Resolve(folder, t);
  if (std::string t = rels.OfType("styles"); !t.empty()) parts.styles_entry = Resolve(folder, t);
  return parts;
}

namespace {

// xl/sharedStrings.xml: <si> items of plain text (<t>) or rich text runs
// (<r><t>); phonetic guides (<rPh>) are no part of the text.
class SharedStringsReader : public XmlHandler {
 public:
  SharedStringsReader(SharedStrings& out, const std::string& file, const XlsxLimits& limits)
      : out_(out), file_(file), limits_(limits) {}

  void Start(std::string_view name, const char**) override {
    if (name == "si") {
      if (out_.fields.size() >= limits_.max_shared_strings) {
        Fail(Status::Usage(file_ + ": more than " + std::to_string(limits_.max_shared_strings) +
                           " different texts (shared strings); not a sheet of signals this import takes"));
      }
      in_si_ = true;
      text_.clear();
      long_ = false;
    } else if (name == "rPh") {
      ++in_rph_;
    } else if (name == "t" && in_si_ && in_rph_ == 0) {
      in_t_ = true;
    }
  }
  void End(std::string_view name) override {
    if (name == "t") {
      in_t_ = false;
    } else if (name == "rPh") {
      --in_rph_;
    } else if (name == "si" && in_si_) {
      in_si_ = false;
      DecodeEscapes(text_);
      OneLine(text_);
      long_ = long_ || CharCount(text_) > limits_.max_cell_chars;
      std::string field;
      if (!long_) AppendCsvField(field, text_);
      out_.fields.push_back(std::move(field));
      out_.too_long.push_back(long_);
    }
  }
  void Text(std::string_view text) override {
    if (!in_t_ || long_) return;
    // Four bytes a character at most: beyond that it is too long already.
    if (text_.size() + text.size() > 4 * limits_.max_cell_chars + 4) {
      long_ = true;
      text_.clear();
      return;
    }
    text_ += text;
  }

 private:
  SharedStrings& out_;
  const std::string& file_;
  const XlsxLimits& limits_;
  bool in_si_ = false, in_t_ = false, long_ = false;
  int in_rph_ = 0;
  std::string text_;
};

// xl/styles.xml: custom number formats (<numFmts>) and the cell formats
// (<cellXfs><xf numFmtId>) a cell's `s` points at.
class StylesReader : public XmlHandler {
 public:
  std::map<int, bool> custom_date;  // numFmtId -> shows a date
  std::vector<int> xf_formats;      // cellXfs index -> numFmtId

  void Start(std::string_view name, const char** attrs) override {
    if (name == "numFmt") {
      const char* id = Attribute(attrs, "numFmtId");
      const char* code = Attribute(attrs, "formatCode");
      if (id && code) custom_date[std::atoi(id)] = IsDateFormatCode(code);
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      const char* id = Attribute(attrs, "numFmtId");
      // Bounded by the part's size: one <xf/> is some 20 bytes.
      xf_formats.push_back(id ? std::atoi(id) : 0);
    }
  }
  void End(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }
  void Text(std::string_view) override {}

 private:
  bool in_cell_xfs_ = false;
};

}  // namespace

Result<SharedStrings> ReadSharedStrings(ZipArchive& zip, const std::string& entry, const std::string& file,
                                        const XlsxLimits& limits) {
  SharedStrings out;
  SharedStringsReader reader(out, file, limits);
  if (Status s = ParsePart(zip, entry, file, limits.max_part, reader); !s.ok()) return s;
  return out;
}

Result<std::vector<bool>> ReadDateStyles(ZipArchive& zip, const std::string& entry, const std::string& file,
                                         const XlsxLimits& limits) {
  StylesReader reader;
  if (Status s = ParsePart(zip, entry, file, limits.max_part, reader); !s.ok()) return s;
  std::vector<bool> dates;
  dates.reserve(reader.xf_formats.size());
  for (int id : reader.xf_formats) {
    auto custom = reader.custom_date.find(id);
    // A custom format may also redefine a built-in id.
    dates.push_back(custom != reader.custom_date.end() ? custom->second : IsDateFormatId(id));
  }
  return dates;
}

}  // namespace signaal::sheets
