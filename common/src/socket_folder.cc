#include "signaal/files.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace signaal {
namespace {

std::string Mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// True if a process accepts connections on the unix socket at `path`.
bool Listening(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return false;  // libzmq cannot bind it either; it says so
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return live;
}

Status CheckFolder(const std::string& folder) {
  struct stat st {};
  if (::lstat(folder.c_str(), &st) != 0) {
    return Status::Runtime("cannot inspect folder " + folder + ": " + std::strerror(errno));
  }
  const std::string own = "; the socket's folder must be the daemon's own (a folder of uid " +
                          std::to_string(::geteuid()) + ", mode 0700)";
  if (S_ISLNK(st.st_mode)) return Status::Refused("folder " + folder + " is a symbolic link" + own);
  if (!S_ISDIR(st.st_mode)) return Status::Refused(folder + " is not a folder" + own);
  if (st.st_uid != ::geteuid()) {
    return Status::Refused("folder " + folder + " belongs to uid " + std::to_string(st.st_uid) + own);
  }
  if (st.st_mode & 077) {
    return Status::Refused("folder " + folder + " is open to group or others (mode " + Mode(st.st_mode) + ")" + own);
  }
  return Status::Ok();
}

}  // namespace

Status PrepareSocketPath(const std::string& socket_path, bool create) {
  namespace fs = std::filesystem;
  const std::string folder = fs::path(socket_path).parent_path().string();
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(folder, ec))) {
    if (!create) return CheckWritableFolder(folder);  // made at start, with mode 0700
    if (Status s = MakeDirs(folder, 0700); !s.ok()) return s;
  }
  if (Status s = CheckFolder(folder); !s.ok()) return s;
  struct stat st {};
  if (::lstat(socket_path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Runtime("cannot inspect " + socket_path + ": " + std::strerror(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Status::Refused(socket_path + " exists and is not a socket; it is left as it is (remove it yourself, or "
                                         "choose another path)");
  }
  if (!create) return Status::Ok();  // perhaps the running daemon's own: --check leaves it
  if (Listening(socket_path)) {
    return Status::Refused("another process listens on " + socket_path + "; is this daemon running already?");
  }
  // A socket left by a crashed run: nobody listens on it.
  if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT) {
    return Status::Runtime("cannot remove the stale socket " + socket_path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace signaal
