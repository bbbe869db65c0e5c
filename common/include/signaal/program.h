// What every Signaalnet program's main shares: argument parsing where a usage
// error is exit code 2, stopping cleanly on SIGINT/SIGTERM, and errors as one
// sentence on stderr.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "signaal/status.h"

namespace signaal {

// Parses; returns -1 when the program should go on, else its exit code
// (0 after --help, 2 for a usage error).
int ParseCommandLine(CLI::App& app, int argc, char** argv);

// Installs SIGINT/SIGTERM handlers; the flag turns true when one arrives.
const std::atomic<bool>& StopRequested();

// Raises the soft limit on open files to the hard limit, for a daemon: the
// soft limit outside systemd is often 1,024, few enough for one busy port
// to take the descriptors the daemon's nodes need (issue 15, finding 3).
// Returns the soft limit in force afterwards; logs if raising fails.
uint64_t RaiseOpenFileLimit();

// Prints "<program>: <message>" on stderr; returns the status's exit code.
int ExitWith(const std::string& program, const Status& status);

}  // namespace signaal
