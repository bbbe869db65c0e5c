// BrokerArea: what a broker serves — its configured region (broker.region)
// and every region and municipality inside it. A broker enrols no node from a
// municipality outside its area, stores no cell of one, and enrols, serves
// and publishes no region that does not lie inside it: a parkstad broker is
// no place for Venlo's signals, nor for a noord-limburg council's digests.
#pragma once

#include <string>

#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::broker {

class BrokerArea {
 public:
  // `ref` must outlive the area; `region` is a code FindRegion knows.
  BrokerArea(const ReferenceData& ref, std::string region) : ref_(ref), region_(std::move(region)) {}

  const std::string& region() const { return region_; }
  // True for a municipality (CBS code) inside the area.
  bool HasMunicipality(const std::string& gm) const { return ref_.RegionContains(region_, gm); }
  // True for a region, or a municipality, that lies inside the area.
  bool Covers(const std::string& region) const { return ref_.RegionWithin(region, region_); }

  // Refused unless `region` lies inside the area: one sentence that names
  // `what` (the field or flag it came from) and the area.
  Status CheckRegion(const std::string& region, const std::string& what) const;
  // Refused unless municipality `gm` (CBS code) lies inside the area.
  Status CheckMunicipality(const std::string& gm, const std::string& what) const;

 private:
  const ReferenceData& ref_;
  std::string region_;
};

}  // namespace signaal::broker
