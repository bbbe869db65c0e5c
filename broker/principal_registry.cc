#include "principal_registry.h"

#include <algorithm>
#include <ctime>

#include <spdlog/spdlog.h>

#include "signaal/keys.h"
#include "signaal/log.h"
#include "mail_address.h"
#include "signaal/text.h"
#include "signaal/wire_limits.h"

namespace signaal::broker {
namespace {

// Adds each address of `add` to `p` (checked and normalised; one it has is
// left as it is), within kMaxEmails.
Status AddEmails(wire::Principal& p, const std::vector<std::string>& add, const std::string& field, int max) {
  for (const auto& a : add) {
    auto address = mail::CheckMailAddress(a, field);
    if (!address.ok()) return address.status();
    if (std::find(p.emails().begin(), p.emails().end(), *address) != p.emails().end()) continue;
    if (p.emails_size() >= max) {
      return Status::Usage(field + ": a subscriber has at most " + std::to_string(max) + " e-mail addresses");
    }
    p.add_emails(*address);
  }
  return Status::Ok();
}

}  // namespace

PrincipalRegistry::PrincipalRegistry(BrokerStore& store) : store_(store) {
  size_t cut = 0;
  store_.ForEachPrincipal([&](const wire::Principal& stored) {
    wire::Principal p = stored;
    // Kept before strings were bounded (a heartbeat of 4 MiB versions once
    // made every list of principals too big to send): cut to the bounds in
    // memory, and stored so at the next contact.
    cut += CutToLimits(p);
    by_id_[p.id()] = p;
    if (!p.revoked()) id_by_key_[p.curve_public_key()] = p.id();
  });
  if (cut > 0) spdlog::warn("{} stored principal fields were longer than allowed and are cut to their bound", cut);
}

Result<wire::Principal> PrincipalRegistry::Add(wire::Principal p) {
  if (!IsValidCurveKey(p.curve_public_key())) {
    return Status::Usage("the public key of " + QuoteText(p.name()) + " is not a valid Z85 CURVE key");
  }
  if (p.id().empty()) return Status::Usage("the name " + QuoteText(p.name()) + " gives an empty id");
  if (p.id().size() > kMaxIdBytes) {
    return Status::Usage("the name " + QuoteText(p.name()) + " gives an id longer than " +
                         std::to_string(kMaxIdBytes) + " characters; choose a shorter one");
  }
  if (by_id_.count(p.id())) {
    return Status::Refused("a principal with id '" + p.id() + "' is already enrolled (" +
                           (by_id_[p.id()].revoked() ? "revoked" : "active") + "); choose another name");
  }
  if (id_by_key_.count(p.curve_public_key())) {
    return Status::Refused("this public key is already enrolled as '" + id_by_key_[p.curve_public_key()] + "'");
  }
  p.set_enrolled_unix(std::time(nullptr));
  if (Status s = store_.PutPrincipal(p); !s.ok()) return s;
  by_id_[p.id()] = p;
  id_by_key_[p.curve_public_key()] = p.id();
  return p;
}

Result<wire::Principal> PrincipalRegistry::EnrollNode(const wire::EnrolmentRequest& req, const ReferenceData& ref) {
  if (req.node_id().empty() || Slug(req.node_id()) != req.node_id()) {
    return Status::Usage("enrolment request: field 'node_id' must be lower-case letters, digits and '-'");
  }
  if (!ref.FindMunicipality(req.municipality())) {
    return Status::Usage("enrolment request: field 'municipality': unknown municipality " +
                         QuoteText(req.municipality()));
  }
  const auto& types = ReferenceData::Channels();
  if (std::find(types.begin(), types.end(), req.type()) == types.end()) {
    return Status::Usage("enrolment request: field 'type': " + QuoteText(req.type()) +
                         " is not one of clientenraad, helpdesk, spreekuur, zelfhulp, panel, other");
  }
  if (req.sign_public_key().size() != 64 || !FromHex(req.sign_public_key()).ok()) {
    return Status::Usage("enrolment request: field 'sign_public_key' is not a hex Ed25519 public key");
  }
  wire::Principal p;
  p.set_id(req.node_id());
  p.set_name(req.name());
  p.set_role(wire::ROLE_NODE);
  p.set_curve_public_key(req.curve_public_key());
  p.set_sign_public_key(req.sign_public_key());
  p.set_type(req.type());
  p.set_municipality(ref.FindMunicipality(req.municipality())->code);
  return Add(std::move(p));
}

Result<wire::Principal> PrincipalRegistry::EnrollBroker(const wire::EnrolmentRequest& req, const ReferenceData& ref) {
  if (req.node_id().empty() || Slug(req.node_id()) != req.node_id()) {
    return Status::Usage("enrolment request: field 'node_id' must be lower-case letters, digits and '-'");
  }
  const Region* region = ref.FindRegion(req.region());
  if (!region) return Status::Usage("enrolment request: field 'region': unknown area " + QuoteText(req.region()));
  if (req.sign_public_key().size() != 64 || !FromHex(req.sign_public_key()).ok()) {
    return Status::Usage("enrolment request: field 'sign_public_key' is not a hex Ed25519 public key");
  }
  for (const auto& [id, other] : by_id_) {
    if (other.revoked() || other.role() != wire::ROLE_BROKER || other.regions_size() == 0) continue;
    for (const auto& gm : region->municipalities) {
      if (!ref.RegionContains(other.regions(0), gm)) continue;
      const Municipality* m = ref.FindMunicipality(gm);
      return Status::Refused("enrolment request: field 'region': " + region->code + " includes " +
                             (m ? m->name : gm) + ", which regional broker '" + id + "' already serves (" +
                             other.regions(0) + "); a municipality belongs to one regional broker");
    }
  }
  wire::Principal p;
  p.set_id(req.node_id());
  p.set_name(req.name());
  p.set_role(wire::ROLE_BROKER);
  p.set_curve_public_key(req.curve_public_key());
  p.set_sign_public_key(req.sign_public_key());
  p.set_type("broker");
  p.add_regions(region->code);
  return Add(std::move(p));
}

Result<wire::Principal> PrincipalRegistry::EnrollSubscriber(const wire::EnrollSubscriber& req,
                                                            const ReferenceData& ref) {
  if (req.regions().empty()) return Status::Usage("--regions: at least one region is required");
  for (const auto& r : req.regions()) {
    if (!ref.FindRegion(r)) return Status::Usage("--regions: unknown region " + QuoteText(r));
  }
  wire::Principal p;
  p.set_id(Slug(req.name()));
  p.set_name(req.name());
  p.set_role(wire::ROLE_SUBSCRIBER);
  p.set_curve_public_key(req.curve_public_key());
  *p.mutable_regions() = req.regions();
  std::vector<std::string> emails(req.emails().begin(), req.emails().end());
  if (Status s = AddEmails(p, emails, "--email", kMaxEmails); !s.ok()) return s;
  return Add(std::move(p));
}

Result<wire::Principal> PrincipalRegistry::EnrollAdmin(const std::string& name, const std::string& key) {
  wire::Principal p;
  p.set_id(Slug(name));
  p.set_name(name);
  p.set_role(wire::ROLE_ADMIN);
  p.set_curve_public_key(key);
  return Add(std::move(p));
}

Result<wire::Principal> PrincipalRegistry::Revoke(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) {
    return Status::Usage("no principal with id " + QuoteText(id) + " (see signaal broker principals)");
  }
  if (it->second.revoked()) return it->second;
  wire::Principal p = it->second;
  p.set_revoked(true);
  if (Status s = store_.PutPrincipal(p); !s.ok()) return s;
  it->second = p;
  id_by_key_.erase(p.curve_public_key());
  return p;
}

