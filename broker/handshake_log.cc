#include "handshake_log.h"

#include <algorithm>
#include <vector>

#include "signaal/log.h"

namespace signaal::broker {

void HandshakeLog::Refused(const std::string& address, const std::string& domain, const std::string& reason,
                           int64_t now) {
  Tick(now);
  if (window_start_ < 0) window_start_ = now;
  auto it = sources_.find(address);
  if (it == sources_.end()) {
    if (sources_.size() >= kMaxSources) {
      ++beyond_;
      ++unlogged_;
      return;
    }
    it = sources_.emplace(address, Source{}).first;
    if (lines_ < kMaxLinesPerMinute) {
      ++lines_;
      spdlog::warn("refused a handshake from {} on {}: {}", address, domain, reason);
      it->second.domain = domain;
      it->second.reason = reason;
      return;
    }
  }
  it->second.unlogged++;
  it->second.domain = domain;
  it->second.reason = reason;
  ++unlogged_;
}

void HandshakeLog::Tick(int64_t now) {
  if (window_start_ < 0 || now - window_start_ < kWindowSeconds) return;
  Summarise("the last minute");
  Reset();
}

void HandshakeLog::Flush(int64_t now) {
  if (window_start_ < 0) return;
  Summarise("the last " + std::to_string(now - window_start_) + " s");
  Reset();
}

void HandshakeLog::Reset() {
  window_start_ = -1;
  lines_ = 0;
  sources_.clear();
  beyond_ = 0;
}

void HandshakeLog::Summarise(const std::string& span) {
  std::vector<std::pair<std::string, const Source*>> busy;
  for (const auto& [address, source] : sources_) {
    if (source.unlogged > 0) busy.emplace_back(address, &source);
  }
  // The busiest addresses by name; the rest in one sum.
  std::sort(busy.begin(), busy.end(),
            [](const auto& a, const auto& b) { return a.second->unlogged > b.second->unlogged; });
  uint64_t rest = beyond_;
  size_t rest_sources = 0;
  for (size_t i = 0; i < busy.size(); ++i) {
    const Source& s = *busy[i].second;
    if (i < kMaxLinesPerMinute) {
      spdlog::warn("{} failed handshakes from {} in {} (latest on {}: {})", s.unlogged, busy[i].first, span, s.domain,
                   s.reason);
    } else {
      rest += s.unlogged;
      ++rest_sources;
    }
  }
  if (rest > 0) {
    // Addresses beyond kMaxSources were not kept: at least one of them.
    spdlog::warn("{} failed handshakes from {}{} other addresses in {}", rest, beyond_ > 0 ? "at least " : "",
                 rest_sources + (beyond_ > 0 ? 1 : 0), span);
  }
}

}  // namespace signaal::broker
