// The frame every page of the intake page shares (internal to web/).
#pragma once

#include <string>

#include "pages.h"

namespace signaal::node::web {

// A whole page: head, the menu for who is looking, the notice, `main_html`.
std::string Layout(const Viewer& v, const std::string& title, const std::string& main_html);
// The hidden CSRF field every form carries.
std::string CsrfField(const Viewer& v);

}  // namespace signaal::node::web
