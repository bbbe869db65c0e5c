// A broker's strings in a subscriber's files (issue 15, finding 7): a digest
// with a hostile value in every string field — filled by reflection, so a
// field added to the schema later is tried too — rendered in every format,
// and no markup, Markdown structure or spreadsheet formula of the broker's
// survives. And the names that make a path are checked before any is made.
#include <gtest/gtest.h>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "wire.pb.h"
#include "signaal/csv.h"
#include "digest_render.h"

namespace signaal {
namespace {

namespace pb = google::protobuf;

// Each starts with something a spreadsheet runs, then carries markup,
// Markdown structure, a line break and CSV separators.
const std::vector<std::string> kTriggers = {"=", "+", "-", "@", "\t", "\r", " ="};
const std::string kPayload =
    "cmd|' /C calc'!A0<script>alert(1)</script><img src=x onerror=\"alert(2)\"> ' \" &amp; & "
    "X|Y **bold** _em_ [link](javascript:alert(3)) `code` ~~s~~ \\ \n# injected heading\r\n| a | b |;=1+1,\"q\"";

// Sets every string field (and every number, so rows are shown) of `m` and
// of its messages, two deep for repeated ones; digests nest digests, so
// `depth` stops the recursion.
void FillHostile(pb::Message& m, int depth, size_t& n) {
  const pb::Descriptor* desc = m.GetDescriptor();
  const pb::Reflection* refl = m.GetReflection();
  for (int i = 0; i < desc->field_count(); ++i) {
    const pb::FieldDescriptor* f = desc->field(i);
    auto hostile = [&] { return kTriggers[n++ % kTriggers.size()] + kPayload; };
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (f->is_repeated()) {
          refl->AddString(&m, f, hostile());
          refl->AddString(&m, f, hostile());
        } else {
          refl->SetString(&m, f, hostile());
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        if (!f->is_repeated()) refl->SetUInt32(&m, f, 7);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        if (!f->is_repeated()) refl->SetUInt64(&m, f, 7);
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        if (!f->is_repeated()) refl->SetDouble(&m, f, 1.0);
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth >= 2) break;
        if (f->is_repeated()) {
          FillHostile(*refl->AddMessage(&m, f), depth + 1, n);
          FillHostile(*refl->AddMessage(&m, f), depth + 1, n);
        } else {
          FillHostile(*refl->MutableMessage(&m, f), depth + 1, n);
        }
        break;
      default:
        break;
    }
  }
}

wire::Digest HostileDigest() {
  wire::Digest d;
  size_t n = 0;
  FillHostile(d, 0, n);
  return d;
}

// The tags the HTML renderer writes itself; any other is the broker's.
void ExpectOnlyOwnTags(const std::string& html) {
  static const std::set<std::string> own = {"!doctype", "html", "head", "meta", "title", "style", "body", "main",
                                            "h1", "p", "figure", "svg", "rect", "line", "figcaption", "div",
                                            "table", "caption", "thead", "tr", "th", "td", "tbody", "tfoot",
                                            "abbr", "span", "footer", "section", "h2", "h3", "blockquote"};
  for (size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    size_t i = at + 1;
    if (i < html.size() && html[i] == '/') ++i;
    std::string name;
    while (i < html.size() && (std::isalnum(static_cast<unsigned char>(html[i])) || html[i] == '!')) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[i++])));
    }
    EXPECT_TRUE(own.count(name)) << "a tag the renderer does not write: <" << name << " at "
                                 << html.substr(at, 60);
  }
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

TEST(DigestEscape, EveryStringFieldIsFilled) {
  // The test's own check: reflection reached the nested cells and digests.
  auto d = HostileDigest();
  EXPECT_FALSE(d.region().empty());
  ASSERT_GT(d.themes_size(), 0);
  ASSERT_GT(d.themes(0).subthemes_size(), 0);
  EXPECT_FALSE(d.themes(0).subthemes(0).label_nl().empty());
  ASSERT_GT(d.municipalities_size(), 0);
  EXPECT_FALSE(d.municipalities(0).region_name().empty());
  EXPECT_FALSE(d.previous().from_week().empty());
  ASSERT_GT(d.quotes_size(), 0);
  EXPECT_FALSE(d.quotes(0).text().empty());
  EXPECT_FALSE(d.quotes(0).week().empty());
}

TEST(DigestEscape, HtmlCarriesNoMarkupOfTheBrokers) {
  const auto d = HostileDigest();
  for (const char* lang : {"nl", "en"}) {
    std::string html = DigestToHtml(d, lang);
    SCOPED_TRACE(lang);
    EXPECT_EQ(Lower(html).find("<script"), std::string::npos);
    EXPECT_EQ(Lower(html).find("<img"), std::string::npos);
    EXPECT_EQ(html.find("onerror=\""), std::string::npos) << "an attribute broken out of";
    EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos) << "the text is shown, escaped";
    EXPECT_NE(html.find("<blockquote>"), std::string::npos) << "the hostile quotes were rendered";
    ExpectOnlyOwnTags(html);
  }
}

