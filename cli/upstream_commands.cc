// `signaal broker upstream status`: a regional broker's link to its upper
// broker (broker/upstream.h), as the regional broker sees it.
#include <iostream>

#include <nlohmann/json.hpp>

#include "broker_client.h"
#include "commands.h"
#include "signaal/text.h"

namespace signaal::cli {

int UpstreamStatus(const BrokerOptions& o) {
  wire::ControlRequest req;
  req.mutable_upstream_status();
  auto r = AskBroker(o, req);
  if (!r.ok()) return Report(r.status());
  const wire::UpstreamStatus& s = r->upstream();
  auto when = [](int64_t t) { return t ? nlohmann::json(IsoTimeUtc(t)) : nlohmann::json(nullptr); };
  if (o.json) {
    nlohmann::json j = {{"configured", s.configured()}};
    if (s.configured()) {
      j.update({{"endpoint", s.endpoint()},
                {"upper_public_key", s.upper_public_key()},
                {"id", s.id()},
                {"state", s.state()},
                {"state_since", when(s.state_since_unix())},
                {"weeks_pending", s.weeks_pending()},
                {"pending", s.pending()},
                {"version", s.version()},
                {"weeks_acked", s.weeks_acked()},
                {"last_ack", when(s.last_ack_unix())},
                {"last_heard", when(s.last_heard_unix())},
                {"refused", s.refused()},
                {"last_refusal", s.last_refusal()}});
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  if (!s.configured()) {
    std::cout << "This broker sends nothing upward: broker.toml has no [upstream] endpoint "
                 "(signaal-broker upstream init sets one).\n";
    return 0;
  }
  std::string pending;
  for (const auto& w : s.pending()) pending += (pending.empty() ? "" : ", ") + w;
  Table t({"", ""});
  t.Add({"upper broker", s.endpoint()});
  t.Add({"as", s.id()});
  t.Add({"state", s.state() + " since " + LocalTime(s.state_since_unix())});
  t.Add({"last heard", s.last_heard_unix() ? LocalTime(s.last_heard_unix()) : "never"});
  t.Add({"weeks waiting", std::to_string(s.weeks_pending()) + (pending.empty() ? "" : " (" + pending + ")")});
  t.Add({"weeks acked", std::to_string(s.weeks_acked()) +
                            (s.last_ack_unix() ? ", last " + LocalTime(s.last_ack_unix()) : "")});
  t.Add({"newest version", std::to_string(s.version())});
  t.Add({"refused", std::to_string(s.refused()) + (s.last_refusal().empty() ? "" : ", last: " + EscapeText(s.last_refusal()))});
  std::cout << t.Render();
  return 0;
}

}  // namespace signaal::cli
