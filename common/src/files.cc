#include "signaal/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace signaal {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

Status WriteAll(int fd, const std::string& content, const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Runtime("cannot write " + path + ": " + ErrnoText());
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return Status::Runtime("cannot sync " + path + ": " + ErrnoText());
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Usage("cannot read " + path + ": " + ErrnoText());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode) {
  std::random_device rd;
  std::string tmp = path + ".tmp-" + std::to_string(rd() % 1000000);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::Runtime("cannot create " + tmp + ": " + ErrnoText());
  Status s = WriteAll(fd, content, tmp);
  ::fchmod(fd, mode);
  ::close(fd);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::Runtime("cannot rename " + tmp + " to " + path + ": " + ErrnoText());
  }
  return Status::Ok();
}

Status WriteNewPrivateFile(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Refused(path + " already exists; it is never overwritten");
    return Status::Runtime("cannot create " + path + ": " + ErrnoText());
  }
  Status s = WriteAll(fd, content, path);
  ::close(fd);
  return s;
}

Status CheckPrivateFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::Usage("key file " + path + " is missing: " + ErrnoText());
  if (!S_ISREG(st.st_mode)) return Status::Usage("key file " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return Status::Refused("key file " + path + " has mode " + mode +
                           "; it must be readable by its owner only (chmod 600 " + path + ")");
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::path p(path);
  std::filesystem::path built;
  for (const auto& part : p) {
    built /= part;
    if (std::filesystem::exists(built, ec)) continue;
    if (::mkdir(built.c_str(), mode) != 0 && errno != EEXIST) {
      return Status::Runtime("cannot create folder " + built.string() + ": " + ErrnoText());
    }
  }
  return Status::Ok();
}

Status CheckWritableFolder(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  std::string missing;
  while (!std::filesystem::exists(p, ec)) {
    if (!p.has_parent_path() || p.parent_path() == p) return Status::Runtime("folder " + path + " cannot be created");
    missing = p.string();
    p = p.parent_path();
  }
  if (!std::filesystem::is_directory(p, ec)) {
    return Status::Runtime(p.string() + " is not a folder" + (missing.empty() ? "" : ", so " + path + " cannot be created"));
  }
  if (::access(p.c_str(), W_OK | X_OK) != 0) {
    return Status::Runtime("folder " + p.string() + " is not writable by this user (uid " + std::to_string(::geteuid()) +
                           ")" + (missing.empty() ? "" : ", so " + path + " cannot be created"));
  }
  return Status::Ok();
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  if (ec) return path;
  return abs.lexically_normal().string();
}

}  // namespace signaal
