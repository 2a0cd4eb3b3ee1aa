"""The repository's ``.sops.yaml``: one creation rule per environment, listing the age public
keys (recipients) that can read the passwords of ``configs/<env>/``.

Read here without a key (the keyless checks compare a file's recipients with its rule) and
written by ``smtpops keys``.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from smtpops import yamlio
from smtpops.encryption import sops_regex
from smtpops.errors import InputError
from smtpops.oauth.flows import SECRET_FIELDS as OAUTH_SECRETS
from smtpops.records import record

FILE_NAME = ".sops.yaml"
# the keys sops encrypts (at any depth): the password, its seal and the oauth block's secret parts
ENCRYPTED_KEYS = ("password", "password_binding", *OAUTH_SECRETS)
ENCRYPTED_REGEX = "^(" + "|".join(ENCRYPTED_KEYS) + ")$"
# what earlier smtpops versions wrote; `smtpops secrets updatekeys` replaces it
LEGACY_REGEXES = ("^password$", "^(password|password_binding)$")
HEADER = """\
# Who can read the passwords of each environment: one creation rule per configs/<env>/ folder,
# listing the age public keys (recipients) of the people and CI jobs allowed to decrypt them.
# Managed with `smtpops keys init|add|remove --env ENV`; after a change, run
# `smtpops secrets updatekeys` (a key was added) or `smtpops secrets rotate` (a key was removed).
"""


@record(frozen=True, kw_only=True)
class CreationRule:
    index: int
    path_regex: str | None
    recipients: tuple[str, ...]
    encrypted_regex: str | None = None

    def matches(self, relative: str) -> bool:
        return self.path_regex is None or sops_regex.search(self.path_regex, relative)

    @property
    def environment(self) -> str | None:
        """The environment an smtpops-style rule (``^configs/ENV/``) is for."""
        match = re.match(r"\^?configs/([\w-]+)/", self.path_regex or "")
        return match[1] if match else None


@record(frozen=True, kw_only=True)
class SopsConfig:
    path: str
    root: str
    rules: tuple[CreationRule, ...]
    data: dict[str, object]

    def rule_for(self, file_path: str) -> CreationRule | None:
        """The first rule whose path_regex matches the path relative to the root (as sops does)."""
        relative = os.path.relpath(os.path.abspath(file_path), self.root).replace(os.sep, "/")
        return next((r for r in self.rules if r.matches(relative)), None)

    def rule_for_env(self, env: str) -> CreationRule | None:
        return next((r for r in self.rules if r.environment == env), None)


def _split_recipients(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[object] = [v for v in re.split(r"[,\s]+", value) if v]
    elif isinstance(value, list):
        items = list(value)
    else:
        return ()
    return tuple(str(v).strip() for v in items if str(v).strip())


def _rules(data: dict[str, object]) -> tuple[CreationRule, ...]:
    raw = data.get("creation_rules") or []
    rules = []
    for i, entry in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(entry, dict):
            continue
        recipients = list(_split_recipients(entry.get("age")))
        for group in entry.get("key_groups") or []:
            if isinstance(group, dict):
                recipients.extend(_split_recipients(group.get("age")))
        regex = entry.get("path_regex")
        rules.append(
            CreationRule(
                index=i,
                path_regex=str(regex) if regex else None,
                recipients=tuple(dict.fromkeys(recipients)),
                encrypted_regex=entry.get("encrypted_regex")
                if isinstance(entry.get("encrypted_regex"), str)
                else None,
            )
        )
    return tuple(rules)


@lru_cache(maxsize=32)
def _load(path: str, _stamp: tuple[int, int]) -> SopsConfig:
    try:
        data = yamlio.load_path(path).data or {}
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read the sops settings ({type(exc).__name__})",
            hint="Fix the YAML of .sops.yaml, or restore it from git.",
        ) from None
    except yamlio.LoadError as exc:
        line = f" (line {exc.mark.line})" if exc.mark else ""
        raise InputError(
            f"{path}: cannot read the sops settings: {exc.message}{line}",
            hint="Fix the YAML of .sops.yaml, or restore it from git.",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: the sops settings are not a mapping",
            hint="Restore .sops.yaml from git, or recreate it with `smtpops keys init`.",
        )
    return SopsConfig(
        path=path, root=os.path.dirname(os.path.abspath(path)), rules=_rules(data), data=data
    )


def load(path: str) -> SopsConfig:
    stat = os.stat(path)
    return _load(os.path.abspath(path), (stat.st_mtime_ns, stat.st_size))


def find(start: str) -> str | None:
    """The nearest ``.sops.yaml`` in ``start`` (a file or folder) or one of its parents."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        candidate = os.path.join(here, FILE_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def for_file(file_path: str) -> SopsConfig | None:
    found = find(file_path)
    return load(found) if found else None


def covers(regex: str | None, key: str) -> bool:
    """Whether sops with this encrypted_regex encrypts a value under ``key`` (None: all)."""
    if regex is None:
        return True
    return sops_regex.search(regex, key)  # the file's own pattern: RE2, as sops reads it
