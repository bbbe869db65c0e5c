// Small text helpers shared by the binaries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace signaal {

// A readable id from a name: lower-case ASCII, common accented letters folded
// ("Cliëntenraad Heerlen" -> "clientenraad-heerlen"), '-' between words.
std::string Slug(const std::string& name);

// Splits on `sep`, trimming spaces, dropping empty parts.
std::vector<std::string> SplitList(const std::string& text, char sep = ',');

// A number as people read it, the shortest form that reads back the same
// ("1", "1.5"); with `comma` the Dutch decimal comma ("1,5"). The variance
// of the cell-key method in digests, the CLI and the privacy officer's pages.
std::string Decimal(double value, bool comma);

// A Unix time through strftime `format`, in UTC or local time; "" for 0.
std::string FormatTime(int64_t unix_seconds, const char* format, bool utc);
// "2026-11-23T10:00:00Z" for a Unix time, "" for 0.
inline std::string IsoTimeUtc(int64_t unix_seconds) { return FormatTime(unix_seconds, "%Y-%m-%dT%H:%M:%SZ", true); }

// The code point that starts at byte `at` of `text`, with its length in
// `length`; -1 (length 1) where the bytes are not UTF-8: a stray
// continuation byte, a truncated sequence, an overlong form, a surrogate or
// a value above U+10FFFF.
int32_t CodePointAt(std::string_view text, size_t at, size_t* length);

// What a partner hears back (issue 18), for the node's status and intake
// page: "Uw signalen telden deze maand mee in 4 rapportages en 2 adviezen."
std::string SignalsCountedSentence(uint32_t digests, uint32_t advice);

// Text as one line of printable text: line breaks and tabs become spaces,
// other control characters go, runs of spaces shrink, bytes that are not
// UTF-8 become U+FFFD; trimmed. What a quote or a note is kept as.
std::string OneLine(std::string_view text);

// The number of characters (code points) in UTF-8 text: the bytes that
// start one. What every length limit on a person's words counts.
size_t CodePointCount(std::string_view text);
// `text` cut to at most `max` code points, never inside one, with "…" in
// place of the last when it was longer.
std::string CutToCodePoints(std::string_view text, size_t max);

// True for the code points that change what a terminal shows instead of
// showing a character: C0 controls (newline, tab, ESC ...), DEL, C1
// controls, the bidirectional marks and overrides, and the line and
// paragraph separators.
bool IsControlCodePoint(int32_t cp);

// Text from outside (a peer, a stored principal, a file) made safe for one
// line of a terminal or a log: every control code point and every byte that
// is not UTF-8 becomes a visible escape (\n, \t, \x1b, \u202e, \xff), so
// neither a colour nor a cursor move nor a forged line can pass. Printable
// text, accented letters included, is unchanged. A backslash stays as it is:
// escaping twice (a refusal that quotes a value, printed by the CLI, logged
// by the broker) changes nothing the second time.
std::string EscapeText(std::string_view text);

// EscapeText in single quotes for an error sentence, cut after `max` bytes of
// the original with its size said: 'x\x1b[2J...' (4194304 bytes).
std::string QuoteText(std::string_view text, size_t max = 64);

// & < > " ' as entities: safe in HTML text and in quoted attributes (the
// digest, the node's intake page).
std::string EscapeHtml(std::string_view s);

}  // namespace signaal
