#include "signaal/digest_render.h"

#include <utility>

#include "signaal/text.h"

namespace signaal {
namespace {

nlohmann::json CellJson(const wire::DigestCell& c) {
  nlohmann::json j;
  j["theme"] = c.code();
  j["label"] = c.label_nl();
  j["label_en"] = c.label_en();
  j["suppressed"] = c.suppressed();
  if (c.suppressed()) {
    j["signals"] = nullptr;
    j["persons"] = nullptr;
    j["organisations"] = nullptr;
  } else {
    j["signals"] = c.signals();
    j["persons"] = c.persons();
    j["organisations"] = c.organisations();
  }
  j["subthemes"] = nlohmann::json::array();
  for (const auto& s : c.subthemes()) j["subthemes"].push_back(CellJson(s));
  return j;
}

std::string Num(const wire::DigestCell& c, uint32_t value) { return c.suppressed() ? "×" : std::to_string(value); }

std::string Row(const std::string& label, const wire::DigestCell& c) {
  return "| " + label + " | " + Num(c, c.signals()) + " | " + Num(c, c.persons()) + " | " +
         Num(c, c.organisations()) + " |\n";
}

}  // namespace

nlohmann::json DigestToJson(const wire::Digest& d) {
  nlohmann::json j;
  j["region"] = d.region();
  j["region_name"] = d.region_name();
  j["period"] = d.period();
  j["from"] = d.from_week();
  j["to"] = d.to_week();
  j["sequence"] = d.sequence();
  j["generated_at"] = IsoTimeUtc(d.generated_unix());
  j["taxonomy_version"] = d.taxonomy_version();
  j["policy"] = {{"k", d.policy().k()},
                 {"min_organisations", d.policy().min_organisations()},
                 {"method", d.policy().method()},
                 {"cells_published", d.policy().cells_published()},
                 {"cells_suppressed", d.policy().cells_suppressed()},
                 {"cells_secondary", d.policy().cells_secondary()},
                 {"earlier_digests_audited", d.policy().earlier_digests_audited()}};
  j["organisations"] = d.total().suppressed() ? nlohmann::json(nullptr) : nlohmann::json(d.organisations_total());
  nlohmann::json total = CellJson(d.total());
  total.erase("subthemes");
  total.erase("theme");
  j["total"] = total;
  j["themes"] = nlohmann::json::array();
  for (const auto& t : d.themes()) j["themes"].push_back(CellJson(t));
  return j;
}

std::string DigestToMarkdown(const wire::Digest& d) {
  std::string md;
  md += "# Signaaldigest " + d.region_name() + " — " + d.period() + "\n\n";
  md += "Weken " + d.from_week() + " t/m " + d.to_week() + ". Gemaakt op " + IsoTimeUtc(d.generated_unix()) + ".\n\n";
  const auto& t = d.total();
  if (t.suppressed()) {
    md += "In deze periode zijn te weinig signalen gemeld om getallen te tonen.\n\n";
  } else {
    md += "**" + std::to_string(t.signals()) + " signalen** van " + std::to_string(t.persons()) + " personen, gemeld door " +
          std::to_string(d.organisations_total()) + " organisaties.\n\n";
  }
  md += "| Thema | Signalen | Personen | Organisaties |\n|---|---:|---:|---:|\n";
  for (const auto& theme : d.themes()) {
    md += Row("**" + theme.label_nl() + "**", theme);
    for (const auto& sub : theme.subthemes()) md += Row("&nbsp;&nbsp;" + sub.label_nl(), sub);
  }
  md += Row("**Totaal**", t);
  md += "\n× = onderdrukt ter bescherming van de privacy: te weinig personen, signalen of organisaties achter "
        "de cel, of verborgen zodat zo'n cel niet uit andere getallen terug te rekenen is.\n\n";
  md += "Personen zijn per organisatie en per week geteld en daarna opgeteld; iemand die bij twee organisaties "
        "of in twee weken meldt, telt twee keer.\n\n";
  md += "---\nBeleid: drempel k = " + std::to_string(d.policy().k()) + ", minstens " +
        std::to_string(d.policy().min_organisations()) + " organisaties per cel (" + d.policy().method() + "), " +
        std::to_string(d.policy().cells_suppressed()) + " van " +
        std::to_string(d.policy().cells_suppressed() + d.policy().cells_published()) +
        " cellen onderdrukt. Taxonomie " + d.taxonomy_version() + ". Digest " + std::to_string(d.sequence()) + ".\n";
  return md;
}

std::string DigestFileName(const wire::Digest& d, const std::string& ext) {
  return d.region() + "/" + d.period() + "." + ext;
}

std::string RenderDigest(const wire::Digest& d, const std::string& format) {
  if (format == "json") return DigestToJson(d).dump(2) + "\n";
  if (format == "md") return DigestToMarkdown(d);
  return "";
}

const wire::DigestCell* FindCell(const wire::Digest& digest, const std::string& code) {
  if (code.empty()) return &digest.total();
  for (const auto& theme : digest.themes()) {
    if (theme.code() == code) return &theme;
    for (const auto& sub : theme.subthemes()) {
      if (sub.code() == code) return &sub;
    }
  }
  return nullptr;
}

wire::DigestCell* FindCell(wire::Digest& digest, const std::string& code) {
  // The digest is not const here, so neither is the cell found in it.
  return const_cast<wire::DigestCell*>(FindCell(std::as_const(digest), code));
}

}  // namespace signaal
