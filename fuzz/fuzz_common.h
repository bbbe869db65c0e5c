// Fixtures shared by the fuzz targets: the reference data of the source tree,
// a fixed clock, a fixed Ed25519 test key and scratch folders. Everything is
// fixed so that an input that crashed once crashes again when replayed.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <google/protobuf/stubs/logging.h>
#include <spdlog/spdlog.h>

#include "signaal/keys.h"
#include "signaal/reference_data.h"

namespace signaal::fuzz {

// 2026-11-23 12:00:00 UTC (a Monday, ISO week 2026-W48): "now" for every
// target, so that periods in the seeds stay valid and replays are exact.
constexpr int64_t kNow = 1795435200;

inline const ReferenceData& Ref() {
  static const ReferenceData* ref = [] {
    auto loaded = ReferenceData::Load(SIGNAAL_SOURCE_DATA_DIR);
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz: cannot load reference data: %s\n", loaded.status().message().c_str());
      std::abort();
    }
    return new ReferenceData(std::move(*loaded));
  }();
  return *ref;
}

// A fixed Ed25519 key pair for tests only: the seed is the ASCII text
// "signaalnet-fuzz-fixed-test-key!!".
inline const SigningKeyPair& TestSigningKey() {
  static const SigningKeyPair key = [] {
    SigningKeyPair k;
    k.secret_hex = "7369676e61616c6e65742d66757a7a2d66697865642d746573742d6b65792121";
    k.public_hex = "9bcd0a8241e89ae2aca7c2caed7f6ba45187154b6ac01f07e8979b8138583d46";
    auto sig = Sign(k, "check");
    if (!sig.ok() || !Verify(k.public_hex, "check", *sig)) {
      std::fprintf(stderr, "fuzz: the fixed test key pair does not match\n");
      std::abort();
    }
    return k;
  }();
  return key;
}

// Silences the libraries' own logging once: protobuf reports every string
// field with invalid UTF-8 on stderr, and the handlers log what they do. At
// thousands of inputs a second that is most of the run time and the log.
inline void Quiet() {
  static const bool done = [] {
    google::protobuf::SetLogHandler(nullptr);
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)done;
}

// SIGNAAL_FUZZ_VERBOSE=1 makes the targets print what they did with each
// input (to check that seeds reach what they are meant to).
inline bool Verbose() {
  static const bool verbose = [] {
    const char* v = std::getenv("SIGNAAL_FUZZ_VERBOSE");
    return v && *v && *v != '0';
  }();
  return verbose;
}

// A new, empty folder for scratch state under $TMPDIR or /tmp (the stateful
// targets create and remove one per input). Not /dev/shm: RocksDB preallocates
// its write-ahead log with fallocate, which on tmpfs allocates every page.
inline std::string MakeScratchDir() {
  std::string base = "/tmp";
  if (const char* t = std::getenv("TMPDIR"); t && *t) base = t;
  std::string tmpl = base + "/signaal-fuzz-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    std::perror("fuzz: mkdtemp");
    std::abort();
  }
  return tmpl;
}

// Removes a scratch folder when it goes out of scope.
class ScratchDir {
 public:
  ScratchDir() : path_(MakeScratchDir()) {}
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace signaal::fuzz
