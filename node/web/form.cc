#include "form.h"

#include "signaal/text.h"

namespace signaal::node::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = 1;
    if (CodePointAt(text, i, &n) < 0) return false;
    i += n;
  }
  return true;
}

}  // namespace

Result<std::string> FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return Status::Usage("a broken %-escape in the form");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  if (!IsUtf8(out)) return Status::Usage("the form is not UTF-8");
  return out;
}

Result<Form> Form::Parse(std::string_view encoded) {
  Form form;
  size_t fields = 0;
  while (!encoded.empty()) {
    size_t amp = encoded.find('&');
    std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    if (++fields > kMaxFields) return Status::Usage("the form has more than " + std::to_string(kMaxFields) + " fields");
    size_t eq = pair.find('=');
    auto name = FormDecode(pair.substr(0, eq));
    if (!name.ok()) return name.status();
    if (name->size() > kMaxName) return Status::Usage("a form field's name is too long");
    auto value = FormDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value.ok()) return value.status();
    form.values_.emplace(std::move(*name), std::move(*value));
  }
  return form;
}

const std::string& Form::Get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = values_.find(name);
  return it == values_.end() ? kEmpty : it->second;
}

}  // namespace signaal::node::web
