// signaal: the command for partner IT staff (`node`), the broker
// administrator (`broker`), council secretaries (`digest`, `keys`), and
// anyone trying the personal-data scrubber (`text scrub`).
#include <iostream>

#include "commands.h"
#include "signaal/program.h"

int main(int argc, char** argv) {
  CLI::App app{"signaal: work with a Signaalnet node, broker or digests"};
  app.require_subcommand(1);
  int exit_code = 0;
  signaal::cli::AddNodeCommands(app, exit_code);
  signaal::cli::AddBrokerCommands(app, exit_code);
  signaal::cli::AddDigestCommands(app, exit_code);
  signaal::cli::AddKeysCommands(app, exit_code);
  signaal::cli::AddTextCommands(app, exit_code);
  if (int rc = signaal::ParseCommandLine(app, argc, argv); rc >= 0) return rc;
  return exit_code;
}
