// Fuzz target: what a node sends the broker's `listen` port — a ClientMessage,
// and the signed SummarySnapshot inside it — through the broker's
// SnapshotValidator, as enrolled node "fuzz-node" with a fixed signing key.
//
// Input layout:
//   first byte even: the whole input is a ClientMessage (a snapshot body is
//                    validated) and, separately, a bare SignedEnvelope.
//   first byte odd:  the rest is a SummarySnapshot payload; it is signed with
//                    the node's key so that the checks behind the signature
//                    (identity, period, codes, counts) are reached.
// A snapshot the validator accepts is put in a ThemeTable and aggregated, as
// the broker does with a stored one.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_common.h"
#include "broker_control.pb.h"
#include "wire.pb.h"
#include "signaal/keys.h"
#include "signaal/period.h"
#include "snapshot_validator.h"
#include "theme_table.h"

namespace {

using namespace signaal;

const wire::Principal& Node() {
  static const wire::Principal node = [] {
    wire::Principal p;
    p.set_id("fuzz-node");
    p.set_name("Fuzz node");
    p.set_role(wire::ROLE_NODE);
    p.set_sign_public_key(fuzz::TestSigningKey().public_hex);
    p.set_type("helpdesk");
    p.set_municipality("GM0917");
    return p;
  }();
  return node;
}

void Validate(const wire::SignedEnvelope& env) {
  static const broker::SnapshotValidator validator(fuzz::Ref());
  wire::SummarySnapshot snapshot;
  broker::Refusal refusal;
  if (!validator.Check(env, Node(), fuzz::kNow, snapshot, refusal)) {
    if (refusal.reason.empty()) __builtin_trap();  // a refusal always names its reason
    if (fuzz::Verbose()) std::fprintf(stderr, "  refused: %s: %s\n", refusal.reason.c_str(), refusal.detail.c_str());
    return;
  }
  if (fuzz::Verbose()) std::fprintf(stderr, "  accepted %s with %d cells\n", snapshot.period().c_str(), snapshot.cells_size());
  broker::ThemeTable table(fuzz::Ref());
  table.Put(snapshot);
  (void)table.Aggregate("limburg", {snapshot.period()});
  (void)table.LatestPeriod(Node().id());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  signaal::fuzz::Quiet();
  if (size == 0) return 0;
  (void)fuzz::Ref();
  if (data[0] & 1) {
    wire::SignedEnvelope env;
    env.set_payload(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
    auto signature = Sign(fuzz::TestSigningKey(), env.payload());
    if (!signature.ok()) __builtin_trap();
    env.set_signature(*signature);
    env.set_key_id(KeyId(fuzz::TestSigningKey().public_hex));
    Validate(env);
    return 0;
  }
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  wire::ClientMessage message;
  if (message.ParseFromString(bytes)) {
    if (fuzz::Verbose()) std::fprintf(stderr, " ClientMessage, body %d\n", static_cast<int>(message.body_case()));
    if (message.body_case() == wire::ClientMessage::kSnapshot) Validate(message.snapshot());
  }
  wire::SignedEnvelope env;
  if (env.ParseFromString(bytes)) {
    if (fuzz::Verbose()) std::fprintf(stderr, " SignedEnvelope\n");
    Validate(env);
  }
  return 0;
}
