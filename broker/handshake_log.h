// HandshakeLog: the log lines about refused CURVE handshakes, limited by
// source address. Anyone who can reach the public port can start a
// handshake without a key, so a line per refusal lets a stranger fill the
// disk (1,300 lines a second were seen). Within a minute, the first refusal
// from an address is logged on its own line, for the first kMaxLinesPerMinute
// addresses; the rest are counted, and when the minute is over one summary
// line per address says how many there were ("N failed handshakes from A in
// the last minute"), for the kMaxLinesPerMinute addresses with the most, and
// one line more sums up the others. At most kMaxSources addresses are kept
// a minute, so a flood from many addresses cannot grow the memory either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace signaal::broker {

class HandshakeLog {
 public:
  static constexpr int64_t kWindowSeconds = 60;
  static constexpr size_t kMaxLinesPerMinute = 20;
  static constexpr size_t kMaxSources = 1024;

  // A refused handshake from `address` on `domain`, for `reason`.
  void Refused(const std::string& address, const std::string& domain, const std::string& reason, int64_t now);
  // Writes the minute's summary lines once the minute is over. Call often:
  // the poll loop does, so a flood's summary comes when the flood stops too.
  void Tick(int64_t now);
  // Writes the summary lines of the minute so far (the broker stops).
  void Flush(int64_t now);

  // Refusals since start that had no line of their own (said in a summary).
  uint64_t unlogged() const { return unlogged_; }
  // Addresses kept for this minute's summary (at most kMaxSources).
  size_t sources() const { return sources_.size(); }

 private:
  struct Source {
    uint64_t unlogged = 0;  // refusals this minute after the one logged (or all, if none was)
    std::string domain, reason;  // of the latest refusal
  };
  // `span`: how the lines name the time they cover ("the last minute").
  void Summarise(const std::string& span);
  void Reset();

  int64_t window_start_ = -1;  // -1: no refusal since the last summary
  size_t lines_ = 0;           // lines of single refusals written this minute
  std::map<std::string, Source> sources_;
  uint64_t beyond_ = 0;  // refusals this minute from addresses beyond kMaxSources
  uint64_t unlogged_ = 0;
};

}  // namespace signaal::broker
