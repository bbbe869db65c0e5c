// `signaal text scrub`: the scrubber the node and the broker run on quotes,
// for a coordinator or a privacy officer to try on any text.
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "signaal/reference_data.h"
#include "signaal/scrub.h"

namespace signaal::cli {

namespace {

struct ScrubOptions {
  bool json = false;
  std::string data_dir;
  std::string dictionary = PiiScrubber::kDefaultDictionary;
};

int Scrub(const ScrubOptions& o) {
  auto scrubber = PiiScrubber::Load(o.data_dir.empty() ? ReferenceData::DefaultDir() : o.data_dir, o.dictionary);
  if (!scrubber.ok()) return Report(scrubber.status());
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (!std::cin.eof() && std::cin.bad()) return Report(Status::Runtime("cannot read standard input"));
  ScrubbedText out = (*scrubber)->Scrub(input);
  if (o.json) {
    nlohmann::json spans = nlohmann::json::array();
    for (const auto& s : out.spans) {
      spans.push_back({{"start", s.start}, {"end", s.end}, {"kind", std::string(PiiKindName(s.kind))}});
    }
    std::cout << nlohmann::json({{"text", out.text}, {"spans", spans}}).dump(2) << "\n";
  } else {
    std::cout << out.text;
    if (!out.text.empty() && out.text.back() != '\n') std::cout << "\n";
  }
  return 0;
}

}  // namespace

void AddTextCommands(CLI::App& app, int& exit_code) {
  auto* text = app.add_subcommand("text", "work with free text as the node and broker do");
  text->require_subcommand(1);
  auto o = std::make_shared<ScrubOptions>();
  auto* scrub = text->add_subcommand(
      "scrub", "replace personal data (names, BSN, IBAN, phone, e-mail, address, postcode, date, age) in the text "
               "on standard input with placeholders such as [NAAM]");
  scrub->add_flag("--json", o->json, "print {\"text\", \"spans\": [{start, end, kind}]}, offsets in code points");
  scrub->add_option("--data-dir", o->data_dir, "folder with scrub/ word lists (default: the installed reference data)");
  scrub->add_option("--dictionary", o->dictionary, "the Dutch word list (default: wdutch's /usr/share/dict/dutch)");
  scrub->callback([o, &exit_code] { exit_code = Scrub(*o); });
}

}  // namespace signaal::cli
