// The intake page beyond loopback: only over HTTPS. `signaal-node init --web`
// makes the certificate and prints its fingerprint; the running node serves
// the page with it (checked with `openssl s_client` against that certificate
// alone), and a config that would serve it in the clear beyond loopback is
// refused with the key named.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "network.h"
#include "web_client.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

TEST(IntakeTls, InitWebMakesACertificateTheNodeServesTheFormWith) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  const int port = FreePort();
  const std::string node_dir = dir.path() + "/node";
  auto init = RunCommand({NodeBinary(), "init", "--dir", node_dir, "--org", "Spreekuur Heerlen", "--type", "spreekuur",
                          "--municipality", "GM0917", "--broker", net.listen(), "--broker-key", net.broker_key(),
                          "--web", "--web-host", "localhost", "--web-listen", "127.0.0.1:" + std::to_string(port),
                          "--json"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto j = init.Json();
  const std::string fingerprint = j["web"]["fingerprint"];
  EXPECT_EQ(fingerprint.size(), 32u * 3 - 1);  // SHA-256 as AB:CD:…
  struct stat key{};
  ASSERT_EQ(stat((node_dir + "/web.key").c_str(), &key), 0);
  EXPECT_EQ(key.st_mode & 0777, 0600u);
  ASSERT_EQ(net.BrokerCli({"enroll", j["enrolment_request"]}).exit_code, 0);

  Daemon node({NodeBinary(), "run", "--config", j["config"]}, node_dir + "/node.log");
  ASSERT_TRUE(node.WaitForLog("intake page on https://127.0.0.1:" + std::to_string(port) +
                                  "/ (certificate SHA-256 " + fingerprint + ")",
                              20s))
      << node.ReadLog();

  // A client that trusts this certificate alone, for the name it was made for.
  const std::string request = "GET /inloggen HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n";
  auto tls = RunCommand({"/bin/sh", "-c",
                         "printf '" + request + "' | openssl s_client -quiet -connect 127.0.0.1:" +
                             std::to_string(port) + " -servername localhost -verify_hostname localhost -CAfile " +
                             node_dir + "/web.crt -verify_return_error 2>&1"},
                        30s);
  EXPECT_NE(tls.out.find("HTTP/1.1 200"), std::string::npos) << tls.out;
  EXPECT_NE(tls.out.find("; Secure"), std::string::npos) << tls.out;
  EXPECT_NE(tls.out.find("Strict-Transport-Security"), std::string::npos);
  EXPECT_NE(tls.out.find("<title>Inloggen"), std::string::npos);

  // The same port in the clear gets no page.
  WebClient plain(port);
  auto clear = plain.Get("/inloggen");
  EXPECT_NE(clear.status, 200);
  EXPECT_EQ(clear.body.find("Inloggen"), std::string::npos);
}

TEST(IntakeTls, APageBeyondLoopbackWithoutACertificateIsRefused) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Helpdesk Kerkrade", "helpdesk", "GM0928");
  ASSERT_NE(node, nullptr);
  std::string text = ReadText(node->config);
  const size_t web = text.find("[web]");
  ASSERT_NE(web, std::string::npos);
  const size_t listen = text.find("listen = \"\"", web);
  ASSERT_NE(listen, std::string::npos);
  text.replace(listen, 11, "listen = \"0.0.0.0:" + std::to_string(FreePort()) + "\"");
  const std::string variant = dir.path() + "/clear.toml";
  std::ofstream(variant) << text;
  auto check = RunCommand({NodeBinary(), "run", "--check", "--config", variant});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.err.find("web.listen"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("TLS"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("clear.toml"), std::string::npos) << check.err;
}

}  // namespace
}  // namespace signaal::test
