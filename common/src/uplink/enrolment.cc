#include "signaal/enrolment.h"

#include <google/protobuf/util/json_util.h>

#include "signaal/files.h"

namespace signaal {

Status WriteEnrolmentRequest(const std::string& path, const wire::EnrolmentRequest& request) {
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  opts.add_whitespace = true;
  auto printed = google::protobuf::util::MessageToJsonString(request, &json, opts);
  if (!printed.ok()) return Status::Runtime("cannot write the enrolment request: " + std::string(printed.message()));
  return WriteFileAtomic(path, json, 0644);
}

}  // namespace signaal
