"""age identities (made with pyrage) and the recipients of each environment in ``.sops.yaml``."""

from __future__ import annotations

import datetime
import os
import re
import sys

import yaml

from smtpops import atomic
from smtpops.encryption import sops_config
from smtpops.encryption.leaks import AGE_SECRET_KEY
from smtpops.encryption.sops_format import valid_recipient
from smtpops.errors import InputError, UsageError
from smtpops.records import record

ENV_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@record(frozen=True, kw_only=True)
class NewKey:
    recipient: str
    key_file: str


def default_key_file() -> str:
    """Where sops looks for age keys when SOPS_AGE_KEY_FILE is not set."""
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return os.path.join(base, "sops", "age", "keys.txt")


def generate(key_file: str, comment: str) -> NewKey:
    """A new age identity appended to ``key_file`` (created 0600 in a 0700 folder)."""
    # lazy: pyrage is heavy: only the key commands load it (CLI start-up stays light)
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    folder = os.path.dirname(os.path.abspath(key_file))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry = f"# {comment}\n# created: {stamp}\n# public key: {recipient}\n{identity}\n"
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    fd = os.open(key_file, flags, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        if handle.tell() and not _ends_with_newline(key_file):
            handle.write("\n")
        handle.write(entry)
    os.chmod(key_file, 0o600)
    return NewKey(recipient=recipient, key_file=key_file)


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def identities_recipients(texts: list[str]) -> set[str]:
    """The public keys of the age identities found in ``texts`` (key files or SOPS_AGE_KEY)."""
    # lazy: pyrage is heavy: only the key commands load it (CLI start-up stays light)
    import pyrage

    found = set()
    for text in texts:
        for match in AGE_SECRET_KEY.finditer(text):
            try:
                found.add(str(pyrage.x25519.Identity.from_str(match[0]).to_public()))
            except Exception:
                continue
    return found


def file_recipients(path: str) -> set[str]:
    """The public keys of the age identities in one key file (none when it is unreadable)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return identities_recipients([handle.read()])
    except (OSError, UnicodeDecodeError):
        return set()


def identity_recipient(path: str) -> str:
    """The public key of the one age identity in ``path`` (``keys init --identity``)."""
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file", hint="Give the age key file you already use.")
    found = file_recipients(path)
    if len(found) != 1:
        raise InputError(
            f"{path} holds {len(found)} age identities; --identity needs a file with exactly one",
            hint="Give a key file with one AGE-SECRET-KEY-… line (age-keygen makes one).",
        )
    return found.pop()


def available_recipients() -> set[str]:
    """Public keys of the private keys sops would use here (SOPS_AGE_KEY, its file, default)."""
    texts = [os.environ.get("SOPS_AGE_KEY", "")]
    for path in (os.environ.get("SOPS_AGE_KEY_FILE"), default_key_file()):
        if path and os.path.isfile(path):
            try:
                with open(path, encoding="utf-8") as handle:
                    texts.append(handle.read())
            except (OSError, UnicodeDecodeError):
                continue
    return identities_recipients(texts)


def check_environment(env: str) -> None:
    if not ENV_NAME.fullmatch(env):
        raise UsageError(
            f"'{env}' is not an environment name",
            hint="Use the folder name under configs/, e.g. production.",
        )


def check_recipient(recipient: str) -> None:
    if valid_recipient(recipient):
        return
    if "SECRET-KEY" in recipient.upper():
        raise UsageError(
            "that is a private key, not a public key: it was not saved anywhere",
            hint="Give the age1… public key instead. The private key was shown on your screen "
            "and may be in your shell history: if in doubt, make a new one.",
        )
    shown = recipient[:70] if recipient.isprintable() else "the value given"
    raise UsageError(
        f"'{shown}' is not an age public key",
        hint="A public key starts with age1 and is 62 characters long; `smtpops keys init` "
        "prints yours.",
    )


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _rule_entry(env: str) -> dict[str, object]:
    return {
        "path_regex": f"^configs/{env}/",
        "encrypted_regex": sops_config.ENCRYPTED_REGEX,
        "mac_only_encrypted": True,
        "age": [],
    }


def _load_data(path: str) -> dict[str, object]:
    if not os.path.exists(path):
        return {"stores": {"yaml": {"indent": 2}}, "creation_rules": []}
    data = dict(sops_config.load(path).data)
    data.setdefault("creation_rules", [])
    if not isinstance(data["creation_rules"], list):
        raise InputError(f"{path}: creation_rules is not a list", hint="Fix .sops.yaml by hand.")
    return data


def change_recipients(
    sops_path: str, env: str, *, add: str | None = None, remove: str | None = None
) -> list[str]:
    """Add or remove one recipient of ``env``'s rule; the rule is created when missing (before
    any catch-all rule). Returns the rule's recipients afterwards."""
    data = _load_data(sops_path)
    rules: list[dict[str, object]] = data["creation_rules"]  # type: ignore[assignment]
    parsed = sops_config._rules(data)
    entry = next((rules[r.index] for r in parsed if r.environment == env), None)
    if entry is None:
        if remove:
            raise UsageError(f"{sops_path} has no rule for {env}", hint="Nothing to remove.")
        entry = _rule_entry(env)
        catch_all = next(
            (i for i, r in enumerate(rules) if isinstance(r, dict) and not r.get("path_regex")),
            len(rules),
        )
        rules.insert(catch_all, entry)
    current = list(sops_config._split_recipients(entry.get("age")))
    if add and add not in current:
        current.append(add)
    if remove:
        if remove not in current:
            raise UsageError(
                f"{remove[:80]} is not a key of {env}",
                hint=f"`smtpops keys list --env {env}` shows its keys.",
            )
        current.remove(remove)
    entry["age"] = current
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, indent=2)
    atomic.write_text(sops_path, _header(sops_path) + text)
    return current


def migrate_encrypted_regex(sops_path: str) -> list[str]:
    """Rules whose encrypted_regex an earlier smtpops wrote (``^password$``) get the current
    one, which also encrypts the oauth block's secret parts. Returns the environments (or rule
    numbers) changed; the file is rewritten only when something changed."""
    if not os.path.exists(sops_path):
        return []
    data = _load_data(sops_path)
    rules: list[object] = data["creation_rules"]  # type: ignore[assignment]
    changed = []
    for parsed in sops_config._rules(data):
        entry = rules[parsed.index]
        if isinstance(entry, dict) and entry.get("encrypted_regex") in sops_config.LEGACY_REGEXES:
            entry["encrypted_regex"] = sops_config.ENCRYPTED_REGEX
            changed.append(parsed.environment or f"rule {parsed.index + 1}")
    if changed:
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, indent=2)
        atomic.write_text(sops_path, _header(sops_path) + text)
    return changed


def _header(path: str) -> str:
    """The comment lines that open an existing .sops.yaml (kept), else smtpops' own."""
    if not os.path.exists(path):
        return sops_config.HEADER
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines(keepends=True)
    kept = []
    for line in lines:
        if not line.startswith("#"):
            break
        kept.append(line)
    return "".join(kept) or sops_config.HEADER
