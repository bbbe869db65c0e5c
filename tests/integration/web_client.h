// WebClient: a browser's part in the intake page's tests, over a plain
// loopback socket — one HTTP/1.1 request per connection, the session
// cookie kept, and the CSRF token of the last page sent back with a form.
// No redirects are followed: tests look at them.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace signaal::test {

struct WebReply {
  int status = 0;  // 0: no answer (connection refused or cut)
  std::map<std::string, std::string> headers;  // lower-case names; the last of a repeated one
  std::string body;
  std::string Location() const;
};

class WebClient {
 public:
  explicit WebClient(int port) : port_(port) {}

  WebReply Get(const std::string& path);
  // A form as a browser sends it; "csrf" is added from the last page unless given.
  WebReply Post(const std::string& path, std::vector<std::pair<std::string, std::string>> fields);
  // Any bytes as the body of a POST (oversized, not a form).
  WebReply PostRaw(const std::string& path, const std::string& body,
                   const std::string& content_type = "application/x-www-form-urlencoded");
  // A whole request as written, for heads no browser sends.
  WebReply Raw(const std::string& request);

  // Logs in; true on the redirect to the form.
  bool Login(const std::string& name, const std::string& password);

  std::string cookie;  // the session cookie's value
  std::string csrf;    // the CSRF token of the last page that had one

 private:
  WebReply Send(const std::string& method, const std::string& path, const std::string& body,
                const std::string& content_type);
  int port_;
};

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace signaal::test
