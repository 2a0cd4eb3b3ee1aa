"""The map files a Postfix relay config needs, as (name, bytes, mode, plaintext) records.

Custom headers: Postfix runs one action per lookup, so each header gets its own
``check_sender_access`` table in ``smtpd_data_restrictions`` (evaluated once per message,
at DATA), which PREPENDs it under a marker name ``X-Smtpops-<token>-<Name>``. The cleanup
``header_checks`` then drop any copy of ``<Name>`` the message already had and rename the
marked header to ``<Name>``: every message submitted over SMTP leaves with exactly one
``<Name>: <value>``, the config's. (Mail injected with sendmail(1) on the host skips
smtpd and so gets no headers.)
"""

from __future__ import annotations

import hashlib
import os
import re

from smtpops.delivery.formats.base import OutputFile
from smtpops.delivery.postfix import params
from smtpops.delivery.values import Delivery
from smtpops.errors import InputError
from smtpops.records import record
from smtpops.secret import Secret

SASL_MAP = "sasl_passwd"
HEADER_CHECKS = "header_checks"
CA_FILE = "ca.pem"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")  # literal in a POSIX regular expression


def token(digest: str) -> str:
    return hashlib.sha256(f"{digest}:header-marker".encode()).hexdigest()[:10]


def _result(text: str) -> str:
    return text.replace("$", "$$")  # regexp table results expand $1…


def sasl_map(d: Delivery, password: Secret | None) -> OutputFile | None:
    if not d.username:
        return None
    value = password.reveal() if password else ""
    if not value or value != value.strip() or any(c.isspace() and c != " " for c in value):
        raise InputError(
            f"{d.config}: Postfix cannot store this password (empty, or leading/trailing spaces)",
            hint="Set a password without leading or trailing spaces "
            f"(`smtpops secrets set-password {d.config}`).",
        )
    if any(c.isspace() or c == ":" for c in d.username):
        raise InputError(
            f"{d.config}: Postfix cannot use a username with spaces or ':'",
            hint="Check the username field.",
        )
    line = f"[{d.host}]:{d.port} {d.username}:{value}\n"
    return OutputFile(name=SASL_MAP, data=line.encode("utf-8"), mode=0o600, plaintext=True)


def header_tables(d: Delivery) -> tuple[list[OutputFile], OutputFile | None]:
    """(one PREPEND table per header, the header_checks file) — empty without headers."""
    if not d.headers:
        return [], None
    mark = f"X-Smtpops-{token(d.digest)}-"
    prepends, checks = [], []
    for index, (name, value) in enumerate(d.headers, start=1):
        if not _NAME.match(name):
            raise InputError(
                f"{d.config}: custom header name '{name}' is not a valid header name",
                hint="Postfix's relay takes letters, digits, '-' and '_' (e.g. X-Company).",
            )
        prepends.append(
            OutputFile(
                name=f"header-{index}.regexp",
                data=f"/^/ PREPEND {mark}{name}: {_result(value)}\n".encode(),
            )
        )
        checks.append(f"/^{mark}{name}:(.*)$/ REPLACE {name}:${{1}}")
    checks += [f"/^{name}:/ IGNORE" for name, _ in d.headers]
    data = ("\n".join(checks) + "\n").encode()
    return prepends, OutputFile(name=HEADER_CHECKS, data=data)


def ca_file(d: Delivery) -> OutputFile | None:
    if not d.ca_pem or not d.verify_certificate:
        return None
    return OutputFile(name=CA_FILE, data=d.ca_pem)


@record(frozen=True, kw_only=True)
class Layout:
    """The managed parameters and the files they name, for files kept in ``where``."""

    parameters: dict[str, str]
    files: tuple[OutputFile, ...]  # plaintext ones live in ``private`` under ``where``


def layout(
    d: Delivery, password: Secret | None, where: str, *, interval: int, private: str = ""
) -> Layout:
    params.refuse(d)
    sasl = sasl_map(d, password)
    prepends, checks = header_tables(d)
    ca = ca_file(d)
    found = params.parameters(
        d,
        ca_file=os.path.join(where, CA_FILE) if ca else None,
        password_map=f"hash:{os.path.join(where, private, SASL_MAP)}" if sasl else None,
        prepend_tables=[os.path.join(where, f.name) for f in prepends],
        header_checks=os.path.join(where, checks.name) if checks else None,
        retry_interval=interval,
    )
    files = [f for f in (sasl, ca, checks) if f is not None] + prepends
    return Layout(parameters=found, files=tuple(files))
