// What the unit tests share: a temporary folder that is removed afterwards,
// and the reference data from the source tree.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include "signaal/reference_data.h"

namespace signaal::test {

// A fresh folder under /tmp, removed with everything in it when the test ends.
class TempFolder {
 public:
  TempFolder() {
    char tmpl[] = "/tmp/signaal-unit-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempFolder() { std::filesystem::remove_all(path_); }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The municipalities and taxonomy in data/, loaded once.
inline const ReferenceData& SourceReferenceData() {
  static ReferenceData ref = *ReferenceData::Load(SIGNAAL_SOURCE_DATA_DIR);
  return ref;
}

}  // namespace signaal::test
