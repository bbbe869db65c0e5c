#include "mime.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "mail_address.h"
#include "signaal/text.h"

namespace signaal::mail {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (i < data.size()) {
    uint32_t v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += i + 1 < data.size() ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string HexSha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

bool PlainAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7F) return false;
  }
  return true;
}

// A file name as it goes into a header: a token of safe characters, so
// neither quoting nor encoding is needed.
Status CheckFileName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 100;
  for (unsigned char c : name) ok = ok && (std::isalnum(c) || c == '.' || c == '_' || c == '-');
  return ok ? Status::Ok() : Status::Usage("attachment name " + QuoteText(name) + " is not a plain file name");
}

Status CheckContentType(const std::string& type) {
  bool ok = !type.empty() && type.size() <= 200 && PlainAscii(type);
  return ok ? Status::Ok() : Status::Usage("content type " + QuoteText(type) + " cannot be written in a header");
}

void TextPart(std::string& out, const std::string& type, std::string_view body) {
  out += "Content-Type: " + type + "; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += QuotedPrintable(body);
  out += "\r\n";
}

// A display name goes as it is only when it is words of letters and digits:
// anything else (a comma, a quote, a dot) would need a quoted-string, and an
// encoded-word is simpler and always right.
bool PlainPhrase(std::string_view s) {
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != ' ') return false;
  }
  return true;
}

Result<std::string> Encode(std::string_view text, size_t used, const std::string& field, bool plain_ok) {
  size_t at = 0;
  while (at < text.size()) {
    size_t len = 1;
    int32_t cp = CodePointAt(text, at, &len);
    if (cp < 0) return Status::Usage(field + " is not UTF-8");
    if (IsControlCodePoint(cp)) return Status::Usage(field + " holds a control character: " + QuoteText(text));
    at += len;
  }
  // "=?", "?=" or a word longer than a line would need encoding too; plain
  // ASCII that fits one line otherwise goes as it is.
  if (plain_ok && PlainAscii(text) && used + text.size() <= 78 && text.find("=?") == std::string_view::npos) {
    return std::string(text);
  }
  // Encoded-words of at most 45 bytes of text (60 of base64, 72 with the
  // wrapping), each split between characters (RFC 2047 §5), one per line.
  // The first word shares its line with the header's name: fewer bytes, so
  // that line too stays within 78 characters.
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t room = out.empty() && used < 60 ? std::min<size_t>(45, (78 - used - 12) / 4 * 3) : 45;
    size_t end = start;
    while (end < text.size()) {
      size_t len = 1;
      CodePointAt(text, end, &len);
      if (end + len - start > room && end > start) break;  // a word holds at least one character
      end += len;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

}  // namespace

Result<std::string> EncodeHeaderText(std::string_view text, size_t used, const std::string& field) {
  return Encode(text, used, field, true);
}

std::string Base64Lines(std::string_view data) {
  std::string encoded = Base64(data), out;
  out.reserve(encoded.size() + encoded.size() / 76 * 2 + 2);
  for (size_t i = 0; i < encoded.size(); i += 76) {
    out.append(encoded, i, 76);
    out += "\r\n";
  }
  return out;
}

std::string QuotedPrintable(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out, line;
  auto flush = [&](bool hard) {
    out += line;
    out += hard ? "\r\n" : "=\r\n";
    line.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // CRLF: handled at the LF
    if (c == '\n' || c == '\r') {
      // A space or tab before a line break would be taken away in transit.
      if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
        unsigned char last = static_cast<unsigned char>(line.back());
        line.pop_back();
        line += {'=', hex[last >> 4], hex[last & 15]};
      }
      flush(true);
      continue;
    }
    std::string piece;
    if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
      piece = std::string(1, static_cast<char>(c));
    } else {
      piece = {'=', hex[c >> 4], hex[c & 15]};
    }
    // 75 characters and the soft break's '=' make 76.
    if (line.size() + piece.size() > 75) flush(false);
    line += piece;
  }
  if (!line.empty()) {
    if (line.back() == ' ' || line.back() == '\t') {
      unsigned char last = static_cast<unsigned char>(line.back());
      line.pop_back();
      line += {'=', hex[last >> 4], hex[last & 15]};
    }
    out += line;
  }
  return out;
}

std::string RfcDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Names in English whatever the locale: RFC 5322 fixes them.
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string DigestMessageId(uint64_t sequence, std::string_view address, std::string_view domain) {
  // The address hashed, not written: a Message-ID travels on in replies and
  // logs, and the address is not needed to tell two apart.
  return "digest-" + std::to_string(sequence) + "." + HexSha256(address).substr(0, 24) + "@" + std::string(domain);
}

Result<std::string> BuildMimeMessage(const MailMessage& m) {
  auto from = CheckMailAddress(m.from, "the sender address");
  if (!from.ok()) return from.status();
  auto to = CheckMailAddress(m.to, "the recipient address");
  if (!to.ok()) return to.status();
  auto name = Encode(m.from_name, 6, "the sender's name", PlainPhrase(m.from_name));
  if (!name.ok()) return name.status();
  auto subject = EncodeHeaderText(m.subject, 9, "the subject");
  if (!subject.ok()) return subject.status();
  // The id is ours, but checked as strictly as an address: it goes in a header.
  if (m.message_id.size() > 200 || !CheckMailAddress(m.message_id, "message id").ok()) {
    return Status::Usage("message id " + QuoteText(m.message_id) + " cannot be written in a header");
  }
  for (const auto& a : m.attachments) {
    if (Status s = CheckFileName(a.filename); !s.ok()) return s;
    if (Status s = CheckContentType(a.content_type); !s.ok()) return s;
  }
  // Boundaries from the id: the same message at every attempt. "=_" never
  // occurs in quoted-printable or base64 text, so no body can contain them.
  const std::string tag = HexSha256(m.message_id).substr(0, 16);
  const std::string mixed = "=_signaal_mixed_" + tag, alternative = "=_signaal_alt_" + tag;
  std::string out;
  out += "Date: " + RfcDate(m.date_unix) + "\r\n";
  out += "From: " + (m.from_name.empty() ? *from : *name + "\r\n <" + *from + ">") + "\r\n";
  out += "To: <" + *to + ">\r\n";
  out += "Subject: " + *subject + "\r\n";
  out += "Message-ID: <" + m.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  // A machine sends this: no vacation replies back (RFC 3834).
  out += "Auto-Submitted: auto-generated\r\n";
  out += "Content-Type: multipart/mixed;\r\n boundary=\"" + mixed + "\"\r\n\r\n";
  out += "This is a MIME message.\r\n";
  out += "\r\n--" + mixed + "\r\n";
  if (m.html.empty()) {
    TextPart(out, "text/plain", m.text);
  } else {
    out += "Content-Type: multipart/alternative;\r\n boundary=\"" + alternative + "\"\r\n\r\n";
    out += "--" + alternative + "\r\n";
    TextPart(out, "text/plain", m.text);
    out += "--" + alternative + "\r\n";
    TextPart(out, "text/html", m.html);
    out += "--" + alternative + "--\r\n";
  }
  for (const auto& a : m.attachments) {
    out += "\r\n--" + mixed + "\r\n";
    out += "Content-Type: " + a.content_type + ";\r\n name=\"" + a.filename + "\"\r\n";
    out += "Content-Disposition: attachment;\r\n filename=\"" + a.filename + "\"\r\n";
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    out += Base64Lines(a.data);
  }
  out += "\r\n--" + mixed + "--\r\n";
  return out;
}

}  // namespace signaal::mail
