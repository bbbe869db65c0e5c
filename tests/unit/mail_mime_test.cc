// The digest mail's parts alone: addresses checked when enrolled, the MIME
// message (no header injection, RFC 2047 subjects, lines of at most 998
// bytes, a Message-ID stable per digest and address), the digest as a mail
// and as .xlsx.
#include <gtest/gtest.h>

#include <sstream>

#include "digest_mail.h"
#include "digest_sheet.h"
#include "mail_address.h"
#include "mime.h"

namespace signaal::mail {
namespace {

MailMessage Sample() {
  MailMessage m;
  m.from = "digests@signaal.example.org";
  m.from_name = "Signaalnet Zuid-Limburg";
  m.to = "secretaris@adviesraad.example.nl";
  m.subject = "Signalenrapportage Parkstad, week 41 t/m 48 (5 oktober – 29 november 2026)";
  m.date_unix = 1796000000;
  m.message_id = DigestMessageId(7, m.to, "signaal.example.org");
  m.text = "# Signalen\n\nRegel met een = teken en é, en een heel lange regel " + std::string(300, 'x') + "\n";
  m.html = "<p>Schulden &amp; geld: 12</p>\n";
  m.attachments.push_back({"parkstad-2026-W41.csv", "text/csv; charset=utf-8", "a;b\r\n1;2\r\n"});
  return m;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at; (at = s.find("\r\n", start)) != std::string::npos; start = at + 2) out.push_back(s.substr(start, at - start));
  out.push_back(s.substr(start));
  return out;
}

TEST(MailAddress, TakesOrdinaryAddressesAndLowersTheDomain) {
  auto a = CheckMailAddress("Secretaris.Adviesraad+digest@Heerlen.NL", "--email");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(*a, "Secretaris.Adviesraad+digest@heerlen.nl");
  EXPECT_TRUE(CheckMailAddress("raad@sub.domein-met-streep.example.org", "--email").ok());
}

TEST(MailAddress, RefusesWhatCouldBreakAHeaderOrACommand) {
  for (const std::string& bad : std::vector<std::string>{"", "raad@example.nl\r\nBcc: spy@example.org", "raad@example.nl\n", "raad @example.nl", "<raad@example.nl>",
        "raad@example.nl>", "\"raad\"@example.nl", "a@@example.nl", "a@b@example.nl", "geen-apenstaartje.nl",
        "raad@localhost", "raad@example.n1", "raad@-example.nl", "raad@example..nl", ".raad@example.nl",
        "raad.@example.nl", "raad@exam_ple.nl", "räad@example.nl", std::string(65, 'a') + "@example.nl",
        "a@" + std::string(250, 'b') + ".nl", "raad@example.nl,ander@example.nl", "raad@example.nl;x"}) {
    auto r = CheckMailAddress(bad, "--email");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kUsage);
    }
  }
}

TEST(Mime, HeadersCannotBeInjected) {
  for (auto spoil : std::vector<void (*)(MailMessage&)>{
           [](MailMessage& m) { m.subject = "Rapport\r\nBcc: spy@example.org"; },
           [](MailMessage& m) { m.subject = "Rapport\nBcc: spy@example.org"; },
           [](MailMessage& m) { m.from_name = "Signaalnet\r\nX-Evil: 1"; },
           [](MailMessage& m) { m.to = "raad@example.nl\r\nBcc: spy@example.org"; },
           [](MailMessage& m) { m.from = "digests@example.org>\r\nBcc: <spy@example.org"; },
           [](MailMessage& m) { m.message_id = "id@example.org>\r\nBcc: x"; },
           [](MailMessage& m) { m.attachments[0].filename = "a.csv\"\r\nX-Evil: 1"; },
           [](MailMessage& m) { m.attachments[0].content_type = "text/csv\r\nX-Evil: 1"; },
           [](MailMessage& m) { m.subject = std::string("Rapport \xC3", 9); },  // not UTF-8
       }) {
    MailMessage m = Sample();
    spoil(m);
    auto built = BuildMimeMessage(m);
    EXPECT_FALSE(built.ok());
    if (built.ok()) {
      EXPECT_EQ(built->find("X-Evil"), std::string::npos);
      EXPECT_EQ(built->find("Bcc:"), std::string::npos);
    }
  }
}

TEST(Mime, SubjectIsAnEncodedWordAndLinesAreShort) {
  auto built = BuildMimeMessage(Sample());
  ASSERT_TRUE(built.ok()) << built.status().message();
  const std::string& msg = *built;
  // Non-ASCII (the en dash) goes as RFC 2047 encoded-words, each at most 75 characters.
  auto subject = msg.find("Subject: =?UTF-8?B?");
  ASSERT_NE(subject, std::string::npos) << msg.substr(0, 800);
  for (const auto& line : Lines(msg)) {
    EXPECT_LE(line.size(), 998u);
    EXPECT_LE(line.size(), 78u) << line;  // and within the recommended 78
    size_t w = line.find("=?UTF-8?B?");
    if (w != std::string::npos) {
      EXPECT_LE(line.size() - w, 75u) << line;
    }
  }
  EXPECT_EQ(msg.find('\n', 0) - 1, msg.find("\r\n"));  // CRLF line ends
  for (size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n') {
      ASSERT_EQ(msg[i - 1], '\r') << "a bare LF at " << i;
    }
  }
  for (const char* header : {"Date: ", "From: ", "To: <secretaris@adviesraad.example.nl>", "Message-ID: <digest-7.",
                             "MIME-Version: 1.0", "multipart/mixed", "multipart/alternative", "text/plain; charset=utf-8",
                             "text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable",
                             "Content-Transfer-Encoding: base64", "filename=\"parkstad-2026-W41.csv\""}) {
    EXPECT_NE(msg.find(header), std::string::npos) << header;
  }
  // The sender's name has a '-': a phrase that must be encoded, not written bare.
  EXPECT_NE(msg.find("From: =?UTF-8?B?"), std::string::npos);
  // A plain subject goes as it is.
  auto plain = EncodeHeaderText("Signalenrapportage Parkstad", 9, "subject");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "Signalenrapportage Parkstad");
}

