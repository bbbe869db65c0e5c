// systemd readiness and watchdog (deploy/systemd/*.service, Type=notify):
// the test plays systemd — a unix datagram socket named in $NOTIFY_SOCKET,
// a watchdog interval in $WATCHDOG_USEC — and starts the real daemons. Each
// must send READY=1 once it serves, WATCHDOG=1 about every half interval
// (not every loop turn), and STOPPING=1 on SIGTERM; without $WATCHDOG_USEC,
// no pings.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>

#include "network.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// The receiving end of sd_notify(), as systemd holds it.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool bound() const { return bound_; }

  // Every datagram that arrives within `duration`.
  std::vector<std::string> Receive(std::chrono::milliseconds duration) {
    std::vector<std::string> messages;
    auto end = std::chrono::steady_clock::now() + duration;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) messages.emplace_back(buf, static_cast<size_t>(n));
    }
    return messages;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

int Count(const std::vector<std::string>& messages, const std::string& text) {
  int n = 0;
  for (const auto& m : messages) n += m.find(text) != std::string::npos;
  return n;
}

// Sets systemd's variables for the daemons started while it lives.
class ServiceEnvironment {
 public:
  ServiceEnvironment(const std::string& socket, const char* watchdog_usec) {
    setenv("NOTIFY_SOCKET", socket.c_str(), 1);
    if (watchdog_usec) setenv("WATCHDOG_USEC", watchdog_usec, 1);
  }
  ~ServiceEnvironment() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
  }
};

// With a 1 s watchdog the daemon pings every 0.5 s: about 6 in 3 s.
void ExpectReadyAndWatchdog(NotifySocket& sock, Daemon& daemon) {
  auto messages = sock.Receive(3000ms);
  ASSERT_FALSE(messages.empty()) << daemon.ReadLog();
  EXPECT_NE(messages.front().find("READY=1"), std::string::npos) << messages.front();
  EXPECT_NE(messages.front().find("STATUS="), std::string::npos) << messages.front();
  EXPECT_EQ(Count(messages, "READY=1"), 1);
  int pings = Count(messages, "WATCHDOG=1");
  EXPECT_GE(pings, 4) << "watchdog pings in 3 s";
  EXPECT_LE(pings, 8) << "watchdog pings in 3 s: not rate-limited to half the interval";
  daemon.Stop();
  EXPECT_EQ(Count(sock.Receive(300ms), "STOPPING=1"), 1);
}

TEST(ServiceNotify, BrokerSendsReadyWatchdogAndStopping) {
  TempDir dir;
  NotifySocket sock(dir.path() + "/notify");
  ASSERT_TRUE(sock.bound());
  ServiceEnvironment env(dir.path() + "/notify", "1000000");
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  ExpectReadyAndWatchdog(sock, net.broker());
}

TEST(ServiceNotify, NodeSendsReadyWatchdogAndStopping) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NotifySocket sock(dir.path() + "/notify");
  ASSERT_TRUE(sock.bound());
  ServiceEnvironment env(dir.path() + "/notify", "1000000");  // for the node only: the broker runs already
  NodeHandle* node = net.AddNode("Cliëntenraad Heerlen", "clientenraad", "GM0917");  // init, enroll, run
  ASSERT_NE(node, nullptr);
  ExpectReadyAndWatchdog(sock, *node->daemon);
}

TEST(ServiceNotify, NoWatchdogPingsUnlessAsked) {
  TempDir dir;
  NotifySocket sock(dir.path() + "/notify");
  ASSERT_TRUE(sock.bound());
  ServiceEnvironment env(dir.path() + "/notify", nullptr);
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  auto messages = sock.Receive(1500ms);
  EXPECT_EQ(Count(messages, "READY=1"), 1);
  EXPECT_EQ(Count(messages, "WATCHDOG=1"), 0);
}

}  // namespace
}  // namespace signaal::test
