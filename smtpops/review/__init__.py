"""Semantic review of config changes between two revisions, for pull requests.

Per environment and config: added, removed or changed, each field old → new (the password
only as "changed"), activation switched on or off, the validation findings the change
introduces, and which changes are security-sensitive — host, port, TLS, certificate checks,
CA file, auth protocol, username, password, provider, who can decrypt the password, and
any activation or new config in a protected (production) environment — and so need IT's
approval. ``.sops.yaml``, ``configs/environments.yaml`` and the pins file always do.
"""

from __future__ import annotations

import os
from dataclasses import field

from smtpops import settings, yamlio
from smtpops.diagnostics import Diagnostic
from smtpops.encryption.binding import secret_words, unsealed_changes
from smtpops.records import record
from smtpops.review.fields import FieldChange, changes

__all__ = ["ConfigDiff", "FileDiff", "Review", "compare"]

SENSITIVE_FILES = {
    ".sops.yaml": "who can decrypt each environment's passwords",
    "configs/environments.yaml": "environments and their security policy",
    "configs/.pins.yaml": "environments held after a rollback",
}


@record(frozen=True, kw_only=True)
class ConfigDiff:
    environment: str
    name: str
    path: str
    kind: str  # added | removed | changed
    fields: tuple[FieldChange, ...]
    activation: str | None  # activated | deactivated | None
    protected: bool
    unsealed: tuple[str, ...] = ()  # bound fields changed without re-sealing the secret
    sealed_secret: str = "the password"  # or "the OAuth2 secrets"
    untested: str | None = None  # activated | changed | deactivated without smtpops deploy

    @property
    def reasons(self) -> tuple[str, ...]:
        found = [f"{c.field}" for c in self.fields if c.security]
        if self.unsealed:
            found.append(f"{self.sealed_secret.removeprefix('the ')} not re-sealed")
        if self.untested:
            found.append(f"{self.untested} by hand, not by `smtpops deploy` (REPO006)")
        if self.activation and self.protected:
            found.append(f"{self.environment} activation")
        if self.kind != "changed" and self.protected:
            found.append(f"config {self.kind} in {self.environment}")
        return tuple(found)

    @property
    def security(self) -> bool:
        return bool(self.reasons)


@record(frozen=True, kw_only=True)
class FileDiff:
    path: str
    kind: str
    about: str


@record(frozen=True, kw_only=True)
class Review:
    base: str
    head: str
    configs: tuple[ConfigDiff, ...] = ()
    files: tuple[FileDiff, ...] = ()
    new_findings: tuple[Diagnostic, ...] = ()
    fixed_findings: int = 0
    protected: tuple[str, ...] = field(default_factory=tuple)

    @property
    def security_sensitive(self) -> bool:
        return bool(self.files) or any(c.security for c in self.configs)


Tree = dict[str, bytes]


def _parse(data: bytes | None) -> dict[str, object] | None:
    if data is None:
        return None
    try:
        parsed = yamlio.loads(data.decode("utf-8")).data
    except (UnicodeDecodeError, yamlio.LoadError):
        return {"(file)": "cannot be read as YAML"}
    return parsed if isinstance(parsed, dict) else {"(file)": "not a mapping of fields"}


def config_key(rel: str, configs_rel: str) -> tuple[str, str] | None:
    """(environment, name) for ``configs/<env>/<name>.yaml``; None for other files."""
    prefix = configs_rel.rstrip("/") + "/"
    if not rel.startswith(prefix):
        return None
    parts = rel[len(prefix) :].split("/")
    if len(parts) != 2 or parts[1].startswith(".") or parts[0].startswith("."):
        return None
    stem, ext = os.path.splitext(parts[1])
    return (parts[0], stem) if ext in (".yaml", ".yml") else None


def _link_about(target: str) -> str:
    return (
        f"a symbolic link to {target!r}; smtpops does not follow links, "
        "so what it points to is not reviewed: make it a plain file"
    )


def _activation(old: dict[str, object] | None, new: dict[str, object] | None) -> str | None:
    was = bool(old and old.get("active") is True)
    now = bool(new and new.get("active") is True)
    return None if was == now else ("activated" if now else "deactivated")


def compare(
    base: Tree,
    head: Tree,
    *,
    configs_rel: str,
    base_name: str,
    head_name: str,
    head_settings: settings.Settings,
    new_findings: tuple[Diagnostic, ...] = (),
    fixed_findings: int = 0,
    links: tuple[dict[str, str], dict[str, str]] = ({}, {}),
) -> Review:
    protected = {e.name for e in head_settings.environments if e.policy.protected}
    configs, files = [], []
    for rel in sorted({*links[0], *links[1]}):
        was, now = links[0].get(rel), links[1].get(rel)
        if was != now:
            kind = "added" if was is None else "removed" if now is None else "changed"
            files.append(FileDiff(path=rel, kind=kind, about=_link_about(now or was or "")))
    for rel in sorted({*base, *head}):
        old, new = base.get(rel), head.get(rel)
        if old == new:
            continue
        kind = "added" if old is None else "removed" if new is None else "changed"
        key = config_key(rel, configs_rel)
        if key is None:
            generic = rel.replace(configs_rel.rstrip("/") + "/", "configs/", 1)
            if generic in SENSITIVE_FILES:
                files.append(FileDiff(path=rel, kind=kind, about=SENSITIVE_FILES[generic]))
            continue
        a, b = _parse(old), _parse(new)
        configs.append(
            ConfigDiff(
                environment=key[0],
                name=key[1],
                path=rel,
                kind=kind,
                fields=tuple(c for c in changes(a, b) if c.field != "active"),
                activation=_activation(a, b),
                protected=key[0] in protected,
                unsealed=tuple(unsealed_changes(a, b)),
                sealed_secret=secret_words(b or a or {}),
            )
        )
    return Review(
        base=base_name,
        head=head_name,
        configs=tuple(configs),
        files=tuple(files),
        new_findings=new_findings,
        fixed_findings=fixed_findings,
        protected=tuple(sorted(protected)),
    )
