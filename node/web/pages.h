// Pages: the intake page's HTML, in Dutch, for volunteers who may not be
// at home with computers. Plain server-rendered pages that work without
// JavaScript, on a phone and with the keyboard alone (WCAG 2.1 AA: every
// field labelled, errors named next to their field and in a list at the
// top, visible focus, contrast of 7:1). Every value from a form, the store
// or a peer goes through EscapeHtml; nothing is loaded from elsewhere.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "node_control.pb.h"
#include "signaal/reference_data.h"

namespace signaal::node::web {

// What every page needs of who is looking.
struct Viewer {
  std::string account;   // "" before login
  bool coordinator = false;
  std::string csrf;
  std::string node_name;
  std::string notice;    // a line above the page's content ("Opgeslagen als …")
};

// The signal form's fields by their form names (datum, gemeente, thema,
// subthema, leeftijd, kanaal, ernst, status, toelichting, persoon, postcode,
// citaat, toestemming), and the errors by the same names.
struct SignalForm {
  std::map<std::string, std::string> values;
  std::map<std::string, std::string> errors;
  std::string signal_id;  // a correction's; "" for a new signal
};

// What the form offers: the node's reference data, its home municipality
// first and its own channel as the default.
struct FormChoices {
  const ReferenceData* ref = nullptr;
  std::string home_municipality;
  std::string default_channel;
};

std::string LoginPage(const Viewer& v, const std::string& name, const std::string& error);
std::string SignalFormPage(const Viewer& v, const FormChoices& choices, const SignalForm& form);
std::string SignalListPage(const Viewer& v, const ReferenceData& ref, const std::vector<wire::SignalRecord>& signals);
std::string EraseConfirmPage(const Viewer& v, const ReferenceData& ref, const wire::SignalRecord& signal);
std::string QuotesPage(const Viewer& v, const std::vector<wire::QuoteView>& quotes);
std::string StatusPage(const Viewer& v, const wire::NodeStatus& status, int64_t now);
std::string MessagePage(const Viewer& v, const std::string& title, const std::string& text);

// An age band as the form offers it ("27 tot 67 jaar"); channels and
// statuses use signaal/labels.h's Dutch labels.
std::string AgeBandText(const std::string& code);
// A Dutch sentence for a field the node refused (its English detail aside).
std::string DutchFieldError(const std::string& field, const std::string& detail);
// "vandaag 14:02", "gisteren 09:15", "vrijdag 14:02", "12 november 2026": local time.
std::string DutchWhen(int64_t unix_seconds, int64_t now);

// The stylesheet and the script (the scrubber's hint while typing) the
// pages link to; served by the page itself.
extern const char kStylesheet[];
extern const char kHintScript[];

}  // namespace signaal::node::web
