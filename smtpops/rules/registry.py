"""The rule registry: one metadata record per rule, under a stable ID whose prefix is its area.

One way to declare a rule, with typed keyword metadata (:class:`RuleMeta`):

- a rule with a check: ``@rule(id=..., name=..., ...)`` on ``check(ctx) -> Iterable[Hit]``;
- a rule the engine raises itself (``kind='schema'``, ``'load'`` or ``'suppression'``: the
  JSON Schema, the YAML loader or a suppression comment found the problem): ``declare(...)``
  with the same keywords and no check.

Both end in one :class:`Rule` record in ``RULES``. Retired IDs stay in ``RETIRED`` so they
are never reused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import field
from typing import Any, Literal, NotRequired, TypedDict, Unpack

from smtpops.diagnostics import RuleInfo, Severity
from smtpops.records import record

Kind = Literal["file", "repo", "schema", "load", "suppression"]
RULE_ID = re.compile(r"^[A-Z]+[0-9]{3}$")
RETIRED: frozenset[str] = frozenset()


@record(frozen=True, kw_only=True)
class Example:
    """A doc example. ``yaml`` holds fields laid over a valid base config, or, with
    ``whole_file``, the complete file. ``others`` are extra files (name -> text) in the
    same environment folder; ``repo_files`` are extra files (path -> text) relative to the
    repository root, e.g. ``.sops.yaml``. ``base`` (fields laid over the base config, like
    ``yaml``) is the main file at a base commit, and the example is checked with
    ``validate --base`` against it. With ``link``, the main file is a symbolic link to a copy
    kept outside the environment's folder."""

    yaml: str
    environment: str = "development"
    whole_file: bool = False
    file_name: str | None = None
    others: dict[str, str] = field(default_factory=dict)
    repo_files: dict[str, str] = field(default_factory=dict)
    link: bool = False
    base: str | None = None
    today: str | None = None  # the date (YYYY-MM-DD) the example is checked on, if it matters


@record(frozen=True, kw_only=True)
class Hit:
    """What a check found: the field it concerns, and optionally a more precise text."""

    field: tuple[str | int, ...] = ()
    message: str | None = None
    hint: str | None = None
    path: str | None = None  # repository rules name the file they concern
    line: int | None = None  # when a position is known without a field
    at_key: bool = False  # point at the field's key rather than its value
    once: bool = False  # a note shown once per run (the first file with the same rule and text)


@record(frozen=True, kw_only=True)
class Rule:
    id: str
    name: str
    severity: Severity
    message: str
    hint: str
    why: str
    bad: Example
    good: Example
    references: tuple[str, ...] = ()
    security: bool = False
    escalate_when: tuple[str, ...] = ()
    kind: Kind = "file"
    fields: tuple[str, ...] = ()
    check: Callable[[Any], Iterable[Hit]] | None = None

    @property
    def area(self) -> str:
        return self.id.rstrip("0123456789")

    @property
    def info(self) -> RuleInfo:
        """The record reporters see."""
        return RuleInfo(
            id=self.id,
            name=self.name,
            severity=self.severity,
            message=self.message,
            hint=self.hint,
            why=self.why,
            failing=self.bad.yaml,
            passing=self.good.yaml,
            references=self.references,
            security=self.security,
        )


class RuleMeta(TypedDict):
    """The keywords of :func:`rule` and :func:`declare`: a :class:`Rule` without its check."""

    id: str
    name: str
    severity: Severity
    message: str
    hint: str
    why: str
    bad: Example
    good: Example
    references: NotRequired[tuple[str, ...]]
    security: NotRequired[bool]
    escalate_when: NotRequired[tuple[str, ...]]
    kind: NotRequired[Kind]
    fields: NotRequired[tuple[str, ...]]


Check = Callable[[Any], Iterable[Hit]]

RULES: dict[str, Rule] = {}


def register(record: Rule) -> Rule:
    if not RULE_ID.match(record.id):
        raise ValueError(f"bad rule id {record.id!r}")
    if record.id in RULES or record.id in RETIRED:
        raise ValueError(f"rule id {record.id} registered twice or retired")
    RULES[record.id] = record
    return record


def declare(**meta: Unpack[RuleMeta]) -> Rule:
    """Register a rule the engine raises itself (schema, loader, suppression): no check."""
    if meta.get("kind", "file") in ("file", "repo"):
        raise ValueError(f"{meta['id']}: a file or repository rule needs a check: use @rule")
    return register(Rule(**meta))


def rule(**meta: Unpack[RuleMeta]) -> Callable[[Check], Check]:
    """Decorator: register the decorated ``check(ctx) -> Iterable[Hit]`` under ``meta``."""

    def wrap(check: Check) -> Check:
        register(Rule(check=check, **meta))
        return check

    return wrap


def field_rule(field_name: str) -> Rule | None:
    """The schema rule that covers a top-level field."""
    for rule in RULES.values():
        if rule.kind == "schema" and field_name in rule.fields:
            return rule
    return None


def select(pattern: str) -> list[Rule]:
    """Rules matching an ID or an area prefix (``PORT`` selects PORT001…)."""
    pattern = pattern.upper()
    return [r for r in RULES.values() if r.id == pattern or r.area == pattern]
