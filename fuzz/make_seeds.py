#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Run from anywhere: python3 fuzz/make_seeds.py. Needs protoc (messages are
written in protobuf text format and encoded with `protoc --encode`) and the
openssl command (Ed25519 signatures with the fuzz targets' fixed test key).
Seeds it writes are named seed-*; inputs kept from fuzzer findings are named
crash-* / slow-* and are never touched here.
"""
import hashlib
import os
import pathlib
import shutil
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
CORPUS = ROOT / "fuzz" / "corpus"

# The fixed test key of fuzz/fuzz_common.h: seed "signaalnet-fuzz-fixed-test-key!!".
SEED = b"signaalnet-fuzz-fixed-test-key!!"
PUBLIC_HEX = "9bcd0a8241e89ae2aca7c2caed7f6ba45187154b6ac01f07e8979b8138583d46"
KEY_ID = hashlib.sha256(bytes.fromhex(PUBLIC_HEX)).hexdigest()[:16]
TAXONOMY = "2026.1"
NOW = 1795435200  # 2026-11-23 12:00 UTC, week 2026-W48 (fuzz_common.h kNow)


# The schema file each top-level message the seeds encode is in.
SCHEMA_OF = {"ControlRequest": "broker_control.proto", "NodeRequest": "node_control.proto"}


def encode(message, text):
    out = subprocess.run(
        ["protoc", f"--proto_path={PROTO_DIR}", f"--encode=signaal.wire.{message}",
         SCHEMA_OF.get(message, "wire.proto")],
        input=text.encode(), capture_output=True, check=True)
    return out.stdout


def sign(payload):
    with tempfile.TemporaryDirectory() as d:
        der = pathlib.Path(d, "key.der")
        der.write_bytes(bytes.fromhex("302e020100300506032b657004220420") + SEED)
        msg = pathlib.Path(d, "msg")
        msg.write_bytes(payload)
        return subprocess.run(
            ["openssl", "pkeyutl", "-sign", "-rawin", "-keyform", "DER", "-inkey", str(der), "-in", str(msg)],
            capture_output=True, check=True).stdout


def text_bytes(b):
    return '"' + "".join(f"\\{c:03o}" for c in b) + '"'


def write(target, name, data):
    path = CORPUS / target / f"seed-{name}"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def cell(gm, theme, sub="", signals=5, persons=4, age="", channel="", key_sum=2654435761):
    # Schema 2: every cell carries its records' key sum (the cell-key method).
    return (f'cells {{ municipality: "{gm}" theme: "{theme}" subtheme: "{sub}" age_band: "{age}" '
            f'channel: "{channel}" signals: {signals} persons: {persons} key_sum: {key_sum} }}')


def snapshot(node="fuzz-node", period="2026-W47", version=3, taxonomy=TAXONOMY, cells=()):
    return encode("SummarySnapshot", f'node_id: "{node}" period: "{period}" version: {version} '
                  f'taxonomy_version: "{taxonomy}" created_unix: {NOW} ' + " ".join(cells))


def envelope_text(payload, signature=None, key_id=KEY_ID):
    signature = sign(payload) if signature is None else signature
    return f"payload: {text_bytes(payload)} signature: {text_bytes(signature)} key_id: \"{key_id}\""


def snapshot_seeds():
    good = snapshot(cells=[cell("GM0917", "schulden", "schulden.schuldhulpverlening", 6, 5),
                           cell("GM0928", "werk", "", 3, 3, "27-66", "helpdesk")])
    # Odd first byte: the rest is a payload the target signs itself.
    write("snapshot", "signed-valid", b"\x01" + good)
    write("snapshot", "signed-wrong-node", b"\x01" + snapshot(node="someone-else", cells=[cell("GM0917", "werk")]))
    write("snapshot", "signed-future-week", b"\x01" + snapshot(period="2027-W10", cells=[cell("GM0917", "werk")]))
    write("snapshot", "signed-bad-week", b"\x01" + snapshot(period="2026-W60", cells=[cell("GM0917", "werk")]))
    write("snapshot", "signed-unknown-codes", b"\x01" + snapshot(cells=[cell("GM0363", "nonsense", "x.y")]))
    write("snapshot", "signed-bad-counts", b"\x01" + snapshot(cells=[cell("GM0917", "werk", "", 2, 9)]))
    write("snapshot", "signed-twice", b"\x01" + snapshot(cells=[cell("GM0917", "werk"), cell("GM0917", "werk")]))
    write("snapshot", "signed-old-taxonomy", b"\x01" + snapshot(taxonomy="1999.1", cells=[cell("GM0917", "werk")]))
    write("snapshot", "signed-version-0", b"\x01" + snapshot(version=0))
    write("snapshot", "signed-garbage", b"\x01\xff\xff\xff garbage")
    # Even first byte: a ClientMessage, and also tried as a bare SignedEnvelope.
    write("snapshot", "client-snapshot", encode("ClientMessage", f"schema: 2 snapshot {{ {envelope_text(good)} }}"))
    write("snapshot", "client-bad-signature",
          encode("ClientMessage", f"schema: 2 snapshot {{ {envelope_text(good, signature=bytes(64))} }}"))
    write("snapshot", "client-foreign-key",
          encode("ClientMessage", f"schema: 2 snapshot {{ {envelope_text(good, key_id='0011223344556677')} }}"))
    write("snapshot", "client-heartbeat",
          encode("ClientMessage", 'schema: 1 heartbeat { outbox_depth: 2 software_version: "0.1.0" '
                 f'taxonomy_version: "{TAXONOMY}" }}'))
    write("snapshot", "client-subscribe", encode("ClientMessage", 'schema: 1 subscribe { after_sequence: 4 regions: "parkstad" }'))
    write("snapshot", "client-digest-request",
          encode("ClientMessage", 'schema: 1 digest_request { period: "2026-W38..2026-W41" region: "limburg" }'))
    write("snapshot", "envelope-valid", encode("SignedEnvelope", envelope_text(good)))


def csv_seeds():
    write("csv_import", "minimal.csv", "date,municipality,theme\n2026-10-01,GM0917,werk\n")
    write("csv_import", "all-columns.csv",
          "date,municipality,theme,subtheme,age_band,channel,severity,status,text,person,quote_consent,quote,postcode4\n"
          "2026-10-01,GM0917,schulden,schuldhulpverlening,27-66,helpdesk,2,open,lang verhaal,BSN-1,ja,mag geciteerd,6411 AB\n"
          "2026-10-02,Heerlen,werk,,18-26,spreekuur,1,referred,,BSN-2,nee,,6412\n"
          "2026-10-03,GM0928,schulden.budgetbeheer,,67+,panel,3,resolved,,,,,\n")
    write("csv_import", "dutch-semicolons.csv",
          "\ufeffdate;municipality;theme;text\n"
          '01-10-2026;Kerkrade;werk;"regel een\nregel twee; met ""quotes"""\n'
          "02/10/2026;GM0917;inkomen;\n")
    write("csv_import", "row-errors.csv",
          "date,municipality,theme,severity,quote_consent,quote\n"
          "2026-10-01,GM0917,werk,2,ja,mag geciteerd\n"
          "2026-10-02,GM0917,werk,7,,\n"
          "2026-10-03,GM9999,werk,,,\n"
          "2026-10-04,GM0917,werk,,misschien,\n"
          "2026-12-25,GM0917,werk,,,\n"
          "1999-01-01,GM0917,werk,,,\n"
          "2026-02-30,GM0917,werk,,,\n"
          "2026-10-05,GM0917,werk,,,,,,,extra\n")
    write("csv_import", "unknown-column.csv", "date,gemeente,theme\n2026-10-01,GM0917,werk\n")
    write("csv_import", "missing-column.csv", "date,theme\n2026-10-01,werk\n")
    write("csv_import", "duplicate-column.csv", "date,municipality,theme,theme\n2026-10-01,GM0917,werk,werk\n")
    write("csv_import", "bad-utf8.csv", b"date,municipality,theme\n2026-10-01,GM0917,w\xe9rk\n")
    write("csv_import", "unterminated-quote.csv", 'date,municipality,theme\n2026-10-01,GM0917,"werk\n')
    write("csv_import", "empty.csv", "")
    write("csv_import", "crlf.csv", "date,municipality,theme,postcode\r\n2026-10-01,GM0917,werk,6411\r\n\r\n")