Result<wire::Principal> PrincipalRegistry::ChangeEmails(const std::string& id, const std::vector<std::string>& add,
                                                        const std::vector<std::string>& remove) {
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.role() != wire::ROLE_SUBSCRIBER) {
    return Status::Usage("no subscriber with id " + QuoteText(id) + " (see signaal broker principals)");
  }
  if (it->second.revoked()) return Status::Refused("subscriber " + QuoteText(id) + " is revoked");
  wire::Principal p = it->second;
  if (Status s = AddEmails(p, add, "--add", kMaxEmails); !s.ok()) return s;
  for (const auto& r : remove) {
    auto* emails = p.mutable_emails();
    // Compared as stored: the domain in lower case.
    auto address = mail::CheckMailAddress(r, "--remove");
    auto found = address.ok() ? std::find(emails->begin(), emails->end(), *address) : emails->end();
    if (found == emails->end()) {
      return Status::Usage("--remove: " + QuoteText(r) + " is not an address of subscriber " + QuoteText(id));
    }
    emails->erase(found);
  }
  if (Status s = store_.PutPrincipal(p); !s.ok()) return s;
  it->second = p;
  return p;
}

const wire::Principal* PrincipalRegistry::FindActiveByKey(const std::string& key) const {
  auto it = id_by_key_.find(key);
  if (it == id_by_key_.end()) return nullptr;
  return Find(it->second);
}

const wire::Principal* PrincipalRegistry::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const wire::Principal* PrincipalRegistry::Authorise(const std::string& id, wire::Role role) const {
  const wire::Principal* p = Find(id);
  if (!p || p->revoked() || p->role() != role) return nullptr;
  return p;
}

void PrincipalRegistry::Touch(const std::string& id, int64_t now, const wire::Heartbeat* hb) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  wire::Principal& p = it->second;
  bool persist = hb != nullptr || now - p.last_seen_unix() >= 60;
  p.set_last_seen_unix(now);
  if (hb) {
    p.set_software_version(hb->software_version());
    p.set_taxonomy_version(hb->taxonomy_version());
    p.set_outbox_depth(hb->outbox_depth());
  }
  if (!persist) return;
  // What was seen stays in memory and is written again with the next
  // heartbeat; a store that cannot take it fails the next snapshot too.
  if (Status s = store_.PutPrincipal(p, /*sync=*/false); !s.ok()) {
    spdlog::warn("cannot record when {} was last seen: {}", id, s.message());
  }
}

std::vector<wire::Principal> PrincipalRegistry::List() const {
  std::vector<wire::Principal> out;
  for (const auto& [id, p] : by_id_) out.push_back(p);
  return out;
}

}  // namespace signaal::broker
