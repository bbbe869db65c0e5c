// Sealing: AES-256-GCM for values kept at rest (a node's free text and
// quotes). Each value gets a fresh random 96-bit nonce; the associated data
// binds it to its place (signal id and field), so a sealed value moved to
// another signal or field does not open.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "signaal/status.h"

struct evp_cipher_ctx_st;

namespace signaal {

// nonce (12 bytes) || ciphertext || tag (16 bytes). `key` is 32 raw bytes.
Result<std::string> Seal(const std::string& key, const std::string& plaintext, const std::string& associated);
Result<std::string> Unseal(const std::string& key, const std::string& sealed, const std::string& associated);

// The same sealing with the key set up once, for many values in a row (an
// import): Seal() above fetches the cipher and expands the key on every
// call, which cost more than the encryption of a short text. Same output
// format, opened by Unseal. Not for use by two threads at once.
class Sealer {
 public:
  static Result<Sealer> Create(const std::string& key);
  Result<std::string> Seal(std::string_view plaintext, std::string_view associated);

 private:
  struct Free {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_cipher_ctx_st, Free> ctx_;
};

}  // namespace signaal
