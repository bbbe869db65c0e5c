// PrincipalRegistry: who may talk to the broker. Every enrolled key — node,
// subscriber, administrator — with its role and status, cached in memory and
// kept in the BrokerStore. The ZAP handler and every message handler ask it,
// so a revocation takes effect on connections that are already open.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "broker_store.h"
#include "broker_control.pb.h"
#include "wire.pb.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::broker {

class PrincipalRegistry {
 public:
  // Loads every principal from `store`, which must outlive the registry.
  explicit PrincipalRegistry(BrokerStore& store);

  Result<wire::Principal> EnrollNode(const wire::EnrolmentRequest& req, const ReferenceData& ref);
  // A regional broker's request (type "broker"): refused when its region
  // shares a municipality with an active regional broker's, so that no
  // signal is counted twice.
  Result<wire::Principal> EnrollBroker(const wire::EnrolmentRequest& req, const ReferenceData& ref);
  Result<wire::Principal> EnrollSubscriber(const wire::EnrollSubscriber& req, const ReferenceData& ref);
  Result<wire::Principal> EnrollAdmin(const std::string& name, const std::string& curve_public_key);
  Result<wire::Principal> Revoke(const std::string& id);
  // Adds the addresses in `add` (checked, a known one ignored), then removes
  // those in `remove` (each must be there) of the active subscriber `id`;
  // nothing changes unless all of it can. At most kMaxEmails remain.
  Result<wire::Principal> ChangeEmails(const std::string& id, const std::vector<std::string>& add,
                                       const std::vector<std::string>& remove);
  static constexpr int kMaxEmails = 10;

  // The active principal holding this CURVE public key (Z85), or nullptr.
  const wire::Principal* FindActiveByKey(const std::string& curve_public_key) const;
  // The principal with this id, active or not, or nullptr.
  const wire::Principal* Find(const std::string& id) const;
  // The principal with this id if it is active and has `role`, else nullptr.
  const wire::Principal* Authorise(const std::string& id, wire::Role role) const;

  // Records contact; persisted without sync (it is bookkeeping, not data).
  void Touch(const std::string& id, int64_t now, const wire::Heartbeat* heartbeat = nullptr);

  std::vector<wire::Principal> List() const;

 private:
  Result<wire::Principal> Add(wire::Principal p);

  BrokerStore& store_;
  std::map<std::string, wire::Principal> by_id_;
  std::map<std::string, std::string> id_by_key_;
};

}  // namespace signaal::broker
