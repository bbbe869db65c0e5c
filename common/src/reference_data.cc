#include "signaal/reference_data.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <toml++/toml.h>

#include "signaal/csv.h"
#include "signaal/files.h"

namespace signaal {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "Beek (L.)" and "Beek" name the same municipality.
std::string NameKey(const std::string& name) {
  std::string key = Lower(name);
  const std::string suffix = " (l.)";
  if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
    key.erase(key.size() - suffix.size());
  }
  return key;
}

bool IsCode(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_' ||
          c == '.')) {
      return false;
    }
  }
  return true;
}

// Column index by name, or an error naming the file and the missing column.
Result<std::vector<size_t>> Columns(const CsvTable& t, const std::string& file,
                                    const std::vector<std::string>& names) {
  std::vector<size_t> idx;
  for (const auto& n : names) {
    auto it = std::find(t.header.begin(), t.header.end(), n);
    if (it == t.header.end()) return Status::Usage(file + ": column '" + n + "' is missing");
    idx.push_back(static_cast<size_t>(it - t.header.begin()));
  }
  return idx;
}

std::string Field(const CsvRow& row, size_t i) { return i < row.fields.size() ? row.fields[i] : ""; }

const std::map<std::string, std::pair<std::string, std::string>>& FixedRegions() {
  // code -> (name, parent)
  static const std::map<std::string, std::pair<std::string, std::string>> regions = {
      {"limburg", {"Limburg", ""}},
      {"zuid-limburg", {"Zuid-Limburg", "limburg"}},
      {"midden-limburg", {"Midden-Limburg", "limburg"}},
      {"noord-limburg", {"Noord-Limburg", "limburg"}},
      {"parkstad", {"Parkstad Limburg", "zuid-limburg"}},
      {"maastricht-heuvelland", {"Maastricht-Heuvelland", "zuid-limburg"}},
      {"westelijke-mijnstreek", {"Westelijke Mijnstreek", "zuid-limburg"}},
  };
  return regions;
}

}  // namespace

const std::vector<std::string>& ReferenceData::AgeBands() {
  static const std::vector<std::string> v = {"0-17", "18-26", "27-66", "67+", "unknown"};
  return v;
}
const std::vector<std::string>& ReferenceData::Channels() {
  static const std::vector<std::string> v = {"clientenraad", "helpdesk", "spreekuur", "zelfhulp", "panel", "other"};
  return v;
}
const std::vector<std::string>& ReferenceData::Statuses() {
  static const std::vector<std::string> v = {"open", "referred", "resolved"};
  return v;
}

std::string ReferenceData::DefaultDir() {
  if (const char* env = std::getenv("SIGNAAL_DATA_DIR"); env && *env) return env;
  if (FileExists(std::string(SIGNAAL_INSTALLED_DATA_DIR) + "/themes.csv")) return SIGNAAL_INSTALLED_DATA_DIR;
  return SIGNAAL_SOURCE_DATA_DIR;
}

