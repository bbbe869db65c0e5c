#include "pages.h"

#include <ctime>

#include "layout.h"
#include "signaal/labels.h"
#include "signaal/text.h"

namespace signaal::node::web {
namespace {

const char* const kWeekdays[] = {"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"};
const char* const kMonths[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                               "juli",    "augustus", "september", "oktober", "november", "december"};

std::string ThemeText(const ReferenceData& ref, const std::string& theme, const std::string& subtheme) {
  const Theme* t = ref.FindTheme(theme);
  std::string out = t ? t->label_nl : theme;
  if (!subtheme.empty()) {
    const Theme* s = ref.FindTheme(subtheme);
    out += " — " + (s ? s->label_nl : subtheme);
  }
  return out;
}

std::string MunicipalityText(const ReferenceData& ref, const std::string& code) {
  const Municipality* m = ref.FindMunicipality(code);
  return m ? m->name : code;
}

// A date as the volunteers write it: 14-11-2026.
std::string DutchDate(const std::string& iso) {
  if (iso.size() != 10) return iso;
  return iso.substr(8, 2) + "-" + iso.substr(5, 2) + "-" + iso.substr(0, 4);
}

}  // namespace

std::string AgeBandText(const std::string& code) {
  static const std::map<std::string, std::string> kLabels = {{"0-17", "0 tot 18 jaar"},  {"18-26", "18 tot 27 jaar"},
                                                             {"27-66", "27 tot 67 jaar"}, {"67+", "67 jaar en ouder"},
                                                             {"unknown", "Onbekend"}};
  auto it = kLabels.find(code);
  return it == kLabels.end() ? code : it->second;
}

std::string DutchFieldError(const std::string& field, const std::string& detail) {
  auto has = [&](const char* words) { return detail.find(words) != std::string::npos; };
  if (field == "date") {
    if (has("required")) return "Vul de datum in.";
    if (has("future")) return "De datum ligt in de toekomst.";
    if (has("before 2000")) return "De datum ligt vóór 2000.";
    return "Dit is geen datum. Schrijf bijvoorbeeld 14-11-2026.";
  }
  if (field == "municipality") return "Kies een gemeente uit de lijst.";
  if (field == "theme") return has("required") ? "Kies een thema." : "Kies een thema uit de lijst.";
  if (field == "subtheme") return "Dit subthema hoort niet bij het gekozen thema. Kies een ander, of geen.";
  if (field == "quote") {
    if (has("consent")) return "Vink de toestemming aan, of laat het citaat leeg.";
    return "Het citaat is te lang: ten hoogste 2000 tekens.";
  }
  if (field == "postcode4") return "Vul de vier cijfers van een postcode in, bijvoorbeeld 6411.";
  if (field == "text") return "De toelichting is te lang: ten hoogste 4000 tekens.";
  return "Kies een waarde uit de lijst.";
}

std::string DutchWhen(int64_t unix_seconds, int64_t now) {
  if (unix_seconds <= 0) return "nog nooit";
  time_t t = static_cast<time_t>(unix_seconds), n = static_cast<time_t>(now);
  std::tm at{}, today{};
  localtime_r(&t, &at);
  localtime_r(&n, &today);
  char clock[8];
  std::strftime(clock, sizeof clock, "%H:%M", &at);
  const int64_t days = (today.tm_year - at.tm_year) * 366 + (today.tm_yday - at.tm_yday);
  if (days == 0) return std::string("vandaag ") + clock;
  if (days == 1) return std::string("gisteren ") + clock;
  if (days > 1 && days < 7) return std::string(kWeekdays[at.tm_wday]) + " " + clock;
  return std::to_string(at.tm_mday) + " " + kMonths[at.tm_mon] + " " + std::to_string(1900 + at.tm_year);
}

std::string LoginPage(const Viewer& v, const std::string& name, const std::string& error) {
  std::string body = "<h1>Inloggen</h1>\n";
  if (!error.empty()) {
    body += "<div class=\"summary\" role=\"alert\" tabindex=\"-1\" id=\"fouten\"><p>" + EscapeHtml(error) + "</p></div>\n";
  }
  body += "<form method=\"post\" action=\"/inloggen\">\n" + CsrfField(v) +
          "<label for=\"naam\">Naam</label>\n"
          "<input type=\"text\" id=\"naam\" name=\"naam\" autocomplete=\"username\" autocapitalize=\"none\" "
          "spellcheck=\"false\" required maxlength=\"32\" value=\"" + EscapeHtml(name) + "\"" +
          (name.empty() ? " autofocus" : "") + ">\n"
          "<label for=\"wachtwoord\">Wachtwoord</label>\n"
          "<input type=\"password\" id=\"wachtwoord\" name=\"wachtwoord\" autocomplete=\"current-password\" "
          "required maxlength=\"256\"" + (name.empty() ? "" : " autofocus") + ">\n"
          "<button type=\"submit\">Inloggen</button>\n</form>\n"
          "<p class=\"hint\">Geen account, of wachtwoord vergeten? Vraag het de coördinator van uw organisatie.</p>\n";
  return Layout(v, "Inloggen", body);
}

std::string SignalListPage(const Viewer& v, const ReferenceData& ref, const std::vector<wire::SignalRecord>& signals) {
  std::string body = "<h1>Mijn signalen</h1>\n";
  if (signals.empty()) {
    body += "<p>U heeft nog geen signalen ingevoerd. <a href=\"/signaal/nieuw\">Nieuw signaal</a></p>\n";
    return Layout(v, "Mijn signalen", body);
  }
  body += std::string(signals.size() == 1 ? "<p>Het signaal dat u invoerde."
                                          : "<p>De " + std::to_string(signals.size()) +
                                                " signalen die u het laatst invoerde, het nieuwste bovenaan.") +
          " Alleen u ziet deze lijst.</p>\n"
          "<table>\n<thead><tr><th scope=\"col\">Nummer</th><th scope=\"col\">Datum</th><th scope=\"col\">Thema"
          "</th><th scope=\"col\">Gemeente</th><th scope=\"col\">Toelichting</th><th scope=\"col\"><span class=\"visually-hidden\">Acties</span>"
          "</th></tr></thead>\n<tbody>\n";
  for (const auto& s : signals) {
    const std::string id = EscapeHtml(s.id());
    body += "<tr><td>" + id + "</td><td>" + EscapeHtml(DutchDate(s.date())) + "</td><td>" +
            EscapeHtml(ThemeText(ref, s.theme(), s.subtheme())) + "</td><td>" +
            EscapeHtml(MunicipalityText(ref, s.municipality())) + "</td><td>" + EscapeHtml(s.text()) +
            "</td><td><a href=\"/signalen/" + id +
            "\">Corrigeren<span class=\"visually-hidden\"> signaal " + id + "</span></a> · <a href=\"/signalen/" +
            id + "/wissen\">Wissen<span class=\"visually-hidden\"> signaal " + id + "</span></a></td></tr>\n";
  }
  body += "</tbody>\n</table>\n";
  return Layout(v, "Mijn signalen", body);
}

std::string EraseConfirmPage(const Viewer& v, const ReferenceData& ref, const wire::SignalRecord& s) {
  const std::string id = EscapeHtml(s.id());
  std::string body = "<h1>Signaal " + id + " wissen?</h1>\n<p>Signaal " + id + " van " +
                     EscapeHtml(DutchDate(s.date())) + " over " + EscapeHtml(ThemeText(ref, s.theme(), s.subtheme())) +
                     " wordt helemaal gewist, met de toelichting en een citaat. Dat kan niet ongedaan worden.</p>\n"
                     "<form method=\"post\" action=\"/signalen/" + id + "/wissen\">\n" + CsrfField(v) +
                     "<button type=\"submit\" class=\"danger\">Ja, wis signaal " + id + "</button>\n"
                     "<a href=\"/signalen\">Nee, terug naar mijn signalen</a>\n</form>\n";
  return Layout(v, "Signaal wissen", body);
}

std::string StatusPage(const Viewer& v, const wire::NodeStatus& s, int64_t now) {
  std::string connection;
  if (s.broker_state() == "connected") {
    connection = "Verbonden met de regio";
  } else if (s.broker_state() == "refused") {
    connection = "De regio weigert de verbinding (vraag de beheerder naar de sleutels)";
  } else {
    connection = "Niet verbonden met de regio, sinds " + DutchWhen(s.broker_state_since(), now);
  }
  std::string body = "<h1>Stand van de node</h1>\n<ul>\n<li>" + EscapeHtml(connection) + ", laatste overdracht " +
                     EscapeHtml(DutchWhen(s.last_ack_unix(), now)) + ".</li>\n<li>" + std::to_string(s.signals()) +
                     " signalen opgeslagen.</li>\n";
  if (s.outbox_depth() > 0) {
    body += "<li>" + std::to_string(s.outbox_depth()) + (s.outbox_depth() == 1 ? " week wacht" : " weken wachten") +
            " op verzending.</li>\n";
  } else {
    body += "<li>Alles is verzonden.</li>\n";
  }
  if (!s.job().empty()) body += "<li>Bezig: " + EscapeHtml(s.job()) + ".</li>\n";
  body += "<li id=\"teruggekoppeld\">" + EscapeHtml(SignalsCountedSentence(s.digests_this_month(), s.advice_this_month())) +
          "</li>\n";
  if (!s.store_error().empty()) {
    body += "<li class=\"error\">De node kan niet meer opslaan (is de schijf vol?). Waarschuw de beheerder.</li>\n";
  }
  body += "</ul>\n";
  return Layout(v, "Stand van de node", body);
}

std::string MessagePage(const Viewer& v, const std::string& title, const std::string& text) {
  return Layout(v, title, "<h1>" + EscapeHtml(title) + "</h1>\n<p>" + EscapeHtml(text) + "</p>\n");
}

}  // namespace signaal::node::web
