"""All rules, one module per area, registered in ``registry.RULES``.

The import list below is the explicit registry of areas (no magic discovery).
"""

from smtpops.diagnostics import RuleInfo
from smtpops.rules import (  # noqa: F401 - importing registers the rules
    auth,
    binding,
    credentials,
    fields,
    file,
    headers,
    helo,
    host,
    limits,
    oauth,
    port,
    provider,
    repository,
    suppression,
    tls,
    username,
)
from smtpops.rules.registry import RULES, Check, Rule

FILE_RULES: tuple[Rule, ...] = tuple(
    r for r in sorted(RULES.values(), key=lambda r: r.id) if r.kind == "file" and r.check
)
REPO_RULES: tuple[Rule, ...] = tuple(
    r for r in sorted(RULES.values(), key=lambda r: r.id) if r.kind == "repo" and r.check
)
FILE_CHECKS: tuple[tuple[str, Check], ...] = tuple((r.id, r.check) for r in FILE_RULES if r.check)
REPO_CHECKS: tuple[tuple[str, Check], ...] = tuple((r.id, r.check) for r in REPO_RULES if r.check)
CATALOGUE: tuple[RuleInfo, ...] = tuple(r.info for r in sorted(RULES.values(), key=lambda r: r.id))
AREAS: frozenset[str] = frozenset(r.area for r in RULES.values())


def is_area(name: str) -> bool:
    return name.upper() in AREAS
