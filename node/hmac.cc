#include "hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace signaal {

void HmacSha256Key::Free::operator()(evp_mac_ctx_st* ctx) const { EVP_MAC_CTX_free(ctx); }

Result<HmacSha256Key> HmacSha256Key::Create(std::string_view key) {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // fetched once per process
  if (!mac) return Status::Runtime("OpenSSL has no HMAC");
  HmacSha256Key out;
  out.ctx_.reset(EVP_MAC_CTX_new(mac));
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  if (!out.ctx_ ||
      EVP_MAC_init(out.ctx_.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    return Status::Runtime("HMAC-SHA256 set-up failed");
  }
  return out;
}

Result<std::string> HmacSha256Key::Mac(std::string_view data) {
  unsigned char out[32];
  size_t len = 0;
  // A null key re-initialises with the key given in Create (its pads kept).
  if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx_.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx_.get(), out, &len, sizeof out) != 1) {
    return Status::Runtime("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace signaal
