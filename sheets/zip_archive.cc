#include "zip_archive.h"

#include <unzip.h>

#include <algorithm>
#include <vector>

namespace signaal::sheets {

std::string Mebibytes(uint64_t bytes) {
  if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  return std::to_string(bytes >> 20) + " MiB";
}

Result<ZipArchive> ZipArchive::Open(const std::string& path, std::string name, uint64_t budget) {
  unzFile zip = unzOpen64(path.c_str());
  if (!zip) {
    return Status::Usage(name + ": not a readable zip file, so not an .xlsx workbook (is it damaged, or only renamed?)");
  }
  return ZipArchive(zip, std::move(name), budget);
}

ZipArchive::ZipArchive(ZipArchive&& other) noexcept
    : zip_(other.zip_), name_(std::move(other.name_)), budget_(other.budget_), used_(other.used_) {
  other.zip_ = nullptr;
}

ZipArchive::~ZipArchive() {
  if (zip_) unzClose(zip_);
}

bool ZipArchive::Has(const std::string& entry) {
  return unzLocateFile(zip_, entry.c_str(), 2 /* without case */) == UNZ_OK;
}

Status ZipArchive::Read(const std::string& entry, uint64_t cap,
                        const std::function<Status(std::string_view)>& sink) {
  const std::string where = name_ + ", " + entry;
  if (unzLocateFile(zip_, entry.c_str(), 2) != UNZ_OK) {
    return Status::Usage(name_ + ": the workbook has no " + entry);
  }
  unz_file_info64 info{};
  if (unzGetCurrentFileInfo64(zip_, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
    return Status::Usage(where + ": the zip directory is damaged");
  }
  if (info.flag & 1) {
    return Status::Usage(where + ": encrypted; save the workbook without a password");
  }
  if (unzOpenCurrentFile(zip_) != UNZ_OK) {
    return Status::Usage(where + ": cannot be unpacked (damaged, or packed in a way .xlsx files are not)");
  }
  const uint64_t limit = std::min(cap, budget_ - std::min(budget_, used_));
  std::vector<char> buf(64 * 1024);
  Status result;
  uint64_t read = 0;
  for (;;) {
    int n = unzReadCurrentFile(zip_, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      result = Status::Usage(where + ": damaged (unpacking failed after " + std::to_string(read) + " bytes)");
      break;
    }
    if (n == 0) break;
    read += static_cast<uint64_t>(n);
    used_ += static_cast<uint64_t>(n);
    if (read > limit) {
      // Counted on the bytes inflate gave, not on the header's claim.
      result = Status::Usage(where + ": unpacks to more than " + Mebibytes(limit) +
                             (limit < cap ? " (the whole workbook may unpack to at most " + Mebibytes(budget_) + ")"
                                          : "") +
                             "; not a workbook this import takes (a zip bomb?)");
      break;
    }
    if (result = sink(std::string_view(buf.data(), static_cast<size_t>(n))); !result.ok()) break;
  }
  const int closed = unzCloseCurrentFile(zip_);
  if (result.ok() && closed == UNZ_CRCERROR) return Status::Usage(where + ": damaged (checksum does not match)");
  return result;
}

}  // namespace signaal::sheets
