// Hands one message to an SMTP server — the host's MTA or a relay — through
// libcurl: STARTTLS as configured, AUTH when a user name is set. Blocking
// I/O: only ever called on the mail worker's thread (broker/mail_worker.h),
// never on the broker's poll loop.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "signaal/status.h"

namespace signaal::mail {

enum class StartTls {
  kRequired,  // refuse to send unless the connection is encrypted (STARTTLS or smtps://)
  kOptional,  // STARTTLS when the server offers it, else in the clear (a local MTA)
  kOff,       // never STARTTLS
};

struct SmtpSettings {
  std::string url = "smtp://localhost:25";  // smtp://HOST:PORT, or smtps:// for TLS from the start
  StartTls starttls = StartTls::kOptional;
  std::string username;  // "" = no AUTH
  std::string password;  // read from [mail] password_file; never logged
  std::string ca_file;   // "" = the system's CAs
  int timeout_s = 60;    // one whole transaction
};

// "required", "optional" or "off"; Usage for anything else.
Result<StartTls> ParseStartTls(const std::string& value);

// Sends `message` (CRLF lines, as BuildMimeMessage writes it) from `from` to
// `to`. Ok only when the server accepted it (250 after DATA); otherwise one
// sentence with the server's reply code or curl's reason, never the message
// or the password. `abandon`, when set while sending, stops the transfer.
Status SendMail(const SmtpSettings& settings, const std::string& from, const std::string& to,
                std::string_view message, const std::atomic<bool>* abandon);

// curl_global_init, once, before any thread sends (the mail worker's
// constructor calls it on the loop thread).
void InitSmtp();

}  // namespace signaal::mail
