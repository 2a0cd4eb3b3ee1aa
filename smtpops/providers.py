"""Provider facts (hosts, ports, TLS, auth, limits, notes) read from ``providers/<id>/``.

Adding a provider is adding a folder with ``provider.yaml`` (facts, checked against
``providers/provider.schema.json``) and ``template.yaml.j2`` (the config it renders); no
Python change.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from smtpops import catalog_cache, yamlio
from smtpops.errors import InputError
from smtpops.records import record
from smtpops.resources import data_path

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA_FILE = "provider.schema.json"
TEMPLATE_FILE = "template.yaml.j2"


@record(frozen=True, kw_only=True)
class Endpoint:
    port: int
    tls: str
    recommended: bool = False
    verified: bool = True

    def __str__(self) -> str:
        return f"{self.port} with {self.tls}"


@record(frozen=True, kw_only=True)
class Notice:
    severity: str  # info | warning
    text: str
    hint: str
    field: str | None = None


@record(frozen=True, kw_only=True)
class OAuthFlow:
    """One OAuth2 flow a provider offers: where tokens come from and which scopes to ask."""

    id: str
    scopes: tuple[str, ...]
    accepted_scopes: tuple[str, ...] = ()
    authority: str | None = None  # "{tenant}" stands for the config's tenant
    token_url: str | None = None
    verified: bool = True
    note: str = ""

    def accepts(self, scopes: tuple[str, ...]) -> bool:
        allowed = {*self.scopes, *self.accepted_scopes}
        return bool(scopes) and all(s in allowed for s in scopes)


@record(frozen=True, kw_only=True)
class BasicAuthRetirement:
    """When the provider stops accepting passwords by default (ISO dates)."""

    disabled_by_default: str
    strict_error_from: str
    text: str
    hint: str
    source: str


@record(frozen=True, kw_only=True)
class Parameter:
    name: str
    description: str
    prompt: str | None = None
    default: str | int | bool | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    examples: tuple[str, ...] = ()

    def problem(self, value: str) -> str | None:
        """Why ``value`` is not acceptable for this parameter, or None."""
        if self.choices and value not in self.choices:
            return f"'{value}' is not one of {', '.join(self.choices)}"
        if self.pattern and not re.fullmatch(self.pattern, value):
            hint = f" (e.g. {', '.join(self.examples)})" if self.examples else ""
            return f"'{value}' does not look right for {self.name}{hint}"
        return None


@record(frozen=True, kw_only=True)
class Provider:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    display_host: str = ""
    hosts: frozenset[str] = frozenset()
    host_patterns: tuple[re.Pattern[str], ...] = ()
    any_host: bool = False
    detectable: bool = True
    endpoints: tuple[Endpoint, ...] = ()
    auth: tuple[str, ...] = ()
    auth_verified: bool = True
    oauth_flows: tuple[OAuthFlow, ...] = ()
    basic_auth_retirement: BasicAuthRetirement | None = None
    username: str = ""
    username_format: str = "any"
    username_fixed: str | None = None
    max_connections: int | None = None
    limits: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    required_fields: tuple[str, ...] = ()
    directory: str = ""

    def owns_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.hosts or any(p.fullmatch(host) for p in self.host_patterns)

    @property
    def recommended(self) -> Endpoint | None:
        for endpoint in self.endpoints:
            if endpoint.recommended:
                return endpoint
        return self.endpoints[0] if self.endpoints else None

    @property
    def host_label(self) -> str:
        return self.display_host or (sorted(self.hosts)[0] if self.hosts else "")

    @property
    def template_path(self) -> Path:
        # lazy(start-up): pathlib (~2 ms); validating needs the facts, not the template
        from pathlib import Path

        return Path(self.directory) / TEMPLATE_FILE

    def allows(self, port: int, tls: str) -> bool:
        return not self.endpoints or any(e.port == port and e.tls == tls for e in self.endpoints)

    def allows_auth(self, mechanism: str) -> bool:
        return not self.auth or mechanism in self.auth

    def oauth_flow(self, flow_id: str) -> OAuthFlow | None:
        return next((f for f in self.oauth_flows if f.id == flow_id), None)

    def describe_endpoints(self) -> str:
        return ", ".join(str(e) for e in self.endpoints)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def parse(data: dict[str, Any], directory: str = "") -> Provider:
    """A Provider from a provider.yaml mapping already checked against the schema."""
    return Provider(
        id=data["id"],
        name=data["name"],
        aliases=_tuple(data.get("aliases")),
        display_host=data.get("display_host", ""),
        hosts=frozenset(h.lower() for h in _tuple(data.get("hosts"))),
        host_patterns=tuple(re.compile(p) for p in _tuple(data.get("host_patterns"))),
        any_host=data.get("any_host", False),
        detectable=data.get("detectable", True),
        endpoints=tuple(Endpoint(**e) for e in _tuple(data.get("endpoints"))),
        auth=_tuple(data.get("auth")),
        auth_verified=data.get("auth_verified", True),
        oauth_flows=tuple(
            OAuthFlow(
                **{
                    **f,
                    "scopes": _tuple(f.get("scopes")),
                    "accepted_scopes": _tuple(f.get("accepted_scopes")),
                }
            )
            for f in _tuple((data.get("oauth") or {}).get("flows"))
        ),
        basic_auth_retirement=BasicAuthRetirement(**data["basic_auth_retirement"])
        if data.get("basic_auth_retirement")
        else None,
        username=data.get("username", ""),
        username_format=data.get("username_format", "any"),
        username_fixed=data.get("username_fixed"),
        max_connections=data.get("max_connections"),
        limits=_tuple(data.get("limits")),
        notices=tuple(Notice(**n) for n in _tuple(data.get("notices"))),
        notes=_tuple(data.get("notes")),
        sources=_tuple(data.get("sources")),
        parameters=tuple(
            Parameter(
                name=k,
                **{**v, "choices": _tuple(v.get("choices")), "examples": _tuple(v.get("examples"))},
            )
            for k, v in (data.get("parameters") or {}).items()
        ),
        required_fields=_tuple(data.get("required_fields")),
        directory=directory,
    )


def _check(path: str, doc: yamlio.Document, validator: Any) -> None:
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = tuple(error.absolute_path)
        mark = doc.mark(where)
        line = f":{mark.line}" if mark else ""
        field = ".".join(str(p) for p in where) or "(top level)"
        raise InputError(
            f"{path}{line}: provider facts field {field}: {error.message}",
            hint=(
                f"Fix the file; its shape is described in {SCHEMA_FILE} next to the provider "
                f"folders."
            ),
        )
    folder = os.path.basename(os.path.dirname(path))
    if doc.data["id"] != folder:
        raise InputError(
            f"{path}: id '{doc.data['id']}' differs from its folder name '{folder}'",
            hint="Rename the folder or the id so that both are the same.",
        )


def _validator(base: str) -> Any:
    """A validator of provider.yaml mappings against the folder's ``provider.schema.json``."""
    # lazy: jsonschema is heavy: only checking a user's provider folder loads it (CLI start-up stays light)
    from jsonschema import Draft202012Validator

    with open(os.path.join(base, SCHEMA_FILE), encoding="utf-8") as handle:
        return Draft202012Validator(json.load(handle))


