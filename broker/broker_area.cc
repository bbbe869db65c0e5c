#include "broker_area.h"

#include "signaal/text.h"

namespace signaal::broker {

Status BrokerArea::CheckRegion(const std::string& region, const std::string& what) const {
  if (Covers(region)) return Status::Ok();
  return Status::Refused(what + ": region " + QuoteText(region) + " does not lie inside this broker's region " +
                         region_);
}

Status BrokerArea::CheckMunicipality(const std::string& gm, const std::string& what) const {
  if (HasMunicipality(gm)) return Status::Ok();
  const Municipality* m = ref_.FindMunicipality(gm);
  return Status::Refused(what + ": " + (m ? m->name + " (" + m->code + ")" : QuoteText(gm)) +
                         " lies outside this broker's region " + region_);
}

}  // namespace signaal::broker
