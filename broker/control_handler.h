// ControlHandler: the administrator's requests on the control port —
// enrolment, revocation, principals, status, the live themes view, the list of
// published digests, backups and the public p-table. Pure request -> response; the daemon owns
// the socket, and queues digest publication for its digest worker instead.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "broker_area.h"
#include "broker_store.h"
#include "disclosure_policy.h"
#include "principal_registry.h"
#include "broker_control.pb.h"
#include "signaal/config.h"
#include "signaal/reference_data.h"
#include "theme_table.h"

namespace signaal::broker {

// Named event counters (received, acked, nack.<reason>, malformed, ...).
using Counters = std::map<std::string, uint64_t>;

class ControlHandler {
 public:
  struct Context {
    const BrokerConfig& config;
    const ReferenceData& ref;
    BrokerStore& store;
    PrincipalRegistry& registry;
    const ThemeTable& table;
    const DisclosurePolicy& policy;
    Counters& counters;
    int64_t started;
    std::function<uint64_t()> zap_refused;
    std::function<uint32_t()> digests_building;
    std::function<uint64_t()> mail_queued;
  };
  explicit ControlHandler(Context ctx) : c_(std::move(ctx)) {}

  // Any request but publish_digest, which takes the digest worker.
  wire::ControlResponse Handle(const wire::ControlRequest& request, const wire::Principal& admin, int64_t now);
  // What `signaal broker status` shows; also what the metrics page renders.
  wire::ControlResponse StatusView() const;

 private:
  wire::ControlResponse Principals(int64_t now) const;
  wire::ControlResponse Themes(const wire::ThemesRequest& req, int64_t now) const;
  wire::ControlResponse Digests() const;
  wire::ControlResponse Backup(const wire::BackupRequest& req, const wire::Principal& admin) const;
  wire::ControlResponse PTableView() const;
  // The councils' advice records (advice_book.h): add, update, list, show.
  wire::ControlResponse Advice(const wire::AdviceRequest& req, const wire::Principal& admin, int64_t now);
  // The broker's area: enrolment and the themes view stay inside it.
  BrokerArea Area() const { return BrokerArea(c_.ref, c_.config.region); }

  Context c_;
};

// A failed response with the CLI exit code of `status`.
wire::ControlResponse ErrorResponse(const Status& status);
// A successful response, to fill in.
wire::ControlResponse OkResponse();

}  // namespace signaal::broker
