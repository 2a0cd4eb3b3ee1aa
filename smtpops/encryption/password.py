"""Reading and writing the encrypted password of one config file with the real sops.

Writing needs only the environment's public keys (from ``.sops.yaml``); reading needs one of
its private keys (``SOPS_AGE_KEY``, ``SOPS_AGE_KEY_FILE`` or sops' default key file).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from smtpops import yamlio
from smtpops.encryption import binding, failures, runner, splice
from smtpops.encryption.fields import encrypted_paths, has_encrypted_secret
from smtpops.encryption.sops_format import looks_encrypted, read_metadata
from smtpops.errors import EncryptionError, InputError, UsageError
from smtpops.secret import Secret

if TYPE_CHECKING:
    from smtpops.encryption import sops_config


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", hint="Check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read the file ({type(exc).__name__})",
            hint="Check the path and that the file is UTF-8 text.",
        ) from None


def _decrypt(data: dict[str, Any], path: str, args: list[str]) -> bytes:
    """sops ``decrypt ARGS path`` on a file (its values ``data``) whose password is
    encrypted; its stdout (which holds plaintext: never print it), or the failure in plain
    words."""
    decrypt_password_checks(data, path)
    result = runner.run(runner.decrypt_args(path, *args))
    if result.returncode != 0:
        held = _held_recipients(data) if failures.is_no_key(result) else ()
        raise failures.explain(result, path, held)
    return result.stdout


def decrypt_password(path: str) -> Secret:
    """The decrypted password of ``path``, held in memory only; sops checks the MAC."""
    out = _decrypt(splice.values(_read(path), path), path, ["--extract", '["password"]'])
    try:
        return Secret(out.decode("utf-8"))
    except UnicodeDecodeError:
        raise EncryptionError(
            f"{path}: the decrypted password is not UTF-8 text",
            hint=f"Enter it again with `smtpops secrets set-password {path}`.",
        ) from None


def decrypt_password_checks(data: dict[str, Any], path: str) -> None:
    """Refuse, before running sops, a file (its values ``data``) whose password is missing or
    not encrypted."""
    if splice.PASSWORD not in data:
        raise EncryptionError(
            f"{path}: the file has no password", hint=f"Run `smtpops secrets set-password {path}`."
        )
    if not looks_encrypted(data[splice.PASSWORD]):
        raise EncryptionError(
            f"{path}: the password is stored in plain text, not encrypted",
            hint=f"Run `smtpops secrets set-password {path}` to encrypt it.",
        )
    if splice.SOPS not in data:
        raise EncryptionError(
            f"{path}: the password looks encrypted but the sops section is missing",
            hint=failures.edited(path),
        )


def _held_recipients(data: dict[str, Any]) -> tuple[str, ...]:
    """The recipients of the file (its values ``data``) whose private key is on this machine."""
    # a decryption that works does not load the key files' module (and atomic, tempfile):
    # lazy(start-up): ~4 ms, only on this failure path
    from smtpops.encryption.keys import available_recipients

    listed = read_metadata(data.get(splice.SOPS)).recipients
    mine = available_recipients()
    return tuple(r for r in listed if r in mine)


def _yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that any YAML 1.1/1.2 parser reads back exactly."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif (
            0x20 <= code <= 0x7E
            or (0xA0 <= code <= 0xD7FF)
            or (0xE000 <= code <= 0xFFFD)
            or code > 0xFFFF
        ):
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def _check_password(password: Secret) -> None:
    value = password.reveal()
    if not value:
        raise UsageError("the password is empty", hint="Enter the password your provider gave you.")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise UsageError(
            "the password contains a line break or another control character",
            hint="Enter it on one line; paste it without a trailing newline.",
        )


def _rule(path: str) -> tuple[sops_config.SopsConfig, sops_config.CreationRule]:
    # lazy(start-up): .sops.yaml's rules (~3 ms) only for encrypting; decrypting never reads them
    from smtpops.encryption import sops_config

    config = sops_config.for_file(path)
    if config is None:
        raise EncryptionError(
            f"{path}: there is no .sops.yaml in this repository, so smtpops does not know whose "
            "keys to encrypt the password for",
            hint="Make a key for the environment first: `smtpops keys init --env ENV`.",
        )
    rule = config.rule_for(path)
    if rule is None or not rule.recipients:
        raise EncryptionError(
            f"{path}: {os.path.relpath(config.path)} has no rule with age keys for this folder",
            hint="Make a key for the environment first: `smtpops keys init --env ENV`.",
        )
    return config, rule


def _encrypts_more(output: str) -> bool:
    """Whether sops encrypted anything besides the password (a value or a comment)."""

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            return any(walk(v) for v in node.values())
        if isinstance(node, list):
            return any(walk(v) for v in node)
        return looks_encrypted(node)

    data = yamlio.values(output)
    sealed = (splice.PASSWORD, splice.BINDING, splice.SOPS)
    rest = {k: v for k, v in data.items() if k not in sealed}
    return walk(rest) or "#ENC[" in output


def encrypt_document(
    sops_path: str, path: str, plaintext: str, secret: Secret, forms: tuple[str, ...] = ()
) -> str:
    """sops' encryption of ``plaintext`` (a whole config, given only through a pipe) as the
    file at ``path`` by the rules of ``sops_path``; its error text is scrubbed of ``secret``
    and the other ``forms`` the secrets were written in."""
    # lazy(start-up): sops_config (~3 ms) only for encrypting (see _rule)
    from smtpops.encryption import sops_config

    result = runner.run(
        [
            "--config",
            sops_path,
            "encrypt",
            "--filename-override",
            os.path.abspath(path),
            "--input-type",
            "yaml",
            "--output-type",
            "yaml",
            "--encrypted-regex",
            sops_config.ENCRYPTED_REGEX,  # also for a .sops.yaml written before bindings
        ],
        stdin=plaintext.encode("utf-8"),
        secret=secret,
        forms=forms,
    )
    if result.returncode != 0:
        raise failures.explain(result, path)
    return result.stdout.decode("utf-8")


def set_password(path: str, password: Secret) -> None:
    """Encrypt ``password`` into ``path`` for the recipients of its ``.sops.yaml`` rule.

    The file becomes a sops file if it was not one; otherwise the value and the sops block
    are replaced. Next to the password, sops encrypts its binding: the server fields of the
    file as they are now (:mod:`smtpops.encryption.binding`). Everything else stays
    byte-identical. The write is atomic.
    """
    _check_password(password)
    text = _read(path)
    if any(p[0] == "oauth" for p in encrypted_paths(yamlio.values(text))):
        raise EncryptionError(
            f"{path}: this config signs in with OAuth2 (its oauth block is encrypted), so it "
            "takes no password",
            hint=f"Set its client secret, key or refresh token with `smtpops secrets set-oauth "
            f"{path}`.",
        )
    lay = splice.with_password_field(splice.layout(text, path), path)
    config, _ = _rule(path)
    quoted = _yaml_quoted(password.reveal())
    data = yamlio.values(lay.text)
    bound = binding.dumps(binding.record(data, binding.repo_root(path)))
    plaintext = splice.plaintext_document(lay, quoted, _yaml_quoted(bound))
    output = encrypt_document(config.path, path, plaintext, password, (quoted[1:-1],))
    del plaintext
    encrypted = splice.take_from_sops_output(output, path)
    if _encrypts_more(output):
        # lazy(start-up): sops_config (~3 ms) only for encrypting (see _rule)
        from smtpops.encryption import sops_config

        raise EncryptionError(
            f"{path}: the .sops.yaml rule for this folder encrypts more than the password",
            hint=f"Add `encrypted_regex: {sops_config.ENCRYPTED_REGEX}` and `mac_only_encrypted: "
            "true` to the rule "
            "(`smtpops keys init` writes them).",
        )
    # lazy(start-up): atomic loads tempfile (~3 ms); of the password's uses only a write needs it
    from smtpops import atomic

    atomic.write_text(path, splice.splice(lay, encrypted))


def unseal(path: str) -> tuple[Secret, str | None]:
    """The decrypted password of ``path`` and its decrypted binding (None when the file has
    none), from one sops run that checks the MAC. Held in memory only."""
    data = splice.values(_read(path), path)  # a read needs no field's place in the text
    if splice.BINDING not in data:
        return decrypt_password(path), None
    out = _decrypt(data, path, list(runner.AS_JSON))
    try:
        document = json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    if not isinstance(document, dict):
        raise EncryptionError(
            f"{path}: sops returned something that is not the decrypted file",
            hint="Run `smtpops secrets check` on the file for details.",
        )
    value, sealed = document.get(splice.PASSWORD), document.get(splice.BINDING)
    del document
    if not isinstance(value, str):
        raise EncryptionError(
            f"{path}: the decrypted password is not text",
            hint=f"Enter it again with `smtpops secrets set-password {path}`.",
        )
    return Secret(value), sealed if isinstance(sealed, str) else None


def decrypt_for_sending(path: str) -> Secret:
    """The password of ``path`` for sending to its server: decrypted, and only if its sealed
    binding matches the file's server fields (:func:`binding.check_binding`)."""
    secret, sealed = unseal(path)
    check_sealed(path, sealed)
    return secret


def decrypt_for_fields(path: str, data: dict[str, Any]) -> Secret:
    """The password of ``path`` for sending to the server fields ``data`` (an edit of the file
    not written yet, such as the web page's form): only if its seal matches those fields, so
    an edit of host, port, tls, CA or username cannot take the stored password along."""
    secret, sealed = unseal(path)
    binding.check_binding(path, data, sealed)
    return secret


def check_sealed(path: str, sealed: str | None) -> None:
    """:func:`binding.check_binding` of ``path``'s server fields as they are on disk against
    its decrypted binding ``sealed`` (from :func:`unseal`)."""
    try:
        data = yamlio.load_path(path).data
    except (OSError, yamlio.LoadError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    binding.check_binding(path, data if isinstance(data, dict) else {}, sealed)


def is_sops_file(text: str) -> bool:
    try:
        data = yamlio.loads(text).data
    except yamlio.LoadError:
        return False
    return isinstance(data, dict) and "sops" in data and has_encrypted_secret(data)