Result<ReferenceData> ReferenceData::Load(const std::string& dir) {
  ReferenceData ref;
  // reference.toml: the versions.
  std::string toml_path = dir + "/reference.toml";
  try {
    auto t = toml::parse_file(toml_path);
    auto v = t["taxonomy_version"].value<std::string>();
    if (!v || v->empty()) return Status::Usage(toml_path + ": key 'taxonomy_version' is missing");
    ref.taxonomy_version_ = *v;
  } catch (const toml::parse_error& e) {
    return Status::Usage(toml_path + ": " + std::string(e.description()));
  }

  // themes.csv
  std::string themes_path = dir + "/themes.csv";
  auto themes_text = ReadFile(themes_path);
  if (!themes_text.ok()) return themes_text.status();
  auto themes = ParseCsv(*themes_text, themes_path);
  if (!themes.ok()) return themes.status();
  auto tc = Columns(*themes, themes_path, {"code", "parent", "label_nl", "label_en"});
  if (!tc.ok()) return tc.status();
  for (const auto& row : themes->rows) {
    Theme th{Field(row, (*tc)[0]), Field(row, (*tc)[1]), Field(row, (*tc)[2]), Field(row, (*tc)[3])};
    std::string where = themes_path + " row " + std::to_string(row.line) + ": ";
    if (!IsCode(th.code)) return Status::Usage(where + "field 'code': '" + th.code + "' is not a lower-case code");
    if (ref.theme_index_.count(th.code)) return Status::Usage(where + "field 'code': '" + th.code + "' appears twice");
    if (!th.parent.empty()) {
      auto p = ref.theme_index_.find(th.parent);
      if (p == ref.theme_index_.end() || !ref.themes_[p->second].parent.empty()) {
        return Status::Usage(where + "field 'parent': unknown theme '" + th.parent + "'");
      }
      if (th.code.rfind(th.parent + ".", 0) != 0) {
        return Status::Usage(where + "field 'code': '" + th.code + "' must start with '" + th.parent + ".'");
      }
    }
    if (th.label_nl.empty()) return Status::Usage(where + "field 'label_nl' is empty");
    if (th.label_en.empty()) th.label_en = th.label_nl;
    ref.theme_index_[th.code] = ref.themes_.size();
    ref.themes_.push_back(std::move(th));
  }
  if (ref.themes_.empty()) return Status::Usage(themes_path + ": no themes");

  // municipalities.csv and the region hierarchy.
  for (const auto& [code, np] : FixedRegions()) ref.regions_[code] = Region{code, np.first, np.second, {}};
  std::string muni_path = dir + "/municipalities.csv";
  auto muni_text = ReadFile(muni_path);
  if (!muni_text.ok()) return muni_text.status();
  auto munis = ParseCsv(*muni_text, muni_path);
  if (!munis.ok()) return munis.status();
  auto mc = Columns(*munis, muni_path, {"code", "name", "region", "subregion"});
  if (!mc.ok()) return mc.status();
  for (const auto& row : munis->rows) {
    Municipality m{Field(row, (*mc)[0]), Field(row, (*mc)[1]), Field(row, (*mc)[2]), Field(row, (*mc)[3])};
    std::string where = muni_path + " row " + std::to_string(row.line) + ": ";
    if (m.code.size() != 6 || m.code.rfind("GM", 0) != 0) {
      return Status::Usage(where + "field 'code': '" + m.code + "' is not a CBS code (GMxxxx)");
    }
    auto region = ref.regions_.find(m.region);
    if (region == ref.regions_.end() || region->second.parent != "limburg") {
      return Status::Usage(where + "field 'region': unknown region '" + m.region + "'");
    }
    if (!m.subregion.empty()) {
      auto sub = ref.regions_.find(m.subregion);
      if (sub == ref.regions_.end() || sub->second.parent != m.region) {
        return Status::Usage(where + "field 'subregion': unknown sub-region '" + m.subregion + "' of " + m.region);
      }
    }
    if (ref.regions_.count(m.code)) return Status::Usage(where + "field 'code': '" + m.code + "' appears twice");
    std::string parent = m.subregion.empty() ? m.region : m.subregion;
    ref.regions_[m.code] = Region{m.code, m.name, parent, {m.code}};
    // Every ancestor covers the municipality.
    for (std::string r = parent; !r.empty(); r = ref.regions_[r].parent) {
      ref.regions_[r].municipalities.push_back(m.code);
    }
    ref.municipality_by_code_.emplace(Lower(m.code), ref.municipalities_.size());
    ref.municipality_by_name_.emplace(NameKey(m.name), ref.municipalities_.size());
    ref.municipalities_.push_back(std::move(m));
  }
  return ref;
}

const Theme* ReferenceData::FindTheme(const std::string& code) const {
  auto it = theme_index_.find(code);
  return it == theme_index_.end() ? nullptr : &themes_[it->second];
}

bool ReferenceData::IsTopTheme(const std::string& code) const {
  const Theme* t = FindTheme(code);
  return t && t->parent.empty();
}

bool ReferenceData::IsSubthemeOf(const std::string& subtheme, const std::string& theme) const {
  if (subtheme.empty()) return true;
  const Theme* t = FindTheme(subtheme);
  return t && t->parent == theme;
}

std::vector<const Theme*> ReferenceData::TopThemes() const {
  std::vector<const Theme*> out;
  for (const auto& t : themes_) {
    if (t.parent.empty()) out.push_back(&t);
  }
  return out;
}

std::vector<const Theme*> ReferenceData::SubthemesOf(const std::string& theme) const {
  std::vector<const Theme*> out;
  for (const auto& t : themes_) {
    if (t.parent == theme) out.push_back(&t);
  }
  return out;
}

const Municipality* ReferenceData::FindMunicipality(const std::string& code_or_name) const {
  if (auto it = municipality_by_code_.find(Lower(code_or_name)); it != municipality_by_code_.end()) {
    return &municipalities_[it->second];
  }
  auto it = municipality_by_name_.find(NameKey(code_or_name));
  return it == municipality_by_name_.end() ? nullptr : &municipalities_[it->second];
}

const Region* ReferenceData::FindRegion(const std::string& code) const {
  auto it = regions_.find(code);
  if (it == regions_.end() && code.size() == 6) {
    if (const Municipality* m = FindMunicipality(code)) it = regions_.find(m->code);
  }
  return it == regions_.end() ? nullptr : &it->second;
}

bool ReferenceData::RegionContains(const std::string& region, const std::string& gm) const {
  const Region* r = FindRegion(region);
  if (!r) return false;
  return std::find(r->municipalities.begin(), r->municipalities.end(), gm) != r->municipalities.end();
}

bool ReferenceData::RegionWithin(const std::string& inner, const std::string& outer) const {
  const Region* r = FindRegion(inner);
  const Region* o = FindRegion(outer);
  if (!r || !o) return false;
  for (const Region* cur = r; cur; cur = cur->parent.empty() ? nullptr : FindRegion(cur->parent)) {
    if (cur->code == o->code) return true;
  }
  return false;
}

std::vector<std::string> ReferenceData::RegionCodes() const {
  std::vector<std::string> out;
  for (const auto& [code, r] : regions_) out.push_back(code);
  return out;
}

}  // namespace signaal
