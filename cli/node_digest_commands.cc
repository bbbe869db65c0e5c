// `signaal node digests`: what the region made of this partner's signals —
// the published digests of the areas the node lies in and the advice on
// them, as the node received them over its own connection to the broker
// (issue 18). Listed, or written out as a subscriber writes them, so a
// partner needs no subscriber key of its own to read what its signals fed.
#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "digest_render.h"
#include "signaal/period.h"
#include "signaal/text.h"

namespace signaal::cli {
namespace {

using namespace std::chrono_literals;

struct NodeDigestOptions {
  uint32_t limit = 20;
  std::string out, formats = "html", lang = "nl";
  bool json = false;
};

// "Schulden & geldzaken 12 (5 open), Werk 3": the themes this partner
// contributed to, largest first, at most three named.
std::string OwnSummary(const wire::Digest& d, const wire::OwnCounts& own) {
  std::vector<std::pair<uint32_t, std::string>> parts;
  for (const auto& t : own.themes()) {
    if (t.signals() == 0) continue;
    std::string label = t.theme();
    for (const auto& theme : d.themes()) {
      if (theme.code() == t.theme() && !theme.label_nl().empty()) label = theme.label_nl();
    }
    parts.emplace_back(t.signals(), EscapeText(label) + " " + std::to_string(t.signals()) +
                                        (t.open() > 0 ? " (" + std::to_string(t.open()) + " open)" : ""));
  }
  if (parts.empty()) return "-";
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (size_t i = 0; i < parts.size() && i < 3; ++i) out += (i ? ", " : "") + parts[i].second;
  if (parts.size() > 3) out += " en " + std::to_string(parts.size() - 3) + " meer";
  return out;
}

int ListDigests(const std::string& config, const NodeDigestOptions& o) {
  if (o.lang != "nl" && o.lang != "en") return Report(Status::Usage("--lang: 'nl' or 'en'"));
  const std::vector<std::string> formats = SplitList(o.formats);
  if (Status s = CheckFormats(formats); !s.ok()) return Report(s);
  wire::NodeRequest req;
  req.mutable_digests()->set_limit(o.limit);
  auto r = AskNodeAt(config, req, 10000ms);
  if (int rc = CheckNode(r)) return rc;
  const wire::KeptDigests& kept = r->kept_digests();
  if (!o.out.empty()) {
    for (const auto& d : kept.digests()) {
      std::vector<std::string> written;
      if (Status s = WriteDigest(d, o.out, formats, o.lang, written); !s.ok()) return Report(s);
      for (const auto& w : written) std::cout << "wrote " << w << "\n";
    }
    return 0;
  }
  // This partner's own signals in each digest's themes (counted at the node, never sent).
  auto own = [&kept](int i) {
    return i < kept.own_size() ? kept.own(i) : wire::OwnCounts();
  };
  if (o.json) {
    nlohmann::json digests = nlohmann::json::array();
    for (int i = 0; i < kept.digests_size(); ++i) {
      const auto& d = kept.digests(i);
      nlohmann::json themes = nlohmann::json::array();
      const wire::OwnCounts mine = own(i);
      for (const auto& t : mine.themes()) {
        themes.push_back({{"theme", t.theme()}, {"signals", t.signals()}, {"open", t.open()}});
      }
      digests.push_back({{"sequence", d.sequence()}, {"region", d.region()}, {"region_name", d.region_name()},
                         {"period", d.period()}, {"title", DigestTitle(d)},
                         {"generated_at", IsoTimeUtc(d.generated_unix())}, {"own", themes}});
    }
    wire::Digest feed;  // the advice as a digest carries it, for one JSON shape
    *feed.mutable_advice() = kept.advice().advice();
    std::cout << nlohmann::json({{"digests", digests}, {"kept", kept.kept()}, {"advice", AdviceJson(feed)}})
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return 0;
  }
  if (kept.digests_size() == 0) {
    std::cout << "Nog geen rapportages ontvangen. De node krijgt elke rapportage die de regio publiceert over een "
                 "gebied waarin zij ligt, zodra ze verbonden is.\n";
  } else {
    Table t({"NR", "RAPPORTAGE", "GEMAAKT", "UW SIGNALEN"});
    for (int i = 0; i < kept.digests_size(); ++i) {
      const auto& d = kept.digests(i);
      t.Add({std::to_string(d.sequence()), EscapeText(DigestTitle(d)), AmsterdamTimeName(d.generated_unix()),
             OwnSummary(d, own(i))});
    }
    std::cout << t.Render();
    std::cout << "UW SIGNALEN: uw eigen signalen in de thema's van die rapportage, met hoeveel daarvan hier nog open "
                 "staan; door deze node zelf geteld, ze gaan nergens heen.\n";
    if (kept.kept() > static_cast<uint32_t>(kept.digests_size())) {
      std::cout << "(de nieuwste " << kept.digests_size() << " van " << kept.kept() << "; --limit voor meer)\n";
    }
  }
  std::cout << "\nAdviezen over uw gebied: " << kept.advice().advice_size() << "\n";
  for (const auto& a : kept.advice().advice()) {
    std::cout << "  " << EscapeText(a.id()) << "  " << EscapeText(a.title()) << " — "
              << EscapeText(AdviceStatusName(a.status())) << "\n";
    if (!a.response().empty()) std::cout << "      „" << EscapeText(a.response()) << "”\n";
  }
  std::cout << "\nSchrijf ze uit met --out MAP [--format html,md,csv,json].\n";
  return 0;
}

}  // namespace

void AddNodeDigestCommands(CLI::App& node, std::shared_ptr<const std::string> config, int& exit_code) {
  auto o = std::make_shared<NodeDigestOptions>();
  auto* digests = node.add_subcommand(
      "digests", "the published digests this node's signals fed, and the advice on its area, as the node received them");
  digests->add_option("--limit", o->limit, "the newest this many (default 20, at most 200)");
  digests->add_option("--out", o->out, "write them as a subscriber does: OUT/<region>/<period>.<ext>");
  digests->add_option("--format", o->formats, "with --out: html, md, csv, json (comma-separated; default html)");
  digests->add_option("--lang", o->lang, "nl (default) or en");
  digests->add_flag("--json", o->json, "machine-readable output");
  digests->callback([o, config, &exit_code] { exit_code = ListDigests(*config, *o); });
}

}  // namespace signaal::cli
