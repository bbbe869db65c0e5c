// A self-signed certificate for the intake page beyond loopback
// (`signaal-node init --web`): an ECDSA P-256 key and a certificate for
// this host's name, localhost and the loopback addresses, valid five years.
// Browsers warn about it once; the volunteers compare the fingerprint the
// coordinator reads out before they accept it.
#pragma once

#include <string>

#include "signaal/status.h"

namespace signaal::node::web {

struct SelfSigned {
  std::string certificate_pem;
  std::string key_pem;
  std::string fingerprint;  // SHA-256 of the certificate, "AB:CD:…"
};

// `host`: the name the office laptop reaches this node by (the certificate's
// subject; localhost and 127.0.0.1 are added).
Result<SelfSigned> MakeSelfSigned(const std::string& host);
// The SHA-256 fingerprint of a PEM certificate, "AB:CD:…".
Result<std::string> CertificateFingerprint(const std::string& certificate_pem);

}  // namespace signaal::node::web
