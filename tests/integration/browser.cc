#include "browser.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace signaal::test {
namespace {

std::string Base64Decode(const std::string& in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return "";
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace

std::unique_ptr<Browser> Browser::Launch(const std::string& profile_dir, std::string* error) {
  // Fds 3 and 4 in the child: the browser reads commands from 3 and writes
  // answers and events to 4, each a JSON text ended by a NUL byte.
  int commands[2], answers[2];
  if (pipe(commands) != 0 || pipe(answers) != 0) {
    *error = "pipe failed";
    return nullptr;
  }
  std::unique_ptr<Browser> b(new Browser());
  std::string log = profile_dir + ".log";
  b->pid_ = fork();
  if (b->pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int in = dup(commands[0]), out = dup(answers[1]);
    dup2(in, 3);
    dup2(out, 4);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    for (int f = 5; f < 1024; ++f) close(f);
    setenv("HOME", profile_dir.c_str(), 1);
    std::string data_dir = "--user-data-dir=" + profile_dir;
    // Running as root (CI) needs --no-sandbox; nothing here is untrusted.
    execl("/usr/bin/chromium", "chromium", "--headless", "--remote-debugging-pipe", "--no-sandbox",
          "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-extensions", data_dir.c_str(), "about:blank",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(commands[0]);
  close(answers[1]);
  b->to_browser_ = commands[1];
  b->from_browser_ = answers[0];
  // The first answer proves the browser is up.
  auto version = b->Call("Browser.getVersion", nlohmann::json::object(), false, std::chrono::seconds(60));
  if (version.is_null()) {
    *error = "chromium did not answer (" + b->last_error_ + "); its log: " + log;
    return nullptr;
  }
  return b;
}

Browser::~Browser() {
  if (pid_ > 0) {
    Call("Browser.close", nlohmann::json::object(), false, std::chrono::seconds(5));
    for (int i = 0; i < 50 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
}

bool Browser::ReadMessage(std::chrono::milliseconds timeout) {
  for (;;) {
    auto end = buffer_.find('\0');
    if (end != std::string::npos) {
      auto message = nlohmann::json::parse(buffer_.substr(0, end), nullptr, false);
      buffer_.erase(0, end + 1);
      if (message.is_discarded()) continue;
      (message.contains("id") ? responses_ : events_).push_back(std::move(message));
      return true;
    }
    pollfd p{from_browser_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char chunk[65536];
    ssize_t n = read(from_browser_, chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

nlohmann::json Browser::Call(const std::string& method, nlohmann::json params, bool to_page,
                             std::chrono::seconds timeout) {
  int id = next_id_++;
  nlohmann::json message = {{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (to_page) message["sessionId"] = session_;
  std::string text = message.dump();
  text.push_back('\0');
  for (size_t off = 0; off < text.size();) {
    ssize_t n = write(to_browser_, text.data() + off, text.size() - off);
    if (n <= 0) {
      last_error_ = "cannot write to chromium";
      return nullptr;
    }
    off += static_cast<size_t>(n);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (auto it = responses_.begin(); it != responses_.end(); ++it) {
      if ((*it)["id"] != id) continue;
      nlohmann::json answer = std::move(*it);
      responses_.erase(it);
      if (answer.contains("error")) {
        last_error_ = method + ": " + answer["error"].dump();
        return nullptr;
      }
      return answer["result"];
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !ReadMessage(left)) {
      last_error_ = method + ": no answer";
      return nullptr;
    }
  }
}

bool Browser::WaitForEvent(const std::string& method, std::chrono::seconds timeout, size_t since) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t seen = since;
  for (;;) {
    for (; seen < events_.size(); ++seen) {
      if (events_[seen]["method"] == method && events_[seen].value("sessionId", "") == session_) return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !ReadMessage(left)) return false;
  }
}

bool Browser::Open(const std::string& url, int width, int height, std::string* error) {
  auto target = Call("Target.createTarget", {{"url", "about:blank"}}, false);
  if (target.is_null()) {
    *error = last_error_;
    return false;
  }
  auto attached = Call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}}, false);
  if (attached.is_null()) {
    *error = last_error_;
    return false;
  }
  session_ = attached["sessionId"].get<std::string>();
  events_.clear();
  for (const char* domain : {"Network.enable", "Page.enable"}) {
    if (Call(domain).is_null()) {
      *error = last_error_;
      return false;
    }
  }
  if (Call("Emulation.setDeviceMetricsOverride",
           {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", width < 600}})
          .is_null() ||
      Call("Page.navigate", {{"url", url}}).is_null()) {
    *error = last_error_;
    return false;
  }
  if (!WaitForEvent("Page.loadEventFired", std::chrono::seconds(60))) {
    *error = "the page did not finish loading";
    return false;
  }
  return true;
}

nlohmann::json Browser::Evaluate(const std::string& expression) {
  auto r = Call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}});
  if (r.is_null() || r.contains("exceptionDetails")) return nullptr;
  return r["result"].value("value", nlohmann::json());
}

std::string Browser::Screenshot() {
  auto r = Call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}});
  return r.is_null() ? "" : Base64Decode(r["data"].get<std::string>());
}

std::string Browser::ScreenshotOf(const std::string& selector) {
  auto box = Evaluate("(() => { const e = document.querySelector(" + nlohmann::json(selector).dump() +
                      "); if (!e) return null; const r = e.getBoundingClientRect();"
                      " return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; })()");
  if (!box.is_object()) return "";
  box["scale"] = 1;
  auto r = Call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}, {"clip", box}});
  return r.is_null() ? "" : Base64Decode(r["data"].get<std::string>());
}

std::string Browser::PrintA4() {
  // A4 in inches; the page's own @page and print styles apply.
  auto r = Call("Page.printToPDF", {{"paperWidth", 8.27}, {"paperHeight", 11.69}, {"printBackground", true},
                                    {"preferCSSPageSize", true}});
  return r.is_null() ? "" : Base64Decode(r["data"].get<std::string>());
}

std::vector<std::string> Browser::Requests() const {
  std::vector<std::string> urls;
  for (const auto& e : events_) {
    if (e["method"] == "Network.requestWillBeSent" && e.value("sessionId", "") == session_) {
      urls.push_back(e["params"]["request"]["url"].get<std::string>());
    }
  }
  return urls;
}

namespace {

struct KeyCode {
  const char* key;
  const char* code;
  int vk;
  const char* text;
};

const KeyCode* FindKey(const std::string& key) {
  static const KeyCode kKeys[] = {{"Tab", "Tab", 9, ""},         {"Enter", "Enter", 13, "\r"},
                                  {"Space", "Space", 32, " "},    {"ArrowDown", "ArrowDown", 40, ""},
                                  {"ArrowUp", "ArrowUp", 38, ""}, {"Backspace", "Backspace", 8, ""},
                                  {"a", "KeyA", 65, "a"}};
  for (const auto& k : kKeys) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

}  // namespace

bool Browser::Key(const std::string& key, int modifiers) {
  const KeyCode* k = FindKey(key);
  if (!k) return false;
  const std::string name = key == "Space" ? " " : k->key;
  nlohmann::json down = {{"type", std::string(k->text).empty() || modifiers ? "rawKeyDown" : "keyDown"},
                         {"key", name},
                         {"code", k->code},
                         {"windowsVirtualKeyCode", k->vk},
                         {"nativeVirtualKeyCode", k->vk},
                         {"modifiers", modifiers}};
  if (std::string(k->text).size() && !modifiers) down["text"] = k->text;
  if (Call("Input.dispatchKeyEvent", down).is_null()) return false;
  nlohmann::json up = {{"type", "keyUp"}, {"key", name}, {"code", k->code}, {"windowsVirtualKeyCode", k->vk},
                       {"nativeVirtualKeyCode", k->vk}, {"modifiers", modifiers}};
  return !Call("Input.dispatchKeyEvent", up).is_null();
}

bool Browser::Char(char c) {
  const std::string text(1, c);
  nlohmann::json down = {{"type", "keyDown"}, {"key", text}, {"text", text}};
  return !Call("Input.dispatchKeyEvent", down).is_null() &&
         !Call("Input.dispatchKeyEvent", {{"type", "keyUp"}, {"key", text}}).is_null();
}

bool Browser::Type(const std::string& text) { return !Call("Input.insertText", {{"text", text}}).is_null(); }

bool Browser::KeyAndWaitForLoad(const std::string& key, std::chrono::seconds timeout) {
  const size_t since = events_.size();
  return Key(key) && WaitForEvent("Page.loadEventFired", timeout, since);
}

bool Browser::Navigate(const std::string& url) {
  const size_t since = events_.size();
  return !Call("Page.navigate", {{"url", url}}).is_null() &&
         WaitForEvent("Page.loadEventFired", std::chrono::seconds(30), since);
}

}  // namespace signaal::test
