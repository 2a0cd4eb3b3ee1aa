"""``smtpops secrets check``: the keyless CRED rules over the files, a scan of the whole
repository, and, for each file a local key can open, a real decryption (sops checks the MAC)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from smtpops.diagnostics import Diagnostic, Location, Report, Severity
from smtpops.encryption import scan
from smtpops.encryption.sops_format import looks_encrypted, read_metadata
from smtpops.errors import CheckFailed, EncryptionError, InputError

KeyedStatus = Literal["verified", "failed", "no-key"]


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyedResult:
    path: str
    status: KeyedStatus
    message: str = ""
    hint: str = ""


def keyless(paths: tuple[str, ...]) -> Report:
    """The CRED rules (as in ``validate``) plus a scan of every file of the repository."""
    from smtpops import discovery, engine
    from smtpops.rules.registry import RULES

    report = engine.validate(paths, engine.Options(select=("CRED",)))
    _, configs_dir = discovery.discover(paths)
    configs_dir = configs_dir or discovery.find_configs_dir()
    if configs_dir is None:
        return report
    root = os.path.dirname(os.path.abspath(configs_dir))
    checked = {os.path.abspath(p) for p in report.files}
    seen = {
        (d.location.path, d.location.line) for d in report.diagnostics if d.rule_id == "CRED012"
    }
    rule = RULES["CRED012"]
    extra = [
        Diagnostic(
            rule_id=rule.id,
            severity=Severity.ERROR,
            message=f.message,
            hint=rule.hint,
            location=Location(path=f.path, line=f.line),
        )
        for f in scan.scan_paths(scan.repository_paths(root), skip=checked)
        if (f.path, f.line) not in seen
    ]
    diagnostics = tuple(sorted((*report.diagnostics, *extra), key=Diagnostic.sort_key))
    return Report(
        diagnostics=diagnostics,
        files=report.files,
        strict=report.strict,
        input_error=report.input_error,
    )


def _recipients(path: str) -> tuple[str, ...] | None:
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if (
        not isinstance(data, dict)
        or "sops" not in data
        or not looks_encrypted(data.get("password"))
    ):
        return None
    return read_metadata(data["sops"]).recipients


def with_keys(files: Iterable[str]) -> list[KeyedResult]:
    """Decrypt (in memory, then forget) every encrypted file a local key can open, and check
    that its password is sealed to the server fields the file has."""
    from smtpops.encryption import decrypt_for_sending
    from smtpops.encryption.keys import available_recipients

    mine = available_recipients()
    elsewhere = any(
        os.environ.get(v) for v in ("SOPS_AGE_KEY_CMD", "SOPS_AGE_SSH_PRIVATE_KEY_FILE")
    )
    results = []
    for path in files:
        recipients = _recipients(path)
        if recipients is None:
            continue
        if not set(recipients) & mine and not elsewhere:
            results.append(KeyedResult(path=path, status="no-key"))
            continue
        try:
            decrypt_for_sending(path)
        except (EncryptionError, InputError, CheckFailed) as exc:
            if "no key for this environment" in exc.message:
                results.append(KeyedResult(path=path, status="no-key"))
            else:
                results.append(
                    KeyedResult(
                        path=path, status="failed", message=exc.message, hint=exc.hint or ""
                    )
                )
            continue
        results.append(KeyedResult(path=path, status="verified"))
    return results
