"""Provider facts (hosts, ports, TLS, auth, limits, notes) read from ``providers/<id>/``.

Adding a provider is adding a folder with ``provider.yaml`` (facts) and ``template.yaml.j2``
(the config it renders); no Python change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from smtpops import yamlio
from smtpops.resources import data_dir


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    port: int
    tls: str
    recommended: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    severity: str  # info | warning
    text: str
    hint: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    name: str
    description: str
    default: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Provider:
    id: str
    name: str
    hosts: tuple[str, ...] = ()
    host_patterns: tuple[str, ...] = ()
    any_host: bool = False
    endpoints: tuple[Endpoint, ...] = ()
    auth: tuple[str, ...] = ()
    auth_verified: bool = True
    username: str = ""
    max_connections: int | None = None
    limits: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    directory: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def owns_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        if host in self.hosts:
            return True
        return any(re.fullmatch(p, host) for p in self.host_patterns)

    @property
    def recommended(self) -> Endpoint | None:
        for endpoint in self.endpoints:
            if endpoint.recommended:
                return endpoint
        return self.endpoints[0] if self.endpoints else None

    def allows(self, port: int, tls: str) -> bool:
        return not self.endpoints or any(e.port == port and e.tls == tls for e in self.endpoints)

    def describe_endpoints(self) -> str:
        return ", ".join(f"{e.port} with {e.tls}" for e in self.endpoints)


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def parse(data: dict[str, Any], directory: str = "") -> Provider:
    known = set(Provider.__dataclass_fields__) - {"extra", "directory"}
    return Provider(
        id=str(data["id"]),
        name=str(data.get("name", data["id"])),
        hosts=tuple(h.lower() for h in _tuple(data.get("hosts"))),
        host_patterns=_tuple(data.get("host_patterns")),
        any_host=bool(data.get("any_host", False)),
        endpoints=tuple(Endpoint(**e) for e in _tuple(data.get("endpoints"))),
        auth=_tuple(data.get("auth")),
        auth_verified=bool(data.get("auth_verified", True)),
        username=str(data.get("username", "")),
        max_connections=data.get("max_connections"),
        limits=_tuple(data.get("limits")),
        notices=tuple(Notice(**n) for n in _tuple(data.get("notices"))),
        notes=_tuple(data.get("notes")),
        sources=_tuple(data.get("sources")),
        parameters=tuple(
            Parameter(name=k, **{**v, "choices": _tuple(v.get("choices"))})
            for k, v in (data.get("parameters") or {}).items()
        ),
        directory=directory,
        extra={k: v for k, v in data.items() if k not in known},
    )


@lru_cache(maxsize=4)
def catalog(root: str | None = None) -> dict[str, Provider]:
    """All providers by id, read from ``root`` (default: the bundled providers/)."""
    base = Path(root) if root else data_dir("providers")
    result: dict[str, Provider] = {}
    for facts in sorted(base.glob("*/provider.yaml")):
        doc = yamlio.load_path(str(facts))
        provider = parse(doc.data, str(facts.parent))
        result[provider.id] = provider
    return result


def detect(host: str, providers: dict[str, Provider]) -> Provider | None:
    """The provider whose hosts include ``host`` (first by id), if any."""
    for provider in providers.values():
        if not provider.any_host and provider.owns_host(host):
            return provider
    return None
