"""``smtpops secrets check``: the keyless CRED rules over the files, a scan of the whole
repository, and, for each file a local key can open, a real decryption (sops checks the MAC).

:func:`check` is the use case; :func:`keyless` and :func:`with_keys` its two halves."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from typing import Literal

from smtpops import discovery, engine, yamlio
from smtpops.diagnostics import Diagnostic, Location, Report, Severity
from smtpops.encryption import scan
from smtpops.encryption.fields import has_encrypted_secret
from smtpops.encryption.keys import available_recipients
from smtpops.encryption.oauth_secrets import unseal_credentials
from smtpops.encryption.password import check_sealed
from smtpops.encryption.sops_format import read_metadata
from smtpops.errors import EXIT_FINDINGS, CheckFailed, EncryptionError, InputError
from smtpops.records import record
from smtpops.rules.registry import RULES
from smtpops.secret import Secret

__all__ = ["KeyedResult", "SecretsCheck", "check", "keyless", "with_keys"]

KeyedStatus = Literal["verified", "failed", "no-key"]


@record(frozen=True, kw_only=True)
class KeyedResult:
    """One encrypted file checked with a local key: verified, failed (why), or no key here."""

    path: str
    status: KeyedStatus
    message: str = ""
    hint: str = ""


@record(frozen=True, kw_only=True)
class SecretsCheck:
    """The whole check: the keyless findings, then each file tried with a local key."""

    report: Report
    keyed: tuple[KeyedResult, ...]
    require_key: bool = False

    @property
    def failed(self) -> tuple[KeyedResult, ...]:
        return tuple(r for r in self.keyed if r.status == "failed")

    @property
    def missing(self) -> tuple[KeyedResult, ...]:
        return tuple(r for r in self.keyed if r.status == "no-key")

    @property
    def exit_code(self) -> int:
        """The report's code, else 1 when a decryption failed (or, with ``require_key``, a
        file could not be opened here)."""
        failing = self.failed or (self.require_key and self.missing)
        return self.report.exit_code or (EXIT_FINDINGS if failing else 0)


def check(paths: tuple[str, ...], *, require_key: bool = False) -> SecretsCheck:
    """Check the encrypted passwords of ``paths`` (none: the whole ``configs/`` tree); with
    ``require_key``, also that no file git tracks holds one of the decrypted passwords."""
    report = keyless(paths)
    passwords: list[Secret] = []
    keyed = tuple(with_keys(report.files, keep=passwords if require_key else None))
    report = decrypted_copies(report, passwords)
    passwords.clear()
    return SecretsCheck(report=report, keyed=keyed, require_key=require_key)


def keyless(paths: tuple[str, ...]) -> Report:
    """The CRED rules (as in ``validate``) plus a scan of every file of the repository. The FILE
    rules too: a file that cannot be read (too large, not YAML) has not been checked."""
    report = engine.validate(paths, engine.Options(select=("CRED", "FILE")))
    _, configs_dir = discovery.discover(paths)
    configs_dir = configs_dir or discovery.find_configs_dir()
    if configs_dir is None:
        return report
    root = os.path.dirname(os.path.abspath(configs_dir))
    checked = {os.path.abspath(p) for p in report.files}
    seen = {
        (d.location.path, d.location.line) for d in report.diagnostics if d.rule_id == "CRED012"
    }
    found = scan.scan_paths(scan.repository_paths(root), skip=checked)
    return _with_findings(report, [f for f in found if (f.path, f.line) not in seen])


def _with_findings(report: Report, findings: Iterable[scan.Finding]) -> Report:
    """``report`` plus a CRED012 error for each finding of a repository scan."""
    rule = RULES["CRED012"]
    extra = [
        Diagnostic(
            rule_id=rule.id,
            severity=Severity.ERROR,
            message=f.message,
            hint=rule.hint,
            location=Location(path=f.path, line=f.line),
        )
        for f in findings
    ]
    diagnostics = tuple(sorted((*report.diagnostics, *extra), key=Diagnostic.sort_key))
    return dataclasses.replace(report, diagnostics=diagnostics)


def _recipients(path: str) -> tuple[str, ...] | None:
    """The recipients of an encrypted file."""
    try:
        data = yamlio.load_path(path).data  # the same limits as validate (size, depth, tags)
    except (OSError, yamlio.LoadError):  # reported by the keyless FILE rules
        return None
    if not isinstance(data, dict) or "sops" not in data or not has_encrypted_secret(data):
        return None
    return read_metadata(data["sops"]).recipients


def _open(path: str) -> tuple[list[Secret], str | None]:
    """The decrypted secrets of ``path`` (the password, or the oauth block's secret parts) and
    their decrypted seal."""
    found, sealed = unseal_credentials(path)
    return ([found] if isinstance(found, Secret) else list(found.parts.values())), sealed


def with_keys(files: Iterable[str], *, keep: list[Secret] | None = None) -> list[KeyedResult]:
    """Decrypt (in memory, then forget) every encrypted file a local key can open, and check
    that its password is sealed to the server fields the file has; with ``keep``, the
    passwords are handed over there (to look for copies of them)."""
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
            secrets, sealed = _open(path)
        except (EncryptionError, InputError) as exc:
            if "no key for this environment" in exc.message:
                results.append(KeyedResult(path=path, status="no-key"))
            else:
                results.append(
                    KeyedResult(
                        path=path, status="failed", message=exc.message, hint=exc.hint or ""
                    )
                )
            continue
        if keep is not None:  # an OAuth2 config: each secret part is looked for
            keep.extend(secrets)
        try:
            check_sealed(path, sealed)
        except (CheckFailed, InputError) as exc:
            results.append(
                KeyedResult(path=path, status="failed", message=exc.message, hint=exc.hint or "")
            )
            continue
        results.append(KeyedResult(path=path, status="verified"))
    return results


def decrypted_copies(report: Report, passwords: list[Secret]) -> Report:
    """``report`` plus a CRED012 finding for each tracked file that holds one of the
    decrypted ``passwords`` (named by file and line, never shown)."""
    configs_dir = discovery.find_configs_dir()
    if configs_dir is None or not passwords:
        return report
    root = discovery.repository_root(configs_dir)
    needles = [p.reveal().encode("utf-8") for p in passwords]
    return _with_findings(report, scan.containing(scan.tracked_paths(root), needles))
