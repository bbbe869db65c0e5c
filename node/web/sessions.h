// Sessions and LoginGuard: who is logged in to the intake page, and how
// often a name or an address may fail to. Both live on the page's thread
// alone (HttpServer calls the page on one thread) and are bounded: the
// oldest entry goes when a table is full.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace signaal::node::web {

// A browser's session: anonymous until login (it carries the login form's
// CSRF token), then an account's. Ids and tokens are 32 random bytes.
struct Session {
  std::string id;
  std::string csrf;
  std::string account;        // "" before login
  std::string role;           // volunteer, coordinator
  int64_t password_set = 0;   // the account's, at login: a reset ends the session
  int64_t created = 0;
  int64_t last_seen = 0;
  std::string notice;         // one message for the next page ("Opgeslagen als S0000042")
};

class SessionTable {
 public:
  // `idle_s`: a session ends after this long without a request; every
  // session ends `kMaxAge` after it began.
  explicit SessionTable(int64_t idle_s, size_t max_sessions = 1024) : idle_s_(idle_s), max_(max_sessions) {}
  static constexpr int64_t kMaxAge = 12 * 3600;

  // A new session (new id, new token); an old one of the same browser
  // should be ended first (a login never keeps the id it came with).
  Session& Create(int64_t now);
  // The live session with this id, touched; null when none or expired.
  Session* Find(const std::string& id, int64_t now);
  void End(const std::string& id);
  size_t size() const { return sessions_.size(); }

 private:
  void Expire(int64_t now);
  int64_t idle_s_;
  size_t max_;
  std::map<std::string, Session> sessions_;
};

// True when `given` is `expected` (a CSRF token), compared in constant time.
bool SameToken(const std::string& given, const std::string& expected);

// Login attempts: after kMaxFailures failures of one name, or
// kMaxAddressFailures of one address, within kWindow seconds, that name or
// address waits until the window has passed — with the right password too.
// An address gets more: volunteers of one office share it (and a proxy
// makes every browser one address), so one guesser does not lock them all.
class LoginGuard {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr int kMaxAddressFailures = 30;
  static constexpr int64_t kWindow = 15 * 60;
  static constexpr size_t kMaxEntries = 4096;

  // Seconds to wait before `account` may try from `address`; 0: go ahead.
  int64_t WaitFor(const std::string& account, const std::string& address, int64_t now) const;
  void Failed(const std::string& account, const std::string& address, int64_t now);
  void Succeeded(const std::string& account);

 private:
  struct Failures {
    int count = 0;
    int64_t first = 0;
  };
  static int64_t Wait(const std::map<std::string, Failures>& table, const std::string& key, int max, int64_t now);
  static void Count(std::map<std::string, Failures>& table, const std::string& key, int64_t now);
  std::map<std::string, Failures> by_account_, by_address_;
};

// 32 random bytes as 64 hex digits (libsodium's randombytes).
std::string RandomToken();

}  // namespace signaal::node::web
