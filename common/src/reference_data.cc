#include "signaal/reference_data.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <set>

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

bool IsMunicipalityCode(const std::string& s) {
  return s.size() == 6 && s.compare(0, 2, "GM") == 0 && s.find_first_not_of("0123456789", 2) == std::string::npos;
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

  if (Status st = ref.LoadMunicipalities(dir + "/municipalities.csv"); !st.ok()) return st;
  if (Status st = ref.LoadAreas(dir + "/areas.csv"); !st.ok()) return st;
  return ref;
}

Status ReferenceData::LoadMunicipalities(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto table = ParseCsv(*text, path);
  if (!table.ok()) return table.status();
  auto col = Columns(*table, path, {"code", "name"});
  if (!col.ok()) return col.status();
  for (const auto& row : table->rows) {
    Municipality m{Field(row, (*col)[0]), Field(row, (*col)[1])};
    std::string where = path + " row " + std::to_string(row.line) + ": ";
    if (!IsMunicipalityCode(m.code)) {
      return Status::Usage(where + "field 'code': '" + m.code + "' is not a CBS code (GMxxxx)");
    }
    if (m.name.empty()) return Status::Usage(where + "field 'name' is empty");
    if (municipality_by_code_.count(Lower(m.code))) {
      return Status::Usage(where + "field 'code': '" + m.code + "' appears twice");
    }
    if (municipality_by_name_.count(NameKey(m.name))) {
      return Status::Usage(where + "field 'name': '" + m.name + "' appears twice");
    }
    municipality_by_code_.emplace(Lower(m.code), municipalities_.size());
    municipality_by_name_.emplace(NameKey(m.name), municipalities_.size());
    municipalities_.push_back(std::move(m));
  }
  if (municipalities_.empty()) return Status::Usage(path + ": no municipalities");
  return Status::Ok();
}

