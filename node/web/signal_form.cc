// The signal form (new and correction) and the coordinator's quote review.
#include <algorithm>

#include "layout.h"
#include "pages.h"
#include "signaal/labels.h"
#include "signaal/text.h"

namespace signaal::node::web {
namespace {

const char kConsentText[] =
    "Mogen wij iets van wat u vertelt letterlijk gebruiken? Dan kan de adviesraad laten zien wat inwoners "
    "zelf zeggen, naast de cijfers. We halen er eerst alles uit waaraan u te herkennen bent: uw naam, adres, "
    "telefoonnummer, geboortedatum, leeftijd, BSN en rekeningnummer, en die van anderen. Een coördinator van "
    "onze organisatie leest de tekst na voordat hij ergens heen gaat. Het citaat gaat alleen mee met het "
    "onderwerp en de week: niet uw naam, niet uw woonplaats, niet onze naam.";

std::string Value(const SignalForm& f, const std::string& name) {
  auto it = f.values.find(name);
  return it == f.values.end() ? "" : it->second;
}

// The error under a field, and the attributes that tie it to the field.
struct FieldState {
  std::string message_html;  // "" when fine
  std::string attributes;    // aria-invalid, aria-describedby, class
};

FieldState State(const SignalForm& f, const std::string& name, const std::string& hint_id = "") {
  FieldState s;
  auto it = f.errors.find(name);
  std::string described = hint_id;
  if (it != f.errors.end()) {
    s.message_html = "<span class=\"error\" id=\"" + name + "-fout\">" + EscapeHtml(it->second) + "</span>\n";
    described += (described.empty() ? "" : " ") + name + "-fout";
    s.attributes = " aria-invalid=\"true\" class=\"invalid\"";
  }
  if (!described.empty()) s.attributes += " aria-describedby=\"" + described + "\"";
  return s;
}

std::string Option(const std::string& value, const std::string& label, const std::string& chosen) {
  return "<option value=\"" + EscapeHtml(value) + "\"" + (value == chosen ? " selected" : "") + ">" +
         EscapeHtml(label) + "</option>\n";
}

std::string Select(const SignalForm& f, const std::string& name, const std::string& label,
                   const std::string& options_html, const std::string& hint = "") {
  FieldState s = State(f, name, hint.empty() ? "" : name + "-uitleg");
  return "<label for=\"" + name + "\">" + EscapeHtml(label) +
         (hint.empty() ? "" : "<span class=\"hint\" id=\"" + name + "-uitleg\">" + EscapeHtml(hint) + "</span>") +
         "</label>\n" + s.message_html + "<select id=\"" + name + "\" name=\"" + name + "\"" + s.attributes + ">\n" +
         options_html + "</select>\n";
}

std::string TextArea(const SignalForm& f, const std::string& name, const std::string& label, const std::string& hint,
                     size_t max_chars) {
  FieldState s = State(f, name, name + "-uitleg");
  return "<label for=\"" + name + "\">" + EscapeHtml(label) + "<span class=\"hint\" id=\"" + name + "-uitleg\">" +
         EscapeHtml(hint) + "</span></label>\n" + s.message_html + "<textarea id=\"" + name + "\" name=\"" + name +
         "\" maxlength=\"" + std::to_string(max_chars) + "\"" + s.attributes + ">" + EscapeHtml(Value(f, name)) +
         "</textarea>\n<p class=\"scrub-hint\" id=\"" + name + "-scrub\" aria-live=\"polite\" hidden></p>\n";
}

std::string TextInput(const SignalForm& f, const std::string& name, const std::string& label, const std::string& hint,
                      const std::string& extra) {
  FieldState s = State(f, name, hint.empty() ? "" : name + "-uitleg");
  return "<label for=\"" + name + "\">" + EscapeHtml(label) +
         (hint.empty() ? "" : "<span class=\"hint\" id=\"" + name + "-uitleg\">" + EscapeHtml(hint) + "</span>") +
         "</label>\n" + s.message_html + "<input type=\"text\" id=\"" + name + "\" name=\"" + name + "\" value=\"" +
         EscapeHtml(Value(f, name)) + "\"" + extra + s.attributes + ">\n";
}

// The Dutch names of the fields, for the list of errors at the top.
std::string FieldName(const std::string& name) {
  static const std::map<std::string, std::string> kNames = {
      {"datum", "Datum"},     {"gemeente", "Gemeente"},       {"thema", "Thema"},         {"subthema", "Subthema"},
      {"leeftijd", "Leeftijd"}, {"kanaal", "Hoe kwam het signaal binnen"}, {"ernst", "Ernst"}, {"status", "Stand"},
      {"toelichting", "Toelichting"}, {"persoon", "Kenmerk van de inwoner"}, {"postcode", "Postcode"},
      {"citaat", "Citaat"},   {"toestemming", "Toestemming"}};
  auto it = kNames.find(name);
  return it == kNames.end() ? name : it->second;
}

// `text` with the spans (code points) marked.
std::string Marked(const std::string& text, const google::protobuf::RepeatedPtrField<wire::ScrubSpan>& spans) {
  std::vector<std::pair<size_t, size_t>> bytes;  // spans in bytes
  size_t cp = 0;
  std::vector<size_t> offset;                    // byte offset of each code point, and the end
  for (size_t i = 0; i < text.size(); ++cp) {
    offset.push_back(i);
    size_t n = 1;
    CodePointAt(text, i, &n);
    i += n;
  }
  offset.push_back(text.size());
  for (const auto& s : spans) {
    if (s.start() < s.end() && s.end() < offset.size()) bytes.emplace_back(offset[s.start()], offset[s.end()]);
  }
  std::sort(bytes.begin(), bytes.end());
  std::string out;
  size_t at = 0;
  for (const auto& [start, end] : bytes) {
    if (start < at) continue;
    out += EscapeHtml(text.substr(at, start - at)) + "<mark>" + EscapeHtml(text.substr(start, end - start)) + "</mark>";
    at = end;
  }
  return out + EscapeHtml(text.substr(at));
}

}  // namespace

std::string SignalFormPage(const Viewer& v, const FormChoices& c, const SignalForm& f) {
  const ReferenceData& ref = *c.ref;
  const bool correcting = !f.signal_id.empty();
  const std::string title = correcting ? "Signaal " + f.signal_id + " corrigeren" : "Nieuw signaal";
  std::string body = "<h1>" + EscapeHtml(title) + "</h1>\n";
  if (!f.errors.empty()) {
    body += "<div class=\"summary\" role=\"alert\" tabindex=\"-1\" id=\"fouten\">\n<h2>Controleer " +
            std::string(f.errors.size() == 1 ? "dit veld" : "deze velden") + "</h2>\n<ul>\n";
    for (const auto& [name, message] : f.errors) {
      // "": about the whole form (the node is busy), not one field.
      body += name.empty() ? "<li>" + EscapeHtml(message) + "</li>\n"
                           : "<li><a href=\"#" + EscapeHtml(name) + "\">" + EscapeHtml(FieldName(name)) + ": " +
                                 EscapeHtml(message) + "</a></li>\n";
    }
    body += "</ul>\n</div>\n";
  }
  const std::string action = correcting ? "/signalen/" + EscapeHtml(f.signal_id) : "/signaal/nieuw";
  body += "<form method=\"post\" action=\"" + action + "\" id=\"signaal-form\" novalidate>\n" + CsrfField(v);

  {
    FieldState s = State(f, "datum", "datum-uitleg");
    body += "<label for=\"datum\">Datum<span class=\"hint\" id=\"datum-uitleg\">Wanneer hoorde u het? "
            "Bijvoorbeeld 14-11-2026.</span></label>\n" + s.message_html +
            "<input type=\"date\" id=\"datum\" name=\"datum\" required value=\"" + EscapeHtml(Value(f, "datum")) +
            "\"" + s.attributes + ">\n";
  }

  std::string municipalities;
  const std::string chosen_gm = Value(f, "gemeente").empty() ? c.home_municipality : Value(f, "gemeente");
  if (const Municipality* home = ref.FindMunicipality(c.home_municipality)) {
    municipalities += "<optgroup label=\"Uw gemeente\">\n" + Option(home->code, home->name, chosen_gm) + "</optgroup>\n";
  }
  std::vector<const Municipality*> all;
  for (const auto& m : ref.municipalities()) {
    if (m.code != c.home_municipality) all.push_back(&m);
  }
  std::sort(all.begin(), all.end(), [](const Municipality* a, const Municipality* b) { return a->name < b->name; });
  municipalities += "<optgroup label=\"Andere gemeenten\">\n";
  for (const Municipality* m : all) municipalities += Option(m->code, m->name, chosen_gm);
  municipalities += "</optgroup>\n";
  body += Select(f, "gemeente", "Gemeente", municipalities, "Waar woont de inwoner?");

  std::string themes = Option("", "Kies een thema", Value(f, "thema"));
  std::string subthemes = Option("", "Geen subthema", Value(f, "subthema"));
  for (const Theme* t : ref.TopThemes()) {
    themes += Option(t->code, t->label_nl, Value(f, "thema"));
    subthemes += "<optgroup label=\"" + EscapeHtml(t->label_nl) + "\" data-thema=\"" + EscapeHtml(t->code) + "\">\n";
    for (const Theme* s : ref.SubthemesOf(t->code)) subthemes += Option(s->code, s->label_nl, Value(f, "subthema"));
    subthemes += "</optgroup>\n";
  }
  body += Select(f, "thema", "Thema", themes, "Waar gaat het signaal over?");
  body += Select(f, "subthema", "Subthema (als het past)", subthemes);

  std::string ages;
  const std::string age = Value(f, "leeftijd").empty() ? "unknown" : Value(f, "leeftijd");
  for (const auto& a : ReferenceData::AgeBands()) ages += Option(a, AgeBandText(a), age);
  body += Select(f, "leeftijd", "Leeftijd van de inwoner", ages);

  std::string channels;
  const std::string channel = Value(f, "kanaal").empty() ? c.default_channel : Value(f, "kanaal");
  for (const auto& ch : ReferenceData::Channels()) channels += Option(ch, ChannelLabel(ch), channel);
  body += Select(f, "kanaal", "Hoe kwam het signaal binnen?", channels);

  std::string severities = Option("0", "Niet aangegeven", Value(f, "ernst"));
  severities += Option("1", "1 — licht", Value(f, "ernst")) + Option("2", "2 — flink", Value(f, "ernst")) +
                Option("3", "3 — ernstig", Value(f, "ernst"));
  body += Select(f, "ernst", "Ernst", severities);

  std::string statuses;
  const std::string status = Value(f, "status").empty() ? "open" : Value(f, "status");
  for (const auto& st : ReferenceData::Statuses()) statuses += Option(st, StatusLabel(st), status);
  body += Select(f, "status", "Stand", statuses, "Is het al opgelost of doorverwezen?");

  body += TextArea(f, "toelichting", "Toelichting",
                   "Wat speelde er? Schrijf geen namen, adressen, telefoonnummers of geboortedata op.", 4000);
  body += TextInput(f, "persoon", "Kenmerk van de inwoner (mag leeg)",
                    "Alleen nodig om later alles van deze inwoner te kunnen wissen, bijvoorbeeld een "
                    "dossiernummer. De node bewaart het onleesbaar.",
                    " autocomplete=\"off\" maxlength=\"64\"");
  body += TextInput(f, "postcode", "Postcode, alleen de cijfers (mag leeg)", "Bijvoorbeeld 6411.",
                    " inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"7\"");

  if (!correcting) {
    body += "<fieldset>\n<legend>Citaat (mag leeg)</legend>\n";
    body += TextArea(f, "citaat", "Wat zei de inwoner letterlijk?",
                     "Alleen met toestemming. De coördinator leest het na voordat het de organisatie verlaat.", 2000);
    FieldState s = State(f, "toestemming", "toestemming-tekst");
    body += "<p class=\"consent\" id=\"toestemming-tekst\">" + EscapeHtml(kConsentText) + "</p>\n" + s.message_html +
            "<div class=\"check\"><input type=\"checkbox\" id=\"toestemming\" name=\"toestemming\" value=\"ja\"" +
            (Value(f, "toestemming") == "ja" ? " checked" : "") + s.attributes +
            "><label for=\"toestemming\">De inwoner gaf toestemming na het voorlezen van de tekst hierboven."
            "</label></div>\n</fieldset>\n";
  } else {
    body += "<p class=\"hint\">Een citaat verandert u hier niet: de coördinator beoordeelt het.</p>\n";
  }
  body += "<button type=\"submit\">" + std::string(correcting ? "Correctie opslaan" : "Signaal opslaan") +
          "</button>\n</form>\n<script src=\"/hint.js\" defer></script>\n";
  return Layout(v, title, body);
}

std::string QuotesPage(const Viewer& v, const std::vector<wire::QuoteView>& quotes) {
  std::string body = "<h1>Citaten beoordelen</h1>\n";
  size_t shown = 0;
  for (const auto& q : quotes) {
    if (q.state() != "pending" && q.state() != "approved" && q.state() != "refused") continue;
    ++shown;
    const std::string id = EscapeHtml(q.signal_id());
    const std::string state = q.state() == "pending" ? "wacht op beoordeling"
                              : q.state() == "approved" ? "goedgekeurd"
                                                        : "geweigerd door de regio";
    body += "<section class=\"quote\" aria-labelledby=\"c-" + id + "\">\n<h2 id=\"c-" + id + "\">Signaal " + id +
            ", week " + EscapeHtml(q.period()) + " — " + EscapeHtml(state) + "</h2>\n<p>" + Marked(q.text(), q.spans()) +
            "</p>\n";
    if (q.spans_size() > 0) {
      body += "<p class=\"scrub-hint\">Gemarkeerd: dit lijkt nog persoonsgegevens. Pas het aan voordat u het "
              "goedkeurt.</p>\n";
    }
    if (!q.refusal().empty()) body += "<p class=\"error\">" + EscapeHtml(q.refusal()) + "</p>\n";
    const std::string base = "/citaten/" + id + "/";
    if (q.state() != "approved") {
      body += "<form method=\"post\" action=\"" + base + "goedkeuren\" class=\"inline\">" + CsrfField(v) +
              "<button type=\"submit\">Goedkeuren</button></form>\n<form method=\"post\" action=\"" + base +
              "afwijzen\" class=\"inline\">" + CsrfField(v) +
              "<button type=\"submit\" class=\"secondary\">Afwijzen</button></form>\n";
    } else {
      body += "<form method=\"post\" action=\"" + base + "intrekken\" class=\"inline\">" + CsrfField(v) +
              "<button type=\"submit\" class=\"secondary\">Intrekken</button></form>\n";
    }
    body += "<details><summary>Tekst aanpassen</summary>\n<form method=\"post\" action=\"" + base + "aanpassen\">" +
            CsrfField(v) + "<label for=\"t-" + id + "\">Nieuwe tekst</label>\n<textarea id=\"t-" + id +
            "\" name=\"tekst\" maxlength=\"2000\">" + EscapeHtml(q.text()) +
            "</textarea>\n<button type=\"submit\">Opslaan</button></form></details>\n</section>\n";
  }
  if (shown == 0) body += "<p>Er wachten geen citaten.</p>\n";
  return Layout(v, "Citaten beoordelen", body);
}

}  // namespace signaal::node::web
