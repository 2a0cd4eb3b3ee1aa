"""The repository's environments, their policy, and project-level rule selection.

Read from ``configs/environments.yaml``; when that file is absent the defaults below apply
(development → staging → production, production strict).
"""

from __future__ import annotations

import os
from dataclasses import field

from smtpops import parse_cache, yamlio
from smtpops.errors import InputError
from smtpops.filenames import SETTINGS_FILE as SETTINGS_FILE  # re-exported
from smtpops.records import record


@record(frozen=True, kw_only=True)
class Policy:
    """What an environment allows. ``protected`` environments cannot silence security errors."""

    allow_private_hosts: bool = True
    require_tls: bool = False
    require_certificate_verification: bool = False
    require_public_helo: bool = False
    protected: bool = False

    def flag(self, name: str) -> bool:
        return bool(getattr(self, name))


STRICT = Policy(
    allow_private_hosts=False,
    require_tls=True,
    require_certificate_verification=True,
    require_public_helo=True,
    protected=True,
)
RELAXED = Policy()
_POLICY_KEYS = set(Policy.__dataclass_fields__)


@record(frozen=True, kw_only=True)
class Environment:
    name: str
    policy: Policy
    description: str = ""
    apply_target: str | None = None  # `apply:` — the runtime deploys hand the config to
    apply_options: dict[str, str] = field(default_factory=dict)


@record(frozen=True, kw_only=True)
class RuleSelection:
    """Project-level choices: rules to ignore, severities to change, warnings as errors."""

    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    warnings_as_errors: bool = False


@record(frozen=True, kw_only=True)
class Settings:
    environments: tuple[Environment, ...]
    rules: RuleSelection = field(default_factory=RuleSelection)
    path: str | None = None

    def environment(self, name: str) -> Environment | None:
        for env in self.environments:
            if env.name == name:
                return env
        return None

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(env.name for env in self.environments)


DEFAULT = Settings(
    environments=(
        Environment(name="development", policy=RELAXED),
        Environment(name="staging", policy=RELAXED),
        Environment(name="production", policy=STRICT),
    )
)


def _bad(path: str, doc: yamlio.Document | None, where: yamlio.Path, text: str) -> InputError:
    mark = doc.mark(where) if doc else None
    loc = f"{path}:{mark.line}" if mark else path
    return InputError(
        f"{loc}: {text}",
        hint="See the 'Environments' section of the README for the file's shape.",
    )


def _policy(path: str, doc: yamlio.Document, where: yamlio.Path, raw: object) -> Policy:
    if raw is None:
        return RELAXED
    if raw == "strict":
        return STRICT
    if raw == "relaxed":
        return RELAXED
    if not isinstance(raw, dict):
        raise _bad(path, doc, where, "policy must be 'strict', 'relaxed' or a mapping")
    unknown = set(raw) - _POLICY_KEYS
    if unknown:
        raise _bad(
            path, doc, where, f"unknown policy key(s): {', '.join(sorted(map(str, unknown)))}"
        )
    if not all(isinstance(v, bool) for v in raw.values()):
        raise _bad(path, doc, where, "policy values must be true or false")
    return Policy(**raw)


def _selection(path: str, doc: yamlio.Document, raw: object) -> RuleSelection:
    if raw is None:
        return RuleSelection()
    if not isinstance(raw, dict) or set(raw) - {"ignore", "severity", "warnings_as_errors"}:
        raise _bad(path, doc, ("rules",), "rules takes only ignore, severity, warnings_as_errors")
    ignore = raw.get("ignore") or []
    severity = raw.get("severity") or {}
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        raise _bad(path, doc, ("rules", "ignore"), "rules.ignore must be a list of rule IDs")
    if not isinstance(severity, dict) or not all(
        v in ("error", "warning", "info") for v in severity.values()
    ):
        raise _bad(
            path, doc, ("rules", "severity"), "rules.severity maps IDs to error|warning|info"
        )
    return RuleSelection(
        ignore=tuple(ignore),
        severity={str(k): str(v) for k, v in severity.items()},
        warnings_as_errors=bool(raw.get("warnings_as_errors", False)),
    )


def _apply(
    path: str, doc: yamlio.Document, where: yamlio.Path, raw: object
) -> tuple[str | None, dict[str, str]]:
    """``apply: postfix`` or ``apply: {target: postfix, config_dir: /etc/postfix, ...}``."""
    if raw is None:
        return None, {}
    if isinstance(raw, str):
        return raw, {}
    if not isinstance(raw, dict) or not isinstance(raw.get("target"), str):
        raise _bad(path, doc, where, "apply must be a target name or a mapping with 'target'")
    options = {}
    for key, value in raw.items():
        if key == "target":
            continue
        if not isinstance(key, str) or isinstance(value, bool) or not isinstance(value, str | int):
            raise _bad(path, doc, where, f"apply.{key} must be a text or a number")
        options[key] = str(value)
    return raw["target"], options


def load(configs_dir: str) -> Settings:
    """Read ``<configs_dir>/environments.yaml``; defaults when it does not exist."""
    path = os.path.join(configs_dir, SETTINGS_FILE)
    if not os.path.exists(path):
        return DEFAULT
    try:
        doc = yamlio.load_path(path)
    except yamlio.LoadError as exc:
        line = f":{exc.mark.line}" if exc.mark else ""
        raise InputError(f"{path}{line}: {exc.message}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("environments"), list):
        raise _bad(path, doc, (), "expected a mapping with an 'environments' list")
    envs = []
    for i, raw in enumerate(data["environments"]):
        if isinstance(raw, str):
            raw = {"name": raw}
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise _bad(path, doc, ("environments", i), "each environment needs a name")
        target, options = _apply(path, doc, ("environments", i, "apply"), raw.get("apply"))
        envs.append(
            Environment(
                name=raw["name"],
                policy=_policy(path, doc, ("environments", i, "policy"), raw.get("policy")),
                description=str(raw.get("description") or ""),
                apply_target=target,
                apply_options=options,
            )
        )
    if len({e.name for e in envs}) != len(envs):
        raise _bad(path, doc, ("environments",), "an environment name is listed twice")
    parse_cache.keep(doc)  # read without error; a no-op unless a command uses the cache
    return Settings(
        environments=tuple(envs), rules=_selection(path, doc, data.get("rules")), path=path
    )
