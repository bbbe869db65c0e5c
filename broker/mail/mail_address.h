// E-mail addresses of subscribers: checked when an administrator enrols or
// changes them, before they are stored, and again for the broker's own
// sender address. Deliberately narrower than RFC 5322 — a dot-atom local
// part and a DNS host name, ASCII only — so an address that passes can be
// written into a header and an SMTP command as it is: no space, quote,
// angle bracket, comma, CR or LF can reach either.
#pragma once

#include <string>
#include <string_view>

#include "signaal/status.h"

namespace signaal::mail {

// RFC 5321's bound on a forward path, less the angle brackets.
inline constexpr size_t kMaxAddressBytes = 254;

// The address as it is stored (the domain in lower case), or Usage naming
// `field` and what is wrong: longer than kMaxAddressBytes, not exactly one
// '@', a local part of other than letters, digits and !#$%&'*+-/=?^_`{|}~
// in dot-separated words of at most 64 bytes, or a domain that is not at
// least two dot-separated labels (letters, digits, inner '-', 63 bytes each)
// ending in a top-level domain of letters.
Result<std::string> CheckMailAddress(std::string_view address, const std::string& field);

// The part after '@' of an address CheckMailAddress accepted.
std::string MailDomain(std::string_view address);

}  // namespace signaal::mail
