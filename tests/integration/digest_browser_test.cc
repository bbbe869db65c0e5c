// The HTML digest as a council secretary sees it: rendered by headless
// Chromium (Debian's `chromium`) from a digest the real network built. The
// test keeps screenshots (desktop and phone) and an A4 PDF as artifacts in
// build/test-artifacts, checks the rendered DOM against the digest's own
// JSON, and watches every request the page makes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "browser.h"
#include "network.h"
#include "signaal/period.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Width and height from a PNG's IHDR chunk; {0, 0} when it is not a PNG.
std::pair<uint32_t, uint32_t> PngSize(const std::string& png) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
  auto be = [&](size_t at) {
    return (uint32_t(uint8_t(png[at])) << 24) | (uint32_t(uint8_t(png[at + 1])) << 16) |
           (uint32_t(uint8_t(png[at + 2])) << 8) | uint32_t(uint8_t(png[at + 3]));
  };
  return {be(16), be(20)};
}

// What the test reads from the rendered page, in one JavaScript expression:
// every table row's header and number cells, the chart, the summary, every
// reference to anything outside the page, and the lowest text contrast.
const char* kReadPage = R"js((() => {
  const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = c => {
    const l = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  let minContrast = 21, worst = '';
  for (const el of document.querySelectorAll('h1, p, th, td, caption, figcaption, footer, span, abbr')) {
    if (!el.textContent.trim()) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < minContrast) { minContrast = ratio; worst = el.tagName + ' ' + el.textContent.trim().slice(0, 30); }
  }
  const svg = document.querySelector('#chart-total svg');
  return {
    rows: Array.from(document.querySelectorAll('#themes tr')).map(tr => ({
      label: tr.querySelector('th') ? tr.querySelector('th').textContent : '',
      numbers: Array.from(tr.querySelectorAll('td.n:not(.prev)')).slice(0, 3).map(td => td.textContent.trim()),
      sparkline: !!tr.querySelector('td.spark svg[role=img][aria-label]'),
      part: tr.parentElement.tagName })),
    colHeaders: document.querySelectorAll('#themes thead th[scope=col]').length,
    municipalities: Array.from(document.querySelectorAll('#municipalities tbody tr')).map(tr => ({
      name: tr.querySelector('th[scope=row]') ? tr.querySelector('th[scope=row]').textContent : '',
      numbers: Array.from(tr.querySelectorAll('td.n')).map(td => td.textContent.trim()) })),
    silentNote: document.getElementById('municipalities-silent') ? document.getElementById('municipalities-silent').textContent : '',
    municipalityHeaders: Array.from(document.querySelectorAll('#municipalities thead th[scope=col]')).map(th => th.textContent),
    chartBars: svg ? svg.querySelectorAll('rect').length : 0,
    chartRole: svg ? svg.getAttribute('role') : '',
    chartLabel: svg ? svg.getAttribute('aria-label') : '',
    summary: document.getElementById('summary') ? document.getElementById('summary').textContent : '',
    suppressedNote: document.getElementById('suppressed-note') ? document.getElementById('suppressed-note').textContent : '',
    outsideReferences: document.querySelectorAll('[src], [href], [srcset], link, script, iframe, object').length,
    resources: performance.getEntriesByType('resource').length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    minContrast, worst };
})())js";

