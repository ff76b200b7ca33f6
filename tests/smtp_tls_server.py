"""A local SMTP server like a hosted relay: it requires STARTTLS, then AUTH (PLAIN or LOGIN) with
one user and password, and stores what it accepts in a maildir.

Started by `MailServer::start_secure` in tests/src/lib.rs with the aiosmtpd virtualenv at
.tools/python (installed by `cargo xtask setup`). The certificate and key are made by the test.

    python smtp_tls_server.py --port 2525 --cert server.pem --key server.key \
        --maildir DIR --user USER --password PASSWORD
"""

import argparse
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        accepted = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == args.user.encode()
            and auth_data.password == args.password.encode()
        )
        print(f"AUTH {mechanism} {'accepted' if accepted else 'refused'}", flush=True)
        # handled=False: aiosmtpd itself answers a refusal with 535 5.7.8.
        return AuthResult(success=accepted, handled=False)

    controller = Controller(
        Mailbox(args.maildir),
        hostname=args.host,
        port=args.port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticate,
    )
    controller.start()
    print(f"listening on {args.host}:{args.port}", flush=True)

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
