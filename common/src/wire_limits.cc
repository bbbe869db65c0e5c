#include "signaal/wire_limits.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <unordered_map>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "signaal/text.h"

namespace signaal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr TextRule kDefaultRule{kMaxSentenceBytes, TextClass::kPrintable};

// The fields with a rule narrower than the default, by full name. A field
// that carries a code the broker looks up still gets a class here: the
// lookup's refusal quotes the value, and a log line may too.
const std::map<std::string, TextRule>& RulesByName() {
  static const std::map<std::string, TextRule> rules = [] {
    const TextRule id{kMaxIdBytes, TextClass::kId};
    const TextRule code{kMaxCodeBytes, TextClass::kCode};
    const TextRule name{kMaxNameBytes, TextClass::kPrintable};
    const TextRule key{kMaxCodeBytes, TextClass::kKey};
    const TextRule hex{2 * kMaxCodeBytes, TextClass::kCode};
    std::map<std::string, TextRule> r;
    auto add = [&](const std::string& message, std::vector<std::string> fields, TextRule rule) {
      for (const auto& f : fields) r.emplace("signaal.wire." + message + "." + f, rule);
    };
    // node -> broker
    add("SummaryCell", {"municipality", "theme", "subtheme", "age_band", "channel"}, code);
    add("SummarySnapshot", {"node_id"}, id);
    add("SummarySnapshot", {"period", "taxonomy_version"}, code);
    add("SignedEnvelope", {"key_id"}, code);
    // A quote: 500 characters of up to four bytes (its length in characters
    // is QuoteScreen's to check).
    add("Quote", {"id", "theme", "subtheme"}, code);
    add("Quote", {"text"}, TextRule{4 * 500, TextClass::kPrintable});
    add("Heartbeat", {"software_version", "taxonomy_version"}, code);
    // subscriber -> broker
    add("Subscribe", {"regions"}, code);
    add("DigestRequest", {"period", "region"}, code);
    // broker -> node and subscriber (detail keeps the default: a sentence)
    add("Ack", {"node_id"}, id);
    add("Ack", {"period"}, code);
    add("Nack", {"reason", "period"}, code);
    add("QuoteRefusal", {"quote_id", "reason"}, code);
    add("DigestQuote", {"theme", "week"}, code);
    add("DigestQuote", {"text"}, TextRule{4 * 500, TextClass::kPrintable});
    add("DigestQuote", {"theme_label_nl", "theme_label_en"}, name);
    // administrator -> broker; the enrolment request is written by the partner
    add("EnrolmentRequest", {"node_id"}, id);
    add("EnrolmentRequest", {"name"}, name);
    add("EnrolmentRequest", {"type", "region"}, code);
    add("EnrolmentRequest", {"municipality"}, name);  // a code or a name ("Beek (L.)")
    add("EnrolmentRequest", {"curve_public_key"}, key);
    add("EnrolmentRequest", {"sign_public_key"}, hex);
    add("EnrollSubscriber", {"name"}, name);
    add("EnrollSubscriber", {"regions"}, code);
    add("EnrollSubscriber", {"curve_public_key"}, key);
    // An address as RFC 5321 bounds a path (254); its syntax is CheckMailAddress's.
    const TextRule email{254, TextClass::kKey};
    add("EnrollSubscriber", {"emails"}, email);
    add("SubscriberEmail", {"id"}, id);
    add("SubscriberEmail", {"add", "remove"}, email);
    add("Revoke", {"id"}, id);
    add("ThemesRequest", {"region"}, code);
    add("PublishDigest", {"period", "region"}, code);
    add("RiskReportRequest", {"period"}, code);
    add("Advice", {"id", "region", "sent_date", "status", "response_date", "themes"}, code);
    add("Advice", {"title", "council", "addressee"}, TextRule{4 * 200, TextClass::kPrintable});
    add("Advice", {"digests"}, name);  // "parkstad 2026-W41"
    add("Advice", {"response"}, TextRule{kMaxPathBytes, TextClass::kPrintable});  // 1,000 characters
    add("Advice", {"updated_by"}, id);
    add("AdviceRequest", {"region"}, code);
    // broker -> subscriber: an advice as a digest shows it
    add("DigestAdvice", {"id", "region", "sent_date", "status", "response_date"}, code);
    add("DigestAdvice", {"title", "council", "addressee"}, TextRule{4 * 200, TextClass::kPrintable});
    add("DigestAdvice", {"region_name"}, name);
    add("DigestAdvice", {"response"}, TextRule{4 * 240, TextClass::kPrintable});
    add("DigestAdviceTheme", {"code"}, code);
    add("DigestAdviceTheme", {"label_nl", "label_en"}, name);
    add("BackupRequest", {"out"}, TextRule{kMaxPathBytes, TextClass::kPrintable});
    // as stored by the broker: what came in through the rules above
    add("Principal", {"id"}, id);
    add("Principal", {"name"}, name);
    add("Principal", {"curve_public_key"}, key);
    add("Principal", {"sign_public_key"}, hex);
    add("Principal", {"type", "municipality", "regions", "software_version", "taxonomy_version", "latest_period"},
        code);
    add("Principal", {"emails"}, email);
    return r;
  }();
  return rules;
}

