// Limits on the text a peer sends. Every string field of a wire message has a
// bound on its length and a class of characters it may hold, checked in one
// place — CheckWireStrings, over the whole message by reflection — before any
// of it is stored, logged or printed. A field without a rule of its own gets
// the default (printable UTF-8, at most kMaxSentenceBytes), so a field added
// to the schema later is bounded without anyone having to remember it.
//
// The limits are part of the protocol: docs/PROTOCOL.md lists them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "signaal/status.h"

namespace signaal {

// What a field may hold. Empty is always allowed: whether a field is required
// is for the message's own validator to say.
enum class TextClass {
  kId,         // a-z, 0-9 and '-': principal ids (a node id, a slug)
  kCode,       // ASCII letters, digits and . _ - + ~: codes, periods, regions, versions, hex
  kKey,        // printable ASCII without space: Z85 keys
  kPrintable,  // UTF-8 without control characters (IsControlCodePoint): names, sentences, paths
};

struct TextRule {
  size_t max_bytes;
  TextClass text_class;
};

constexpr size_t kMaxIdBytes = 100;
constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxCodeBytes = 64;
constexpr size_t kMaxSentenceBytes = 1024;
constexpr size_t kMaxPathBytes = 4096;

// The rule of a string field: its own, else the default.
TextRule RuleFor(const google::protobuf::FieldDescriptor& field);

// Ok if `value` obeys `rule`; else Refused, naming `field`, what is wrong and
// the value (escaped and cut: QuoteText).
Status CheckText(std::string_view value, const TextRule& rule, const std::string& field);

// Checks every string field set in `message` and in the messages inside it;
// Refused naming the first bad one by its path from `message`
// ("heartbeat.software_version", "cells[3].theme"). Bytes fields are not
// text and are left alone; a payload inside one is checked once parsed.
Status CheckWireStrings(const google::protobuf::Message& message);

// For messages stored before these limits: cuts every string field longer
// than its bound (before a character, not inside one). The characters are
// left as they are: whatever prints them escapes them. Returns how many
// fields were cut.
size_t CutToLimits(google::protobuf::Message& message);

}  // namespace signaal
