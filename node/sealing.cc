#include "sealing.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <memory>

namespace signaal {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
constexpr int kNonce = 12;
constexpr int kTag = 16;

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<std::string> Seal(const std::string& key, const std::string& plaintext, const std::string& associated) {
  // One value: a Sealer used once (it checks the key's size).
  auto sealer = Sealer::Create(key);
  if (!sealer.ok()) return sealer.status();
  return sealer->Seal(plaintext, associated);
}

Result<std::string> Unseal(const std::string& key, const std::string& sealed, const std::string& associated) {
  if (key.size() != 32) return Status::Usage("the data key must be 32 bytes");
  if (sealed.size() < kNonce + kTag) return Status::Refused("a sealed value is too short");
  size_t n = sealed.size() - kNonce - kTag;
  std::string out(n, '\0');
  const auto* in = U(sealed);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  std::string tag = sealed.substr(kNonce + n);
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U(key), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(associated), static_cast<int>(associated.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in + kNonce,
                        static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1) {
    return Status::Refused("a sealed value does not open with this key (wrong key, or tampered)");
  }
  return out;
}

void Sealer::Free::operator()(evp_cipher_ctx_st* ctx) const { EVP_CIPHER_CTX_free(ctx); }

struct Sealer::SodiumState {
  crypto_aead_aes256gcm_state state;  // the expanded key, 16-byte aligned
};

void Sealer::FreeSodium::operator()(SodiumState* s) const {
  sodium_memzero(s, sizeof *s);
  delete s;
}

Result<Sealer> Sealer::Create(const std::string& key) {
  if (key.size() != 32) return Status::Usage("the data key must be 32 bytes");
  Sealer sealer;
  static const bool hardware = sodium_init() >= 0 && crypto_aead_aes256gcm_is_available() == 1;
  if (hardware) {
    sealer.sodium_.reset(new SodiumState);
    if (crypto_aead_aes256gcm_beforenm(&sealer.sodium_->state, U(key)) != 0) {
      return Status::Runtime("AES-256-GCM set-up failed");
    }
    return sealer;
  }
  sealer.ctx_.reset(EVP_CIPHER_CTX_new());
  if (!sealer.ctx_ || EVP_EncryptInit_ex(sealer.ctx_.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(sealer.ctx_.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) != 1 ||
      EVP_EncryptInit_ex(sealer.ctx_.get(), nullptr, nullptr, U(key), nullptr) != 1) {
    return Status::Runtime("AES-256-GCM set-up failed");
  }
  return sealer;
}

Result<std::string> Sealer::Seal(std::string_view plaintext, std::string_view associated) {
  std::string out(kNonce + plaintext.size() + kTag, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  if (sodium_) {
    static_assert(crypto_aead_aes256gcm_NPUBBYTES == kNonce && crypto_aead_aes256gcm_ABYTES == kTag);
    randombytes_buf(buf, kNonce);
    unsigned long long len = 0;
    // ciphertext || tag after the nonce: the layout Unseal reads.
    if (crypto_aead_aes256gcm_encrypt_afternm(buf + kNonce, &len, U(plaintext), plaintext.size(), U(associated),
                                              associated.size(), nullptr, buf, &sodium_->state) != 0 ||
        len != plaintext.size() + kTag) {
      return Status::Runtime("AES-256-GCM sealing failed");
    }
    return out;
  }
  if (RAND_bytes(buf, kNonce) != 1) return Status::Runtime("no randomness for a nonce");
  int len = 0;
  // Only the nonce is new: the key schedule set up in Create stays.
  if (EVP_EncryptInit_ex(ctx_.get(), nullptr, nullptr, nullptr, buf) != 1 ||
      EVP_EncryptUpdate(ctx_.get(), nullptr, &len, U(associated), static_cast<int>(associated.size())) != 1 ||
      EVP_EncryptUpdate(ctx_.get(), buf + kNonce, &len, U(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx_.get(), buf + kNonce + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_GET_TAG, kTag, buf + kNonce + plaintext.size()) != 1) {
    return Status::Runtime("AES-256-GCM sealing failed");
  }
  return out;
}

}  // namespace signaal
