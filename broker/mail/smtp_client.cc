#include "smtp_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace signaal::mail {
namespace {

struct Upload {
  std::string_view data;
  size_t at = 0;
};

size_t ReadChunk(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * count, up->data.size() - up->at);
  std::memcpy(buffer, up->data.data() + up->at, n);
  up->at += n;
  return n;
}

int Progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abandon = static_cast<const std::atomic<bool>*>(user);
  return abandon && abandon->load() ? 1 : 0;  // non-zero aborts the transfer
}

}  // namespace

void InitSmtp() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<StartTls> ParseStartTls(const std::string& value) {
  if (value == "required") return StartTls::kRequired;
  if (value == "optional") return StartTls::kOptional;
  if (value == "off") return StartTls::kOff;
  return Status::Usage("must be required, optional or off, not '" + value + "'");
}

Status SendMail(const SmtpSettings& s, const std::string& from, const std::string& to, std::string_view message,
                const std::atomic<bool>* abandon) {
  CURL* curl = curl_easy_init();
  if (!curl) return Status::Runtime("cannot start an SMTP session (curl_easy_init)");
  char error[CURL_ERROR_SIZE] = {0};
  Upload upload{message};
  std::string mail_from = "<" + from + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
  curl_easy_setopt(curl, CURLOPT_URL, s.url.c_str());
  // Only SMTP: a URL that names another scheme is refused by curl, not followed.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadChunk);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // a thread of a daemon: no SIGALRM
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(s.timeout_s, 30)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(s.timeout_s));
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, abandon);
  long use_ssl = s.starttls == StartTls::kRequired   ? CURLUSESSL_ALL
                 : s.starttls == StartTls::kOptional ? CURLUSESSL_TRY
                                                     : CURLUSESSL_NONE;
  curl_easy_setopt(curl, CURLOPT_USE_SSL, use_ssl);
  if (!s.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, s.ca_file.c_str());
  if (!s.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, s.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, s.password.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc == CURLE_OK) return Status::Ok();
  std::string why = error[0] ? error : curl_easy_strerror(rc);
  if (rc == CURLE_ABORTED_BY_CALLBACK) why = "stopped: the broker is shutting down";
  // Refused by the server (a 4xx is worth another try, so is a connection
  // that failed); the daemon retries every failure until it gives up.
  std::string code = reply > 0 ? " (SMTP reply " + std::to_string(reply) + ")" : "";
  return Status::Unreachable("SMTP " + s.url + ": " + why + code);
}

}  // namespace signaal::mail
