"""Machine-readable commit trailers (``git interpret-trailers`` style) on smtpops commits.

A deploy commit ends with lines like::

    Smtpops-Action: deploy
    Smtpops-Environment: production
    Smtpops-Config: production/main
    Smtpops-Previous: production/old
    Smtpops-Test: passed smtp.example.com:587 tls=TLSv1.3 auth=LOGIN 812ms
    Smtpops-Actor: Alice Admin <alice@example.com>
    Smtpops-Version: 0.1.0

``history`` and ``status`` read them back with :func:`parse`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

PREFIX = "Smtpops-"
KEYS = (
    "Action",
    "Environment",
    "Config",
    "Previous",
    "Source",
    "Pin",
    "Test",
    "Digest",
    "Apply",
    "Actor",
    "Version",
)
_LINE = re.compile(r"^(?P<key>[A-Za-z0-9-]+):\s?(?P<value>.*)$")


def actor(git_identity: str) -> str:
    """Who made the change: the CI actor when running in CI, else the git author."""
    in_ci = os.environ.get("GITHUB_ACTIONS") == "true" or bool(os.environ.get("CI"))
    ci_actor = os.environ.get("GITHUB_ACTOR")
    return f"{ci_actor} (CI)" if in_ci and ci_actor else git_identity


def clean(value: str) -> str:
    """One line, no control characters: a trailer value cannot break the block."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def render(values: Mapping[str, str | None]) -> str:
    """The trailer block, in the fixed key order; empty values are left out."""
    lines = []
    for key in KEYS:
        value = values.get(key)
        if value:
            lines.append(f"{PREFIX}{key}: {clean(value)}")
    return "\n".join(lines)


def message(subject: str, body: str, values: Mapping[str, str | None]) -> str:
    parts = [clean(subject)]
    if body.strip():
        parts.append(body.strip())
    parts.append(render(values))
    return "\n\n".join(parts) + "\n"


def parse(text: str) -> dict[str, str]:
    """The ``Smtpops-*`` trailers of a commit message (key without the prefix → value).

    Only the last paragraph counts, as with ``git interpret-trailers --parse``.
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return {}
    found: dict[str, str] = {}
    for line in paragraphs[-1].splitlines():
        match = _LINE.match(line.strip())
        if not match:
            return {}  # not a trailer block
        key = match.group("key")
        if key.lower().startswith(PREFIX.lower()):
            found[key[len(PREFIX) :].capitalize()] = match.group("value").strip()
    return found


def test_line(passed: bool, facts: Mapping[str, str]) -> str:
    """``passed host:port tls=TLSv1.3 auth=LOGIN 812ms`` from a test's facts: the machine form
    recorded in the ``Smtpops-Test`` trailer (kept stable, since history holds it); people
    see the facts as :func:`smtpops.probe.text.facts` writes them."""
    host, port = facts.get("host", "?"), facts.get("port", "?")
    bits = ["passed" if passed else "failed", f"{host}:{port}"]
    if facts.get("tls_version"):
        bits.append(f"tls={facts['tls_version']}")
    if facts.get("auth_mechanism"):
        bits.append(f"auth={facts['auth_mechanism']}")
    if facts.get("duration_ms"):
        bits.append(f"{facts['duration_ms']}ms")
    return " ".join(str(b) for b in bits)