def _read(
    base: str, folders: list[str], validator: Any
) -> tuple[dict[str, Provider], list[dict[str, Any]]]:
    """The providers of ``base``'s ``folders`` (those that hold a provider.yaml), parsed
    from YAML, and the mappings they were made from (for :mod:`smtpops.catalog_cache`)."""
    result: dict[str, Provider] = {}
    docs: list[dict[str, Any]] = []
    for folder in folders:
        facts = os.path.join(base, folder, "provider.yaml")
        try:
            doc = yamlio.load_path(facts)
        except (OSError, yamlio.LoadError) as exc:
            raise InputError(f"{facts}: cannot read provider facts ({exc})") from None
        if validator is not None:
            _check(facts, doc, validator)
        result[doc.data["id"]] = parse(doc.data, os.path.dirname(facts))
        docs.append(doc.data)
    return result, docs


def _from_copy(base: str, key: catalog_cache.Key) -> dict[str, Provider] | None:
    """The bundled providers from the parsed copy saved under ``key``, or None when there is
    none or it does not make providers (a corrupt copy is ignored, not an error)."""
    docs = catalog_cache.load(key)
    if docs is None:
        return None
    result: dict[str, Provider] = {}
    try:
        for (folder, _, _), data in zip(key["files"], docs, strict=True):
            result[data["id"]] = parse(data, os.path.join(base, folder))
    except (KeyError, TypeError, ValueError, AttributeError, re.error):
        return None
    return result


