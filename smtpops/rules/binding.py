"""CRED015: the password (or an OAuth2 config's secrets) is sealed to where it may be sent
(keyless part).

The binding itself (:mod:`smtpops.encryption.binding`) opens only with a key; without one,
what can be checked is that it is there and is an encrypted value. A file written before
bindings existed (its sops section does not encrypt ``password_binding``) only warns, because
only a key holder can seal it; a file whose sops section encrypts bindings but lacks one, or
holds a hand-written one, had it removed or replaced: an error. OAuth2 configs were written
with that sops section before their secrets were sealed, so without a key a missing seal of
theirs cannot be told from a removed one: it warns (CRED015), test, deploy and token refuse
to send the secrets, and ``validate --base`` (CRED017) shows a seal removed by the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.encryption.binding import FIELD, secret_words, unsealed_changes
from smtpops.encryption.fields import OAUTH, encrypted_paths
from smtpops.encryption.sops_config import ENCRYPTED_REGEX
from smtpops.encryption.sops_format import parse_enc
from smtpops.rules.context import ConfigContext, RepoContext
from smtpops.rules.examples import BASE
from smtpops.rules.registry import Example, Hit, rule

# BASE is sealed; a file from before bindings has neither the binding nor its regex
_UNSEALED = "".join(
    line for line in BASE.splitlines(keepends=True) if not line.startswith(f"{FIELD}:")
)
_LEGACY = _UNSEALED.replace(
    f"encrypted_regex: {ENCRYPTED_REGEX}\n", "encrypted_regex: ^password$\n"
)
assert _LEGACY != _UNSEALED, "BASE's sops block must carry ENCRYPTED_REGEX"


def _reseal(ctx: ConfigContext) -> str:
    env = ctx.environment.name if ctx.environment else None
    name = ctx.config.name or "NAME"
    return f"smtpops secrets reseal {env}/{name}" if env else f"smtpops secrets reseal {ctx.path}"


def _encrypted(ctx: ConfigContext) -> bool:
    """Whether the file holds a sops-encrypted secret (the only kind that can be sealed)."""
    return bool(encrypted_paths(ctx.raw)) and "sops" in ctx.raw


def _oauth(ctx: ConfigContext) -> bool:
    """Whether the sealed secret is an OAuth2 config's (its oauth block holds ENC values)."""
    return any(p[0] == OAUTH for p in encrypted_paths(ctx.raw))


def _what(ctx: ConfigContext) -> str:
    return secret_words(ctx.raw)


def _seals_bindings(ctx: ConfigContext) -> bool:
    """Whether the file's sops section encrypts a binding (it was written with one)."""
    block = ctx.raw.get("sops")
    regex = block.get("encrypted_regex") if isinstance(block, dict) else None
    if not isinstance(regex, str):
        return False
    try:
        return re.search(regex, FIELD) is not None
    except re.error:
        return False


@rule(
    id="CRED015",
    name="password-not-bound",
    severity=Severity.WARNING,
    security=True,
    message="the password is not sealed to a server yet, so test and deploy will not send it",
    hint="A key holder checks the server fields (host, port, tls, ca_file, username) and runs `smtpops secrets reseal ENV/NAME`, then commits the file.",
    why="Without a key anyone can change the readable fields of a config; the binding sealed with the password stops the next deploy from sending the password to a server nobody approved. A file written before smtpops sealed passwords has none until a key holder adds it.",
    bad=Example(yaml=_LEGACY, whole_file=True),
    good=Example(yaml="description: sealed when the password was set\n"),
)
def password_not_bound(ctx: ConfigContext) -> Iterator[Hit]:
    """An encrypted password of a file written before bindings (or the encrypted secrets of an
    OAuth2 config) has no binding yet."""
    if not _encrypted(ctx) or FIELD in ctx.raw:
        return
    if _oauth(ctx):
        yield Hit(
            field=(OAUTH,),
            message="the OAuth2 secrets are not sealed to a server and token endpoint yet, so "
            "test, deploy and token will not send them",
            hint="A key holder checks the server and oauth fields (host, port, tls, ca_file, "
            "username; oauth flow, tenant, client_id, token_url, authority, scope, ca_file) "
            f"and runs `{_reseal(ctx)}`, then commits the file.",
        )
    elif not _seals_bindings(ctx):
        yield Hit(
            field=("password",),
            hint=f"A key holder checks the server fields (host, port, tls, ca_file, username) "
            f"and runs `{_reseal(ctx)}`, then commits the file.",
        )


