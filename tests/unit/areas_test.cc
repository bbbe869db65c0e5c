// The area graph read from data/areas.csv: what the shipped file says, and
// how a broken file is refused with the row an administrator has to fix.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "signaal/reference_data.h"
#include "unit_support.h"

namespace signaal {
namespace {

using test::SourceReferenceData;
using test::TempFolder;

std::vector<std::string> Names(const ReferenceData& ref, const std::string& area) {
  std::vector<std::string> out;
  for (const auto& gm : ref.FindRegion(area)->municipalities) out.push_back(ref.FindMunicipality(gm)->name);
  return out;
}

TEST(Areas, TheShippedFileGroupsLimburgAsThePublicSourcesDo) {
  const ReferenceData& ref = SourceReferenceData();
  EXPECT_EQ(ref.FindRegion("limburg")->municipalities.size(), 31u);
  EXPECT_EQ(ref.FindRegion("zuid-limburg")->municipalities.size(), 16u);
  EXPECT_EQ(ref.FindRegion("midden-limburg")->municipalities.size(), 7u);
  EXPECT_EQ(ref.FindRegion("noord-limburg")->municipalities.size(), 8u);
  EXPECT_EQ(Names(ref, "midden-limburg-west"), (std::vector<std::string>{"Leudal", "Nederweert", "Weert"}));
  EXPECT_EQ(Names(ref, "midden-limburg-oost"),
            (std::vector<std::string>{"Echt-Susteren", "Maasgouw", "Roerdalen", "Roermond"}));
  // The Mijnstreek: the eastern one (Parkstad) and the western one.
  EXPECT_EQ(ref.FindRegion("mijnstreek")->municipalities.size(), 10u);
  EXPECT_TRUE(ref.RegionWithin("parkstad", "mijnstreek"));
  EXPECT_TRUE(ref.RegionWithin("westelijke-mijnstreek", "mijnstreek"));
  EXPECT_FALSE(ref.RegionWithin("maastricht-heuvelland", "mijnstreek"));
  EXPECT_TRUE(ref.RegionWithin("mijnstreek", "zuid-limburg"));  // by its municipalities, not a declared parent
  // The two GGD regions split the province with nothing left over.
  EXPECT_EQ(ref.FindRegion("ggd-zuid-limburg")->municipalities, ref.FindRegion("zuid-limburg")->municipalities);
  EXPECT_EQ(ref.FindRegion("ggd-limburg-noord")->municipalities.size(), 15u);
  for (const auto& m : ref.municipalities()) {
    EXPECT_NE(ref.RegionContains("ggd-zuid-limburg", m.code), ref.RegionContains("ggd-limburg-noord", m.code))
        << m.name;
  }
  // A municipality in a sub-region and a GGD region at once.
  const Region* heerlen = ref.FindRegion("GM0917");
  EXPECT_EQ(heerlen->kind, "gemeente");
  EXPECT_TRUE(ref.RegionContains("parkstad", "GM0917"));
  EXPECT_TRUE(ref.RegionContains("mijnstreek", "GM0917"));
  EXPECT_TRUE(ref.RegionContains("ggd-zuid-limburg", "GM0917"));
  EXPECT_FALSE(ref.RegionContains("ggd-limburg-noord", "GM0917"));
  EXPECT_EQ(ref.FindRegion("parkstad")->parents.size(), 2u);
  EXPECT_EQ(ref.FindRegion("ggd-zuid-limburg")->kind, "ggd-regio");
  // Order follows municipalities.csv, so digests list municipalities as before.
  EXPECT_EQ(ref.FindRegion("zuid-limburg")->municipalities.front(), "GM1954");
}

// A data folder with the shipped themes and municipalities and this areas.csv.
class AreasFile : public ::testing::Test {
 protected:
  Result<ReferenceData> LoadWith(const std::string& areas_csv, const std::string& municipalities_csv = "") {
    for (const char* f : {"themes.csv", "municipalities.csv", "reference.toml"}) {
      std::filesystem::copy_file(std::string(SIGNAAL_SOURCE_DATA_DIR) + "/" + f, dir_.path() + "/" + f,
                                 std::filesystem::copy_options::overwrite_existing);
    }
    if (!municipalities_csv.empty()) std::ofstream(dir_.path() + "/municipalities.csv") << municipalities_csv;
    std::ofstream(dir_.path() + "/areas.csv") << areas_csv;
    return ReferenceData::Load(dir_.path());
  }
  // Three municipalities, enough for every shape below.
  static constexpr const char* kMunicipalities = "code,name\nGM0917,Heerlen\nGM0935,Maastricht\nGM0983,Venlo\n";
  static constexpr const char* kHeader = "code,name,parent,kind\n";
  std::string Error(const std::string& areas_csv) {
    auto r = LoadWith(areas_csv, kMunicipalities);
    return r.ok() ? "(loaded)" : r.status().message();
  }
  TempFolder dir_;
};

TEST_F(AreasFile, AnotherProvinceNeedsOnlyData) {
  auto ref = LoadWith(std::string(kHeader) +
                          "nl,Nederland,,land\n"
                          "zuid,Zuid,nl,regio\n"
                          "noord,Noord,nl,regio\n"
                          "GM0917,Heerlen,zuid,gemeente\n"
                          "GM0935,Maastricht,zuid,gemeente\n"
                          "GM0983,Venlo,noord,gemeente\n",
                      kMunicipalities);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  EXPECT_EQ(ref->FindRegion("nl")->municipalities.size(), 3u);
  EXPECT_TRUE(ref->RegionWithin("zuid", "nl"));
  EXPECT_FALSE(ref->FindRegion("limburg"));
}

TEST_F(AreasFile, ABrokenGraphIsRefusedNamingTheRow) {
  const std::string ok_munis = "GM0917,Heerlen,a,gemeente\nGM0935,Maastricht,a,gemeente\nGM0983,Venlo,a,gemeente\n";
  // Unknown parent: row 3 (the header is row 1).
  std::string e = Error(std::string(kHeader) + "a,A,,regio\nb,B,nowhere,regio\n" + ok_munis);
  EXPECT_NE(e.find("areas.csv row 3: field 'parent': unknown area 'nowhere'"), std::string::npos) << e;
  // A cycle through two rows.
  e = Error(std::string(kHeader) + "a,A,b,regio\nb,B,a,regio\n" + ok_munis);
  EXPECT_NE(e.find("lie within each other in a circle"), std::string::npos) << e;
  EXPECT_NE(e.find("areas.csv row "), std::string::npos) << e;
  // An area lying in itself.
  e = Error(std::string(kHeader) + "a,A,a,regio\n" + ok_munis);
  EXPECT_NE(e.find("row 2: field 'parent': 'a' cannot lie in itself"), std::string::npos) << e;
  // A municipality of municipalities.csv in no area.
  e = Error(std::string(kHeader) + "a,A,,regio\nGM0917,Heerlen,a,gemeente\nGM0935,Maastricht,a,gemeente\n");
  EXPECT_NE(e.find("Venlo (GM0983) of municipalities.csv lies in no area"), std::string::npos) << e;
  // An area without a municipality.
  e = Error(std::string(kHeader) + "a,A,,regio\nempty,Leeg,a,regio\n" + ok_munis);
  EXPECT_NE(e.find("row 3: area 'empty' holds no municipality"), std::string::npos) << e;
  // A municipality not in municipalities.csv, or named otherwise.
  e = Error(std::string(kHeader) + "a,A,,regio\n" + ok_munis + "GM0888,Beek,a,gemeente\n");
  EXPECT_NE(e.find("row 6: field 'code': municipality 'GM0888' is not in municipalities.csv"), std::string::npos) << e;
  e = Error(std::string(kHeader) + "a,A,,regio\nGM0917,Heerle,a,gemeente\n" + ok_munis.substr(ok_munis.find('\n') + 1));
  EXPECT_NE(e.find("row 3: field 'name': 'Heerle' is not what municipalities.csv calls GM0917"), std::string::npos) << e;
  // The same area named two ways, and the same row twice.
  e = Error(std::string(kHeader) + "a,A,,regio\nb,B,a,regio\nb,Bee,,regio\n" + ok_munis);
  EXPECT_NE(e.find("row 4: 'b' is named or kinded differently than in row 3"), std::string::npos) << e;
  e = Error(std::string(kHeader) + "a,A,,regio\n" + ok_munis + "GM0917,Heerlen,a,gemeente\n");
  EXPECT_NE(e.find("row 6: 'GM0917' in 'a' appears twice"), std::string::npos) << e;
  // Codes a digest's file name or a terminal could trip over.
  e = Error(std::string(kHeader) + "a,A,,regio\n../x,X,a,regio\n" + ok_munis);
  EXPECT_NE(e.find("row 3: field 'code': '../x' is neither a CBS code"), std::string::npos) << e;
  e = Error(std::string(kHeader) + "a,A,,\n" + ok_munis);
  EXPECT_NE(e.find("row 2: field 'kind'"), std::string::npos) << e;
  // A municipality is a leaf: nothing lies in it.
  e = Error(std::string(kHeader) + "a,A,,regio\nb,B,GM0917,regio\n" + ok_munis);
  EXPECT_NE(e.find("row 3: field 'parent': 'GM0917' is no area code"), std::string::npos) << e;
}

TEST_F(AreasFile, AMissingFileIsNamed) {
  ASSERT_TRUE(LoadWith("code,name,parent,kind\n").status().message().find("areas.csv") != std::string::npos);
  std::filesystem::remove(dir_.path() + "/areas.csv");
  auto r = ReferenceData::Load(dir_.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("areas.csv"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace signaal