def _bundled(base: str, entries: list[str]) -> dict[str, Provider]:
    """The bundled providers: from the parsed copy when its key matches the folder, else
    from YAML (and the copy written for the next run)."""
    key = catalog_cache.key(base, entries)
    if key is None:  # a file that cannot be looked at: reading it names the problem
        facts = [d for d in entries if os.path.lexists(os.path.join(base, d, "provider.yaml"))]
        return _read(base, facts, None)[0]
    found = _from_copy(base, key)
    if found is not None:
        return found
    result, docs = _read(base, [folder for folder, _, _ in key["files"]], None)
    catalog_cache.save(key, docs)
    return result


@lru_cache(maxsize=4)
def catalog(root: str | None = None, *, check: bool | None = None) -> dict[str, Provider]:
    """All providers by id, read from ``root`` (default: the bundled providers/).

    Facts from a folder the user gives are checked against ``provider.schema.json`` (an
    InputError names the file and field); the bundled facts are checked by the test suite,
    so an ordinary run skips that cost unless ``check`` asks for it, and reads them from
    the parsed copy :mod:`smtpops.catalog_cache` keeps (a user's folder is never copied).
    """
    base = root if root else data_path("providers")
    checking = check if check is not None else root is not None
    try:
        entries = sorted(os.listdir(base))
    except OSError:
        entries = []  # as a glob of a missing folder: no providers
    if root is None and not checking:
        return _bundled(base, entries)
    validator = _validator(base) if checking else None
    # every folder that holds a provider.yaml, by folder name (strings, no pathlib: start-up)
    facts = [d for d in entries if os.path.lexists(os.path.join(base, d, "provider.yaml"))]
    return _read(base, facts, validator)[0]


def detect(host: str, providers: dict[str, Provider]) -> Provider | None:
    """The provider whose hosts include ``host`` (first by id), if any."""
    host = host.lower().rstrip(".")
    for provider in providers.values():
        if provider.detectable and not provider.any_host and provider.owns_host(host):
            return provider
    return None


def resolve(name: str, providers: dict[str, Provider]) -> Provider | None:
    """A provider by id or alias (case-insensitive)."""
    key = name.strip().lower()
    if key in providers:
        return providers[key]
    return next((p for p in providers.values() if key in p.aliases), None)


def suggest(name: str, providers: dict[str, Provider]) -> str | None:
    """The id closest to ``name`` (an id, alias or display name), for "did you mean"."""
    key = name.strip().lower()
    found = resolve(key, providers)
    if found:
        return found.id
    names: dict[str, str] = {}
    for p in providers.values():
        for label in (p.id, *p.aliases, p.name.lower()):
            names.setdefault(label, p.id)
    # lazy(start-up): difflib (heapq, ~3 ms) only for a name to correct
    import difflib

    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
    if close:
        return names[close[0]]
    return next((names[label] for label in names if key and key in label), None)
