// Output of `signaal node backup` and `signaal broker backup`: the daemon's
// BackupResult for humans or as JSON (docs/JSON.md).
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"

namespace signaal::cli {

int PrintBackup(const wire::BackupResult& b, bool json, bool with_keys) {
  nlohmann::json manifest = nlohmann::json::parse(b.manifest(), nullptr, false);
  if (json) {
    nlohmann::json j = {{"path", b.path()}, {"files", b.files()}, {"bytes", b.bytes()}, {"millis", b.millis()},
                        {"with_keys", with_keys}, {"manifest", manifest.is_discarded() ? nullptr : manifest}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "backup written to " << b.path() << " (" << b.files() << " files, " << b.bytes() << " bytes, "
            << b.millis() << " ms)\n";
  if (with_keys) {
    std::cout << "it holds the secret key file: keep it as safe as the key itself, never on a share others can read\n";
  } else {
    std::cout << "keys are not in it: back up the key file separately, a store cannot be read without it\n";
  }
  return 0;
}

}  // namespace signaal::cli
