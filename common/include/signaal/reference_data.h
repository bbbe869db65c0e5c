// Reference data: the theme taxonomy and the municipalities with their region
// hierarchy (municipality -> sub-region -> region -> limburg). Loaded from the
// versioned data folder shipped with the binaries (data/ in the source tree,
// /usr/share/signaal when installed).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "signaal/status.h"

namespace signaal {

struct Theme {
  std::string code;      // "schulden" or "schulden.schuldhulpverlening"
  std::string parent;    // "" for a top-level theme
  std::string label_nl;
  std::string label_en;
};

struct Municipality {
  std::string code;       // GM0917
  std::string name;       // Heerlen
  std::string region;     // zuid-limburg
  std::string subregion;  // parkstad, or "" outside Zuid-Limburg
};

// One node of the region hierarchy: a province, region, sub-region or
// municipality, all addressed by one code.
struct Region {
  std::string code;                       // limburg, zuid-limburg, parkstad, GM0917
  std::string name;                       // Limburg, Zuid-Limburg, Parkstad Limburg, Heerlen
  std::string parent;                     // "" for limburg
  std::vector<std::string> municipalities;  // CBS codes it covers (itself for a municipality)
};

// The taxonomy, municipalities and regions; immutable once loaded.
class ReferenceData {
 public:
  // Loads themes.csv, municipalities.csv and reference.toml from `dir`. Any
  // malformed row fails the load with an error naming file, row and field.
  static Result<ReferenceData> Load(const std::string& dir);
  // The folder to load from: $SIGNAAL_DATA_DIR, else the installed folder,
  // else the source tree's data/ (for running from a build tree).
  static std::string DefaultDir();

  const std::string& taxonomy_version() const { return taxonomy_version_; }

  // Themes
  const Theme* FindTheme(const std::string& code) const;          // theme or subtheme
  bool IsTopTheme(const std::string& code) const;
  // True if `subtheme` is a subtheme of `theme` ("" is always valid).
  bool IsSubthemeOf(const std::string& subtheme, const std::string& theme) const;
  const std::vector<Theme>& themes() const { return themes_; }    // file order
  std::vector<const Theme*> TopThemes() const;
  std::vector<const Theme*> SubthemesOf(const std::string& theme) const;

  // Municipalities: by code ("GM0917", case-insensitive) or by exact name
  // ("Heerlen"; "Beek (L.)" and "Beek" both accepted).
  const Municipality* FindMunicipality(const std::string& code_or_name) const;
  const std::vector<Municipality>& municipalities() const { return municipalities_; }

  // Regions, including every municipality as a region of its own.
  const Region* FindRegion(const std::string& code) const;
  // True if municipality `gm` lies in region `region` (a municipality lies in itself).
  bool RegionContains(const std::string& region, const std::string& gm) const;
  // True if region `inner` is `outer` or lies under it.
  bool RegionWithin(const std::string& inner, const std::string& outer) const;
  std::vector<std::string> RegionCodes() const;

  // Fixed code lists of the data model (DESIGN §4).
  static const std::vector<std::string>& AgeBands();   // 0-17, 18-26, 27-66, 67+, unknown
  static const std::vector<std::string>& Channels();   // clientenraad, helpdesk, spreekuur, zelfhulp, panel, other
  static const std::vector<std::string>& Statuses();   // open, referred, resolved

 private:
  std::string taxonomy_version_;
  std::vector<Theme> themes_;
  std::map<std::string, size_t> theme_index_;
  std::vector<Municipality> municipalities_;
  // Lower-cased code and NameKey of the name -> index in municipalities_,
  // built at load: an import looks a municipality up for every row.
  std::map<std::string, size_t> municipality_by_code_, municipality_by_name_;
  std::map<std::string, Region> regions_;
};

}  // namespace signaal
