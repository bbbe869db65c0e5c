// Form: the fields of a submitted form (application/x-www-form-urlencoded)
// or a query string, decoded and bounded: a page never reads more fields,
// nor longer ones, than a form of the intake page can send.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "signaal/status.h"

namespace signaal::node::web {

class Form {
 public:
  static constexpr size_t kMaxFields = 64;
  static constexpr size_t kMaxName = 64;
  // Fails on more than kMaxFields fields, a name longer than kMaxName, a
  // broken %-escape or text that is not UTF-8.
  static Result<Form> Parse(std::string_view encoded);

  // The field's value, "" when absent; a repeated field keeps its first value.
  const std::string& Get(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }

 private:
  std::map<std::string, std::string> values_;
};

// %-decoding with '+' as a space; nullopt-like failure as Status.
Result<std::string> FormDecode(std::string_view text);

}  // namespace signaal::node::web
