"""All rules, one module per area, registered in ``registry.RULES``.

The import list below is the explicit registry of areas (no magic discovery).
"""

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
    port,
    provider,
    repository,
    suppression,
    tls,
    username,
)
from smtpops.rules.registry import RULES, Rule

FILE_RULES: tuple[Rule, ...] = tuple(
    r for r in sorted(RULES.values(), key=lambda r: r.id) if r.kind == "file" and r.check
)
REPO_RULES: tuple[Rule, ...] = tuple(
    r for r in sorted(RULES.values(), key=lambda r: r.id) if r.kind == "repo" and r.check
)
AREAS: frozenset[str] = frozenset(r.area for r in RULES.values())


def is_area(name: str) -> bool:
    return name.upper() in AREAS
