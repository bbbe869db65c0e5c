// ScrubberCache: the node's personal-data scrubber, loaded when a quote
// first needs it (a consented quote at intake, the review commands) and let
// go when quotes have been quiet for a while. Its word lists hold about
// 10 MiB that a node with no quotes to handle should not carry: an idle
// node stays within its memory budget (PERFORMANCE.md, footprint).
//
// Thread-safe: the store worker (an import) and the poll loop (the review
// commands) both ask; a scrubber handed out stays alive with whoever holds
// it, whatever the cache does meanwhile.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "signaal/scrub.h"
#include "signaal/status.h"

namespace signaal::node {

class ScrubberCache {
 public:
  using Clock = std::chrono::steady_clock;
  // Let go after this long without a Get.
  static constexpr std::chrono::minutes kIdle{10};

  // Loads from these on first use (PiiScrubber::Load's arguments).
  ScrubberCache(std::string data_dir, std::string dictionary);
  // Always this one, never let go (tests).
  explicit ScrubberCache(std::shared_ptr<const PiiScrubber> fixed);

  // The scrubber, loaded now if it is not held (0.2 s).
  Result<std::shared_ptr<const PiiScrubber>> Get();
  // For the poll loop, every round: lets go of an idle scrubber and gives
  // its memory back. Never waits for a load in progress.
  void ReleaseIfIdle(Clock::time_point now);
  bool loaded();

 private:
  std::string data_dir_, dictionary_;
  bool fixed_ = false;
  std::mutex mu_;
  std::shared_ptr<const PiiScrubber> held_;
  Clock::time_point last_use_{};
};

}  // namespace signaal::node
