// `signaal node quotes …`: the coordinator's review of the quotes citizens
// gave with consent. The node scrubbed them at intake; here they are read,
// edited, approved (only then do they leave, with their week), rejected, or
// withdrawn after approval.
#include <fstream>
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "signaal/text.h"

namespace signaal::cli {
namespace {

using namespace std::chrono_literals;

struct QuoteOptions {
  std::string id, text, file, state;
  bool json = false;
};

nlohmann::json QuoteJson(const wire::QuoteView& q) {
  nlohmann::json spans = nlohmann::json::array();
  for (const auto& s : q.spans()) spans.push_back({{"start", s.start()}, {"end", s.end()}, {"kind", s.kind()}});
  return {{"signal_id", q.signal_id()}, {"quote_id", q.quote_id()},   {"period", q.period()},
          {"theme", q.theme()},         {"subtheme", q.subtheme()},   {"state", q.state()},
          {"text", q.text()},           {"spans", spans},             {"created", IsoTimeUtc(q.created_unix())},
          {"decided_by", q.decided_by()}, {"decided", IsoTimeUtc(q.decided_unix())},
          {"edited_by", q.edited_by()}, {"edited", IsoTimeUtc(q.edited_unix())},
          {"sent", IsoTimeUtc(q.sent_unix())}, {"refusal", q.refusal()}};
}

// The part of `text` in code points [start, end).
std::string Slice(const std::string& text, size_t start, size_t end) {
  size_t cp = 0, from = std::string::npos, to = text.size();
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (cp == start && from == std::string::npos) from = i;
    if (cp == end) {
      to = i;
      break;
    }
    ++cp;
  }
  return from == std::string::npos ? "" : text.substr(from, to - from);
}

void PrintQuote(const wire::QuoteView& q) {
  std::cout << "quote " << q.quote_id() << " of signal " << q.signal_id() << ", week " << q.period() << ", "
            << q.theme() << (q.subtheme().empty() ? "" : " / " + q.subtheme()) << "\n"
            << "state: " << q.state();
  if (!q.decided_by().empty()) std::cout << " (by " << EscapeText(q.decided_by()) << ", " << LocalTime(q.decided_unix()) << ")";
  std::cout << "\n";
  if (!q.edited_by().empty()) std::cout << "edited by " << EscapeText(q.edited_by()) << ", " << LocalTime(q.edited_unix()) << "\n";
  std::cout << "left the node: " << (q.sent_unix() ? LocalTime(q.sent_unix()) : "never") << "\n";
  if (!q.refusal().empty()) std::cout << "refused by the broker: " << EscapeText(q.refusal()) << "\n";
  std::cout << "\n  " << (q.text().empty() ? "(text removed)" : EscapeText(q.text())) << "\n\n";
  if (q.spans().empty()) {
    if (!q.text().empty()) std::cout << "the scrubber finds no personal data in it\n";
    return;
  }
  std::cout << "still looks like personal data (edit it before approving):\n";
  for (const auto& s : q.spans()) {
    std::cout << "  " << s.kind() << ": '" << EscapeText(Slice(q.text(), s.start(), s.end())) << "' (characters "
              << s.start() + 1 << "-" << s.end() << ")\n";
  }
}

int Run(const std::string& config, wire::QuoteRequest::Action action, const QuoteOptions& o) {
  wire::NodeRequest req;
  auto* q = req.mutable_quotes();
  q->set_action(action);
  q->set_id(o.id);
  q->set_state(o.state);
  if (action == wire::QuoteRequest::EDIT) {
    if (o.text.empty() == o.file.empty()) return Report(Status::Usage("give the new text with --text or --file (- for standard input)"));
    if (!o.file.empty()) {
      std::string text;
      if (o.file == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      } else {
        std::ifstream in(o.file);
        if (!in) return Report(Status::Usage("--file: cannot read " + o.file));
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      q->set_text(text);
    } else {
      q->set_text(o.text);
    }
  }
  auto r = AskNodeAt(config, req, 30000ms);
  if (int rc = CheckNode(r)) return rc;
  const auto& quotes = r->quotes().quotes();
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : quotes) j.push_back(QuoteJson(v));
    std::cout << (action == wire::QuoteRequest::LIST ? j : (j.empty() ? nlohmann::json() : j[0])).dump(2) << "\n";
    return 0;
  }
  if (action != wire::QuoteRequest::LIST) {
    if (!quotes.empty()) PrintQuote(quotes[0]);
    return 0;
  }
  Table t({"QUOTE", "SIGNAL", "WEEK", "THEME", "STATE", "LEFT", "TEXT"});
  for (const auto& v : quotes) {
    std::string text = v.text();
    if (text.size() > 60) text = Slice(text, 0, 57) + "...";
    t.Add({v.quote_id(), v.signal_id(), v.period(), v.theme(), v.state() + (v.spans_size() ? " (!)" : ""),
           v.sent_unix() ? LocalTime(v.sent_unix()) : "-", EscapeText(text)});
  }
  std::cout << t.Render();
  if (quotes.empty()) std::cout << "no quotes" << (o.state.empty() ? "" : " " + o.state) << "\n";
  return 0;
}

}  // namespace

void AddQuoteCommands(CLI::App& node, std::shared_ptr<const std::string> config, int& exit_code) {
  auto* quotes = node.add_subcommand(
      "quotes", "review the quotes citizens gave with consent: only approved ones leave, with theme and week");
  quotes->require_subcommand(1);
  auto o = std::make_shared<QuoteOptions>();
  auto add = [&](const char* name, const char* help, wire::QuoteRequest::Action action, bool needs_id) {
    auto* c = quotes->add_subcommand(name, help);
    if (needs_id) c->add_option("ID", o->id, "the quote's id or its signal's id")->required();
    c->add_flag("--json", o->json, "print JSON");
    c->callback([o, config, action, &exit_code] { exit_code = Run(*config, action, *o); });
    return c;
  };
  auto* list = add("list", "the review queue: every quote and its state ((!): still looks like personal data)",
                   wire::QuoteRequest::LIST, false);
  list->add_option("--state", o->state, "pending, approved, rejected, withdrawn or refused");
  add("show", "one quote's text, with what still looks like personal data", wire::QuoteRequest::SHOW, true);
  auto* edit = add("edit", "replace a quote's text (an approved one goes back to review)", wire::QuoteRequest::EDIT, true);
  edit->add_option("--text", o->text, "the new text");
  edit->add_option("--file", o->file, "read the new text from a file (- for standard input)");
  add("approve", "let a pending quote leave with its week (refused while it holds personal data)",
      wire::QuoteRequest::APPROVE, true);
  add("reject", "a pending quote never leaves; its text is removed", wire::QuoteRequest::REJECT, true);
  add("withdraw", "take an approved quote back: the next summary of its week lacks it, later digests do not show it",
      wire::QuoteRequest::WITHDRAW, true);
}

}  // namespace signaal::cli
