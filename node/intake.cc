#include "intake.h"

#include <algorithm>
#include <cctype>
#include <array>
#include <cstdint>

#include "signaal/csv.h"
#include "signaal/labels.h"

namespace signaal::node {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

FieldError Err(std::string field, std::string message) { return {std::move(field), std::move(message)}; }

}  // namespace

std::variant<ValidatedSignal, FieldError> ValidateSignal(const wire::SignalInput& in, const ReferenceData& ref,
                                                         const std::string& default_channel, const Date& today) {
  ValidatedSignal out;
  if (auto e = ValidateSignalInto(in, ref, default_channel, today, out)) return std::move(*e);
  return out;
}

std::optional<FieldError> ValidateSignalInto(const wire::SignalInput& in, const ReferenceData& ref,
                                             const std::string& default_channel, const Date& today,
                                             ValidatedSignal& out, IntakeMemo* memo) {
  out.record.Clear();
  out.person_reference.clear();
  storage::StoredSignal& r = out.record;

  if (in.date().empty()) return Err("date", "is required");
  const IntakeMemo::ParsedDate* date = nullptr;
  IntakeMemo::ParsedDate parsed;
  if (memo) {
    if (auto it = memo->dates.find(in.date()); it != memo->dates.end()) date = &it->second;
  }
  if (!date) {
    auto d = ParseDate(in.date());
    if (!d.ok()) return Err("date", d.status().message());
    parsed = {*d, d->ToIso(), IsoWeekOf(*d)};
    if (memo && memo->dates.size() < IntakeMemo::kMaxEntries) {
      date = &memo->dates.emplace(in.date(), std::move(parsed)).first->second;
    } else {
      date = &parsed;
    }
  }
  if (date->date > today) return Err("date", "'" + in.date() + "' lies in the future");
  if (date->date.year < 2000) return Err("date", "'" + in.date() + "' is before 2000");
  r.set_date(date->iso);
  r.set_period(date->week);

  if (in.municipality().empty()) return Err("municipality", "is required");
  const Municipality* m = ref.FindMunicipality(in.municipality());
  if (!m) return Err("municipality", "unknown municipality '" + in.municipality() + "' (use a CBS code like GM0917 or the name)");
  r.set_municipality(m->code);

  std::string theme = Lower(in.theme());
  std::string sub = Lower(in.subtheme());
  if (theme.empty()) return Err("theme", "is required");
  if (sub.empty() && theme.find('.') != std::string::npos) {
    sub = theme;
    theme = theme.substr(0, theme.find('.'));
  }
  if (!sub.empty() && sub.find('.') == std::string::npos) sub = theme + "." + sub;
  if (!ref.IsTopTheme(theme) || (!sub.empty() && !ref.IsSubthemeOf(sub, theme))) {
    // Not codes: labels, as a spreadsheet has them ("Schulden & geldzaken").
    const std::string key = in.theme() + '\x1f' + in.subtheme();
    const std::pair<std::string, std::string>* known = nullptr;
    if (memo) {
      if (auto it = memo->themes.find(key); it != memo->themes.end()) known = &it->second;
    }
    if (known) {
      theme = known->first;
      sub = known->second;
    } else {
      auto resolved = ResolveTheme(ref, in.theme(), in.subtheme());
      if (auto* e = std::get_if<LabelError>(&resolved)) return Err(e->field, e->message);
      theme = std::get<ThemeChoice>(resolved).theme;
      sub = std::get<ThemeChoice>(resolved).subtheme;
      if (memo && memo->themes.size() < IntakeMemo::kMaxEntries) memo->themes.emplace(key, std::make_pair(theme, sub));
    }
  }
  r.set_theme(theme);
  r.set_subtheme(sub);

  std::string age = in.age_band().empty() ? "unknown" : Lower(in.age_band());
  if (!Contains(ReferenceData::AgeBands(), age)) age = ResolveAgeBand(in.age_band()).value_or(age);
  if (!Contains(ReferenceData::AgeBands(), age)) {
    return Err("age_band", "unknown age band '" + in.age_band() + "' (one of " + Join(ReferenceData::AgeBands()) + ")");
  }
  r.set_age_band(age);

  std::string channel = in.channel().empty() ? default_channel : Lower(in.channel());
  if (!Contains(ReferenceData::Channels(), channel)) channel = ResolveChannel(in.channel()).value_or(channel);
  if (!Contains(ReferenceData::Channels(), channel)) {
    return Err("channel", "unknown channel '" + in.channel() + "' (one of " + Join(ReferenceData::Channels()) + ")");
  }
  r.set_channel(channel);

  if (in.severity() > 3) return Err("severity", "must be 1, 2 or 3");
  r.set_severity(in.severity());

  std::string status = in.status().empty() ? "open" : Lower(in.status());
  if (!Contains(ReferenceData::Statuses(), status)) status = ResolveStatus(in.status()).value_or(status);
  if (!Contains(ReferenceData::Statuses(), status)) {
    return Err("status", "unknown status '" + in.status() + "' (one of " + Join(ReferenceData::Statuses()) + ")");
  }
  r.set_status(status);

  if (!in.quote().empty() && !in.quote_consent()) return Err("quote", "a quote needs quote_consent");
  const size_t chars = std::count_if(in.quote().begin(), in.quote().end(),
                                     [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (chars > kMaxQuoteInputChars) {
    return Err("quote", "is " + std::to_string(chars) + " characters long, at most " +
                            std::to_string(kMaxQuoteInputChars) + " are taken");
  }
  r.set_quote_consent(in.quote_consent());
  r.set_quote(in.quote());
  r.set_text(in.text());

  std::string pc;
  for (char c : in.postcode4()) {
    if (std::isdigit(static_cast<unsigned char>(c))) pc.push_back(c);
    if (pc.size() == 4) break;
  }
  if (!in.postcode4().empty() && pc.size() != 4) return Err("postcode4", "'" + in.postcode4() + "' has no 4-digit postcode");
  r.set_postcode4(pc);

  const std::string& person = in.person();
  if (size_t a = person.find_first_not_of(" \t"); a != std::string::npos) {
    out.person_reference.assign(person, a, person.find_last_not_of(" \t") - a + 1);
  }
  return std::nullopt;
}

Result<ImportOutcome> ParseSignalCsv(std::string_view content, const std::string& file_name,
                                     const ReferenceData& ref, const std::string& default_channel,
                                     const Date& today) {
  std::vector<ValidatedSignal> valid;
  auto outcome = ParseSignalCsv(content, file_name, ref, default_channel, today, [&](ValidatedSignal&& v) {
    valid.push_back(std::move(v));
    return Status::Ok();
  });
  if (outcome.ok()) outcome->valid = std::move(valid);
  return outcome;
}

Result<ImportOutcome> ParseSignalCsv(std::string_view content, const std::string& file_name,
                                     const ReferenceData& ref, const std::string& default_channel,
                                     const Date& today, const std::function<Status(ValidatedSignal&&)>& on_valid) {
  auto reader = CsvReader::Open(content, file_name);
  if (!reader.ok()) return reader.status();
  const std::vector<std::string>& header = reader->header();
  // Each known column's index in the header (in SignalColumns() order), looked up once.
  enum Column : size_t {
    kDate, kMunicipality, kTheme, kSubtheme, kAgeBand, kChannel, kSeverity, kStatus, kText, kPerson,
    kQuoteConsent, kQuote, kPostcode4, kPostcode, kColumns
  };
  constexpr size_t kAbsent = SIZE_MAX;
  std::array<size_t, kColumns> col;
  col.fill(kAbsent);
  const auto& known = SignalColumns();
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& name = header[i];
    if (name.empty()) continue;
    // English or Dutch ("datum", "gemeente", "toelichting"), case and accents forgiven.
    auto it = std::find(known.begin(), known.end(), ColumnForHeader(name));
    if (it == known.end()) {
      std::string dutch;
      for (const auto& k : known) dutch += (dutch.empty() ? "" : ", ") + DutchHeader(k);
      return Status::Usage(file_name + ": unknown column '" + name + "' (known: " + Join(known) + "; or in Dutch: " +
                           dutch + ")");
    }
    size_t c = static_cast<size_t>(it - known.begin());
    if (col[c] != kAbsent) return Status::Usage(file_name + ": column '" + name + "' appears twice");
    col[c] = i;
  }
  for (Column required : {kDate, kMunicipality, kTheme}) {
    if (col[required] == kAbsent) {
      return Status::Usage(file_name + ": required column '" + known[required] + "' ('" + DutchHeader(known[required]) +
                           "') is missing");
    }
  }
  const Column postcode = col[kPostcode4] != kAbsent ? kPostcode4 : kPostcode;

  ImportOutcome outcome;
  static const std::string kEmpty;
  CsvRow row;             // reused per row
  wire::SignalInput in;   // reused per row
  ValidatedSignal valid;  // reused per row (unless on_valid keeps it)
  IntakeMemo memo;
  for (;;) {
    auto more = reader->Next(row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++outcome.rows;
    auto get = [&](Column c) -> const std::string& {
      size_t i = col[c];
      return i < row.fields.size() ? row.fields[i] : kEmpty;
    };
    auto fail = [&](const std::string& field, const std::string& message) {
      wire::RowError e;
      e.set_row(static_cast<uint32_t>(row.line));
      e.set_field(field);
      e.set_message(message);
      outcome.errors.push_back(std::move(e));
    };
    if (row.fields.size() > header.size()) {
      fail("", "has " + std::to_string(row.fields.size()) + " fields, the header has " +
                   std::to_string(header.size()));
      continue;
    }
    in.Clear();
    in.set_date(get(kDate));
    in.set_municipality(get(kMunicipality));
    in.set_theme(get(kTheme));
    in.set_subtheme(get(kSubtheme));
    in.set_age_band(get(kAgeBand));
    in.set_channel(get(kChannel));
    const std::string& severity = get(kSeverity);
    if (!severity.empty()) {
      if (severity.size() != 1 || severity[0] < '1' || severity[0] > '3') {
        fail("severity", "'" + severity + "' is not 1, 2 or 3");
        continue;
      }
      in.set_severity(static_cast<uint32_t>(severity[0] - '0'));
    }
    in.set_status(get(kStatus));
    in.set_text(get(kText));
    in.set_person(get(kPerson));
    const std::string& consent_field = get(kQuoteConsent);
    if (!consent_field.empty()) {
      std::string consent = Lower(consent_field);
      if (consent == "ja" || consent == "yes" || consent == "true" || consent == "1" || consent == "j" ||
          consent == "y") {
        in.set_quote_consent(true);
      } else if (consent != "nee" && consent != "no" && consent != "false" && consent != "0" && consent != "n") {
        fail("quote_consent", "'" + consent_field + "' is not ja/nee");
        continue;
      }
    }
    in.set_quote(get(kQuote));
    in.set_postcode4(get(postcode));
    if (auto e = ValidateSignalInto(in, ref, default_channel, today, valid, &memo)) {
      fail(e->field, e->message);
    } else {
      if (Status s = on_valid(std::move(valid)); !s.ok()) return s;
    }
  }
  return outcome;
}

}  // namespace signaal::node
