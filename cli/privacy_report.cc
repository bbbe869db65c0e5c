// `signaal node privacy-report`: the node's verwerkingsoverzicht for the
// privacy officer — what leaves this node, at what granularity, to which
// broker, under which policy, and the last snapshot sent — decoded, in Dutch
// (default) or English, or as JSON.
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "node_control.pb.h"
#include "signaal/period.h"
#include "signaal/text.h"

namespace signaal::cli {
namespace {

struct Field {
  const char* name;
  const char* nl;
  const char* en;
};

// Everything a SummaryCell carries; nothing else leaves the node.
const Field kFields[] = {
    {"period", "ISO-week (bijv. 2026-W47); nooit een datum", "ISO week (e.g. 2026-W47); never a date"},
    {"municipality", "gemeente (CBS-code); nooit wijk of postcode", "municipality (CBS code); never a neighbourhood or postcode"},
    {"theme", "thema uit de taxonomie", "theme code from the taxonomy"},
    {"subtheme", "subthema, of leeg na generalisatie", "subtheme code, or empty after generalisation"},
    {"age_band", "leeftijdsklasse (0-17, 18-26, 27-66, 67+), of leeg na generalisatie",
     "age band (0-17, 18-26, 27-66, 67+), or empty after generalisation"},
    {"channel", "kanaal (spreekuur, helpdesk, …), of leeg na generalisatie",
     "channel (walk-in, helpdesk, …), or empty after generalisation"},
    {"signals", "aantal signalen in de cel", "number of signals in the cell"},
    {"persons", "aantal verschillende personen (via pseudoniemen geteld)", "distinct persons (counted through pseudonyms)"},
    {"key_sum",
     "som (modulo 2^32) van de willekeurige sleutels van de signalen in de cel: zegt niets over aantallen of "
     "personen; de broker verstoort er elk getal mee, voor dezelfde signalen steeds gelijk (cell-key-methode)",
     "sum (mod 2^32) of the random keys of the cell's signals: says nothing of counts or persons; the broker "
     "perturbs every number with it, the same way for the same signals (cell-key method)"},
};

}  // namespace

int PrintPrivacyReport(const wire::PrivacyReport& p, bool json, const std::string& lang) {
  const auto& snap = p.last_snapshot_sent();
  if (json) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : kFields) fields.push_back({{"field", f.name}, {"nl", f.nl}, {"en", f.en}});
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& c : snap.cells()) {
      cells.push_back({{"municipality", c.municipality()}, {"theme", c.theme()}, {"subtheme", c.subtheme()},
                       {"age_band", c.age_band()}, {"channel", c.channel()}, {"signals", c.signals()},
                       {"persons", c.persons()}, {"key_sum", c.key_sum()}});
    }
    nlohmann::json quotes = nlohmann::json::array();
    for (const auto& q : p.quotes_sent()) {
      quotes.push_back({{"quote_id", q.quote_id()}, {"period", q.period()}, {"theme", q.theme()},
                        {"subtheme", q.subtheme()}, {"state", q.state()}, {"text", q.text()},
                        {"approved_by", q.decided_by()}, {"decided", IsoTimeUtc(q.decided_unix())},
                        {"first_sent", IsoTimeUtc(q.sent_unix())}});
    }
    nlohmann::json j = {
        {"node_id", p.node_id()},
        {"name", p.name()},
        {"broker", {{"endpoint", p.broker_endpoint()}, {"public_key", p.broker_public_key()}}},
        {"policy", {{"min_cell", p.min_cell()}, {"retention_days", p.retention_days()}}},
        {"fields_that_leave", fields},
        {"never_leaves", {"text", "person", "quote as entered", "date", "postcode4", "severity", "status"}},
        {"quotes_sent", quotes},
        {"signals_held", p.signals_held()},
        {"taxonomy_version", p.taxonomy_version()},
        {"last_snapshot_sent",
         snap.period().empty() ? nlohmann::json(nullptr)
                               : nlohmann::json({{"period", snap.period()},
                                                 {"version", snap.version()},
                                                 {"created", IsoTimeUtc(snap.created_unix())},
                                                 {"cells", cells}})}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  bool en = lang == "en";
  auto t = [&](const char* nl, const char* eng) { return std::string(en ? eng : nl); };
  // For the privacy officer (functionaris gegevensbescherming) and the
  // organisation's register of processing: what this node hands on, not the
  // public privacy statement (privacyverklaring) citizens read.
  std::cout << t("Verwerkingsoverzicht van node ", "Record of processing of node ") << p.node_id() << " ("
            << EscapeText(p.name()) << ")\n"
            << t("Voor de functionaris gegevensbescherming en het verwerkingsregister; geen privacyverklaring voor "
                 "inwoners. Opgemaakt op ",
                 "For the privacy officer and the register of processing; not a privacy statement for residents. "
                 "Made on ")
            << AmsterdamTimeName(std::time(nullptr), en) << t(".\n\n", " (Dutch time).\n\n");
  std::cout << t("Wat de organisatie verlaat", "What leaves the organisation") << "\n"
            << t("  Alleen tellingen per cel, ondertekend (Ed25519) en versleuteld (CURVE) verstuurd. Een cel bestaat uit:\n",
                 "  Only counts per cell, signed (Ed25519) and sent encrypted (CURVE). A cell consists of:\n");
  Table fields({t("  VELD", "  FIELD"), t("BETEKENIS", "MEANING")});
  for (const auto& f : kFields) fields.Add({std::string("  ") + f.name, en ? f.en : f.nl});
  std::cout << fields.Render();
  std::cout << t("  Blijft altijd hier: omschrijving, citaat zoals ingevoerd, burgerreferentie, datum, postcode, ernst,\n"
                 "  status. Een citaat gaat alleen mee als de inwoner toestemming gaf en een coördinator de geschoonde\n"
                 "  tekst goedkeurde, met alleen thema en week (zie onder).\n",
                 "  Always stays here: description, quote as entered, citizen reference, date, postcode, severity,\n"
                 "  status. A quote leaves only with the citizen's consent, once a coordinator approved its scrubbed\n"
                 "  text, with its theme and week only (see below).\n")
            << t("  Omschrijving en citaat staan versleuteld (AES-256-GCM) op schijf; burgerreferenties alleen als\n"
                 "  pseudoniem (HMAC-SHA256 met een geheime sleutel van deze node).\n",
                 "  Description and quote are encrypted at rest (AES-256-GCM); citizen references are kept only as\n"
                 "  pseudonyms (HMAC-SHA256 under this node's secret key).\n")
            << "\n";
  std::cout << t("Ontvanger", "Recipient") << "\n  broker " << p.broker_endpoint() << "\n  "
            << t("sleutel ", "key ") << p.broker_public_key() << "\n\n";
  std::cout << t("Beleid", "Policy") << "\n  min_cell = " << p.min_cell()
            << t(": cellen met minder signalen worden gegeneraliseerd (leeftijd en kanaal, dan subthema)\n",
                 ": cells with fewer signals are generalised (age band and channel, then subtheme)\n")
            << "  retention_days = " << p.retention_days()
            << t(": oudere signalen worden automatisch verwijderd; alleen weken daarbinnen worden verstuurd\n",
                 ": older signals are purged automatically; only weeks within it are sent\n")
            << t("  Signalen hier opgeslagen: ", "  Signals held here: ") << p.signals_held() << "\n\n";
  std::cout << t("Citaten die deze node verlieten: ", "Quotes that left this node: ") << p.quotes_sent_size() << "\n";
  for (const auto& q : p.quotes_sent()) {
    std::cout << "  " << q.quote_id() << "  " << t("week ", "week ") << q.period() << "  " << q.theme() << "  "
              << t("goedgekeurd door ", "approved by ") << EscapeText(q.decided_by()) << ", "
              << t("verstuurd ", "sent ") << AmsterdamTimeName(q.sent_unix(), en)
              << (q.state() == "withdrawn" ? t("  (ingetrokken)", "  (withdrawn)") : "") << "\n";
    if (!q.text().empty()) std::cout << "    \"" << EscapeText(q.text()) << "\"\n";
  }
  std::cout << "\n";
  if (snap.period().empty()) {
    std::cout << t("Nog geen samenvatting verstuurd en bevestigd.\n", "No summary sent and acknowledged yet.\n");
    return 0;
  }
  std::cout << t("Laatst verstuurde samenvatting: week ", "Last summary sent: week ") << snap.period() << ", versie "
            << snap.version() << ", " << AmsterdamTimeName(snap.created_unix(), en) << "\n";
  Table cells({t("  GEMEENTE", "  MUNICIPALITY"), t("THEMA", "THEME"), t("SUBTHEMA", "SUBTHEME"),
               t("LEEFTIJD", "AGE"), t("KANAAL", "CHANNEL"), t("SIGNALEN", "SIGNALS"), t("PERSONEN", "PERSONS")});
  for (const auto& c : snap.cells()) {
    auto all = [&](const std::string& v) { return v.empty() ? t("(alle)", "(all)") : v; };
    cells.Add({"  " + c.municipality(), c.theme(), all(c.subtheme()), all(c.age_band()), all(c.channel()),
               std::to_string(c.signals()), std::to_string(c.persons())});
  }
  std::cout << cells.Render();
  return 0;
}

}  // namespace signaal::cli
