// Citizens' quotes end to end (issue 16): given with consent at two partners'
// nodes, scrubbed at intake, reviewed by a coordinator with `signaal node
// quotes`, sent with their week when approved, scrubbed again by the broker,
// shown in the digest beside a theme that is shown, and gone from later
// digests once withdrawn or erased. Real daemons, real keys, real CLI.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "network.h"
#include "signaal/period.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

class Quotes : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(net_.StartBroker("limburg", 5, 2));
    a_ = net_.AddNode("Cliëntenraad Heerlen", "clientenraad", "GM0917");
    b_ = net_.AddNode("Helpdesk Heerlen", "helpdesk", "GM0917");
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(b_, nullptr);
    week_ = WeeksAgo(1);
    day_ = MondayOfWeek(week_)->ToIso();
    // Enough "schulden" signals at both partners for the theme to be shown.
    for (NodeHandle* n : {a_, b_}) {
      std::string csv = "date,municipality,theme,person\n";
      for (int i = 0; i < 12; ++i) csv += day_ + ",GM0917,schulden,p" + std::to_string(i) + "\n";
      std::string path = net_.dir() + "/" + n->id + ".csv";
      std::ofstream(path) << csv;
      auto r = net_.NodeCli(*n, {"signal", "import", path});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      ASSERT_EQ(net_.NodeCli(*n, {"publish"}).exit_code, 0);
      ASSERT_TRUE(net_.Drained(*n));
    }
  }

  // One signal with a quote; returns the quote as the queue shows it.
  nlohmann::json AddQuote(NodeHandle& n, const std::string& quote) {
    auto r = net_.NodeCli(n, {"signal", "add", "--theme", "schulden", "--municipality", "GM0917", "--date", day_,
                              "--quote-consent", "--quote", quote, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto list = net_.NodeCli(n, {"quotes", "list", "--json"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    return list.Json().back();
  }

  // The week's digest for Parkstad as a council fetches it (JSON).
  nlohmann::json Digest() {
    if (key_.empty()) key_ = net_.AddSubscriber("adviesraad", "limburg");
    auto r = net_.Cli({"digest", "fetch", "--broker", net_.listen(), "--broker-key", net_.broker_key(), "--key", key_,
                       "--period", week_, "--region", "parkstad", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.Json();
  }

  static std::vector<std::string> Texts(const nlohmann::json& digest) {
    std::vector<std::string> out;
    if (!digest.contains("quotes")) return out;
    for (const auto& q : digest["quotes"]) out.push_back(q["text"].get<std::string>());
    return out;
  }

  TempDir dir_;
  Network net_{dir_};
  NodeHandle* a_ = nullptr;
  NodeHandle* b_ = nullptr;
  std::string week_, day_, key_;
};

TEST_F(Quotes, ScrubbedApprovedShownAndWithdrawn) {
  auto q = AddQuote(*a_, "Mevrouw Jansen (bel 06-12345678) zegt: ik durf de post niet meer open te maken.");
  EXPECT_EQ(q["state"], "pending");
  EXPECT_EQ(q["text"], "Mevrouw [NAAM] (bel [TELEFOON]) zegt: ik durf de post niet meer open te maken.");
  EXPECT_TRUE(q["spans"].empty()) << q.dump();
  const std::string id = q["quote_id"];
  ASSERT_EQ(id.size(), 16u);

  // Pending quotes do not leave.
  ASSERT_EQ(net_.NodeCli(*a_, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net_.Drained(*a_));
  EXPECT_TRUE(Texts(Digest()).empty());

  auto approve = net_.NodeCli(*a_, {"quotes", "approve", id, "--json"});
  ASSERT_EQ(approve.exit_code, 0) << approve.err;
  EXPECT_EQ(approve.Json()["state"], "approved");
  EXPECT_FALSE(approve.Json()["decided_by"].get<std::string>().empty());
  ASSERT_TRUE(net_.Drained(*a_));
  auto digest = Digest();
  ASSERT_EQ(Texts(digest).size(), 1u) << digest.dump();
  EXPECT_EQ(digest["quotes"][0]["text"], q["text"]);
  EXPECT_EQ(digest["quotes"][0]["theme"], "schulden");
  EXPECT_EQ(digest["quotes"][0]["week"], week_);
  EXPECT_EQ(digest.dump().find("Heerlen\",\"text"), std::string::npos);
  // The node knows it left, and the privacy report says so.
  auto shown = net_.NodeCli(*a_, {"quotes", "show", id, "--json"});
  EXPECT_FALSE(shown.Json()["sent"].get<std::string>().empty()) << shown.out;
  EXPECT_EQ(net_.NodeCli(*a_, {"privacy-report", "--json"}).Json()["quotes_sent"].size(), 1u);

  // Withdrawn: the next snapshot of the week lacks it, the next digest too.
  auto withdraw = net_.NodeCli(*a_, {"quotes", "withdraw", id});
  ASSERT_EQ(withdraw.exit_code, 0) << withdraw.err;
  ASSERT_TRUE(net_.Drained(*a_));
  EXPECT_TRUE(Texts(Digest()).empty());
  auto gone = net_.NodeCli(*a_, {"quotes", "show", id, "--json"}).Json();
  EXPECT_EQ(gone["state"], "withdrawn");
  EXPECT_EQ(gone["text"], "");
}

TEST_F(Quotes, ApprovalRefusedWhileTheTextHoldsPersonalDataAndEditFixesIt) {
  auto q = AddQuote(*b_, "De wachtlijst voor schuldhulp is te lang, zegt een bewoner.");
  const std::string id = q["quote_id"];
  auto edit = net_.NodeCli(*b_, {"quotes", "edit", id, "--text", "Bel Fatima El Amrani op 045-5712345 als het kan."});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  auto refused = net_.NodeCli(*b_, {"quotes", "approve", id});
  EXPECT_EQ(refused.exit_code, 4) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("naam"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("telefoon"), std::string::npos) << refused.err;
  auto show = net_.NodeCli(*b_, {"quotes", "show", id});
  EXPECT_NE(show.out.find("Fatima El Amrani"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("still looks like personal data"), std::string::npos) << show.out;
  ASSERT_EQ(net_.NodeCli(*b_, {"quotes", "edit", id, "--text", "Bellen lukt niet, de lijn is altijd bezet."}).exit_code, 0);
  auto ok = net_.NodeCli(*b_, {"quotes", "approve", id, "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.Json()["edited_by"], ok.Json()["decided_by"]);
}

TEST_F(Quotes, ErasingTheSignalRemovesTheQuoteFromLaterDigests) {
  auto q = AddQuote(*a_, "Het geld is op voor de twintigste van de maand.");
  ASSERT_EQ(net_.NodeCli(*a_, {"quotes", "approve", q["quote_id"].get<std::string>()}).exit_code, 0);
  ASSERT_TRUE(net_.Drained(*a_));
  ASSERT_EQ(Texts(Digest()).size(), 1u);
  auto erase = net_.NodeCli(*a_, {"signal", "erase", "--id", q["signal_id"].get<std::string>()});
  ASSERT_EQ(erase.exit_code, 0) << erase.err;
  ASSERT_TRUE(net_.Drained(*a_));
  EXPECT_TRUE(Texts(Digest()).empty());
  EXPECT_TRUE(net_.NodeCli(*a_, {"quotes", "list", "--json"}).Json().empty());
}

}  // namespace
}  // namespace signaal::test
