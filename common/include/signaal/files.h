// Small file helpers shared by every binary: atomic writes, private files.
#pragma once

#include <string>
#include <sys/types.h>

#include "signaal/status.h"

namespace signaal {

// Reads a whole file. The error names the path.
Result<std::string> ReadFile(const std::string& path);

// Writes to `path.tmp-XXXX` then renames, so a reader never sees half a file.
// `mode` is applied before the rename.
Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode = 0644);

// Creates a new file with mode 0600 and fails if it already exists: keys are
// never overwritten.
Status WriteNewPrivateFile(const std::string& path, const std::string& content);

// Refuses a key file that group or others can read (or that is missing).
Status CheckPrivateFile(const std::string& path);

// mkdir -p with the given mode for folders it creates.
Status MakeDirs(const std::string& path, mode_t mode = 0755);

bool FileExists(const std::string& path);
// Ok when `path` is a folder this process may write in, or could be created
// (its nearest existing ancestor is a writable folder); nothing is created.
Status CheckWritableFolder(const std::string& path);

// The place of a daemon's ipc socket (common/src/socket_folder.cc). Its
// folder must be the daemon's own: a real folder, not a symlink, owned by
// this user and closed to group and others (mode 0700), so nobody else can
// reach the socket or put another in its place. With `create`, a missing
// folder is made with mode 0700 (a folder that exists is never chmod'ed) and
// a socket left at the path by a crashed run is removed; anything else there
// — a file, a link, a folder, or a socket a process still listens on — is
// refused, never deleted. Without `create` (run --check) nothing is touched.
Status PrepareSocketPath(const std::string& socket_path, bool create);

// Absolute, normalised form of a path (for writing into configs).
std::string AbsolutePath(const std::string& path);

}  // namespace signaal
