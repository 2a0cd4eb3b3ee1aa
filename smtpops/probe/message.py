"""The real test email of ``--send-to``: the config's custom headers plus a test ID header."""

from __future__ import annotations

import email.policy
import email.utils
from email.message import EmailMessage

from smtpops.model import Config

TEST_ID_HEADER = "X-Smtpops-Test-Id"


def build(config: Config, recipient: str, test_id: str) -> bytes:
    """The message as it goes on the wire after DATA: CRLF lines, dot-stuffed, ending ".\\r\\n"."""
    sender = config.sender or ""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = f"smtpops connection test ({config.name or 'config'})"
    msg["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    domain = (config.helo_hostname or "localhost").strip() or "localhost"
    msg["Message-ID"] = email.utils.make_msgid("smtpops", domain=domain)
    for _, line in config.custom_headers:
        name, sep, value = line.partition(":")
        if sep and name.strip():
            msg[name.strip()] = value.strip()
    msg[TEST_ID_HEADER] = test_id
    msg.set_content(
        "This is a test message sent by `smtpops test --send-to`.\n\n"
        f"Configuration: {config.name}\nServer: {config.host}:{config.port}\nTest ID: {test_id}\n"
        "\nIf it arrived, the configuration can deliver mail. No reply is needed.\n"
    )
    raw = msg.as_bytes()
    lines = raw.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
    return b"\r\n".join(stuffed) + b"\r\n.\r\n"
