// The councils' advice records at the broker (issue 18, part 1): recorded,
// updated as the response comes in, listed by area, kept across a restart,
// and every bad field refused with its option named and nothing stored.
// A real broker, its real control port and the real CLI.
#include <gtest/gtest.h>

#include <thread>

#include "network.h"
#include "signaal/period.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

class AdviceRecords : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(net_.StartBroker()); }

  CommandResult Advice(std::vector<std::string> args) {
    args.insert(args.begin(), "advice");
    args.push_back("--json");
    return net_.BrokerCli(args);
  }

  size_t Count() { return Advice({"list"}).Json().size(); }

  TempDir dir_;
  Network net_{dir_};
};

TEST_F(AdviceRecords, AnAdviceIsRecordedAnsweredAndListedByArea) {
  auto added = Advice({"add", "--title", "Wachttijden schuldhulpverlening", "--council", "Adviesraad Sociaal Domein Heerlen",
                       "--addressee", "college van B&W", "--region", "GM0917", "--sent", "2026-11-02", "--theme",
                       "schulden", "--digest", "parkstad 2026-W41", "--digest", "parkstad 2026-W42"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto a = added.Json();
  EXPECT_EQ(a["id"], "A0001");
  EXPECT_EQ(a["status"], "verstuurd");  // it was sent
  EXPECT_EQ(a["digests"].size(), 2u);
  auto draft = Advice({"add", "--title", "Bereikbaarheid UWV", "--council", "Cliëntenraad Kerkrade", "--region",
                         "zuid-limburg"});
  ASSERT_EQ(draft.exit_code, 0) << draft.err;
  EXPECT_EQ(draft.Json()["id"], "A0002");
  EXPECT_EQ(draft.Json()["status"], "concept");

  auto answered = Advice({"update", "A0001", "--status", "reactie-ontvangen", "--response",
                          "Het college neemt twee extra schuldhulpverleners aan.", "--response-date", "2026-11-20"});
  ASSERT_EQ(answered.exit_code, 0) << answered.err;
  EXPECT_EQ(answered.Json()["response"], "Het college neemt twee extra schuldhulpverleners aan.");
  EXPECT_EQ(answered.Json()["title"], "Wachttijden schuldhulpverlening");  // unchanged fields stay

  // By area: Heerlen's advice is Parkstad's and Zuid-Limburg's too; Zuid-Limburg's concerns Heerlen.
  EXPECT_EQ(Advice({"list", "--region", "GM0917"}).Json().size(), 2u);
  EXPECT_EQ(Advice({"list", "--region", "parkstad"}).Json().size(), 2u);
  EXPECT_EQ(Advice({"list", "--region", "noord-limburg"}).Json().size(), 0u);

  // Kept in the store: a restarted broker still has both.
  net_.broker().Stop();
  net_.broker().Start();
  ASSERT_TRUE(net_.broker().WaitForLog("signaal-broker ready", 20s));
  auto shown = Advice({"show", "A0001"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.Json()["status"], "reactie-ontvangen");
  EXPECT_EQ(Count(), 2u);
  auto text = net_.BrokerCli({"advice", "show", "A0001"});
  EXPECT_NE(text.out.find("response of 2026-11-20: Het college"), std::string::npos) << text.out;
}

TEST_F(AdviceRecords, EveryBadFieldIsRefusedByNameAndNothingIsStored) {
  const std::vector<std::string> base = {"add", "--title", "Titel", "--council", "Raad", "--region", "parkstad"};
  struct Bad {
    std::vector<std::string> extra;
    std::string named;
  };
  const std::vector<Bad> cases = {
      {{"--status", "klaar"}, "--status"},
      {{"--status", "verstuurd"}, "--sent"},
      {{"--sent", "2026-13-01"}, "--sent"},
      {{"--theme", "geen-thema"}, "--theme"},
      {{"--digest", "parkstad"}, "--digest"},
      {{"--response", std::string(1001, 'x')}, "--response"},
      {{"--response", "regel\x1b[2Jwissen"}, ""},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = base;
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = Advice(args);
    EXPECT_NE(r.exit_code, 0) << c.named;
    EXPECT_NE(r.err.find(c.named), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("\x1b"), std::string::npos) << "the escape came back raw";
  }
  auto unknown_area = Advice({"add", "--title", "T", "--council", "R", "--region", "GM9999"});
  EXPECT_NE(unknown_area.err.find("--region"), std::string::npos) << unknown_area.err;
  EXPECT_NE(Advice({"update", "A0042", "--status", "opgevolgd"}).exit_code, 0);
  EXPECT_EQ(Count(), 0u);
}

// Part 2: every digest tells what was done with the signals of its area.
// Open advice shows in every digest of the area; a settled one once, in the
// next digest of each kind after it changed; a concept and another area's
// advice never. Read as a council gets it: the subscriber's JSON files.
TEST_F(AdviceRecords, EachDigestSaysWhatWasDoneWithTheSignalsOfItsArea) {
  std::string key = net_.AddSubscriber("adviesraad-parkstad", "parkstad");
  auto add = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "add");
    auto r = Advice(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? r.Json()["id"].get<std::string>() : std::string();
  };
  const std::string open = add({"--title", "Wachttijden schuldhulpverlening", "--council", "Adviesraad Heerlen",
                                "--addressee", "college van B&W", "--region", "GM0917", "--sent", "2026-11-02",
                                "--theme", "schulden"});
  const std::string draft = add({"--title", "Bereikbaarheid UWV", "--council", "Cliëntenraad Kerkrade", "--region",
                                 "parkstad"});
  const std::string elsewhere = add({"--title", "Vervoer Venlo", "--council", "Adviesraad Venlo", "--addressee",
                                     "college van B&W", "--region", "noord-limburg", "--sent", "2026-11-01"});
  const std::string settled = add({"--title", "Energietoeslag", "--council", "Adviesraad Parkstad", "--addressee",
                                   "college van B&W", "--region", "parkstad", "--sent", "2026-10-01"});
  // Times are whole seconds: the settled advice changes a second later, so it is the newest change.
  std::this_thread::sleep_for(1100ms);
  ASSERT_EQ(Advice({"update", settled, "--status", "opgevolgd", "--response",
                    "Het college neemt twee extra schuldhulpverleners aan. Ze beginnen in januari.",
                    "--response-date", "2026-11-20"})
                .exit_code,
            0);
  auto publish = [&](const std::string& period) {
    auto r = net_.BrokerCli({"digest", "publish", "--period", period, "--region", "parkstad"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  publish(WeeksAgo(3));  // the first weekly digest: changes since its week began
  publish(WeeksAgo(2));  // the next: only what is open, or changed since the first
  // One second on, so the change is after the second digest's time.
  std::this_thread::sleep_for(1100ms);
  ASSERT_EQ(Advice({"update", open, "--status", "afgewezen", "--response", "Het college ziet geen aanleiding.",
                    "--response-date", "2026-11-30"})
                .exit_code,
            0);
  publish(WeeksAgo(1));  // the rejection, once
  const std::string month = ParsePeriod(MondayOfWeek(WeeksAgo(1))->ToIso().substr(0, 7)).value().label;
  publish(month);  // the first monthly digest: its own series

  auto sub = net_.Cli({"digest", "subscribe", "--broker", net_.listen(), "--broker-key", net_.broker_key(), "--key",
                       key, "--out", dir_.path() + "/digests", "--format", "json,md", "--once"});
  ASSERT_EQ(sub.exit_code, 0) << sub.err;
  auto read = [&](const std::string& period) {
    return nlohmann::json::parse(ReadText(dir_.path() + "/digests/parkstad/" + period + ".json"));
  };
  auto ids = [](const nlohmann::json& d) {
    std::vector<std::string> out;
    for (const auto& a : d["advice"]) out.push_back(a["id"]);
    return out;
  };
  auto first = read(WeeksAgo(3));
  // Newest change first; the concept and Noord-Limburg's advice nowhere.
  EXPECT_EQ(ids(first), (std::vector<std::string>{settled, open})) << first["advice"].dump();
  EXPECT_EQ(first["advice"][0]["status"], "opgevolgd");
  EXPECT_EQ(first["advice"][0]["response"], "Het college neemt twee extra schuldhulpverleners aan.");
  EXPECT_EQ(first["advice"][1]["region_name"], "Heerlen");
  EXPECT_EQ(first["advice"][1]["themes"], nlohmann::json::array({"schulden"}));
  EXPECT_TRUE(first["advice_since"].is_string());

  auto second = read(WeeksAgo(2));
  EXPECT_EQ(ids(second), (std::vector<std::string>{open})) << "the settled advice was told once";
  EXPECT_EQ(second["advice"][0]["changed"], false);

  auto third = read(WeeksAgo(1));
  ASSERT_EQ(ids(third), (std::vector<std::string>{open}));
  EXPECT_EQ(third["advice"][0]["status"], "afgewezen");
  EXPECT_EQ(third["advice"][0]["changed"], true);

  auto monthly = read(month);
  EXPECT_EQ(ids(monthly), (std::vector<std::string>{open, settled})) << "a new series tells both";

  // In the council's own words: the section in the Markdown.
  std::string md = ReadText(dir_.path() + "/digests/parkstad/" + WeeksAgo(1) + ".md");
  EXPECT_NE(md.find("## Wat is er met de signalen gedaan"), std::string::npos) << md;
  EXPECT_NE(md.find("Status: afgewezen (30 november 2026), gewijzigd sinds"), std::string::npos) << md;
  EXPECT_NE(md.find("„Het college ziet geen aanleiding.”"), std::string::npos) << md;
  EXPECT_NE(md.find("Advies van Adviesraad Heerlen aan college van B&amp;W, verstuurd op 2 november 2026, over "
                    "Heerlen."),
            std::string::npos)
      << md;
  for (const std::string& absent : {draft, elsewhere}) {
    for (const auto& d : {first, second, third, monthly}) {
      EXPECT_EQ(d.dump().find(absent), std::string::npos) << absent;
    }
  }
}

}  // namespace
}  // namespace signaal::test
