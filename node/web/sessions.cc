#include "sessions.h"

#include <sodium.h>

#include <algorithm>

namespace signaal::node::web {

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

bool SameToken(const std::string& given, const std::string& expected) {
  if (expected.empty() || given.size() != expected.size()) return false;
  return sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

void SessionTable::Expire(int64_t now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const Session& s = it->second;
    it = (now - s.last_seen > idle_s_ || now - s.created > kMaxAge) ? sessions_.erase(it) : std::next(it);
  }
}

Session& SessionTable::Create(int64_t now) {
  if (sessions_.size() >= max_) Expire(now);
  if (sessions_.size() >= max_) {
    // Full of live sessions: the one idle longest goes, an anonymous one first.
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return std::make_pair(!a.second.account.empty(), a.second.last_seen) <
             std::make_pair(!b.second.account.empty(), b.second.last_seen);
    });
    sessions_.erase(oldest);
  }
  Session s;
  s.id = RandomToken();
  s.csrf = RandomToken();
  s.created = now;
  s.last_seen = now;
  auto [it, inserted] = sessions_.emplace(s.id, std::move(s));
  return it->second;
}

Session* SessionTable::Find(const std::string& id, int64_t now) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  Session& s = it->second;
  if (now - s.last_seen > idle_s_ || now - s.created > kMaxAge) {
    sessions_.erase(it);
    return nullptr;
  }
  s.last_seen = now;
  return &s;
}

void SessionTable::End(const std::string& id) { sessions_.erase(id); }

int64_t LoginGuard::Wait(const std::map<std::string, Failures>& table, const std::string& key, int max,
                         int64_t now) {
  auto it = table.find(key);
  if (it == table.end() || it->second.count < max) return 0;
  return std::max<int64_t>(0, it->second.first + kWindow - now);
}

int64_t LoginGuard::WaitFor(const std::string& account, const std::string& address, int64_t now) const {
  return std::max(Wait(by_account_, account, kMaxFailures, now),
                  Wait(by_address_, address, kMaxAddressFailures, now));
}

void LoginGuard::Count(std::map<std::string, Failures>& table, const std::string& key, int64_t now) {
  auto it = table.find(key);
  if (it != table.end() && now - it->second.first > kWindow) it->second = Failures();
  if (it == table.end()) {
    if (table.size() >= kMaxEntries) {
      // Full: the entry whose window began first goes.
      table.erase(std::min_element(table.begin(), table.end(), [](const auto& a, const auto& b) {
        return a.second.first < b.second.first;
      }));
    }
    it = table.emplace(key, Failures()).first;
  }
  if (it->second.count == 0) it->second.first = now;
  it->second.count++;
}

void LoginGuard::Failed(const std::string& account, const std::string& address, int64_t now) {
  Count(by_account_, account, now);
  Count(by_address_, address, now);
}

void LoginGuard::Succeeded(const std::string& account) { by_account_.erase(account); }

}  // namespace signaal::node::web
