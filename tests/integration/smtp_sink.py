#!/usr/bin/env python3
"""A real SMTP server for the mail tests (Debian's python3-aiosmtpd): listens
on a loopback port and writes every message it accepts to a folder, one file
a message (NNNNNN.eml, written under a temporary name and renamed, so a
reader never sees half a message). Prints "ready" once it listens.

  smtp_sink.py --port P --out DIR [--delay S] [--tls CERT KEY --auth USER:PASSWORD]

--delay   waits S seconds before answering each RCPT: a slow relay, so a
          test can stop the broker while mails are still queued. The wait
          is before DATA, so a sender that gives up meanwhile has sent
          nothing (no message is written).
--tls     offers STARTTLS with this certificate and requires it;
--auth    then requires AUTH (PLAIN or LOGIN) with this user and password.
"""
import argparse
import asyncio
import itertools
import os
import signal
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out, delay):
        self.out = out
        self.delay = delay
        self.numbers = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay:
            await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.numbers)
        final = os.path.join(self.out, "%06d.eml" % n)
        tmp = final + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.original_content)
        os.rename(tmp, final)
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    kwargs = {}
    if a.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.tls[0], a.tls[1])
        kwargs.update(tls_context=context, require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)
    controller = Controller(Sink(a.out, a.delay), hostname="127.0.0.1", port=a.port, **kwargs)
    controller.start()
    print("ready", flush=True)
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))
    while not stop[0]:
        time.sleep(0.1)
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