def config_seeds():
    shutil.copyfile(ROOT / "deploy/config/node.toml", CORPUS / "config" / "seed-node.toml")
    shutil.copyfile(ROOT / "deploy/config/broker.toml", CORPUS / "config" / "seed-broker.toml")
    write("config", "node-minimal.toml",
          '[node]\nid = "a"\ntype = "helpdesk"\ndata_dir = "data"\nkey_file = "node.key"\n'
          '[broker]\nendpoint = "tcp://127.0.0.1:7450"\npublic_key = "x"\n')
    write("config", "broker-minimal.toml", '[broker]\ndata_dir = "d"\nkey_file = "k"\n[disclosure]\nk = 3\n')
    write("config", "unknown-key.toml", '[broker]\ndata_dir = "d"\nkey_file = "k"\nlisten_on = "x"\n')
    write("config", "wrong-type.toml", '[broker]\ndata_dir = "d"\nkey_file = "k"\n[disclosure]\nk = "five"\n')
    write("config", "out-of-range.toml", '[broker]\ndata_dir = "d"\nkey_file = "k"\n[disclosure]\nk = 99999999999\n')
    write("config", "unknown-section.toml", '[brokr]\ndata_dir = "d"\n')
    write("config", "not-a-section.toml", 'node = 3\n')
    write("config", "syntax-error.toml", '[node\nid = \n')
    write("config", "escapes.toml",
          '[node]\nid = "a\\u00e9\\n\\t"\nname = """multi\nline"""\ntype = \'literal\'\n'
          'data_dir = "/abs/../x"\nkey_file = "k"\n[broker]\nendpoint = "e"\npublic_key = "p"\n')


