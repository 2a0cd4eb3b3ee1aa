"""The oauth block's secret parts with the real sops: encrypted into a config (public keys
only) and decrypted in memory (a key of the environment).

Only the ``oauth:`` block, the seal (``password_binding``: the server, token endpoint, app and
tenant the secrets were set for, :mod:`smtpops.encryption.binding`) and the ``sops:`` block
of the file change; they are taken from sops' output and spliced into the original text, like
the password. The secrets are handed to a sender only while the seal matches the file.
"""

from __future__ import annotations

import json
from typing import Any

from smtpops import yamlio
from smtpops.encryption import binding, failures, runner, splice
from smtpops.encryption.fields import encrypted_paths
from smtpops.encryption.password import (
    _read,
    _rule,
    _yaml_quoted,
    check_sealed,
    decrypt_for_sending,
    encrypt_document,
    set_password,
    unseal,
)
from smtpops.encryption.sops_format import looks_encrypted
from smtpops.errors import EncryptionError, UsageError
from smtpops.model import TOKEN_MECHANISMS, Config
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.flows import SECRET_FIELDS
from smtpops.secret import Secret

SET = "smtpops secrets set-oauth"


def _block(data: Any, path: str) -> dict[str, Any]:
    block = data.get("oauth") if isinstance(data, dict) else None
    if not isinstance(block, dict) or not block.get("flow"):
        raise UsageError(
            f"{path}: the file has no oauth block with a flow",
            hint="Add one first (`smtpops new --auth oauth` writes it), e.g. oauth: {flow: "
            "microsoft-app-only, tenant: ..., client_id: ...}.",
        )
    return block


def _check(parts: dict[str, Secret]) -> None:
    for name, value in parts.items():
        if name not in SECRET_FIELDS:
            raise UsageError(f"'{name}' is not a secret part of the oauth block")
        if not value:
            raise UsageError(f"the {name} is empty", hint="Paste the value your provider gave you.")
        multiline = name in ("private_key", "service_account_key")
        if any(
            (ord(c) < 0x20 and not (multiline and c in "\n\r\t")) or ord(c) == 0x7F
            for c in value.reveal()
        ):
            raise UsageError(
                f"the {name} contains a control character",
                hint="Paste it again without stray characters.",
            )


def set_oauth(path: str, parts: dict[str, Secret]) -> None:
    """Encrypt the secret ``parts`` into the oauth block of ``path`` for the recipients of its
    ``.sops.yaml`` rule, sealed to the file's server and oauth fields as they are now
    (``password_binding``). Every secret part of the block is replaced: the parts not given
    are removed (encryption with public keys cannot keep an old data key). The write is
    atomic."""
    # lazy(start-up): .sops.yaml's rules (~3 ms) only for encrypting; decrypting never reads them
    from smtpops.encryption import sops_config

    _check(parts)
    text = _read(path)
    lay = splice.layout(text, path)
    data = yamlio.values(text)
    block = _block(data, path)
    if looks_encrypted(data.get("password")):
        raise EncryptionError(
            f"{path}: the file also holds an encrypted password, which OAuth2 does not use",
            hint="Remove the password line (it stays in the git history), then run "
            f"`{SET} {path}` again.",
        )
    config, rule = _rule(path)
    uncovered = [n for n in parts if not sops_config.covers(rule.encrypted_regex, n)]
    if uncovered:
        raise EncryptionError(
            f"{path}: the .sops.yaml rule for this folder would leave {', '.join(uncovered)} in "
            "plain text (its encrypted_regex predates OAuth2 support)",
            hint="Run `smtpops secrets updatekeys` once (it updates .sops.yaml), then try again.",
        )
    readable = {k: v for k, v in block.items() if k not in SECRET_FIELDS}
    quoted = {k: _yaml_quoted(v.reveal()) for k, v in parts.items()}
    lines = ["oauth:\n"]
    lines += [f"  {k}: {_yaml_quoted(str(v))}\n" for k, v in readable.items()]
    lines += [f"  {k}: {q}\n" for k, q in quoted.items()]
    bound = binding.dumps(binding.record(data, binding.repo_root(path)))
    plain = splice.replace_blocks(lay, {"oauth": "".join(lines)})
    plain = splice.with_binding(splice.layout(plain, path), _yaml_quoted(bound))
    plain_lay = splice.layout(plain, path)
    if plain_lay.sops is not None:
        plain = plain[: plain_lay.sops.start] + plain[plain_lay.sops.end :]
    secrets = list(parts.values())
    forms = tuple(s.reveal() for s in secrets[1:]) + tuple(q[1:-1] for q in quoted.values())
    output = encrypt_document(config.path, path, plain, secrets[0], forms)
    del plain, lines, quoted, forms
    out = splice.layout(output, path)
    out_data = yamlio.values(output)
    if out.oauth is None or out.sops is None:
        raise EncryptionError(f"{path}: sops returned no oauth or sops block")
    encrypted = {p[-1] for p in encrypted_paths(out_data)}
    if encrypted != set(parts) or _encrypts_more(out_data):
        raise EncryptionError(
            f"{path}: the .sops.yaml rule for this folder does not encrypt exactly the secret "
            "parts",
            hint=f"Set `encrypted_regex: {sops_config.ENCRYPTED_REGEX}` and "
            "`mac_only_encrypted: true` in the rule (`smtpops secrets updatekeys` does it).",
        )
    sealed = output[out.binding.start : out.binding.end].strip() if out.binding else ""
    if not looks_encrypted(sealed):
        raise EncryptionError(
            f"{path}: sops did not encrypt the seal of the OAuth2 secrets ({splice.BINDING})",
            hint="Check the encrypted_regex of the .sops.yaml rule for this folder.",
        )
    new = {
        "oauth": splice.block_text(output, out.oauth),
        "sops": splice.block_text(output, out.sops),
    }
    sealed_lay = splice.layout(splice.with_binding(lay, sealed), path)
    # lazy(start-up): atomic loads tempfile (~3 ms); decrypting, what a test does, never writes
    from smtpops import atomic

    atomic.write_text(path, splice.replace_blocks(sealed_lay, new))


