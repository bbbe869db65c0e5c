// Browser: headless Chromium (Debian's `chromium`) driven over the Chrome
// DevTools Protocol on a pipe (--remote-debugging-pipe), so a test can load a
// page, see every request *that page* makes (the browser's own update and
// account traffic is not the page's), query its DOM and take screenshots.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace signaal::test {

class Browser {
 public:
  // Starts Chromium with a scratch profile; null (and `error`) on failure.
  static std::unique_ptr<Browser> Launch(const std::string& profile_dir, std::string* error);
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  // Opens a tab of `width` × `height` CSS pixels, loads `url` and waits for
  // its load event. False (with the reason in `error`) on failure.
  bool Open(const std::string& url, int width, int height, std::string* error);
  // Evaluates a JavaScript expression in the page; its value, as JSON.
  nlohmann::json Evaluate(const std::string& expression);
  // The page as PNG, full length; as an A4 PDF with its print styles.
  std::string Screenshot();
  // A PNG of the first element matching the CSS `selector` alone (its box on
  // the full page); "" when nothing matches.
  std::string ScreenshotOf(const std::string& selector);
  std::string PrintA4();
  // URLs of every request the page made since Open (the document included).
  std::vector<std::string> Requests() const;

  // The keyboard, as a person presses it: a named key ("Tab", "Enter",
  // "Space", "ArrowDown", "Backspace"), with `modifiers` (2 = Ctrl, 8 = Shift),
  // or a character typed into whatever has focus (a select takes it as a
  // type-ahead). `Type` enters text as an input method would.
  bool Key(const std::string& key, int modifiers = 0);
  bool Char(char c);
  bool Type(const std::string& text);
  // Presses `key` and waits for the page it leads to (a submitted form, a
  // followed link) to load.
  bool KeyAndWaitForLoad(const std::string& key, std::chrono::seconds timeout = std::chrono::seconds(30));
  // Loads `url` in the same tab (its cookies kept).
  bool Navigate(const std::string& url);

 private:
  Browser() = default;
  // Sends a command and waits for its answer (the "result" object; null
  // on error, with the message in last_error_).
  nlohmann::json Call(const std::string& method, nlohmann::json params = nlohmann::json::object(),
                      bool to_page = true, std::chrono::seconds timeout = std::chrono::seconds(60));
  bool ReadMessage(std::chrono::milliseconds timeout);
  bool WaitForEvent(const std::string& method, std::chrono::seconds timeout, size_t since = 0);

  int pid_ = -1;
  int to_browser_ = -1, from_browser_ = -1;
  int next_id_ = 1;
  std::string buffer_;
  std::string session_;
  std::vector<nlohmann::json> events_;
  std::vector<nlohmann::json> responses_;
  std::string last_error_;
};

}  // namespace signaal::test