def control_seeds():
    def seq(side, *requests):
        return bytes([side]) + b"".join(varint(len(r)) + r for r in requests)

    def ctl(body):
        return encode("ControlRequest", "schema: 1 " + body)

    def node(body):
        return encode("NodeRequest", "schema: 1 " + body)

    curve = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    curve2 = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    enroll = ctl(f'enroll_node {{ node_id: "helpdesk-sittard" name: "Helpdesk Sittard" type: "helpdesk" '
                 f'municipality: "GM1883" curve_public_key: "{curve}" sign_public_key: "{PUBLIC_HEX}" }}')
    write("control", "broker-enroll-list", seq(0, enroll, ctl("principals {}")))
    write("control", "broker-enroll-twice", seq(0, enroll, enroll))
    write("control", "broker-subscriber-revoke",
          seq(0, ctl(f'enroll_subscriber {{ name: "Adviesraad Parkstad" regions: "parkstad" curve_public_key: "{curve2}" }}'),
              ctl('revoke { id: "adviesraad-parkstad" }'), ctl('revoke { id: "fuzz-admin" }'), ctl("status {}")))
    write("control", "broker-themes", seq(0, ctl('themes { region: "parkstad" weeks: 6 }'), ctl("themes {}")))
    write("control", "broker-publish-week",
          seq(0, ctl('publish_digest { period: "2026-W46" region: "limburg" }'), ctl("digests {}")))
    write("control", "broker-publish-range-month",
          seq(0, ctl('publish_digest { period: "2026-W45..2026-W47" region: "parkstad" }'),
              ctl('publish_digest { period: "2026-11" }'), ctl("digests {}")))
    write("control", "broker-publish-quarter",
          seq(0, ctl('publish_digest { period: "2026-Q4" region: "zuid-limburg" }'),
              ctl('publish_digest { period: "2026-W47" region: "GM0917" }'), ctl("digests {}")))
    write("control", "broker-bad-requests",
          seq(0, ctl(""), ctl('publish_digest { period: "2026-W99" }'), ctl('themes { region: "mars" }'),
              ctl('enroll_node { node_id: "Bad Id" }'), b"\xff\xff"))
    add = node('add { signal { date: "2026-11-02" municipality: "Heerlen" theme: "schulden" '
               'subtheme: "budgetbeheer" age_band: "27-66" severity: 2 text: "vrije tekst" person: "BSN-1" '
               'quote_consent: true quote: "citaat" postcode4: "6411" } }')
    csv = ("date,municipality,theme,person\n" + "".join(f"2026-11-0{d},GM0917,werk,P{d % 3}\n" for d in range(2, 8)))
    imp = node(f'import_csv {{ file_name: "s.csv" content: {text_bytes(csv.encode())} }}')
    write("control", "node-add-list-status", seq(1, add, node("list {}"), node('list { period: "2026-W45" }'),
                                                 node("status {}")))
    write("control", "node-import-publish-report",
          seq(1, imp, node("publish {}"), node("privacy_report {}"), node("status {}")))
    write("control", "node-import-erase",
          seq(1, imp, node('erase { person: "P1" }'), node('erase { id: "S0000002" }'), node('erase { id: "1" }'), node("list {}")))
    write("control", "node-import-dry-skip",
          seq(1, node('import_csv { file_name: "x.csv" content: "date,municipality,theme\\n2026-11-01,GM0917,werk\\n'
                      'bad,GM0917,werk\\n" dry_run: true skip_invalid: true }'), node("status {}")))
    write("control", "node-bad-requests",
          seq(1, node(""), node('erase { id: "1" person: "x" }'), node('list { period: "nope" }'),
              node('add { signal { date: "2031-01-01" } }'), b"\xff\xff"))


def main():
    for target in ("snapshot", "csv_import", "config", "control"):
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
        for old in (CORPUS / target).glob("seed-*"):
            old.unlink()
    snapshot_seeds()
    csv_seeds()
    config_seeds()
    control_seeds()


if __name__ == "__main__":
    main()
