"""Switching ``active:`` on and off by editing one line, so the rest of a file (and its
SOPS block) stays byte-identical; and finding which config of an environment is active."""

from __future__ import annotations

import os
import re

from smtpops import discovery, yamlio
from smtpops.errors import InputError
from smtpops.records import record

_VALUE = re.compile(r"^(?P<head>\s*active\s*:[ \t]*)(?P<value>[^\s#]+)(?P<tail>.*)$", re.DOTALL)


@record(frozen=True, kw_only=True)
class EnvConfig:
    """One config file of an environment, as far as activation cares."""

    name: str  # file name without suffix
    rel: str  # path relative to the repository root
    path: str
    active: bool
    data: dict  # type: ignore[type-arg]


def set_active(text: str, value: bool, *, where: str = "the config") -> str:
    """``text`` with its top-level ``active:`` set to ``value`` (added after ``name:`` or at
    the top when missing). Everything else is left byte for byte."""
    doc = _load(text, where)
    word = "true" if value else "false"
    lines = text.splitlines(keepends=True)
    mark = doc.keys.get(("active",))
    if mark is not None:
        index = mark.line - 1
        match = _VALUE.match(lines[index])
        if match is None or doc.values.get(("active",), mark).line != mark.line:
            raise InputError(
                f"{where}:{mark.line}: 'active' must be written on one line as true or false",
                hint="Write it as `active: true` or `active: false`.",
            )
        lines[index] = match.group("head") + word + match.group("tail")
    else:
        name = doc.keys.get(("name",))
        at = name.line if name is not None and doc.values[("name",)].line == name.line else 0
        lines.insert(at, f"active: {word}\n")
        if at and not lines[at - 1].endswith("\n"):
            lines[at - 1] += "\n"
    result = "".join(lines)
    check = _load(result, where)
    expected = dict(doc.data)
    expected["active"] = value
    if check.data != expected:  # pragma: no cover - a guard against an unforeseen layout
        raise InputError(
            f"{where}: cannot change 'active' safely in this layout",
            hint="Write `active: false` on its own line and try again.",
        )
    return result


def _load(text: str, where: str) -> yamlio.Document:
    try:
        doc = yamlio.loads(text)
    except yamlio.LoadError as exc:
        line = f":{exc.mark.line}" if exc.mark else ""
        raise InputError(
            f"{where}{line}: {exc.message}", hint="Run `smtpops validate` and fix the file first."
        ) from None
    if not isinstance(doc.data, dict):
        raise InputError(
            f"{where}: is not a mapping of fields",
            hint="Run `smtpops validate` and fix the file first.",
        )
    return doc


def env_configs(root: str, configs_dir: str, env: str) -> list[EnvConfig]:
    """The config files of ``env`` in the working tree, sorted by name."""
    env_dir = os.path.join(configs_dir, env)
    found: list[EnvConfig] = []
    if not os.path.isdir(env_dir):
        return found
    for name in sorted(os.listdir(env_dir)):
        path = os.path.join(env_dir, name)
        if name.startswith(".") or not name.endswith(discovery.CONFIG_SUFFIXES):
            continue
        if not os.path.isfile(path):
            continue
        try:
            data = yamlio.load_path(path).data
        except (OSError, yamlio.LoadError):
            data = None
        data = data if isinstance(data, dict) else {}
        found.append(
            EnvConfig(
                name=os.path.splitext(name)[0],
                rel=os.path.relpath(os.path.realpath(path), root).replace(os.sep, "/"),
                path=path,
                active=data.get("active") is True,
                data=data,
            )
        )
    return found
