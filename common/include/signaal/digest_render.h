// Digest rendering: the JSON shape of DESIGN §8 and a readable Dutch
// Markdown page. Suppressed cells carry no number: null in JSON, "×" in text.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "signaal.pb.h"
#include "signaal/trend.h"

namespace signaal {

nlohmann::json DigestToJson(const wire::Digest& digest);
std::string DigestToMarkdown(const wire::Digest& digest);
// "<region>/<period>.<ext>": where a digest lives under a subscriber's folder.
std::string DigestFileName(const wire::Digest& digest, const std::string& ext);
// Renders in `format` (json or md); empty for an unknown format.
std::string RenderDigest(const wire::Digest& digest, const std::string& format);

// The cell for a code: "" is the total, else a theme or subtheme; nullptr
// when the digest does not list it (a digest lists no zeros).
const wire::DigestCell* FindCell(const wire::Digest& digest, const std::string& code);
wire::DigestCell* FindCell(wire::Digest& digest, const std::string& code);

// What a digest shows for a code: its signals, 0 when unlisted, nullopt when
// suppressed.
std::optional<uint32_t> ShownSignals(const wire::Digest& digest, const std::string& code);
// The trend rule (signaal/trend.h) for a code, from the digest's own weekly
// series; kTooLittleHistory for a digest without one.
TrendJudgement JudgeDigestTrend(const wire::Digest& digest, const std::string& code);

}  // namespace signaal
