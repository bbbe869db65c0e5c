// Sealing: AES-256-GCM for values kept at rest (a node's free text and
// quotes). Each value gets a fresh random 96-bit nonce; the associated data
// binds it to its place (signal id and field), so a sealed value moved to
// another signal or field does not open.
#pragma once

#include <string>

#include "signaal/status.h"

namespace signaal {

// nonce (12 bytes) || ciphertext || tag (16 bytes). `key` is 32 raw bytes.
Result<std::string> Seal(const std::string& key, const std::string& plaintext, const std::string& associated);
Result<std::string> Unseal(const std::string& key, const std::string& sealed, const std::string& associated);

}  // namespace signaal
