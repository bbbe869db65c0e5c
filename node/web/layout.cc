#include "layout.h"

#include "signaal/text.h"

namespace signaal::node::web {

std::string CsrfField(const Viewer& v) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + EscapeHtml(v.csrf) + "\">\n";
}

std::string Layout(const Viewer& v, const std::string& title, const std::string& main_html) {
  std::string nav;
  if (!v.account.empty()) {
    nav = "<nav aria-label=\"Menu\"><ul>\n"
          "<li><a href=\"/signaal/nieuw\">Nieuw signaal</a></li>\n"
          "<li><a href=\"/signalen\">Mijn signalen</a></li>\n";
    if (v.coordinator) {
      nav += "<li><a href=\"/citaten\">Citaten beoordelen</a></li>\n"
             "<li><a href=\"/stand\">Stand van de node</a></li>\n";
    }
    nav += "<li><form method=\"post\" action=\"/uitloggen\" class=\"inline\">" + CsrfField(v) +
           "<button type=\"submit\" class=\"secondary\">Uitloggen (" + EscapeHtml(v.account) +
           ")</button></form></li>\n</ul></nav>\n";
  }
  std::string notice;
  if (!v.notice.empty()) notice = "<div class=\"notice\" role=\"status\"><p>" + EscapeHtml(v.notice) + "</p></div>\n";
  return "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>" + EscapeHtml(title) + " — Signaalnet" + (v.node_name.empty() ? "" : " — " + EscapeHtml(v.node_name)) +
         "</title>\n<link rel=\"stylesheet\" href=\"/stijl.css\">\n</head>\n<body>\n"
         "<a class=\"visually-hidden\" href=\"#inhoud\">Naar de inhoud</a>\n"
         "<header><span class=\"node\">Signaalnet" + (v.node_name.empty() ? "" : " · " + EscapeHtml(v.node_name)) +
         "</span>\n" + nav + "</header>\n<main id=\"inhoud\">\n" + notice + main_html + "</main>\n</body>\n</html>\n";
}

}  // namespace signaal::node::web
