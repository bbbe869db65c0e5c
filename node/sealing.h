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
// format, opened by Unseal. Where the CPU has AES-NI and PCLMUL it seals
// with libsodium's AES-256-GCM (its key schedule kept, the nonce from
// libsodium's CSPRNG), otherwise with OpenSSL: OpenSSL 3 looks up the
// cipher's parameters by name on every nonce, which cost as much as the
// encryption of a short text. Not for use by two threads at once.
class Sealer {
 public:
  static Result<Sealer> Create(const std::string& key);
  Result<std::string> Seal(std::string_view plaintext, std::string_view associated);

 private:
  struct Free {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  struct SodiumState;
  struct FreeSodium {
    void operator()(SodiumState* state) const;
  };
  std::unique_ptr<evp_cipher_ctx_st, Free> ctx_;
  std::unique_ptr<SodiumState, FreeSodium> sodium_;  // set when the CPU supports it
};

}  // namespace signaal
