// Unit tests of the text a peer sends: the bounds and classes every string
// field of a wire message is checked against (wire_limits.h), and the one
// escaping that every terminal and log line goes through (EscapeText, the
// logger's formatter).
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <sstream>

#include "broker_control.pb.h"
#include "signaal/log.h"
#include "signaal/text.h"
#include "signaal/wire_limits.h"

namespace signaal {
namespace {

TEST(EscapeText, PrintableTextIsUnchanged) {
  for (const std::string s : {"Cliëntenraad Heerlen", "Beek (L.)", "2026.1", "ÆØÅ – “quotes” €", "😀 ok", ""}) {
    EXPECT_EQ(EscapeText(s), s);
  }
}

TEST(EscapeText, EveryControlClassBecomesAVisibleEscape) {
  // C0: newline, carriage return and tab by name, the others by value.
  EXPECT_EQ(EscapeText("a\nb"), "a\\nb");
  EXPECT_EQ(EscapeText("a\rb"), "a\\rb");
  EXPECT_EQ(EscapeText("a\tb"), "a\\tb");
  EXPECT_EQ(EscapeText(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(EscapeText("\x1b[2J\x1b[31mred"), "\\x1b[2J\\x1b[31mred");
  EXPECT_EQ(EscapeText("\x07\x08\x1f"), "\\x07\\x08\\x1f");
  // DEL, and C1 (U+0080..U+009F, two bytes in UTF-8; U+009B is the 8-bit CSI).
  EXPECT_EQ(EscapeText("\x7f"), "\\x7f");
  EXPECT_EQ(EscapeText("\xc2\x9b" "31m"), "\\x9b31m");
  EXPECT_EQ(EscapeText("\xc2\x85"), "\\x85");
  // Bidirectional overrides and isolates (a name that reads backwards), line separators.
  EXPECT_EQ(EscapeText("abc\xe2\x80\xae" "fed"), "abc\\u202efed");
  EXPECT_EQ(EscapeText("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");
  EXPECT_EQ(EscapeText("a\xe2\x80\xa8" "b"), "a\\u2028b");
  // Escaping what is escaped changes nothing: a refusal quoting a value prints as it reads.
  for (const std::string s : {"a\n\x1b[2J\xc2\x9b\xe2\x80\xae\xff", "a\\nb"}) {
    EXPECT_EQ(EscapeText(EscapeText(s)), EscapeText(s));
  }
}

TEST(EscapeText, BytesThatAreNotUtf8ShowAsThemselves) {
  EXPECT_EQ(EscapeText("a\xff" "b"), "a\\xffb");                  // never valid
  EXPECT_EQ(EscapeText("\xc3"), "\\xc3");                          // truncated at the end
  EXPECT_EQ(EscapeText("\xc3(x"), "\\xc3(x");                      // continuation missing
  EXPECT_EQ(EscapeText("\x80"), "\\x80");                          // stray continuation
  EXPECT_EQ(EscapeText("\xc0\xaf"), "\\xc0\\xaf");                 // overlong '/'
  EXPECT_EQ(EscapeText("\xed\xa0\x80"), "\\xed\\xa0\\x80");        // a surrogate
  EXPECT_EQ(EscapeText("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(EscapeText("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");   // U+1F600 is fine
}

TEST(EscapeText, NothingEscapedHoldsAControlByte) {
  // Every single byte and every pair: the output is printable ASCII or valid UTF-8 without controls.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; b += 7) {
      std::string in{static_cast<char>(a), static_cast<char>(b)};
      std::string out = EscapeText(in);
      for (size_t i = 0; i < out.size();) {
        size_t n = 1;
        int32_t cp = CodePointAt(out, i, &n);
        ASSERT_GE(cp, 0) << "invalid UTF-8 out of " << a << "," << b;
        ASSERT_FALSE(IsControlCodePoint(cp)) << "control out of " << a << "," << b;
        i += n;
      }
    }
  }
}

TEST(QuoteText, CutsLongTextBetweenCharactersAndSaysItsSize) {
  EXPECT_EQ(QuoteText("GM9999"), "'GM9999'");
  EXPECT_EQ(QuoteText(std::string(100, 'a'), 4), "'aaaa...' (100 bytes)");
  // "ë" is two bytes: a cut inside it moves before it.
  EXPECT_EQ(QuoteText("aaaëbbb", 4), "'aaa...' (8 bytes)");
  EXPECT_EQ(QuoteText("\x1b[31m", 64), "'\\x1b[31m'");
}

TEST(CheckText, TheBoundIsExact) {
  TextRule rule{64, TextClass::kCode};
  EXPECT_TRUE(CheckText(std::string(64, 'a'), rule, "heartbeat.software_version").ok());
  Status s = CheckText(std::string(65, 'a'), rule, "heartbeat.software_version");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kRefused);
  EXPECT_NE(s.message().find("field 'heartbeat.software_version' is 65 bytes long, at most 64"), std::string::npos)
      << s.message();
  // A 4 MiB value is not repeated in the sentence.
  s = CheckText(std::string(4 << 20, 'v'), rule, "heartbeat.software_version");
  EXPECT_LT(s.message().size(), 300u) << s.message().size();
  EXPECT_NE(s.message().find("(4194304 bytes)"), std::string::npos);
}

TEST(CheckText, EachClassTakesItsCharactersOnly) {
  auto ok = [](const std::string& v, TextClass c) { return CheckText(v, TextRule{200, c}, "f").ok(); };
  EXPECT_TRUE(ok("clientenraad-heerlen-2", TextClass::kId));
  EXPECT_FALSE(ok("Clientenraad", TextClass::kId));
  EXPECT_FALSE(ok("a\nadmin revoked b", TextClass::kId));
  EXPECT_TRUE(ok("2026-W38..2026-W41", TextClass::kCode));
  EXPECT_TRUE(ok("67+", TextClass::kCode));
  EXPECT_TRUE(ok("1.2.0~rc1_x", TextClass::kCode));
  EXPECT_FALSE(ok("1.2 beta", TextClass::kCode));
  EXPECT_FALSE(ok("1.2\x1b[31m", TextClass::kCode));
  EXPECT_FALSE(ok("é", TextClass::kCode));
  EXPECT_TRUE(ok("rq(kQ!x>3&y]<", TextClass::kKey));
  EXPECT_FALSE(ok("a b", TextClass::kKey));
  EXPECT_TRUE(ok("Cliëntenraad \"Heerlen\" (Parkstad) 😀", TextClass::kPrintable));
  for (const std::string bad : {"a\nb", "a\tb", "\x1b[2J", "a\x7f", "\xc2\x9b", "x\xe2\x80\xaey", "\xff"}) {
    EXPECT_FALSE(ok(bad, TextClass::kPrintable)) << EscapeText(bad);
  }
  Status s = CheckText("Org\x1b[2J", TextRule{200, TextClass::kPrintable}, "enroll_node.name");
  EXPECT_NE(s.message().find("field 'enroll_node.name' holds character U+001B at byte 3"), std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find('\x1b'), std::string::npos) << "the refusal repeats the raw ESC";
  s = CheckText("ab\xff", TextRule{200, TextClass::kPrintable}, "f");
  EXPECT_NE(s.message().find("byte 0xFF that is not UTF-8 at byte 2"), std::string::npos) << s.message();
}

TEST(CheckWireStrings, NamesTheFieldByItsPathInTheMessage) {
  wire::ClientMessage m;
  m.set_schema(2);
  m.mutable_heartbeat()->set_software_version(std::string(kMaxCodeBytes, '1'));
  m.mutable_heartbeat()->set_taxonomy_version("2026.1");
  EXPECT_TRUE(CheckWireStrings(m).ok());
  m.mutable_heartbeat()->set_software_version(std::string(kMaxCodeBytes + 1, '1'));
  Status s = CheckWireStrings(m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'heartbeat.software_version'"), std::string::npos) << s.message();

  wire::SummarySnapshot snap;
  snap.set_node_id("helpdesk");
  snap.add_cells()->set_theme("schulden");
  snap.add_cells()->set_theme("schulden\x1b[2J");
  s = CheckWireStrings(snap);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'cells[1].theme'"), std::string::npos) << s.message();

  wire::ClientMessage sub;
  sub.mutable_subscribe()->add_regions("parkstad");
  sub.mutable_subscribe()->add_regions("noord limburg");
  s = CheckWireStrings(sub);
  EXPECT_NE(s.message().find("'subscribe.regions[1]'"), std::string::npos) << s.message();
}

TEST(CheckWireStrings, EveryFieldOfTheSchemaIsBounded) {
  // Each string field of each message: at its bound taken, one byte over refused.
  // Every schema a peer writes to the broker in: the wire, the control
  // socket and the backup request it carries.
  size_t fields = 0;
  for (const google::protobuf::FileDescriptor* file :
       {wire::ClientMessage::descriptor()->file(), wire::ControlRequest::descriptor()->file(),
        wire::BackupRequest::descriptor()->file()}) {
  for (int i = 0; i < file->message_type_count(); ++i) {
    const google::protobuf::Descriptor* d = file->message_type(i);
    for (int j = 0; j < d->field_count(); ++j) {
      const google::protobuf::FieldDescriptor* f = d->field(j);
      if (f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) continue;
      ++fields;
      TextRule rule = RuleFor(*f);
      EXPECT_LE(rule.max_bytes, kMaxPathBytes) << f->full_name();
      std::unique_ptr<google::protobuf::Message> m(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
      const auto* r = m->GetReflection();
      auto set = [&](const std::string& v) {
        if (f->is_repeated()) {
          r->ClearField(m.get(), f);
          r->AddString(m.get(), f, v);
        } else {
          r->SetString(m.get(), f, v);
        }
      };
      set(std::string(rule.max_bytes, 'a'));
      EXPECT_TRUE(CheckWireStrings(*m).ok()) << f->full_name();
      set(std::string(rule.max_bytes + 1, 'a'));
      EXPECT_FALSE(CheckWireStrings(*m).ok()) << f->full_name();
      set("a\x1b");
      EXPECT_FALSE(CheckWireStrings(*m).ok()) << f->full_name();
    }
  }
  }
  EXPECT_GT(fields, 50u);  // 66 today: a walk that finds nothing must not pass
}

TEST(CheckWireStrings, DecidesAsCheckTextOnAnyBytes) {
  // The message walk takes a fast path for well-formed strings: it must agree
  // with CheckText on every kind of field, whatever the bytes.
  std::mt19937 rng(15);
  const char* alphabet[] = {"a", "Z", "0", "-", ".", "+", " ", "\n", "\x1b", "\x7f", "\xc2\x9b", "\xc3\xab",
                            "\xe2\x80\xae", "\xf0\x9f\x98\x80", "\xff", "\xc3", "!", "~", "_"};
  for (int round = 0; round < 20000; ++round) {
    std::string v;
    for (int n = static_cast<int>(rng() % 6); n > 0; --n) v += alphabet[rng() % std::size(alphabet)];
    wire::Nack nack;
    nack.set_reason(v);  // a code
    nack.set_detail(v);  // printable, the default
    wire::EnrolmentRequest enrol;
    enrol.set_node_id(v);           // an id
    enrol.set_curve_public_key(v);  // a key
    for (const google::protobuf::Message* m : {static_cast<const google::protobuf::Message*>(&nack),
                                               static_cast<const google::protobuf::Message*>(&enrol)}) {
      const auto* d = m->GetDescriptor();
      bool expect = true;
      for (const char* field : {"reason", "detail", "node_id", "curve_public_key"}) {
        if (const auto* f = d->FindFieldByName(field)) expect = expect && CheckText(v, RuleFor(*f), field).ok();
      }
      ASSERT_EQ(CheckWireStrings(*m).ok(), expect) << EscapeText(v) << " in " << d->name();
    }
  }
}

TEST(CutToLimits, CutsStoredStringsToTheirBound) {
  wire::Principal p;
  p.set_id("helpdesk");
  p.set_name(std::string(kMaxNameBytes - 1, 'a') + "ë");  // the bound falls inside "ë"
  p.set_software_version(std::string(4 << 20, 'v'));
  p.set_taxonomy_version("2026.1\x1b[31m");  // too is kept: printing escapes it
  p.add_regions(std::string(100, 'r'));
  EXPECT_EQ(CutToLimits(p), 3u);
  EXPECT_EQ(p.software_version().size(), kMaxCodeBytes);
  EXPECT_EQ(p.name(), std::string(kMaxNameBytes - 1, 'a'));
  EXPECT_EQ(p.regions(0).size(), kMaxCodeBytes);
  EXPECT_EQ(p.taxonomy_version(), "2026.1\x1b[31m");
  EXPECT_EQ(CutToLimits(p), 0u);
}

// What a log line becomes: the daemon's formatter over an in-memory sink.
std::string Logged(const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(SafeFormatter());
  logger.warn("refused a snapshot from {}: {}", "helpdesk", message);
  logger.flush();
  return out.str();
}

TEST(LogFormatter, APeersTextCannotForgeALineOrColourTheTerminal) {
  std::string line = Logged("x\n2026-12-02T10:00:00.000 info [signaal-broker] admin revoked helpdesk");
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
  EXPECT_NE(line.find("x\\n2026-12-02T10:00:00.000 info"), std::string::npos) << line;
  line = Logged("\x1b[2J\x1b[31mred\xc2\x9b" "0m");
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_NE(line.find("\\x1b[2J\\x1b[31mred\\x9b0m"), std::string::npos) << line;
  line = Logged(std::string(1 << 20, 'a'));
  EXPECT_LT(line.size(), kMaxLogMessageBytes + 200) << "a 1 MiB message is cut";
  EXPECT_NE(line.find("bytes)"), std::string::npos);
}

TEST(LogLevels, OnlyKnownNamesAreLevels) {
  for (const std::string l : {"trace", "debug", "info", "warn", "warning", "error", "err", "critical", "off"}) {
    EXPECT_TRUE(IsLogLevel(l)) << l;
  }
  for (const std::string l : {"shout", "", "INFO", "verbose"}) EXPECT_FALSE(IsLogLevel(l)) << l;
}

}  // namespace
}  // namespace signaal
