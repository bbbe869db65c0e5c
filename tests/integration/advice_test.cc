// The councils' advice records at the broker (issue 18, part 1): recorded,
// updated as the response comes in, listed by area, kept across a restart,
// and every bad field refused with its option named and nothing stored.
// A real broker, its real control port and the real CLI.
#include <gtest/gtest.h>

#include "network.h"

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

}  // namespace
}  // namespace signaal::test
