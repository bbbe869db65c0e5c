#!/usr/bin/env python3
"""Reads the messages smtp_sink.py wrote and checks each against what the
subscriber's `signaal digest subscribe` wrote for the same digest; prints one
JSON object for the C++ test to assert on.

  mail_check.py MAIL_DIR [SUBSCRIBER_DIR]

Per message: its Message-ID, To, decoded Subject, the longest line (bytes),
the MIME structure, and — with SUBSCRIBER_DIR — whether the HTML part is the
digest's HTML, the text part its Markdown, the CSV attachment its CSV, and
whether the .xlsx holds the CSV's rows and numbers (python3-openpyxl) under a
bold, frozen header.
"""
import csv
import email
import email.policy
import io
import json
import os
import sys

import openpyxl

NUMBER_COLUMNS = {"suppressed", "signals", "persons", "organisations", "previous_signals", "open", "dealt_with",
                  "open_share_pct"}


def text(s):
    return s.replace("\r\n", "\n")


def xlsx_matches_csv(xlsx_bytes, csv_bytes):
    """The workbook's first sheet against the CSV, row by row; '' when equal, else why not."""
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    sheet = book.worksheets[0]
    if sheet.freeze_panes != "A2":
        return "header not frozen (%s)" % sheet.freeze_panes
    if not sheet["A1"].font.b:
        return "header not bold"
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"), newline=""), delimiter=";"))
    header, body = rows[0], rows[1:]
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    if len(cells) != len(body):
        return "%d rows in the sheet, %d in the CSV" % (len(cells), len(body))
    for i, (got, want) in enumerate(zip(cells, body)):
        for c, column in enumerate(header):
            w = want[c] if c < len(want) else ""
            g = got[c] if c < len(got) else None
            if column in NUMBER_COLUMNS:
                if w == "":
                    if g is not None:
                        return "row %d %s: %r in the sheet, empty in the CSV" % (i + 2, column, g)
                elif g is None or float(g) != float(w):
                    return "row %d %s: %r in the sheet, %r in the CSV" % (i + 2, column, g, w)
            else:
                if w.startswith("'") and w[1:2] in ("=", "+", "-", "@"):
                    w = w[1:]
                if (g or "") != w:
                    return "row %d %s: %r in the sheet, %r in the CSV" % (i + 2, column, g, w)
    return ""


def check(path, subscriber_dir):
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        "file": os.path.basename(path),
        "message_id": str(msg["Message-ID"]),
        "to": str(msg["To"]),
        "subject": str(msg["Subject"]),
        "date": str(msg["Date"]),
        "mime_version": str(msg["MIME-Version"]),
        "longest_line": max(len(line) for line in raw.split(b"\r\n")),
        "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
        "types": [part.get_content_type() for part in msg.walk()],
    }
    html = msg.get_body(("html",))
    plain = msg.get_body(("plain",))
    # Bytes as sent (get_content would decode a text/csv to str).
    attachments = {a.get_filename(): a.get_payload(decode=True) for a in msg.iter_attachments()}
    out["attachments"] = sorted(attachments)
    csv_name = next((n for n in attachments if n.endswith(".csv")), None)
    xlsx_name = next((n for n in attachments if n.endswith(".xlsx")), None)
    if csv_name and xlsx_name:
        out["xlsx_vs_csv"] = xlsx_matches_csv(attachments[xlsx_name], attachments[csv_name]) or "equal"
    if subscriber_dir and csv_name:
        # "parkstad-2026-W41.csv" is <region>/<period> in the subscriber's folder.
        base = csv_name[: -len(".csv")]
        region = period = None
        for candidate in os.listdir(subscriber_dir):
            if base.startswith(candidate + "-"):
                region, period = candidate, base[len(candidate) + 1:]
        stem = os.path.join(subscriber_dir, region or "", period or "")
        try:
            out["html_equal"] = html is not None and text(html.get_content()) == text(open(stem + ".html", encoding="utf-8").read())
            out["text_equal"] = plain is not None and text(plain.get_content()) == text(open(stem + ".md", encoding="utf-8").read())
            out["csv_equal"] = attachments[csv_name] == open(stem + ".csv", "rb").read()
        except FileNotFoundError as e:
            out["missing"] = str(e)
    return out


def main():
    mail_dir = sys.argv[1]
    subscriber_dir = sys.argv[2] if len(sys.argv) > 2 else None
    messages = [check(os.path.join(mail_dir, f), subscriber_dir)
                for f in sorted(os.listdir(mail_dir)) if f.endswith(".eml")]
    print(json.dumps({"messages": messages}, ensure_ascii=False))


if __name__ == "__main__":
    main()
