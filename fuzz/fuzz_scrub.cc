// Fuzz target: the personal-data scrubber (PiiScrubber) on any bytes, as a
// quote typed at a node or received by the broker. Checks what the node and
// the broker rely on: the spans are ordered, disjoint and inside the text;
// the scrubbed text is UTF-8 with one placeholder per span; and scrubbing is
// idempotent — the broker's second pass finds nothing in what the node's
// first pass left, or an approved quote would be refused.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "signaal/scrub.h"
#include "signaal/text.h"

namespace {

const signaal::PiiScrubber& Scrubber() {
  static const signaal::PiiScrubber* scrubber = [] {
    auto loaded = signaal::PiiScrubber::Load(SIGNAAL_SOURCE_DATA_DIR);
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz: cannot load the scrubber: %s\n", loaded.status().message().c_str());
      std::abort();
    }
    return loaded->release();
  }();
  return *scrubber;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    signaal::CodePointAt(s, i, &len);
    i += len;
    ++n;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  signaal::fuzz::Quiet();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto out = Scrubber().Scrub(text);
  const size_t length = CodePoints(text);
  size_t end = 0;
  for (const auto& s : out.spans) {
    if (s.start < end || s.end <= s.start || s.end > length) __builtin_trap();
    end = s.end;
  }
  for (size_t i = 0; i < out.text.size();) {
    size_t len = 1;
    if (signaal::CodePointAt(out.text, i, &len) < 0) __builtin_trap();  // not UTF-8
    i += len;
  }
  size_t placeholders = 0;
  for (signaal::PiiKind k : signaal::AllPiiKinds()) {
    const std::string p(signaal::PiiPlaceholder(k));
    for (size_t at = out.text.find(p); at != std::string::npos; at = out.text.find(p, at + 1)) ++placeholders;
  }
  if (placeholders < out.spans.size()) __builtin_trap();
  if (!Scrubber().Find(out.text).empty()) __builtin_trap();  // the broker's second pass
  return 0;
}
