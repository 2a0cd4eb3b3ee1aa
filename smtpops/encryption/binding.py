"""The secret's binding: where a password or the OAuth2 secrets may be sent, sealed next to it.

With ``mac_only_encrypted`` anyone who can open a pull request can change the readable fields
of a config (host, port, username, token endpoint, ...) without a key; the next deploy would
decrypt the secret and send it wherever they now point. So when a password (or an OAuth2
config's client secret, key or refresh token) is set, smtpops seals next to it, as a second
encrypted value (``password_binding``, encrypted by the real sops with the file's data key and
covered by its MAC), a record of where it was set for: host, port, TLS mode, certificate
verification, CA file (and a digest of the CA's content) and username; for an OAuth2 config
also the fields that decide where a token is obtained and for whom (the oauth block's flow,
tenant, client_id, token_url, authority, scope and token-endpoint CA with its digest): a
changed ``token_url`` would post the client secret to another server.
Before the secret is sent anywhere, :func:`check_binding` compares that record with the
readable fields; any difference refuses to send it until a key holder re-seals it
(``smtpops secrets reseal ENV/NAME``). Only a key holder can write a binding that opens with
the file's data key, and a keyless edit of the binding breaks the MAC.
"""

from __future__ import annotations

import json
import os
from typing import Any

from smtpops import digests, discovery, records, repopath
from smtpops.encryption.fields import OAUTH, encrypted_paths, secret_values
from smtpops.errors import CheckFailed
from smtpops.model import Config

FIELD = "password_binding"
VERSION = 1
SERVER = ("host", "port", "tls", "verify_certificate", "ca_file", "ca_sha256", "username")
# an OAuth2 config: where the token is obtained, for which app and tenant, with what scope
OAUTH_BOUND = tuple(
    f"{OAUTH}.{name}"
    for name in (
        "flow",
        "tenant",
        "client_id",
        "token_url",
        "authority",
        "scope",
        "ca_file",
        "ca_sha256",
    )
)
BOUND = SERVER + OAUTH_BOUND
DIGESTS = ("ca_sha256", f"{OAUTH}.ca_sha256")  # read from the disk, not from the file
_WORDS = {
    "host": "the server (host)",
    "port": "the port",
    "tls": "the TLS mode (tls)",
    "verify_certificate": "certificate verification (verify_certificate)",
    "ca_file": "the CA file (ca_file)",
    "ca_sha256": "the content of the CA file",
    "username": "the username",
    "oauth.flow": "the OAuth2 flow (oauth.flow)",
    "oauth.tenant": "the tenant (oauth.tenant)",
    "oauth.client_id": "the app (oauth.client_id)",
    "oauth.token_url": "the token endpoint (oauth.token_url)",
    "oauth.authority": "the authority (oauth.authority)",
    "oauth.scope": "the scope (oauth.scope)",
    "oauth.ca_file": "the token endpoint's CA file (oauth.ca_file)",
    "oauth.ca_sha256": "the content of the token endpoint's CA file",
}


def secret_words(data: dict[str, Any]) -> str:
    """How messages name the sealed secret of the config ``data``."""
    if any(p[0] == OAUTH for p in encrypted_paths(data)):
        return "the OAuth2 secrets"
    return "the password"


class BindingMismatch(CheckFailed):
    """The readable fields no longer match what the password was sealed for (exit 1)."""


@records.record(frozen=True, kw_only=True)
class Change:
    field: str
    sealed: Any
    now: Any

    def describe(self) -> str:
        if self.field in DIGESTS:
            return f"{_WORDS[self.field]} changed"
        return f"{_WORDS[self.field]}: sealed for {_show(self.sealed)}, now {_show(self.now)}"


def _show(value: Any) -> str:
    return "(not set)" if value is None else json.dumps(value, ensure_ascii=False)


def _ca_digest(ca_file: str | None, root: str | None, ca_pem: bytes | None) -> str | None:
    if ca_file and ca_pem is not None:
        return digests.sha256_hex(ca_pem)
    if not ca_file or root is None or not repopath.is_inside(root, ca_file):
        return None
    try:
        with open(os.path.join(root, ca_file), "rb") as handle:
            return digests.sha256_hex(handle.read())
    except OSError:
        return None


def repo_root(path: str) -> str | None:
    """The repository root of a config file (the folder holding its configs/)."""
    item = discovery.classify(path)
    return os.path.dirname(os.path.abspath(item.configs_dir)) if item.configs_dir else None