TEST(DigestEscape, MarkdownCarriesNoMarkupOrStructureOfTheBrokers) {
  std::string md = DigestToMarkdown(HostileDigest());
  EXPECT_EQ(Lower(md).find("<script"), std::string::npos);
  for (size_t at = md.find('<'); at != std::string::npos; at = md.find('<', at + 1)) {
    // Only "<5", the suppression mark.
    ASSERT_LT(at + 1, md.size());
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(md[at + 1]))) << md.substr(at, 40);
  }
  EXPECT_EQ(md.find("[link]("), std::string::npos) << "a link";
  std::istringstream in(md);
  std::string line;
  size_t table_pipes = 0;
  while (std::getline(in, line)) {
    EXPECT_NE(line.rfind("# injected", 0), 0u) << "a heading of the broker's";
    EXPECT_NE(line.rfind("| a | b |", 0), 0u) << "a table row of the broker's";
    // Every backtick and pipe of the broker's is escaped: the pipes that
    // split a row are the renderer's, the same number in every row of a table.
    size_t pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      bool escaped = i > 0 && line[i - 1] == '\\';
      if (line[i] == '`') {
        EXPECT_TRUE(escaped) << line;
      }
      if (line[i] == '|' && !escaped) ++pipes;
    }
    if (line.rfind("|", 0) != 0) {
      table_pipes = 0;
      continue;
    }
    if (table_pipes == 0) table_pipes = pipes;
    EXPECT_EQ(pipes, table_pipes) << line;
  }
}

TEST(DigestEscape, CsvHasNoFormulaAndEighteenColumnsInEveryRow) {
  for (const char* lang : {"nl", "en"}) {
    std::string csv = DigestToCsv(HostileDigest(), lang);
    auto table = ParseCsv(csv, "digest.csv");
    ASSERT_TRUE(table.ok()) << table.status().message();
    ASSERT_EQ(table->header.size(), 18u);
    ASSERT_GT(table->rows.size(), 3u);
    for (const auto& row : table->rows) {
      ASSERT_EQ(row.fields.size(), 18u) << "line " << row.line;
      for (const auto& field : row.fields) {
        if (field.empty()) continue;
        // Unquoted fields are trimmed by the reader; look at the first
        // character a spreadsheet would.
        size_t first = field.find_first_not_of(' ');
        if (first == std::string::npos) continue;
        bool number = field.find_first_not_of("0123456789") == std::string::npos;
        EXPECT_TRUE(number || std::string("=+-@\t\r").find(field[first]) == std::string::npos)
            << "a formula cell on line " << row.line << ": " << field.substr(0, 30);
      }
    }
  }
}

// A citizen's quote is the one long free text a digest carries: one that
// tries markup, a link, a spreadsheet formula and a heading on a line of
// its own, in a listed theme (so it is grouped, not set aside), with the
// same in its theme's labels and its week.
wire::Digest DigestWithHostileQuote() {
  const std::string hostile =
      "Zo gaat het <script>alert(1)</script> [klik](javascript:alert(2)) =HYPERLINK(\"http://x\";\"y\")\n# heading";
  wire::Digest d;
  d.set_region("zuid-limburg");
  d.set_period("2026-W47");
  d.set_from_week("2026-W47");
  d.set_to_week("2026-W47");
  d.mutable_policy()->set_k(5);
  d.mutable_total()->set_signals(20);
  auto* t = d.add_themes();
  t->set_code("schulden");
  t->set_label_nl("Schulden");
  t->set_signals(20);
  auto* q = d.add_quotes();
  q->set_text(hostile);
  q->set_theme("schulden");
  q->set_theme_label_nl(hostile);
  q->set_theme_label_en(hostile);
  q->set_week("2026-W47\n# heading <b>");
  return d;
}

