#include "intake_page.h"

#include <sodium.h>

#include <chrono>

#include "certificate.h"
#include "http_server.h"
#include "intake_app.h"
#include "node_link.h"
#include "signaal/files.h"
#include "signaal/log.h"

namespace signaal::node::web {

IntakePage::~IntakePage() {
  server_.reset();  // joins the server's thread: nothing uses the app or the link after this
  app_.reset();
  link_.reset();
}

int IntakePage::port() const { return server_->port(); }

std::string IntakePage::url() const { return scheme_host_ + ":" + std::to_string(port()) + "/"; }

Result<std::unique_ptr<IntakePage>> IntakePage::Start(zmq::context_t& ctx, const NodeConfig& config,
                                                      ReferenceData ref) {
  auto address = ParseWebListen(config.web_listen);
  if (!address.ok()) return address.status().Prefixed(config.path + ": key 'web.listen'");
  HttpServer::Options options;
  options.host = address->host;
  options.port = address->port;
  if (!config.web_certificate.empty()) {
    auto cert = ReadFile(config.web_certificate);
    if (!cert.ok()) return Status::Usage(config.path + ": key 'web.certificate': cannot read " + config.web_certificate);
    auto key = ReadFile(config.web_key);
    if (!key.ok()) return Status::Usage(config.path + ": key 'web.key': cannot read " + config.web_key);
    options.certificate_pem = std::move(*cert);
    options.key_pem = std::move(*key);
  }
  // Argon2id, the session ids and the tokens come from libsodium.
  if (sodium_init() < 0) return Status::Runtime("libsodium cannot start; the intake page needs it");
  std::unique_ptr<IntakePage> page(new IntakePage());
  page->link_ = std::make_unique<NodeLink>(ctx, kLoopEndpoint);
  IntakeApp::Options app;
  app.node_name = config.name.empty() ? config.id : config.name;
  app.home_municipality = config.municipality;
  app.default_channel = config.type;
  app.session_idle_s = int64_t{60} * config.web_session_minutes;
  app.cookie_name = options.cookie_name;
  app.secure_cookie = !options.certificate_pem.empty();
  NodeLink* link = page->link_.get();
  page->app_ = std::make_unique<IntakeApp>(
      app, std::move(ref),
      [link](wire::NodeRequest request) { return link->Ask(std::move(request), std::chrono::seconds(5)); },
      [] { return static_cast<int64_t>(std::time(nullptr)); });
  IntakeApp* handler = page->app_.get();
  auto server = HttpServer::Start(options, [handler](const HttpRequest& r) { return handler->Handle(r); });
  if (!server.ok()) return server.status().Prefixed(config.path);
  page->server_ = std::move(*server);
  const bool v6 = address->host.find(':') != std::string::npos;
  page->scheme_host_ = std::string(app.secure_cookie ? "https://" : "http://") + (v6 ? "[" : "") + address->host +
                       (v6 ? "]" : "");
  if (app.secure_cookie) {
    auto fingerprint = CertificateFingerprint(options.certificate_pem);
    spdlog::info("intake page on {} (certificate SHA-256 {})", page->url(),
                 fingerprint.ok() ? *fingerprint : fingerprint.status().message());
  } else {
    spdlog::info("intake page on {}", page->url());
  }
  return page;
}

}  // namespace signaal::node::web
