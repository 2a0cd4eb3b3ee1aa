"""The active config of an environment, as committed at a revision or in the working tree.

Only ever the file as stored: the password stays SOPS ciphertext until :func:`decrypt`
returns it, in memory, as a :class:`~smtpops.secret.Secret`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

from smtpops import discovery, engine, yamlio
from smtpops.encryption import check_binding, oauth_secrets
from smtpops.encryption.fields import has_encrypted_secret
from smtpops.encryption.oauth_secrets import unseal_credentials
from smtpops.errors import CheckFailed, GitOpsError, InputError
from smtpops.gitops import workspace
from smtpops.gitops.workspace import Workspace
from smtpops.model import Config
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.records import record
from smtpops.secret import Secret

SECRET_FIELDS = ("password", "password_binding", "sops")


@record(frozen=True, kw_only=True)
class Source:
    """One config file as stored (ciphertext only), with where it came from."""

    environment: str
    name: str
    rel: str  # configs/ENV/NAME.yaml, relative to the repository root
    root: str  # the repository root
    rev: str | None  # the commit it was read at; None: the working tree
    data: Mapping[str, Any]
    text: bytes
    ca_pem: bytes | None

    @property
    def label(self) -> str:
        return f"{self.environment}/{self.name}"

    @property
    def config(self) -> Config:
        return Config.from_raw(dict(self.data))

    @property
    def ciphertext(self) -> str | None:
        value = self.data.get("password")
        return value if isinstance(value, str) else None

    @property
    def settings(self) -> dict[str, Any]:
        """Every field but the password and the sops metadata."""
        return {k: v for k, v in self.data.items() if k not in SECRET_FIELDS}


def _parse(data: bytes, where: str) -> dict[str, Any] | None:
    try:
        parsed = yamlio.loads(data.decode("utf-8")).data
    except (UnicodeDecodeError, yamlio.LoadError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _candidates(ws: Workspace, env: str, rev: str | None) -> list[tuple[str, bytes]]:
    if rev is None:
        found = []
        for item in ws.configs(env):
            with open(item.path, "rb") as handle:
                found.append((item.rel, handle.read()))
        return found
    sha = ws.repo.resolve(rev)
    return [
        (rel, ws.repo.show(sha, rel) or b"")
        for rel in ws.repo.list_files(sha, f"{ws.configs_rel}/{env}")
        if rel.endswith(discovery.CONFIG_SUFFIXES)
        and rel.count("/") == ws.configs_rel.count("/") + 2
    ]


def _ca(ws: Workspace, rev: str | None, config: Config, label: str) -> bytes | None:
    if not config.ca_file:
        return None
    path = os.path.normpath(os.path.join(ws.repo.root, config.ca_file))
    rel = ws.repo.rel(path)
    data: bytes | None
    if rev is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            data = None
    else:
        data = ws.repo.show(ws.repo.resolve(rev), rel)
    if data is None:
        at = f" at {rev}" if rev else ""
        raise InputError(
            f"{label}: its ca_file {config.ca_file} cannot be read{at}",
            hint="Commit the CA certificate file next to the config (the path is relative to "
            "the repository root).",
        )
    return data


def load_active(env: str, *, rev: str | None = None, ws: Workspace | None = None) -> Source:
    """The one active config of ``env`` at ``rev`` (default: the working tree)."""
    ws = ws or workspace.open_at()
    ws.environment(env)
    active = []
    for rel, data in _candidates(ws, env, rev):
        parsed = _parse(data, rel)
        if parsed is not None and parsed.get("active") is True:
            active.append((rel, data, parsed))
    at = f" at {rev}" if rev else ""
    if not active:
        raise GitOpsError(
            f"{env} has no active config{at}, so there is nothing to deliver",
            hint=f"Deploy one first: `smtpops deploy {env}/NAME` (`smtpops status` lists them).",
        )
    if len(active) > 1:
        names = ", ".join(rel for rel, _, _ in active)
        raise GitOpsError(
            f"{env} has more than one active config{at}: {names}",
            hint=f"Run `smtpops deploy {env}/NAME` to make exactly one active.",
        )
    rel, data, parsed = active[0]
    name = os.path.splitext(os.path.basename(rel))[0]
    config = Config.from_raw(parsed)
    return Source(
        environment=env,
        name=name,
        rel=rel,
        root=ws.repo.root,
        rev=ws.repo.resolve(rev) if rev else None,
        data=parsed,
        text=data,
        ca_pem=_ca(ws, rev, config, f"{env}/{name}"),
    )


def check_valid(source: Source) -> None:
    """Refuse a working-tree config with validation errors (a revision was checked when it
    was deployed)."""
    if source.rev is not None:
        return
    report = engine.validate((os.path.join(source.root, source.rel),))
    errors = [f"{d.rule_id} {d.message}" for d in report.errors]
    if errors:
        raise CheckFailed(
            f"{source.label} has {len(errors)} validation error(s), so it is not delivered: "
            + "; ".join(errors[:3]),
            hint=f"Run `smtpops validate {source.rel}` and fix them first.",
        )


@contextlib.contextmanager
def _stored(source: Source) -> Iterator[str]:
    """A path holding the file as stored: the working-tree file, or (at a revision) a copy
    of its ciphertext in a private temporary folder."""
    if source.rev is None:
        yield os.path.join(source.root, source.rel)
        return
    with tempfile.TemporaryDirectory(prefix="smtpops-rev-") as folder:
        path = os.path.join(folder, os.path.basename(source.rel))
        with open(path, "wb") as handle:
            handle.write(source.text)  # ciphertext only
        yield path


def decrypt(source: Source) -> Secret | None:
    """The plaintext password, in memory (None when the config has no password), only while
    the binding sealed with it matches the config's fields (``check_binding``: a server change
    without a re-seal is refused, as by test and deploy). An OAuth2 config's seal is checked
    the same way (its secrets are not handed over: None), so a changed token endpoint or
    server is named before anything else."""
    if source.ciphertext is None and not has_encrypted_secret(dict(source.data)):
        return None
    with _stored(source) as path:
        found, sealed = unseal_credentials(path)
    check_binding(
        source.rel,
        dict(source.data),
        sealed,
        root=source.root,
        ca_pem=source.ca_pem,
        label=source.label,
    )
    return found if isinstance(found, Secret) else None


def decrypt_oauth(source: Source) -> OAuthCredentials:
    """The oauth block's secret parts of an OAuth2 config, decrypted in memory (sops checks
    the MAC), to ask for a token or to hand on encrypted again."""
    with _stored(source) as path:
        return oauth_secrets.decrypt_oauth(path)