TEST(DigestEscape, AHostileQuoteRendersInertInEveryFormat) {
  const wire::Digest d = DigestWithHostileQuote();
  for (const char* lang : {"nl", "en"}) {
    SCOPED_TRACE(lang);
    std::string html = DigestToHtml(d, lang);
    EXPECT_EQ(Lower(html).find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_NE(html.find("„Zo gaat het &lt;script&gt;alert(1)&lt;/script&gt; [klik](javascript:alert(2)) "
                        "=HYPERLINK(&quot;http://x&quot;;&quot;y&quot;)\n# heading”"),
              std::string::npos)
        << "shown as text, escaped";
    ExpectOnlyOwnTags(html);
  }

  const std::string md = DigestToMarkdown(d);
  EXPECT_EQ(Lower(md).find("<script"), std::string::npos);
  EXPECT_EQ(md.find("<b>"), std::string::npos);
  EXPECT_NE(md.find("> „Zo gaat het &lt;script&gt;alert(1)&lt;/script&gt; \\[klik\\](javascript:alert(2)) "
                    "=HYPERLINK(\"http://x\";\"y\") # heading”\n"),
            std::string::npos)
      << "one line, escaped";
  for (size_t at = md.find("]("); at != std::string::npos; at = md.find("](", at + 1)) {
    EXPECT_EQ(md[at - 1], '\\') << "a link: " << md.substr(at, 30);
  }
  std::istringstream in(md);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_NE(line.rfind("# heading", 0), 0u) << "a heading of the quote's";
    EXPECT_NE(line.rfind("=HYPERLINK", 0), 0u) << line;
  }

  for (const char* lang : {"nl", "en"}) {
    // The CSV has no place for quotes (digest_html.cc, DigestToCsv): none of
    // it reaches a cell, and the table is the table of cells it always was.
    std::string csv = DigestToCsv(d, lang);
    EXPECT_EQ(csv.find("HYPERLINK"), std::string::npos);
    EXPECT_EQ(csv.find("script"), std::string::npos);
    EXPECT_EQ(csv.find("heading"), std::string::npos);
    auto table = ParseCsv(csv, "digest.csv");
    ASSERT_TRUE(table.ok()) << table.status().message();
    ASSERT_EQ(table->rows.size(), 2u) << "the total and the theme";
    for (const auto& row : table->rows) EXPECT_EQ(row.fields.size(), 18u);
  }

  auto j = nlohmann::json::parse(RenderDigest(d, "json"));
  EXPECT_EQ(j["quotes"][0]["text"], d.quotes(0).text()) << "JSON keeps it as data";
}

TEST(DigestEscape, JsonKeepsTheStringsAsData) {
  const auto d = HostileDigest();
  auto j = nlohmann::json::parse(RenderDigest(d, "json"));
  EXPECT_EQ(j["region"], d.region());
  EXPECT_EQ(j["themes"][0]["label"], d.themes(0).label_nl());
  // Not UTF-8: replaced, not thrown.
  wire::Digest bad;
  bad.set_region_name("\xff\xfe");
  EXPECT_NO_THROW(RenderDigest(bad, "json"));
}

TEST(DigestEscape, CsvCellRules) {
  EXPECT_EQ(CsvCell("-3"), "-3") << "a negative number stays a number";
  EXPECT_EQ(CsvCell("12"), "12");
  EXPECT_EQ(CsvCell("-1,5"), "\"-1,5\"");
  EXPECT_EQ(CsvCell("=1+1"), "'=1+1");
  EXPECT_EQ(CsvCell("+31"), "'+31");
  EXPECT_EQ(CsvCell("-x"), "'-x");
  EXPECT_EQ(CsvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvCell("\tx"), "'\tx");
  EXPECT_EQ(CsvCell("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvCell("  =x"), "'  =x");
  EXPECT_EQ(CsvCell("a;b"), "\"a;b\"");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvCell("Inkomen & bestaanszekerheid"), "Inkomen & bestaanszekerheid");
  EXPECT_EQ(CsvCell(""), "");
}

TEST(DigestEscape, MarkdownAndHtmlEscapers) {
  EXPECT_EQ(EscapeMarkdown("Inkomen & bestaanszekerheid"), "Inkomen & bestaanszekerheid");
  EXPECT_EQ(EscapeMarkdown("a&amp;b"), "a&amp;amp;b");
  EXPECT_EQ(EscapeMarkdown("<b>|*`x`\n"), "&lt;b&gt;\\|\\*\\`x\\` ");
  EXPECT_EQ(EscapeHtml("<a href='x'>\"&"), "&lt;a href=&#39;x&#39;&gt;&quot;&amp;");
}

TEST(DigestNames, OnlyRegionCodesAndNormalisedPeriodsNameAFile) {
  wire::Digest d;
  d.set_period("2026-W41");
  for (const char* good : {"zuid-limburg", "parkstad", "limburg", "GM0917"}) {
    d.set_region(good);
    EXPECT_TRUE(CheckDigestNames(d).ok()) << good;
  }
  for (const char* bad : {"../../escaped/dir", "..", "", "Zuid-Limburg", "a--b", "-a", "a-", "GM09170", "GM09a7",
                          "zuid limburg", "a/b", "a\\b", "/etc"}) {
    d.set_region(bad);
    Status s = CheckDigestNames(d);
    EXPECT_EQ(s.code(), Code::kRefused) << bad;
    EXPECT_FALSE(DigestFileName(d, "html").ok()) << bad;
  }
  d.set_region("parkstad");
  for (const char* good : {"2026-W41", "2026-W38..2026-W41", "2026-10", "2026-Q4", "2026-H1", "2026"}) {
    d.set_period(good);
    EXPECT_TRUE(CheckDigestNames(d).ok()) << good;
  }
  for (const char* bad : {"2026-w41", " 2026-W41", "2026-W41/../../x", "../2026", "2026-W99", ""}) {
    d.set_period(bad);
    EXPECT_EQ(CheckDigestNames(d).code(), Code::kRefused) << bad;
  }
  // The refusal names the string, with its control characters escaped.
  d.set_period("2026-W41");
  d.set_region("x\x1b[31m");
  EXPECT_EQ(CheckDigestNames(d).message().find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace signaal