@rule(
    id="CRED016",
    name="password-seal-broken",
    severity=Severity.ERROR,
    security=True,
    message=f"the seal that binds the password to its server ({FIELD}) was removed or written by hand",
    hint="Restore the file from git. If the server change is intended, a key holder runs `smtpops secrets reseal ENV/NAME` and commits the file.",
    why="The file's sops section says the password was sealed to its server; a missing or hand-written seal means someone tried to lift the lock that keeps the password from being sent to a server nobody approved.",
    bad=Example(yaml=_UNSEALED, whole_file=True),
    good=Example(yaml="description: sealed when the password was set\n"),
)
def password_seal_broken(ctx: ConfigContext) -> Iterator[Hit]:
    """Where the sops section seals bindings, the binding is there and is a sops value."""
    if not _encrypted(ctx):
        return
    value = ctx.raw.get(FIELD)
    if value is None and _seals_bindings(ctx) and not _oauth(ctx):
        problem = "was removed from the file"
    elif value is not None and (not isinstance(value, str) or isinstance(parse_enc(value), str)):
        problem = "is not an encrypted value written by sops"
    else:
        return
    what = _what(ctx)
    many = what.endswith("s")
    yield Hit(
        field=(FIELD,) if value is not None else ("password",),
        message=f"the seal that binds {what} to {'their' if many else 'its'} server ({FIELD}) "
        f"{problem}: {what} will not be sent until a key holder re-seals "
        f"{'them' if many else 'it'}",
        hint=f"Restore the file from git. If the server change is intended, a key holder runs "
        f"`{_reseal(ctx)}` and commits the file.",
    )


@rule(
    id="CRED017",
    name="server-changed-without-reseal",
    severity=Severity.ERROR,
    kind="repo",
    security=True,
    message="a server field the password is sealed to changed, but the password was not re-sealed",
    hint="If the change is intended, a key holder runs `smtpops secrets reseal ENV/NAME` on this branch and commits the file; otherwise undo the change.",
    why="Test and deploy send a password only to the server it was sealed for, so a change of host, port, tls, ca_file or username that comes without a re-seal cannot deploy; `smtpops validate --base REV` shows it in the pull request, before any key is involved, so that it is reviewed as the security change it is.",
    bad=Example(yaml="host: smtp2.example.com\n", base=""),
    good=Example(yaml="description: a change that is not about the server\n", base=""),
    references=("smtpops secrets reseal --help",),
)
def server_changed_without_reseal(repo: RepoContext) -> Iterator[Hit]:
    """With ``--base``: the bound fields that differ from the base while the password and its
    seal are byte-identical (nobody re-sealed it), or a seal that was removed."""
    for ctx in repo.files:
        before = repo.base_files.get(ctx.path)
        changed = unsealed_changes(before, ctx.raw) if before is not None else []
        if not changed:
            continue
        command = _reseal(ctx)
        what = _what(ctx) if FIELD in ctx.raw else secret_words(before or {})
        many = what.endswith("s")
        if changed == [FIELD]:
            yield Hit(
                path=ctx.path,
                field=(OAUTH,) if _oauth(ctx) else ("password",),
                message=f"the seal that binds {what} to {'their' if many else 'its'} server "
                f"({FIELD}) was removed since the base revision",
                hint=f"Restore it from the base (git restore --source BASE {ctx.path}), or a key "
                f"holder runs `{command}` and commits.",
            )
            continue
        yield Hit(
            path=ctx.path,
            field=tuple(changed[0].split(".")),
            message=f"{', '.join(changed)} changed since the base revision, but {what} "
            f"{'were' if many else 'was'} not re-sealed for it: test and deploy will not send "
            f"{'them' if many else 'it'}",
            hint=f"If the change is intended, a key holder runs `{command}` on this branch and "
            "commits the file; otherwise undo the change.",
        )
