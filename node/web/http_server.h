// HttpServer: the intake page's HTTP(S) listener — GNU libmicrohttpd on one
// thread of its own, with every cost a client can cause bounded before the
// application sees a request: connections in all and per address, the time
// a request may take, the bytes of its head and of its body. The
// application is one function from a whole request to a whole response,
// called on that thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "signaal/status.h"

namespace signaal::node::web {

struct HttpRequest {
  std::string method;       // GET, POST, ...
  std::string path;         // decoded by libmicrohttpd, without the query
  std::string body;         // at most HttpServer::Options::max_body bytes
  std::string cookie;       // the session cookie's value, or ""
  std::string client;       // the peer's address, for the log and the login guard
  bool tls = false;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides the security headers every answer gets
};

class HttpServer {
 public:
  struct Options {
    std::string host;  // a numeric address
    int port = 0;
    std::string certificate_pem, key_pem;  // both or neither: HTTPS
    std::string cookie_name = "signaal_sessie";
    size_t max_body = 64 * 1024;     // larger: 413, connection closed
    unsigned connections = 64;
    unsigned per_address = 16;
    unsigned timeout_s = 30;         // a request, head and body, within this
  };
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds and starts serving; an error names the address.
  static Result<std::unique_ptr<HttpServer>> Start(Options options, Handler handler);
  ~HttpServer();  // stops: waits for the request being answered
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }  // the bound port (0 asked: the one given)
  // Requests refused before the application saw them (too large, bad head).
  uint64_t refused() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace signaal::node::web
