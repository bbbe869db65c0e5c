// Keys and signatures: CURVE keypairs for transport, Ed25519 for signing
// snapshots. Key files are small TOML files of mode 0600, never overwritten.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "signaal/status.h"

namespace signaal {

// A CURVE (Curve25519) keypair in Z85 text, 40 characters each.
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

// An Ed25519 keypair, each half as 64 hex characters.
struct SigningKeyPair {
  std::string public_hex;
  std::string secret_hex;  // the 32-byte seed
};

// What a principal's key file holds. Nodes have both pairs; subscribers,
// administrators and the broker only a CURVE pair.
struct KeyFile {
  CurveKeyPair curve;
  SigningKeyPair signing;  // empty when absent
  // Nodes only: the secret behind citizen pseudonyms (HMAC-SHA256 key), hex.
  std::string pseudonym_secret_hex;
  // Nodes only: the AES-256 key that seals free text and quotes at rest, hex.
  std::string data_key_hex;
};

CurveKeyPair GenerateCurveKeyPair();
SigningKeyPair GenerateSigningKeyPair();

// Writes a new key file (mode 0600); refuses to overwrite.
Status WriteKeyFile(const std::string& path, const KeyFile& keys);
// Reads a key file, refusing one that others can read.
Result<KeyFile> ReadKeyFile(const std::string& path);

// True for a syntactically valid Z85 CURVE public key.
bool IsValidCurveKey(const std::string& z85);

// Ed25519 over `message`; returns the 64-byte signature.
Result<std::string> Sign(const SigningKeyPair& key, const std::string& message);
bool Verify(const std::string& public_hex, const std::string& message, const std::string& signature);

// An Ed25519 public key decoded once, for whoever checks many messages by
// the same signer (the broker, per node): Verify above decodes the hex on
// every call.
class VerifyKey {
 public:
  static Result<VerifyKey> FromHex(const std::string& public_hex);
  bool Verify(std::string_view message, std::string_view signature) const;
  const std::string& key_id() const { return key_id_; }  // KeyId() of the key

 private:
  std::array<unsigned char, 32> raw_{};
  std::string key_id_;
};

// Hex of the first 8 bytes of SHA-256 of the public key: names a key in logs
// and envelopes without repeating it.
std::string KeyId(const std::string& public_hex);

std::string Sha256Hex(const std::string& data);
// HMAC-SHA256(key, data), raw 32 bytes.
std::string HmacSha256(const std::string& key, const std::string& data);
// `n` bytes from the system's cryptographic RNG.
std::string RandomBytes(size_t n);
std::string ToHex(const std::string& bytes);
Result<std::string> FromHex(const std::string& hex);

}  // namespace signaal
