// Reference data: the theme taxonomy, the municipalities and the areas they
// are grouped in (data/areas.csv: sub-regions, regions, GGD regions, the
// province; an area may belong to several groupings). Loaded from the
// versioned data folder shipped with the binaries (data/ in the source tree,
// /usr/share/signaal when installed), so a new grouping or another province
// needs a data file, not a new build.
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
  std::string code;  // GM0917
  std::string name;  // Heerlen
};

// One area of data/areas.csv: a province, region, sub-region, GGD region or
// municipality, all addressed by one code. Areas form a graph without
// cycles, not a tree: Parkstad lies in Zuid-Limburg and in the Mijnstreek.
struct Region {
  std::string code;                         // limburg, zuid-limburg, parkstad, GM0917
  std::string name;                         // Limburg, Zuid-Limburg, Parkstad Limburg, Heerlen
  std::string kind;                         // provincie, regio, subregio, ggd-regio, gemeente, ...
  std::vector<std::string> parents;         // the areas it is listed in; none for a top area
  std::vector<std::string> municipalities;  // CBS codes it covers, in municipalities.csv order
};

// The taxonomy, municipalities and regions; immutable once loaded.
class ReferenceData {
 public:
  // Loads themes.csv, municipalities.csv, areas.csv and reference.toml from
  // `dir`. Any malformed row fails the load with an error naming file, row
  // and field; so does an area graph with a cycle, an unknown parent, an
  // area without municipalities or a municipality in no area.
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

  // Areas ("regions" in the wire and the CLI), including every municipality
  // as an area of its own.
  const Region* FindRegion(const std::string& code) const;
  // True if municipality `gm` lies in region `region` (a municipality lies in itself).
  bool RegionContains(const std::string& region, const std::string& gm) const;
  // True if every municipality of `inner` lies in `outer`: Parkstad lies
  // within Zuid-Limburg, within the Mijnstreek and within GGD Zuid-Limburg.
  bool RegionWithin(const std::string& inner, const std::string& outer) const;
  std::vector<std::string> RegionCodes() const;
  // An area code as areas.csv may define one: lower-case letters and digits
  // in words joined by single hyphens, at most 64 characters ("zuid-limburg").
  // A municipality's code (GM and four digits) is not one.
  static bool IsAreaCode(const std::string& code);
  // An area code or a municipality's CBS code: what a digest may be about.
  static bool IsRegionCode(const std::string& code);

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
  // Code -> its municipalities sorted, for RegionWithin.
  std::map<std::string, std::vector<std::string>> sorted_municipalities_;

  Status LoadMunicipalities(const std::string& path);
  Status LoadAreas(const std::string& path);
};

}  // namespace signaal
