// The digest mail: one published digest for one address, as a council's
// secretary reads it — the HTML digest inline, the Markdown as its plain-text
// alternative, the CSV and an .xlsx of the same rows attached — with a Dutch
// subject (the digest's title). Made again from the stored digest at every
// attempt, identical each time (the Date is when it was queued, the
// Message-ID follows from the digest's sequence and the address).
#pragma once

#include <cstdint>
#include <string>

#include "signaal/status.h"
#include "wire.pb.h"

namespace signaal::mail {

struct DigestMailHeader {
  std::string from;       // the broker's sender address ([mail] from)
  std::string from_name;  // shown beside it
  std::string to;
  int64_t date_unix = 0;  // when the mail was queued
};

// The subject: the digest's title, "Signalenrapportage Parkstad, week 41
// t/m 48 (5 oktober – 29 november 2026)".
std::string DigestMailSubject(const wire::Digest& digest);

// The whole message (mime.h). Fails when the digest cannot be rendered or a
// header value is refused.
Result<std::string> ComposeDigestMail(const wire::Digest& digest, const DigestMailHeader& header);

}  // namespace signaal::mail
