// An enrolment request as a file: what `signaal-node init` and
// `signaal-broker upstream init` write and `signaal broker enroll` reads —
// the wire EnrolmentRequest in protobuf's JSON mapping, field names as in
// wire.proto. Library signaal_uplink.
#pragma once

#include <string>

#include "wire.pb.h"
#include "signaal/status.h"

namespace signaal {

// Writes `request` to `path` (atomically, mode 0644: it holds public keys only).
Status WriteEnrolmentRequest(const std::string& path, const wire::EnrolmentRequest& request);

}  // namespace signaal
