"""sops' exit codes and error text, turned into plain words with a fix.

sops may echo a hand-edited value in its error text; nothing of its text is shown unless
it is one of the known, harmless shapes (and it is always scrubbed of the secret first).
"""

from __future__ import annotations

from smtpops.encryption.runner import Completed
from smtpops.errors import EncryptionError

# sops' exit codes (cmd/sops/codes)
COULD_NOT_RETRIEVE_KEY = 128
ERROR_DECRYPTING_MAC = 24
ERROR_DECRYPTING_TREE = 25
MAC_MISMATCH = 51
MAC_NOT_FOUND = 52
FILE_ALREADY_ENCRYPTED = 203

EDITED = (
    "Restore the file from git (`git checkout -- {path}`), or enter {again}. Edit encrypted "
    "values only through smtpops or sops."
)


def edited(path: str, *, oauth: bool = False) -> str:
    """The fix for a file whose encrypted values were edited outside sops."""
    return EDITED.format(path=path, again=_again(path, oauth))


def _setter(path: str, oauth: bool) -> str:
    """The command that enters the secrets of ``path``: the password, or an OAuth2 config's
    client secret, key or refresh token (``set-password`` refuses an OAuth2 config)."""
    return f"smtpops secrets set-oauth {path}" if oauth else f"smtpops secrets set-password {path}"


def _again(path: str, oauth: bool) -> str:
    what = "the OAuth2 secrets" if oauth else "the password"
    return f"{what} again with `{_setter(path, oauth)}`"


def no_key(path: str, stderr: str) -> EncryptionError:
    if "did not match any of the recipients" in stderr or "no identity matched" in stderr:
        return EncryptionError(
            f"{path}: none of your age keys can open this file: no key for this environment",
            hint="Use the key of this environment (SOPS_AGE_KEY_FILE=/path/to/key), or ask someone "
            "who has one to add your public key: `smtpops keys add --env ENV age1…` then "
            "`smtpops secrets updatekeys`.",
        )
    return EncryptionError(
        f"{path}: no age key found on this machine: no key for this environment",
        hint="Point SOPS_AGE_KEY_FILE at your key file, put the key in SOPS_AGE_KEY (CI), or make "
        "one with `smtpops keys init --env ENV`.",
    )


def is_no_key(result: Completed) -> bool:
    """Whether sops could not get the data key (no key, or no key that opens an entry)."""
    return (
        result.returncode == COULD_NOT_RETRIEVE_KEY or "Failed to get the data key" in result.stderr
    )


def entry_does_not_open(path: str, recipient: str, *, oauth: bool = False) -> EncryptionError:
    """Your key is one the file lists, yet its age entry does not open with it: the entry
    (the data key encrypted for your key) was damaged or edited outside sops."""
    return EncryptionError(
        f"{path}: the file lists your age key ({recipient[:12]}…), but its age entry does not "
        "open with your key: the entry in the sops section is damaged or was edited outside sops",
        hint=f"Restore the file from git (`git checkout -- {path}`); if the damage is committed, "
        "someone whose key still opens the file runs `smtpops secrets updatekeys` on it, or "
        f"enter {_again(path, oauth)}.",
    )


def explain(
    result: Completed, path: str, held: tuple[str, ...] = (), *, oauth: bool = False
) -> EncryptionError:
    """The error for a failed sops run on ``path``; ``held`` are the recipients the file lists
    whose private key is on this machine (a missing data key then means a damaged entry);
    ``oauth``: the file is an OAuth2 config (its secrets are entered with ``set-oauth``)."""
    code, err = result.returncode, result.stderr
    if is_no_key(result):
        return entry_does_not_open(path, held[0], oauth=oauth) if held else no_key(path, err)
    if code in (MAC_MISMATCH, ERROR_DECRYPTING_MAC) or "MAC mismatch" in err:
        return EncryptionError(
            f"{path}: the file's checksum (sops mac) does not match its encrypted values: "
            "it was edited outside sops",
            hint=edited(path, oauth=oauth),
        )
    if code == MAC_NOT_FOUND:
        return EncryptionError(
            f"{path}: the file's checksum (sops mac) is missing: it was edited outside sops",
            hint=edited(path, oauth=oauth),
        )
    if code == ERROR_DECRYPTING_TREE:
        what = (
            "was replaced by a value that is not encrypted"
            if "does not match sops' data format" in err
            else "cannot be decrypted (its ciphertext or tag was changed)"
        )
        secret = "an encrypted OAuth2 secret" if oauth else "the encrypted password"
        return EncryptionError(
            f"{path}: {secret} {what}: it was edited outside sops",
            hint=edited(path, oauth=oauth),
        )
    if "metadata not found" in err:
        return EncryptionError(
            f"{path}: the file is not encrypted with sops (no sops section)",
            hint=f"Run `{_setter(path, oauth)}`.",
        )
    if "no matching creation rules found" in err:
        return EncryptionError(
            f"{path}: .sops.yaml has no rule for this file's folder, so smtpops does not know "
            "whose keys to encrypt it for",
            hint="Make the environment's key first: `smtpops keys init --env ENV`.",
        )
    first = next((line.strip() for line in err.splitlines() if line.strip()), "no error text")
    if "Input string" in first:
        first = "a value in the file is not in sops' format"
    return EncryptionError(
        f"{path}: sops failed (exit {code}): {first[:200]}",
        hint="Run `smtpops secrets check` on the file for details.",
    )
