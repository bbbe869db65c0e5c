// An Internet message (RFC 5322, MIME RFC 2045-2049) built from parts: the
// digest mail's headers and body, ready for SMTP. Every header is written
// here and only from checked values: addresses pass CheckMailAddress, text
// goes out as RFC 2047 encoded-words when it is not plain ASCII, and a value
// holding CR, LF or another control character is refused — so nothing a
// subscriber's name, a region or a digest title holds can add a header.
// Bodies are quoted-printable (text) or base64 (attachments): no line the
// message holds is longer than 76 characters (RFC 5322's limit is 998).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signaal/status.h"

namespace signaal::mail {

struct MailAttachment {
  std::string filename;      // ASCII letters, digits, '.', '_' and '-' only
  std::string content_type;  // e.g. "text/csv; charset=utf-8"
  std::string data;
};

struct MailMessage {
  std::string from;          // an address (CheckMailAddress)
  std::string from_name;     // shown beside it; UTF-8, encoded as needed
  std::string to;            // one address
  std::string subject;       // UTF-8
  int64_t date_unix = 0;     // the Date header
  std::string message_id;    // "local@domain", without angle brackets
  std::string text;          // text/plain (UTF-8), the alternative read when HTML is not
  std::string html;          // text/html (UTF-8); "" for a text-only message
  std::vector<MailAttachment> attachments;
};

// The whole message with CRLF line ends; Usage naming the field at fault
// for an address, a name, subject or file name that cannot be written safely.
Result<std::string> BuildMimeMessage(const MailMessage& message);

// An unstructured header's value (Subject, a display name) for a header whose
// name and ": " take `used` characters: as it is when printable ASCII fitting
// one 78-character line, else RFC 2047 "=?UTF-8?B?…?=" words of at most 75
// characters, split between characters, folded onto continuation lines.
// Refused when it holds a control character (CR and LF among them) or is not
// UTF-8.
Result<std::string> EncodeHeaderText(std::string_view text, size_t used, const std::string& field);

// Base64 in lines of 76 characters, each ended by CRLF.
std::string Base64Lines(std::string_view data);
// Quoted-printable (RFC 2045 §6.7): line breaks as CRLF, lines of at most 76
// characters with soft breaks, '=' and every byte outside printable ASCII
// encoded, and a space or tab before a line break too.
std::string QuotedPrintable(std::string_view text);
// "Mon, 30 Nov 2026 07:00:00 +0000" (RFC 5322 §3.3, in UTC).
std::string RfcDate(int64_t unix_seconds);
// The Message-ID of digest `sequence` mailed to `address`, without angle
// brackets: the same for every attempt, another for every (digest, address).
std::string DigestMessageId(uint64_t sequence, std::string_view address, std::string_view domain);

}  // namespace signaal::mail
