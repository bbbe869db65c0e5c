// ZipArchive: a workbook's zip container (minizip 1.1), opened by path, its
// entries read in chunks against one budget of inflated bytes for the whole
// archive. The budget is counted on what actually comes out of inflate, not
// on the sizes the zip's headers claim, so a zip bomb stops at the budget
// however it lies.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "signaal/status.h"

namespace signaal::sheets {

class ZipArchive {
 public:
  // Opens `path`; `name` is how errors call the file (as the user wrote it).
  // Fails when it is no zip file minizip can read.
  static Result<ZipArchive> Open(const std::string& path, std::string name, uint64_t budget);
  ~ZipArchive();
  ZipArchive(ZipArchive&& other) noexcept;
  ZipArchive& operator=(ZipArchive&&) = delete;
  ZipArchive(const ZipArchive&) = delete;

  // True when the archive holds entry `entry` (compared without case, as
  // the package format says).
  bool Has(const std::string& entry);
  // Streams entry `entry` through `sink`, at most `cap` bytes of it (and
  // never past what is left of the budget); fails when it is missing,
  // encrypted, corrupt (CRC), too large, or when `sink` fails.
  [[nodiscard]] Status Read(const std::string& entry, uint64_t cap,
                            const std::function<Status(std::string_view)>& sink);
  // Inflated bytes read so far, of all entries.
  uint64_t used() const { return used_; }

 private:
  ZipArchive(void* zip, std::string name, uint64_t budget) : zip_(zip), name_(std::move(name)), budget_(budget) {}

  void* zip_;  // minizip's unzFile
  std::string name_;
  uint64_t budget_;
  uint64_t used_ = 0;
};

// "64 MiB", "1 GiB": a byte bound as an error message says it.
std::string Mebibytes(uint64_t bytes);

}  // namespace signaal::sheets
