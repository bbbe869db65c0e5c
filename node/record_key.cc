#include "record_key.h"

namespace signaal::node {
namespace {

// The subkey is HMAC(secret, label): the pseudonyms are HMAC(secret,
// normalised reference), and a normalised reference is lower-case without
// spaces, so it can never be this label. Record keys therefore say nothing
// about pseudonyms, nor pseudonyms about record keys.
constexpr std::string_view kLabel = "Signaalnet record key v1";

}  // namespace

Result<RecordKeys> RecordKeys::Create(std::string_view node_secret) {
  auto outer = HmacSha256Key::Create(node_secret);
  if (!outer.ok()) return outer.status();
  auto subkey = outer->Mac(kLabel);
  if (!subkey.ok()) return subkey.status();
  auto mac = HmacSha256Key::Create(*subkey);
  if (!mac.ok()) return mac.status();
  return RecordKeys(std::move(*mac));
}

Result<uint32_t> RecordKeys::Of(std::string_view id) {
  auto mac = mac_.Mac(id);
  if (!mac.ok()) return mac.status();
  const auto* b = reinterpret_cast<const unsigned char*>(mac->data());
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

Result<uint32_t> RecordKey(std::string_view node_secret, std::string_view id) {
  auto keys = RecordKeys::Create(node_secret);
  if (!keys.ok()) return keys.status();
  return keys->Of(id);
}

}  // namespace signaal::node