TEST(DigestInBrowser, ChromiumShowsTheNumbersTheChartsAndMakesNoRequest) {
  TempDir dir;
  std::string error;
  auto browser = Browser::Launch(dir.path() + "/chromium", &error);
  ASSERT_TRUE(browser) << error << " (deploy/install-deps.sh --test installs Debian's chromium)";

  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  // 17 weeks of signals from two organisations: 13 weeks of chart, a previous
  // period, and subthemes small enough to be suppressed.
  struct Partner {
    std::string org, type, gm, gen_gms;
    int rows;
  };
  for (const Partner& p : {Partner{"Cliëntenraad Heerlen", "clientenraad", "GM0917", "GM0917,GM0928", 1500},
                           Partner{"Spreekuur Kerkrade", "spreekuur", "GM0928", "GM0928,GM0917", 900}}) {
    NodeHandle* node = net.AddNode(p.org, p.type, p.gm);
    ASSERT_NE(node, nullptr);
    std::string csv = dir.path() + "/" + p.gm + ".csv";
    ASSERT_EQ(RunCommand({GenBinary(), "--rows", std::to_string(p.rows), "--seed", std::to_string(p.rows),
                          "--municipalities", p.gen_gms, "--from", WeeksAgo(16), "--weeks", "17", "--out", csv})
                  .exit_code,
              0);
    ASSERT_EQ(net.NodeCli(*node, {"signal", "import", csv}).exit_code, 0);
    // A citizen's own words, with consent, approved by the coordinator.
    auto quote = net.NodeCli(*node, {"signal", "add", "--theme", "schulden", "--municipality", p.gm, "--date",
                                     MondayOfWeek(WeeksAgo(2))->ToIso(), "--quote-consent", "--quote",
                                     p.gm == "GM0917" ? "Ik durf de post niet meer open te maken, zegt mevrouw Jansen."
                                                      : "Na de huur blijft er niets over voor de boodschappen."});
    ASSERT_EQ(quote.exit_code, 0) << quote.err;
    auto queue = net.NodeCli(*node, {"quotes", "list", "--json"});
    ASSERT_EQ(queue.exit_code, 0) << queue.err;
    ASSERT_EQ(queue.Json().size(), 1u);
    ASSERT_EQ(net.NodeCli(*node, {"quotes", "approve", queue.Json()[0]["quote_id"].get<std::string>()}).exit_code, 0);
    ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
    ASSERT_TRUE(net.Drained(*node)) << node->daemon->ReadLog();
  }
  std::string key = net.AddSubscriber("adviesraad-zuid", "zuid-limburg");
  // What came of earlier signals: an answered advice on Heerlen, and one sent.
  for (const std::vector<std::string>& advice :
       {std::vector<std::string>{"--title", "Wachttijden schuldhulpverlening", "--council",
                                 "Adviesraad Sociaal Domein Heerlen", "--addressee", "college van B&W", "--region",
                                 "GM0917", "--sent", "2026-10-12", "--theme", "schulden", "--status",
                                 "reactie-ontvangen", "--response",
                                 "Het college trekt twee extra schuldhulpverleners aan vanaf januari. De wachttijd "
                                 "wordt elk kwartaal gemeten.",
                                 "--response-date", "2026-11-20"},
        std::vector<std::string>{"--title", "Bereikbaarheid Wmo-loket", "--council", "Cliëntenraad Kerkrade",
                                 "--addressee", "college van B&W", "--region", "GM0928", "--sent", "2026-11-16",
                                 "--theme", "lichamelijk"}}) {
    std::vector<std::string> args = {"advice", "add"};
    args.insert(args.end(), advice.begin(), advice.end());
    auto added = net.BrokerCli(args);
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }
  std::string period = WeeksAgo(4) + ".." + WeeksAgo(1);
  auto pub = net.BrokerCli({"digest", "publish", "--period", period, "--region", "zuid-limburg"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  auto sub = net.Cli({"digest", "subscribe", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key", key,
                      "--out", dir.path() + "/digests", "--format", "html,json", "--once"});
  ASSERT_EQ(sub.exit_code, 0) << sub.err;
  std::string base = dir.path() + "/digests/zuid-limburg/" + period;
  auto digest = nlohmann::json::parse(ReadFile(base + ".json"));
  std::string url = "file://" + base + ".html";

  // Artifacts stay in the build tree: build/test-artifacts/.
  std::string artifacts = std::string(SIGNAAL_BIN_DIR) + "/test-artifacts";
  std::filesystem::create_directories(artifacts);
  std::cout << "screenshots and PDF in " << artifacts << "\n";

  // On a phone: no sideways scrolling, and a screenshot.
  ASSERT_TRUE(browser->Open(url, 390, 844, &error)) << error;
  auto phone = browser->Evaluate(kReadPage);
  ASSERT_TRUE(phone.is_object());
  EXPECT_LE(phone["overflow"].get<int>(), 0) << "wider than a phone";
  std::string phone_png = browser->Screenshot();
  EXPECT_EQ(PngSize(phone_png).first, 390u);
  std::ofstream(artifacts + "/digest-phone.png", std::ios::binary) << phone_png;

  // On a desktop: what the page shows, against the digest's own JSON.
  ASSERT_TRUE(browser->Open(url, 1100, 900, &error)) << error;
  auto page = browser->Evaluate(kReadPage);
  ASSERT_TRUE(page.is_object());
  std::string png = browser->Screenshot();
  auto [width, height] = PngSize(png);
  EXPECT_EQ(width, 1100u);
  EXPECT_GT(height, 900u) << "the full page, not just the window";
  // A blank page compresses to almost nothing; a rendered digest does not.
  EXPECT_GT(png.size(), 30000u);
  std::ofstream(artifacts + "/digest-desktop.png", std::ios::binary) << png;
  std::string pdf = browser->PrintA4();
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  std::ofstream(artifacts + "/digest-a4.pdf", std::ios::binary) << pdf;

  // The quotes, set apart beside the theme they belong to, scrubbed.
  ASSERT_EQ(digest["quotes"].size(), 2u) << digest["quotes"].dump();
  const std::string text = browser->Evaluate("document.body.innerText").get<std::string>();
  EXPECT_NE(text.find("Wat inwoners zeggen"), std::string::npos);
  EXPECT_NE(text.find("Ik durf de post niet meer open te maken, zegt mevrouw [NAAM]."), std::string::npos) << text;
  EXPECT_NE(text.find("Na de huur blijft er niets over voor de boodschappen."), std::string::npos);
  EXPECT_EQ(text.find("Jansen"), std::string::npos);

  // What was done with the signals, in a sentence each.
  EXPECT_NE(text.find("Wat is er met de signalen gedaan"), std::string::npos);
  EXPECT_NE(text.find("Status: reactie ontvangen (20 november 2026)"), std::string::npos) << text;
  EXPECT_NE(text.find("„Het college trekt twee extra schuldhulpverleners aan vanaf januari.”"), std::string::npos);
  EXPECT_EQ(text.find("elk kwartaal gemeten"), std::string::npos) << "the response's first sentence only";
  std::string advice_png = browser->ScreenshotOf("#advice");
  EXPECT_GT(advice_png.size(), 5000u);
  std::ofstream(artifacts + "/digest-advies.png", std::ios::binary) << advice_png;
  // The first digest of its series tells what changed since its period began.
  EXPECT_NE(text.find("Status: verstuurd, nieuw sinds " + DateName(*MondayOfWeek(WeeksAgo(4))) + ". Nog geen reactie."),
            std::string::npos)
      << text;

  // The page asked for nothing but itself: no fonts, images, scripts or
  // styles from anywhere, and nothing that could ask.
  auto requests = browser->Requests();
  ASSERT_EQ(requests.size(), 1u) << nlohmann::json(requests).dump();
  EXPECT_EQ(requests[0], url);
  EXPECT_EQ(page["resources"], 0);
  EXPECT_EQ(page["outsideReferences"], 0);

  // Rows by label: the total, then every theme and subtheme.
  std::map<std::string, nlohmann::json> rows;
  for (const auto& r : page["rows"]) rows[r["label"].get<std::string>()] = r;
  std::string below = "<" + std::to_string(digest["policy"]["k"].get<int>());
  int suppressed = 0, shown = 0;
  auto check = [&](const nlohmann::json& cell) {
    std::string label = cell["label"].get<std::string>();
    ASSERT_TRUE(rows.count(label)) << "no row for " << label;
    const auto& numbers = rows[label]["numbers"];
    ASSERT_EQ(numbers.size(), 3u) << rows[label].dump();
    if (cell["suppressed"].get<bool>()) {
      ++suppressed;
      for (const auto& n : numbers) EXPECT_EQ(n, below) << label;
    } else {
      ++shown;
      EXPECT_EQ(numbers[0], std::to_string(cell["signals"].get<int>())) << label;
      EXPECT_EQ(numbers[1], std::to_string(cell["persons"].get<int>())) << label;
      // Organisations, with the corroboration mark when two or more.
      EXPECT_EQ(numbers[2].get<std::string>().rfind(std::to_string(cell["organisations"].get<int>()), 0), 0u) << label;
    }
    EXPECT_TRUE(rows[label]["sparkline"].get<bool>()) << label << ": no sparkline with a text alternative";
  };
  check(digest["total"]);
  EXPECT_EQ(rows[digest["total"]["label"].get<std::string>()]["part"], "TFOOT");
  for (const auto& theme : digest["themes"]) {
    check(theme);
    for (const auto& sub : theme["subthemes"]) check(sub);
  }
  EXPECT_GT(suppressed, 0) << "the data should leave some cells suppressed";
  EXPECT_GT(shown, 1);
  EXPECT_NE(page["suppressedNote"].get<std::string>().find(below + " = onderdrukt"), std::string::npos);

  // The breakdown: a row per municipality of the region, the total and a
  // column per theme the region lists, "<k" where suppressed.
  // Municipalities that heard nothing are named in a sentence instead.
  ASSERT_EQ(digest["municipalities"].size(), 16u) << "Zuid-Limburg has 16 municipalities";
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& part : digest["municipalities"]) {
    if (part["total"]["suppressed"].get<bool>() || part["total"]["signals"].get<int>() > 0) {
      parts.push_back(part);
    } else {
      EXPECT_NE(page["silentNote"].get<std::string>().find(part["name"].get<std::string>()), std::string::npos)
          << part["name"];
    }
  }
  ASSERT_EQ(page["municipalities"].size(), parts.size());
  ASSERT_EQ(page["municipalityHeaders"].size(), digest["themes"].size() + 2);
  int heard_in = 0, part_suppressed = 0;
  auto shown_as = [&](const nlohmann::json& cell) {
    if (cell["suppressed"].get<bool>()) {
      ++part_suppressed;
      return below;
    }
    return std::to_string(cell["signals"].get<int>());
  };
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& row = page["municipalities"][i];
    const auto& part = parts[i];
    EXPECT_EQ(row["name"], part["name"]);
    ASSERT_EQ(row["numbers"].size(), digest["themes"].size() + 1) << row.dump();
    EXPECT_EQ(row["numbers"][0], shown_as(part["total"])) << part["name"];
    heard_in += part["total"]["suppressed"].get<bool>() || part["total"]["signals"].get<int>() > 0;
    for (size_t t = 0; t < digest["themes"].size(); ++t) {
      std::string expected = "0";
      for (const auto& cell : part["themes"]) {
        if (cell["theme"] == digest["themes"][t]["theme"]) expected = shown_as(cell);
      }
      EXPECT_EQ(row["numbers"][t + 1], expected) << part["name"] << " " << digest["themes"][t]["theme"];
    }
  }
  EXPECT_EQ(heard_in, 2) << "signals were generated in Heerlen and Kerkrade only";
  EXPECT_GT(part_suppressed, 0);

  // The summary is written, in Dutch, from the numbers.
  EXPECT_GT(page["summary"].get<std::string>().size(), 40u) << page["summary"];
  // The 13-week chart: an image with a text alternative that reads out each week.
  EXPECT_EQ(page["chartBars"], 13);
  EXPECT_EQ(page["chartRole"], "img");
  EXPECT_EQ(page["chartLabel"].get<std::string>().rfind("Alle signalen per week: W", 0), 0u) << page["chartLabel"];
  EXPECT_EQ(page["colHeaders"], 9);  // with "Nog open": the nodes send statuses
  // Contrast: WCAG AA for normal text (4.5:1) everywhere.
  EXPECT_GE(page["minContrast"].get<double>(), 4.5) << page["worst"];
}

}  // namespace
}  // namespace signaal::test
