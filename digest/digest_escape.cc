// What a broker sends is not trusted by the subscriber's renderers (issue 15,
// finding 7): every string field of a digest is escaped for the format it is
// written in, once, at one point — EscapedDigest walks the message by
// reflection, so a field added to the schema later is escaped without anyone
// remembering to — and the names that make a file path are checked against
// what a region code and a period can be before any path is built.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <cctype>
#include <string_view>

#include <nlohmann/json.hpp>

#include "digest_render.h"
#include "signaal/period.h"
#include "signaal/reference_data.h"

namespace signaal {
namespace {

namespace pb = google::protobuf;

void EscapeStrings(pb::Message& m, StringEscaper escape) {
  const pb::Descriptor* desc = m.GetDescriptor();
  const pb::Reflection* refl = m.GetReflection();
  for (int i = 0; i < desc->field_count(); ++i) {
    const pb::FieldDescriptor* f = desc->field(i);
    if (f->type() == pb::FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int j = 0; j < refl->FieldSize(m, f); ++j) refl->SetRepeatedString(&m, f, j, escape(refl->GetRepeatedString(m, f, j)));
      } else if (!f->has_presence() || refl->HasField(m, f)) {
        std::string v = refl->GetString(m, f);
        if (!v.empty()) refl->SetString(&m, f, escape(v));
      }
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int j = 0; j < refl->FieldSize(m, f); ++j) EscapeStrings(*refl->MutableRepeatedMessage(&m, f, j), escape);
      } else if (refl->HasField(m, f)) {
        EscapeStrings(*refl->MutableMessage(&m, f), escape);
      }
    }
  }
}

// For a refusal's sentence: the broker's string quoted, control characters
// escaped, and cut short, so it cannot play tricks on the terminal either.
std::string Quoted(const std::string& s) {
  std::string shown = s.size() > 80 ? s.substr(0, 80) + "..." : s;
  return nlohmann::json(shown).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string EscapeMarkdown(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      // A line break would end a table row or a heading: one line, always.
      out += ' ';
    } else if (c == '<') {
      out += "&lt;";  // no raw HTML, no autolink
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      // Only where it could start an entity: "Inkomen & werk" stays readable.
      const bool entity = i + 1 < s.size() && (std::isalnum(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '#');
      out += entity ? "&amp;" : "&";
    } else if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '|' || c == '~') {
      // Emphasis, code, links, table cells, strike-through: taken literally.
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string CsvCell(std::string_view s) {
  std::string v(s);
  // A plain number, negative too ("-3"), is a number to a spreadsheet and
  // stays one; any other cell that a spreadsheet would read as a formula
  // (=, +, -, @, tab or carriage return first, after any spaces) gets a
  // leading apostrophe and is shown as text (docs/DIGESTS.md, "CSV").
  auto plain_number = [&] {
    size_t i = !v.empty() && v[0] == '-' ? 1 : 0;
    size_t digits = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i, ++digits;
    if (digits > 0 && i < v.size() && (v[i] == '.' || v[i] == ',')) {
      size_t j = i + 1;
      while (j < v.size() && v[j] >= '0' && v[j] <= '9') ++j;
      if (j > i + 1) i = j;
    }
    return digits > 0 && i == v.size();
  };
  size_t first = v.find_first_not_of(' ');
  if (first != std::string::npos && std::string_view("=+-@\t\r").find(v[first]) != std::string_view::npos &&
      !plain_number()) {
    v.insert(0, "'");
  }
  // RFC 4180: a cell with the separator (either, for spreadsheets that
  // guess), a quote or a line break is quoted, quotes doubled.
  if (v.find_first_of(";,\"\r\n") == std::string::npos && (v.empty() || (v.front() != ' ' && v.back() != ' '))) {
    return v;
  }
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

wire::Digest EscapedDigest(const wire::Digest& digest, StringEscaper escape) {
  wire::Digest copy = digest;
  EscapeStrings(copy, escape);
  return copy;
}

Status CheckDigestNames(const wire::Digest& d) {
  if (!ReferenceData::IsRegionCode(d.region())) {
    return Status::Refused("the broker sent a digest for region " + Quoted(d.region()) +
                           ", which is no region code (GM and four digits, or words like zuid-limburg): "
                           "refused, nothing written");
  }
  auto period = ParsePeriod(d.period());
  if (!period.ok() || period->label != d.period()) {
    return Status::Refused("the broker sent a digest for period " + Quoted(d.period()) +
                           ", which is no period as 'signaal digest fetch --period' takes them: refused, nothing "
                           "written");
  }
  return Status::Ok();
}

Result<std::string> DigestFileName(const wire::Digest& d, const std::string& ext) {
  if (Status s = CheckDigestNames(d); !s.ok()) return s;
  return d.region() + "/" + d.period() + "." + ext;
}

}  // namespace signaal