def _encrypts_more(data: dict[str, Any]) -> bool:
    """Whether sops encrypted a readable field (anything but the oauth secret parts)."""
    block = data.get("oauth") or {}
    readable = [v for k, v in block.items() if k not in SECRET_FIELDS]
    rest = [v for k, v in data.items() if k not in ("oauth", "sops", splice.BINDING)]
    return any(looks_encrypted(v) for v in (*readable, *rest))


def unseal_oauth(path: str) -> tuple[OAuthCredentials, str | None]:
    """The oauth block of ``path`` with its secret parts decrypted in memory and the decrypted
    seal (None when the file has none), from one sops run that checks the MAC."""
    text = _read(path)
    data = yamlio.values(text)
    _block(data, path)
    plain = [p for p in encrypted_paths(data) if p[0] == "oauth"]
    if not plain:
        raise EncryptionError(
            f"{path}: the oauth block has no encrypted secret part",
            hint=f"Run `{SET} {path}` to enter the client secret, key or refresh token.",
        )
    result = runner.run(runner.decrypt_args(path, *runner.AS_JSON))
    if result.returncode != 0:
        raise failures.explain(result, path, oauth=True)
    try:
        document = json.loads(result.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    block = document.get("oauth") if isinstance(document, dict) else None
    if not isinstance(block, dict):
        raise EncryptionError(f"{path}: the decrypted oauth block is not readable")
    assert isinstance(document, dict)
    parts = {k: Secret(str(block[k])) for k in SECRET_FIELDS if isinstance(block.get(k), str)}
    sealed = document.get(splice.BINDING)
    block.clear()
    document.clear()
    settings = Config.from_raw(data).oauth
    assert settings is not None
    credentials = OAuthCredentials(settings=settings, parts=parts)
    return credentials, sealed if isinstance(sealed, str) else None


def decrypt_oauth(path: str) -> OAuthCredentials:
    """The OAuth2 credentials of ``path`` for getting a token and signing in: decrypted, and
    only while their seal matches the file's server and oauth fields
    (:func:`~smtpops.encryption.binding.check_binding`)."""
    credentials, sealed = unseal_oauth(path)
    check_sealed(path, sealed)
    return credentials


def unseal_credentials(path: str) -> tuple[Secret | OAuthCredentials, str | None]:
    """What the config signs in with, decrypted, and its decrypted seal: not checked yet (for
    ``secrets reseal`` and the checks that report a mismatch themselves)."""
    if _uses_token(path):
        return unseal_oauth(path)
    return unseal(path)


def _uses_token(path: str) -> bool:
    data = yamlio.values(_read(path))
    return isinstance(data, dict) and data.get("auth_protocol") in TOKEN_MECHANISMS


def decrypt_credentials(path: str) -> Secret | OAuthCredentials:
    """What the config signs in with: its OAuth2 credentials (XOAUTH2/OAUTHBEARER) or its
    password, either only while its seal matches the file's fields
    (:func:`decrypt_oauth`, :func:`~smtpops.encryption.password.decrypt_for_sending`)."""
    if _uses_token(path):
        return decrypt_oauth(path)
    return decrypt_for_sending(path)


def reseal(path: str) -> None:
    """Encrypt the secret of ``path`` again, sealed to the fields the file has now."""
    found, _ = unseal_credentials(path)
    if isinstance(found, Secret):
        set_password(path, found)
    else:
        set_oauth(path, found.parts)


def reencrypt_for(path_src: str, path_dst: str) -> None:
    """Carry the password (or the OAuth2 secret parts) of ``path_src`` into ``path_dst``,
    encrypted for ``path_dst``'s environment (needs a key of the source environment; only
    public keys of the target). The secret must match its seal: the target is sealed to the
    source's fields, so a server change that slipped into the source is not sealed on."""
    found = decrypt_credentials(path_src)
    if isinstance(found, Secret):
        set_password(path_dst, found)
    else:
        set_oauth(path_dst, found.parts)