// The same by descriptor: looked up for every string of every cell of every
// snapshot, so by pointer rather than by name.
const std::unordered_map<const FieldDescriptor*, TextRule>& Rules() {
  static const std::unordered_map<const FieldDescriptor*, TextRule> rules = [] {
    std::unordered_map<const FieldDescriptor*, TextRule> r;
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    for (const auto& [name, rule] : RulesByName()) {
      // A message of a schema this binary does not link (the node links no
      // broker_control.proto) has no field to look up: it can never be
      // checked here either.
      const std::string message = name.substr(0, name.rfind('.'));
      if (!pool->FindMessageTypeByName(message)) continue;
      const FieldDescriptor* f = pool->FindFieldByName(name);
      if (!f) {
        // A misspelt field would silently get the default: stop every binary and test at once.
        std::fprintf(stderr, "wire_limits: no field %s in the schema\n", name.c_str());
        std::abort();
      }
      r.emplace(f, rule);
    }
    return r;
  }();
  return rules;
}

bool InClass(unsigned char c, TextClass text_class) {
  bool digit = c >= '0' && c <= '9', lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
  switch (text_class) {
    case TextClass::kId: return digit || lower || c == '-';
    case TextClass::kCode:
      return digit || lower || upper || c == '.' || c == '_' || c == '-' || c == '+' || c == '~';
    case TextClass::kKey: return c > 0x20 && c < 0x7F;
    case TextClass::kPrintable: return true;  // decided per code point
  }
  return false;
}

const char* Allowed(TextClass text_class) {
  switch (text_class) {
    case TextClass::kId: return "lower-case letters, digits and '-'";
    case TextClass::kCode: return "ASCII letters, digits and . _ - + ~";
    case TextClass::kKey: return "printable ASCII without spaces";
    case TextClass::kPrintable: return "printable UTF-8 without control characters";
  }
  return "";
}

std::string Hex(unsigned v, int digits) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (int i = digits - 1; i >= 0; --i) out += hex[(v >> (4 * i)) & 0xF];
  return out;
}

// Where a field lies inside the checked message: a chain up to the top,
// made into a path ("cells[3].theme") only for the error sentence, so the
// check of a well-formed message builds no strings.
struct At {
  const At* parent;
  const FieldDescriptor* field;
  int index;  // -1 for a singular field
};

std::string PathOf(const At* at) {
  if (!at) return "";
  std::string p = PathOf(at->parent);
  p += (p.empty() ? "" : ".") + at->field->name();
  return at->index < 0 ? p : p + "[" + std::to_string(at->index) + "]";
}

// What CheckText decides, without building a sentence: the common case, taken
// for every string of every cell.
bool Fits(const std::string& value, const TextRule& rule) {
  if (value.size() > rule.max_bytes) return false;
  for (size_t i = 0; i < value.size();) {
    auto c = static_cast<unsigned char>(value[i]);
    if (rule.text_class != TextClass::kPrintable) {
      if (!InClass(c, rule.text_class)) return false;
      ++i;
    } else if (c >= 0x20 && c < 0x7F) {
      ++i;
    } else {
      size_t n = 1;
      int32_t cp = CodePointAt(value, i, &n);
      if (cp < 0 || IsControlCodePoint(cp)) return false;
      i += n;
    }
  }
  return true;
}

