// What every Signaalnet program's main shares: argument parsing where a usage
// error is exit code 2, stopping cleanly on SIGINT/SIGTERM, and errors as one
// sentence on stderr.
#pragma once

#include <atomic>
#include <string>

#include <CLI/CLI.hpp>

#include "signaal/status.h"

namespace signaal {

// Parses; returns -1 when the program should go on, else its exit code
// (0 after --help, 2 for a usage error).
int ParseCommandLine(CLI::App& app, int argc, char** argv);

// Installs SIGINT/SIGTERM handlers; the flag turns true when one arrives.
const std::atomic<bool>& StopRequested();

// Prints "<program>: <message>" on stderr; returns the status's exit code.
int ExitWith(const std::string& program, const Status& status);

}  // namespace signaal
