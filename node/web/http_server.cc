#include "http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "signaal/log.h"
#include "signaal/text.h"

namespace signaal::node::web {

struct HttpServer::Impl {
  Options options;
  Handler handler;
  MHD_Daemon* daemon = nullptr;
  std::atomic<uint64_t> refused{0};
};

namespace {

// What one request has sent so far, between libmicrohttpd's calls.
struct Pending {
  std::string body;
  bool too_large = false;
};

// Sent with every answer: nothing from elsewhere, no framing, no caching of
// pages that show signals, no referrer carrying a signal's id.
constexpr const char* kSecurityHeaders[][2] = {
    {"Content-Security-Policy",
     "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; "
     "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
};

MHD_Result Queue(MHD_Connection* c, const HttpResponse& r, bool tls) {
  MHD_Response* response =
      MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
  if (!response) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", r.content_type.c_str());
  for (const auto& h : kSecurityHeaders) MHD_add_response_header(response, h[0], h[1]);
  if (tls) MHD_add_response_header(response, "Strict-Transport-Security", "max-age=31536000");
  for (const auto& [name, value] : r.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
  MHD_Result queued = MHD_queue_response(c, static_cast<unsigned>(r.status), response);
  MHD_destroy_response(response);
  return queued;
}

HttpResponse TooLarge() {
  HttpResponse r;
  r.status = MHD_HTTP_CONTENT_TOO_LARGE;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "Het formulier is te groot. / The form is too large.\n";
  r.headers.emplace_back("Connection", "close");
  return r;
}

std::string ClientAddress(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return "?";
  char text[INET6_ADDRSTRLEN] = "?";
  const sockaddr* a = info->client_addr;
  if (a->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, text, sizeof text);
  } else if (a->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, text, sizeof text);
  }
  return text;
}

std::string Value(MHD_Connection* c, MHD_ValueKind kind, const char* key) {
  const char* v = MHD_lookup_connection_value(c, kind, key);
  return v ? v : "";
}

MHD_Result Access(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                  const char* upload, size_t* upload_size, void** req_cls) {
  auto* impl = static_cast<HttpServer::Impl*>(cls);
  const bool tls = !impl->options.certificate_pem.empty();
  auto* pending = static_cast<Pending*>(*req_cls);
  if (!pending) {
    // The head only: a body announced too large is refused before it is read.
    pending = new Pending;
    *req_cls = pending;
    std::string length = Value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!length.empty() && (length.size() > 12 || std::strtoull(length.c_str(), nullptr, 10) > impl->options.max_body)) {
      pending->too_large = true;
      impl->refused++;
      spdlog::warn("web: {} sent a form of {} bytes; refused (at most {})", ClientAddress(c), EscapeText(length),
                   impl->options.max_body);
      return Queue(c, TooLarge(), tls);
    }
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (!pending->too_large && pending->body.size() + *upload_size > impl->options.max_body) {
      pending->too_large = true;
      impl->refused++;
      spdlog::warn("web: {} sent a form of more than {} bytes; refused", ClientAddress(c), impl->options.max_body);
      return Queue(c, TooLarge(), tls);
    }
    if (!pending->too_large) pending->body.append(upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (pending->too_large) return MHD_YES;  // answered already
  HttpRequest request;
  request.method = method;
  request.path = url;
  request.body = std::move(pending->body);
  request.cookie = Value(c, MHD_COOKIE_KIND, impl->options.cookie_name.c_str());
  request.client = ClientAddress(c);
  request.tls = tls;
  HttpResponse response;
  try {
    response = impl->handler(request);
  } catch (const std::exception& e) {
    // A page must never take the node down; the volunteer sees an apology.
    spdlog::error("web: {} {}: {}", EscapeText(request.method), EscapeText(request.path), e.what());
    response.status = 500;
    response.body = "Er ging iets mis op de node; probeer het opnieuw.\n";
    response.content_type = "text/plain; charset=utf-8";
  }
  return Queue(c, response, tls);
}

void Completed(void*, MHD_Connection*, void** req_cls, MHD_RequestTerminationCode) {
  delete static_cast<Pending*>(*req_cls);
  *req_cls = nullptr;
}

void Log(void*, const char* format, va_list args) {
  char line[512];
  std::vsnprintf(line, sizeof line, format, args);
  std::string text = line;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  spdlog::warn("web: {}", EscapeText(text));
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (impl_ && impl_->daemon) MHD_stop_daemon(impl_->daemon);
}

uint64_t HttpServer::refused() const { return impl_->refused.load(); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(Options options, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  const Options& o = impl->options;
  const std::string where = o.host + ":" + std::to_string(o.port);

  sockaddr_storage address{};
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
  if (o.host.find(':') != std::string::npos) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&address);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(o.port));
    if (inet_pton(AF_INET6, o.host.c_str(), &a6->sin6_addr) != 1) {
      return Status::Usage("web.listen: '" + o.host + "' is not an IPv6 address");
    }
    flags |= MHD_USE_IPv6;
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&address);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(o.port));
    if (inet_pton(AF_INET, o.host.c_str(), &a4->sin_addr) != 1) {
      return Status::Usage("web.listen: '" + o.host + "' is not an IPv4 address");
    }
  }
  const bool tls = !o.certificate_pem.empty();
  if (tls) {
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
      return Status::Runtime("this libmicrohttpd was built without TLS; the page cannot serve HTTPS");
    }
    flags |= MHD_USE_TLS;
  }
  MHD_OptionItem tls_options[] = {
      {MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(o.certificate_pem.c_str())},
      {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(o.key_pem.c_str())},
      {MHD_OPTION_END, 0, nullptr},
  };
  MHD_OptionItem no_options[] = {{MHD_OPTION_END, 0, nullptr}};
  impl->daemon = MHD_start_daemon(
      flags, static_cast<uint16_t>(o.port), nullptr, nullptr, &Access, impl.get(),
      MHD_OPTION_EXTERNAL_LOGGER, &Log, nullptr,
      MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&address),
      MHD_OPTION_CONNECTION_LIMIT, o.connections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, o.per_address,
      MHD_OPTION_CONNECTION_TIMEOUT, o.timeout_s,
      // A request's head (path, headers, cookies) fits in this or gets 431.
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<size_t>(32 * 1024),
      MHD_OPTION_NOTIFY_COMPLETED, &Completed, nullptr,
      MHD_OPTION_ARRAY, tls ? tls_options : no_options,
      MHD_OPTION_END);
  if (!impl->daemon) {
    return Status::Runtime("web.listen: cannot serve the intake page on " + where +
                           (tls ? " (is the certificate and key a matching PEM pair?)" : " (is the port in use?)"));
  }
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(impl)));
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->impl_->daemon, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info ? info->port : o.port;
  return server;
}

}  // namespace signaal::node::web
