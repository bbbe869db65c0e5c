#include "scrubber_cache.h"

#include <malloc.h>

#include "signaal/log.h"

namespace signaal::node {

ScrubberCache::ScrubberCache(std::string data_dir, std::string dictionary)
    : data_dir_(std::move(data_dir)), dictionary_(std::move(dictionary)) {}

ScrubberCache::ScrubberCache(std::shared_ptr<const PiiScrubber> fixed) : fixed_(true), held_(std::move(fixed)) {}

Result<std::shared_ptr<const PiiScrubber>> ScrubberCache::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  last_use_ = Clock::now();
  if (held_) return held_;
  auto loaded = PiiScrubber::Load(data_dir_, dictionary_);
  if (!loaded.ok()) return loaded.status();
  held_ = std::shared_ptr<const PiiScrubber>(std::move(*loaded));
  spdlog::debug("loaded the personal-data scrubber for quotes");
  return held_;
}

void ScrubberCache::ReleaseIfIdle(Clock::time_point now) {
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock() || fixed_ || !held_ || now - last_use_ < kIdle) return;
  held_.reset();
  lock.unlock();
  // The word lists were large allocations; what glibc kept of the smaller
  // ones goes back too.
  malloc_trim(0);
  spdlog::debug("let go of the personal-data scrubber: no quotes for {} minutes", kIdle.count());
}

bool ScrubberCache::loaded() {
  std::lock_guard<std::mutex> lock(mu_);
  return held_ != nullptr;
}

}  // namespace signaal::node
