#include "web_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace signaal::test {

std::string WebReply::Location() const {
  auto it = headers.find("location");
  return it == headers.end() ? "" : it->second;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  auto encode = [](const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
    return out;
  };
  std::string out;
  for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + encode(k) + "=" + encode(v);
  return out;
}

WebReply WebClient::Raw(const std::string& request) {
  WebReply reply;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port_));
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return reply;
  }
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) and close before the body is sent
    sent += static_cast<size_t>(n);
  }
  std::string in;
  char buf[16384];
  while (true) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  size_t head_end = in.find("\r\n\r\n");
  if (in.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return reply;
  reply.status = std::atoi(in.c_str() + 9);
  size_t line = in.find("\r\n") + 2;
  while (line < head_end) {
    size_t next = in.find("\r\n", line);
    std::string h = in.substr(line, next - line);
    size_t colon = h.find(':');
    if (colon != std::string::npos) {
      std::string name = h.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string value = h.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      reply.headers[name] = value;
    }
    line = next + 2;
  }
  reply.body = in.substr(head_end + 4);
  return reply;
}

WebReply WebClient::Send(const std::string& method, const std::string& path, const std::string& body,
                         const std::string& content_type) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!cookie.empty()) req += "Cookie: signaal_sessie=" + cookie + "\r\n";
  if (method == "POST") {
    req += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  WebReply r = Raw(req);
  auto set = r.headers.find("set-cookie");
  if (set != r.headers.end() && set->second.rfind("signaal_sessie=", 0) == 0) {
    cookie = set->second.substr(15, set->second.find(';') - 15);
  }
  const std::string marker = "name=\"csrf\" value=\"";
  if (size_t at = r.body.find(marker); at != std::string::npos) {
    csrf = r.body.substr(at + marker.size(), r.body.find('"', at + marker.size()) - at - marker.size());
  }
  return r;
}

WebReply WebClient::Get(const std::string& path) { return Send("GET", path, "", ""); }

WebReply WebClient::Post(const std::string& path, std::vector<std::pair<std::string, std::string>> fields) {
  if (std::none_of(fields.begin(), fields.end(), [](const auto& f) { return f.first == "csrf"; })) {
    fields.insert(fields.begin(), {"csrf", csrf});
  }
  return Send("POST", path, FormEncode(fields), "application/x-www-form-urlencoded");
}

WebReply WebClient::PostRaw(const std::string& path, const std::string& body, const std::string& content_type) {
  return Send("POST", path, body, content_type);
}

bool WebClient::Login(const std::string& name, const std::string& password) {
  if (Get("/inloggen").status != 200) return false;
  WebReply r = Post("/inloggen", {{"naam", name}, {"wachtwoord", password}});
  if (r.status != 303 || r.Location() != "/signaal/nieuw") return false;
  return Get("/signaal/nieuw").status == 200;  // the form's token
}

}  // namespace signaal::test