def record(data: dict[str, Any], root: str | None, ca_pem: bytes | None = None) -> dict[str, Any]:
    """The values of the bound fields as the connection test and the CRM would use them;
    the CA's content is ``ca_pem`` when given (a config read at a revision), else the file
    ``ca_file`` names under ``root``. The oauth fields only when the file signs in with a
    token (XOAUTH2, OAUTHBEARER) and has an oauth block."""
    config = Config.from_raw(data)
    host = (config.host or "").strip().lower().rstrip(".") or None
    found: dict[str, Any] = {
        "host": host,
        "port": config.port,
        "tls": config.tls,
        "verify_certificate": config.verify_certificate,
        "ca_file": config.ca_file,
        "ca_sha256": _ca_digest(config.ca_file, root, ca_pem),
        "username": config.username,
    }
    oauth = config.oauth
    if oauth is not None and config.uses_token:  # an oauth block a password config ignores
        found.update(
            {
                "oauth.flow": oauth.flow,
                "oauth.tenant": oauth.tenant,
                "oauth.client_id": oauth.client_id,
                "oauth.token_url": oauth.token_url,
                "oauth.authority": oauth.authority,
                "oauth.scope": oauth.scope,
                "oauth.ca_file": oauth.ca_file,
                "oauth.ca_sha256": _ca_digest(oauth.ca_file, root, None),
            }
        )
    return found


def dumps(bound: dict[str, Any]) -> str:
    """The sealed text: one line of JSON with a version (encrypted as a sops string)."""
    return json.dumps({"v": VERSION, **bound}, sort_keys=True, separators=(",", ":"))


def loads(text: str | None) -> dict[str, Any] | None:
    """The sealed record, or None when it is missing or not a record smtpops wrote."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("v") != VERSION:
        return None
    return {k: value.get(k) for k in BOUND}


def changes(sealed: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    return [
        Change(field=f, sealed=sealed.get(f), now=now.get(f))
        for f in BOUND
        if sealed.get(f) != now.get(f)
    ]


def unsealed_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """Keyless, for review: the bound fields that changed between two versions of a config
    while its secret (the password, or the oauth block's secret parts) and seal stayed the same
    (so nobody re-sealed it for the new settings: test and deploy will refuse to send it). A
    seal removed is ``FIELD`` itself. Empty when the old version had no seal (nothing was
    bound) or the secret was set anew."""
    if not old or not new or not isinstance(old.get(FIELD), str):
        return []
    if new.get(FIELD) is None:
        return [FIELD]
    if new.get(FIELD) != old.get(FIELD) or secret_values(new) != secret_values(old):
        return []  # re-sealed (or the secret set again, which seals it)
    before, after = record(old, None), record(new, None)
    return [f for f in BOUND if f not in DIGESTS and before.get(f) != after.get(f)]


def reseal_command(path: str, label: str | None = None) -> str:
    if label:
        return f"smtpops secrets reseal {label}"
    item = discovery.classify(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    ref = f"{item.environment}/{stem}" if item.environment else path
    return f"smtpops secrets reseal {ref}"


def check_binding(
    path: str,
    data: dict[str, Any],
    sealed_text: str | None,
    *,
    root: str | None = None,
    ca_pem: bytes | None = None,
    label: str | None = None,
) -> None:
    """Refuse to send the secret of ``path`` unless the binding sealed with it
    (``sealed_text``, decrypted) matches the readable fields ``data`` of the file as it will
    be used. Raises :class:`BindingMismatch` naming each field that changed. ``root`` (the
    repository root, default: found from ``path``) and ``ca_pem`` (the CA's content, for a
    config read at a revision) say where the CA is; ``label`` (ENV/NAME) names the config
    in the reseal command."""
    command = reseal_command(path, label)
    what = secret_words(data)
    many = what.endswith("s")
    it, is_ = ("them", "are") if many else ("it", "is")
    sealed = loads(sealed_text)
    if sealed is None:
        raise BindingMismatch(
            f"{path}: {what} {is_} not sealed to a server (no {FIELD} was written with {it}), "
            f"so smtpops does not send {it}",
            hint=f"A key holder checks the server fields and seals them: `{command}`.",
        )
    found = changes(sealed, record(data, root or repo_root(path), ca_pem))
    if found:
        raise BindingMismatch(
            f"{path}: {what} {'were' if many else 'was'} sealed for other settings than the "
            f"file now has, so smtpops does not send {it}: "
            + "; ".join(c.describe() for c in found),
            hint=f"If the change is intended, a key holder re-seals {what} for the new "
            f"settings: `{command}` (it shows the change and asks). If not, restore the fields "
            "from git.",
        )