// areas.csv: a row per area and grouping it belongs to. Checked as a whole,
// so that every error names the row an administrator has to fix.
Status ReferenceData::LoadAreas(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto table = ParseCsv(*text, path);
  if (!table.ok()) return table.status();
  auto col = Columns(*table, path, {"code", "name", "parent", "kind"});
  if (!col.ok()) return col.status();
  std::map<std::string, size_t> first_row;  // code -> the line that defined it first
  std::map<std::string, size_t> parent_row;  // code + "|" + parent -> line
  for (const auto& row : table->rows) {
    std::string code = Field(row, (*col)[0]), name = Field(row, (*col)[1]);
    std::string parent = Field(row, (*col)[2]), kind = Field(row, (*col)[3]);
    std::string where = path + " row " + std::to_string(row.line) + ": ";
    const bool municipality = IsMunicipalityCode(code);
    if (municipality) {
      const Municipality* m = FindMunicipality(code);
      if (!m) return Status::Usage(where + "field 'code': municipality '" + code + "' is not in municipalities.csv");
      if (NameKey(name) != NameKey(m->name)) {
        return Status::Usage(where + "field 'name': '" + name + "' is not what municipalities.csv calls " + code +
                             " ('" + m->name + "')");
      }
      if (kind != "gemeente") return Status::Usage(where + "field 'kind': a municipality's kind is 'gemeente'");
      if (parent.empty()) return Status::Usage(where + "field 'parent': a municipality lies in an area");
    } else {
      if (!IsAreaCode(code)) {
        return Status::Usage(where + "field 'code': '" + code +
                             "' is neither a CBS code (GMxxxx) nor an area code (lower-case words joined by hyphens)");
      }
      if (name.empty()) return Status::Usage(where + "field 'name' is empty");
      if (!IsAreaCode(kind) || kind == "gemeente") {
        return Status::Usage(where + "field 'kind': '" + kind + "' is no kind of area (provincie, regio, subregio, ...)");
      }
    }
    if (!parent.empty() && !IsAreaCode(parent)) {
      return Status::Usage(where + "field 'parent': '" + parent + "' is no area code");
    }
    if (parent == code) return Status::Usage(where + "field 'parent': '" + code + "' cannot lie in itself");
    auto [it, fresh] = regions_.try_emplace(code, Region{code, name, kind, {}, {}});
    if (fresh) {
      first_row[code] = row.line;
    } else if (it->second.name != name || it->second.kind != kind) {
      return Status::Usage(where + "'" + code + "' is named or kinded differently than in row " +
                           std::to_string(first_row[code]));
    }
    if (!parent_row.emplace(code + "|" + parent, row.line).second) {
      return Status::Usage(where + "'" + code + "' in '" + parent + "' appears twice");
    }
    if (!parent.empty()) it->second.parents.push_back(parent);
  }
  for (const auto& [key, line] : parent_row) {
    const std::string code = key.substr(0, key.find('|')), parent = key.substr(key.find('|') + 1);
    if (parent.empty()) continue;
    auto p = regions_.find(parent);
    std::string where = path + " row " + std::to_string(line) + ": ";
    if (p == regions_.end()) return Status::Usage(where + "field 'parent': unknown area '" + parent + "'");
  }
  // A cycle would make an area lie within itself: walk the parents depth
  // first and name the first row that closes one.
  std::map<std::string, int> state;  // 1 on the current path, 2 done
  std::vector<std::string> trail;
  std::function<Status(const std::string&)> visit = [&](const std::string& code) -> Status {
    state[code] = 1;
    trail.push_back(code);
    for (const auto& parent : regions_.at(code).parents) {
      if (state[parent] == 1) {
        std::string cycle;
        for (auto it = std::find(trail.begin(), trail.end(), parent); it != trail.end(); ++it) cycle += *it + " -> ";
        return Status::Usage(path + " row " + std::to_string(parent_row.at(code + "|" + parent)) +
                             ": the areas lie within each other in a circle: " + cycle + parent);
      }
      if (state[parent] == 0) {
        if (Status st = visit(parent); !st.ok()) return st;
      }
    }
    trail.pop_back();
    state[code] = 2;
    return Status::Ok();
  };
  for (const auto& [code, region] : regions_) {
    if (state[code] == 0) {
      if (Status st = visit(code); !st.ok()) return st;
    }
  }
  // Every municipality lies in an area, and every area it lies in, however
  // far up, covers it.
  for (const auto& m : municipalities_) {
    auto self = regions_.find(m.code);
    if (self == regions_.end()) {
      return Status::Usage(path + ": municipality " + m.name + " (" + m.code +
                           ") of municipalities.csv lies in no area; add a row for it");
    }
    std::set<std::string> seen;
    std::vector<std::string> to_visit = {m.code};
    while (!to_visit.empty()) {
      std::string code = to_visit.back();
      to_visit.pop_back();
      if (!seen.insert(code).second) continue;
      Region& r = regions_.at(code);
      r.municipalities.push_back(m.code);
      to_visit.insert(to_visit.end(), r.parents.begin(), r.parents.end());
    }
  }
  for (auto& [code, region] : regions_) {
    if (region.municipalities.empty()) {
      return Status::Usage(path + " row " + std::to_string(first_row[code]) + ": area '" + code +
                           "' holds no municipality");
    }
    std::vector<std::string> sorted = region.municipalities;
    std::sort(sorted.begin(), sorted.end());
    sorted_municipalities_[code] = std::move(sorted);
  }
  return Status::Ok();
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
  const auto& in = sorted_municipalities_.at(r->code);
  const auto& out = sorted_municipalities_.at(o->code);
  return std::includes(out.begin(), out.end(), in.begin(), in.end());
}

bool ReferenceData::IsRegionCode(const std::string& s) { return IsMunicipalityCode(s) || IsAreaCode(s); }

bool ReferenceData::IsAreaCode(const std::string& s) {
  if (s.empty() || s.size() > 64 || s.front() == '-' || s.back() == '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && s[i - 1] != '-');
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> ReferenceData::RegionCodes() const {
  std::vector<std::string> out;
  for (const auto& [code, r] : regions_) out.push_back(code);
  return out;
}

}  // namespace signaal
