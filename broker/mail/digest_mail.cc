#include "digest_mail.h"

#include <algorithm>

#include "digest_render.h"
#include "digest_sheet.h"
#include "mail_address.h"
#include "mime.h"

namespace signaal::mail {
namespace {

// "parkstad-2026-W41": the digest's own file name (DigestFileName, whose
// region and period are checked) with the folder joined by '-'.
Result<std::string> AttachmentBase(const wire::Digest& d) {
  auto name = DigestFileName(d, "x");
  if (!name.ok()) return name.status();
  std::string base = name->substr(0, name->size() - 2);
  std::replace(base.begin(), base.end(), '/', '-');
  return base;
}

}  // namespace

std::string DigestMailSubject(const wire::Digest& d) {
  // The title the digest's own pages carry; a control character in it (the
  // broker's strings are not trusted to be clean) makes the mail refuse,
  // not the header break (EncodeHeaderText).
  return DigestTitle(d);
}

Result<std::string> ComposeDigestMail(const wire::Digest& d, const DigestMailHeader& h) {
  auto base = AttachmentBase(d);
  if (!base.ok()) return base.status();
  auto xlsx = sheets::DigestToXlsx(d);
  if (!xlsx.ok()) return xlsx.status();
  MailMessage m;
  m.from = h.from;
  m.from_name = h.from_name;
  m.to = h.to;
  m.subject = DigestMailSubject(d);
  m.date_unix = h.date_unix;
  m.message_id = DigestMessageId(d.sequence(), h.to, MailDomain(h.from));
  m.text = DigestToMarkdown(d);
  m.html = DigestToHtml(d, "nl");
  m.attachments.push_back({*base + ".csv", "text/csv; charset=utf-8", DigestToCsv(d, "nl")});
  m.attachments.push_back({*base + ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           std::move(*xlsx)});
  return BuildMimeMessage(m);
}

}  // namespace signaal::mail
