// Fuzz target: the TOML config loader, for a node and for a broker config
// (ParseNodeConfig / ParseBrokerConfig: what LoadNodeConfig and
// LoadBrokerConfig do after reading the file).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "signaal/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  signaal::fuzz::Quiet();
  using namespace signaal;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto node = ParseNodeConfig(text, "/etc/signaal/node.toml");
  if (node.ok()) {
    // A loaded config always has the required keys and a control endpoint;
    // rendering it and reading it back gives the same config.
    if (node->id.empty() || node->data_dir.empty() || node->control.empty()) __builtin_trap();
    auto again = ParseNodeConfig(RenderNodeConfig(*node), "/etc/signaal/node.toml");
    if (!again.ok() || again->id != node->id || again->data_dir != node->data_dir) __builtin_trap();
  } else if (node.status().message().empty()) {
    __builtin_trap();
  }
  auto broker = ParseBrokerConfig(text, "/etc/signaal/broker.toml");
  if (broker.ok()) {
    if (broker->data_dir.empty() || broker->key_file.empty()) __builtin_trap();
    auto again = ParseBrokerConfig(RenderBrokerConfig(*broker), "/etc/signaal/broker.toml");
    if (!again.ok() || again->region != broker->region || again->k != broker->k) __builtin_trap();
  } else if (broker.status().message().empty()) {
    __builtin_trap();
  }
  return 0;
}