Status CheckString(const std::string& value, const TextRule& rule, const At& at) {
  return Fits(value, rule) ? Status::Ok() : CheckText(value, rule, PathOf(&at));
}

Status CheckMessage(const Message& m, const At* at, int depth) {
  // The schema nests a few levels (a digest's weeks are digests); a deeper
  // message came from no Signaalnet peer.
  if (depth > 8) return Status::Refused("field '" + PathOf(at) + "': messages nested too deep");
  const Reflection* r = m.GetReflection();
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  // Field by field of the descriptor, not ListFields: that sorts and
  // allocates for every cell of every snapshot.
  for (int n = 0; n < d->field_count(); ++n) {
    const FieldDescriptor* f = d->field(n);
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      TextRule rule = RuleFor(*f);
      std::string scratch;
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          Status s = CheckString(r->GetRepeatedStringReference(m, f, i, &scratch), rule, At{at, f, i});
          if (!s.ok()) return s;
        }
      } else if (Status s = CheckString(r->GetStringReference(m, f, &scratch), rule, At{at, f, -1}); !s.ok()) {
        return s;  // an unset string reads as "", which every rule takes
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      // A map is a repeated message of key and value: checked as such.
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          At here{at, f, i};
          if (Status s = CheckMessage(r->GetRepeatedMessage(m, f, i), &here, depth + 1); !s.ok()) return s;
        }
      } else if (r->HasField(m, f)) {
        At here{at, f, -1};
        if (Status s = CheckMessage(r->GetMessage(m, f), &here, depth + 1); !s.ok()) return s;
      }
    }
  }
  return Status::Ok();
}

// The longest prefix of `v` of at most `max` bytes that ends between characters.
size_t CutPoint(const std::string& v, size_t max) {
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

size_t CutMessage(Message& m) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  size_t cut = 0;
  for (const FieldDescriptor* f : fields) {
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      size_t max = RuleFor(*f).max_bytes;
      int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
      for (int i = 0; i < n; ++i) {
        std::string v = f->is_repeated() ? r->GetRepeatedString(m, f, i) : r->GetString(m, f);
        if (v.size() <= max) continue;
        v.resize(CutPoint(v, max));
        if (f->is_repeated()) {
          r->SetRepeatedString(&m, f, i, std::move(v));
        } else {
          r->SetString(&m, f, std::move(v));
        }
        ++cut;
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) cut += CutMessage(*r->MutableRepeatedMessage(&m, f, i));
      } else {
        cut += CutMessage(*r->MutableMessage(&m, f));
      }
    }
  }
  return cut;
}

}  // namespace

TextRule RuleFor(const FieldDescriptor& field) {
  auto it = Rules().find(&field);
  return it == Rules().end() ? kDefaultRule : it->second;
}

Status CheckText(std::string_view value, const TextRule& rule, const std::string& field) {
  if (value.size() > rule.max_bytes) {
    return Status::Refused("field '" + field + "' is " + std::to_string(value.size()) + " bytes long, at most " +
                           std::to_string(rule.max_bytes) + " are allowed: " + QuoteText(value));
  }
  for (size_t i = 0; i < value.size();) {
    size_t n = 1;
    int32_t cp = CodePointAt(value, i, &n);
    std::string what;
    if (cp < 0) {
      what = "byte 0x" + Hex(static_cast<unsigned char>(value[i]), 2) + " that is not UTF-8";
    } else if (rule.text_class == TextClass::kPrintable ? IsControlCodePoint(cp)
                                                        : cp >= 0x80 || !InClass(static_cast<unsigned char>(cp),
                                                                                 rule.text_class)) {
      what = "character U+" + Hex(static_cast<unsigned>(cp), cp > 0xFFFF ? 6 : 4);
    }
    if (!what.empty()) {
      return Status::Refused("field '" + field + "' holds " + what + " at byte " + std::to_string(i) + " (allowed: " +
                             Allowed(rule.text_class) + "): " + QuoteText(value));
    }
    i += n;
  }
  return Status::Ok();
}

Status CheckWireStrings(const Message& message) { return CheckMessage(message, nullptr, 0); }

size_t CutToLimits(Message& message) { return CutMessage(message); }

}  // namespace signaal
