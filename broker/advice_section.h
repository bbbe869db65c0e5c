// The digest's section "Wat is er met de signalen gedaan" (issue 18): the
// councils' advice on the signals of the digest's area and its parts, from
// the AdviceBook, as the digest carries it (wire::DigestAdvice). What the
// section shows:
// - advice that is open — sent (verstuurd) or answered (reactie-ontvangen)
//   and not yet settled — always, so an unanswered advice keeps being seen;
// - advice settled (opgevolgd, afgewezen) only when it changed since the
//   previous published digest of the same kind, so each outcome is told once
//   to the readers of that series;
// - never a concept: a draft is the council's own until it is sent.
// Newest change first, at most kMaxAdvice; the rest counted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker_control.pb.h"
#include "wire.pb.h"
#include "signaal/period.h"
#include "signaal/reference_data.h"

namespace signaal::broker {

// Advice a digest shows at most; the number left out is in advice_more.
inline constexpr int kMaxAdvice = 20;
// A response shows as its first sentence, at most this many characters.
inline constexpr size_t kMaxResponseShown = 240;

// What "the same kind" of digest is: "week", "weeks-4" (a range of four),
// "month", "quarter", "half-year" or "year".
std::string DigestKind(const PeriodRange& period);

// Fills digest.advice, advice_more and advice_since_unix from `all` (every
// record the broker keeps): what lies in digest.region() and is open, or
// changed after `since` (unix seconds).
void AddAdviceSection(wire::Digest& digest, const std::vector<wire::Advice>& all, const ReferenceData& ref,
                      int64_t since);

// The first sentence of a response (up to ". ", "! " or "? " before the next
// one starts), cut to kMaxResponseShown characters.
std::string FirstSentence(const std::string& text);

}  // namespace signaal::broker