TEST(Mime, EncodedWordsSplitBetweenCharactersAndDecodeBack) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "é–";  // 2 + 3 bytes each
  auto enc = EncodeHeaderText(text, 9, "subject");
  ASSERT_TRUE(enc.ok());
  std::string decoded;
  std::istringstream words(*enc);
  for (std::string w; words >> w;) {
    ASSERT_EQ(w.rfind("=?UTF-8?B?", 0), 0u) << w;
    ASSERT_LE(w.size(), 75u);
    std::string b64 = w.substr(10, w.size() - 12);
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes;
    uint32_t buf = 0;
    int bits = 0;
    for (char c : b64) {
      if (c == '=') break;
      buf = (buf << 6) | static_cast<uint32_t>(alphabet.find(c));
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes += static_cast<char>((buf >> bits) & 0xFF);
      }
    }
    // Every word holds whole characters: it is valid UTF-8 on its own.
    EXPECT_TRUE(EncodeHeaderText(bytes, 0, "word").ok()) << w;
    decoded += bytes;
  }
  EXPECT_EQ(decoded, text);
}

TEST(Mime, QuotedPrintableKeepsLinesShortAndEncodesWhatItMust) {
  std::string qp = QuotedPrintable("a = b é  \n" + std::string(200, 'y') + "\nend\t");
  for (const auto& line : Lines(qp)) EXPECT_LE(line.size(), 76u) << line;
  EXPECT_NE(qp.find("a =3D b =C3=A9 =20\r\n"), std::string::npos) << qp;
  EXPECT_NE(qp.find("=\r\n"), std::string::npos);  // soft breaks in the long line
  EXPECT_EQ(qp.substr(qp.size() - 6), "end=09");
  EXPECT_EQ(Base64Lines("Man"), "TWFu\r\n");
  EXPECT_EQ(Base64Lines("Ma"), "TWE=\r\n");
}

TEST(Mime, MessageIdIsStablePerDigestAndAddress) {
  auto a = DigestMessageId(12, "raad@example.nl", "signaal.example.org");
  EXPECT_EQ(a, DigestMessageId(12, "raad@example.nl", "signaal.example.org"));  // a retry: the same id
  EXPECT_NE(a, DigestMessageId(13, "raad@example.nl", "signaal.example.org"));
  EXPECT_NE(a, DigestMessageId(12, "ander@example.nl", "signaal.example.org"));
  EXPECT_EQ(a.find("raad"), std::string::npos);  // the address is hashed, not written
  EXPECT_EQ(a.rfind("digest-12.", 0), 0u);
  // The whole message too: built twice, the same bytes.
  auto one = BuildMimeMessage(Sample()), two = BuildMimeMessage(Sample());
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(*one, *two);
  EXPECT_EQ(RfcDate(0), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(DigestMail, HasEveryPartAndADutchSubject) {
  wire::Digest d;
  d.set_sequence(3);
  d.set_region("parkstad");
  d.set_region_name("Parkstad");
  d.set_period("2026-W41");
  d.set_from_week("2026-W41");
  d.set_to_week("2026-W41");
  d.mutable_total()->set_signals(40);
  auto* t = d.add_themes();
  t->set_code("schulden");
  t->set_label_nl("Schulden en geldzorgen");
  t->set_signals(25);
  t->set_persons(20);
  t->set_organisations(2);
  auto* s = d.add_themes();
  s->set_code("wonen");
  s->set_suppressed(true);
  EXPECT_EQ(DigestMailSubject(d).rfind("Signalenrapportage Parkstad", 0), 0u) << DigestMailSubject(d);
  auto msg = ComposeDigestMail(d, {"digests@signaal.example.org", "Signaalnet", "raad@example.nl", 1796000000});
  ASSERT_TRUE(msg.ok()) << msg.status().message();
  EXPECT_NE(msg->find("filename=\"parkstad-2026-W41.csv\""), std::string::npos);
  EXPECT_NE(msg->find("filename=\"parkstad-2026-W41.xlsx\""), std::string::npos);
  EXPECT_NE(msg->find("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), std::string::npos);
  auto xlsx = sheets::DigestToXlsx(d);
  ASSERT_TRUE(xlsx.ok()) << xlsx.status().message();
  EXPECT_EQ(xlsx->substr(0, 2), "PK");  // a zip file
  EXPECT_EQ(sheets::DutchDigestColumn("signals"), "signalen");
}

}  // namespace
}  // namespace signaal::mail
