// HMAC-SHA256 under one key for many messages (the node's pseudonyms during
// an import): the key's inner and outer pads are hashed once, each message
// then costs two SHA-256 compressions of its own. HmacSha256 in keys.h does
// the whole set-up on every call.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "signaal/status.h"

struct evp_mac_ctx_st;

namespace signaal {

class HmacSha256Key {
 public:
  static Result<HmacSha256Key> Create(std::string_view key);
  // 32 raw bytes; the same as HmacSha256(key, data). Not for two threads at once.
  Result<std::string> Mac(std::string_view data);

 private:
  struct Free {
    void operator()(evp_mac_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_mac_ctx_st, Free> ctx_;
};

}  // namespace signaal
