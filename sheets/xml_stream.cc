#include "xml_stream.h"

#include <expat.h>

#include <cstring>

namespace signaal::sheets {

// The parser and its handler, as expat's user data: a handler's failure
// stops the parser from inside the callback that found it.
struct XmlStream::Parser {
  XML_Parser p;
  XmlHandler* handler;
  bool doctype = false;
};

namespace {

using Parser = XmlStream::Parser;

// Calls `call` on the handler unless it has failed; stops the parser once it has.
template <typename Call>
void Dispatch(void* user, Call call) {
  auto* parser = static_cast<Parser*>(user);
  if (!parser->handler->failure().ok()) return;
  call(*parser->handler);
  if (!parser->handler->failure().ok()) XML_StopParser(parser->p, XML_FALSE);
}

void OnStart(void* user, const XML_Char* name, const XML_Char** attrs) {
  Dispatch(user, [&](XmlHandler& h) { h.Start(LocalName(name), attrs); });
}
void OnEnd(void* user, const XML_Char* name) {
  Dispatch(user, [&](XmlHandler& h) { h.End(LocalName(name)); });
}
void OnText(void* user, const XML_Char* s, int len) {
  Dispatch(user, [&](XmlHandler& h) { h.Text(std::string_view(s, static_cast<size_t>(len))); });
}
void OnDoctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  auto* parser = static_cast<Parser*>(user);
  parser->doctype = true;
  XML_StopParser(parser->p, XML_FALSE);
}

}  // namespace

std::string_view LocalName(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? std::string_view(colon + 1) : std::string_view(name);
}

const char* Attribute(const char** attrs, std::string_view name) {
  for (size_t i = 0; attrs[i] && attrs[i + 1]; i += 2) {
    if (LocalName(attrs[i]) == name) return attrs[i + 1];
  }
  return nullptr;
}

XmlStream::XmlStream(XmlHandler& handler, std::string where)
    : parser_(new Parser{XML_ParserCreate("UTF-8"), &handler, false}), handler_(handler), where_(std::move(where)) {
  XML_SetUserData(parser_->p, parser_);
  XML_SetElementHandler(parser_->p, OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser_->p, OnText);
  // No OOXML part declares a DTD: one that does is refused before any
  // entity it declares can expand.
  XML_SetStartDoctypeDeclHandler(parser_->p, OnDoctype);
}

XmlStream::~XmlStream() {
  XML_ParserFree(parser_->p);
  delete parser_;
}

Status XmlStream::Feed(std::string_view chunk) { return Parse(chunk.data(), chunk.size(), false); }

Status XmlStream::Finish() { return Parse("", 0, true); }

Status XmlStream::Parse(const char* data, size_t size, bool last) {
  // A handler's failure names the file and cell itself.
  if (!handler_.failure().ok()) return handler_.failure();
  if (parser_->doctype) return Status::Usage(where_ + ": declares a DOCTYPE, which no workbook part has");
  // Chunks come from a 64 KiB buffer: they fit an int.
  XML_Status st = XML_Parse(parser_->p, data, static_cast<int>(size), last ? XML_TRUE : XML_FALSE);
  if (!handler_.failure().ok()) return handler_.failure();
  if (parser_->doctype) return Status::Usage(where_ + ": declares a DOCTYPE, which no workbook part has");
  if (st != XML_STATUS_OK) {
    return Status::Usage(where_ + ": not well-formed XML at line " +
                         std::to_string(XML_GetCurrentLineNumber(parser_->p)) + ": " +
                         XML_ErrorString(XML_GetErrorCode(parser_->p)));
  }
  return Status::Ok();
}

}  // namespace signaal::sheets
