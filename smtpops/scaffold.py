"""``smtpops new`` as a service: render a provider template into a draft config, validate
the draft before anything is written, then create the file once (never overwriting).

The password, when given, is encrypted into the new file by ``smtpops.encryption``
(``set_password``) according to the repository's ``.sops.yaml``; without that, no
password is written at all (never in plain text).
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import errno
import os
import re
import tempfile
from typing import Any

from smtpops import atomic, discovery, engine, model, repopath, schema, settings, templating, yamlio
from smtpops.diagnostics import Diagnostic, Report, Severity
from smtpops.encryption import set_oauth, set_password, sops_regex
from smtpops.errors import InputError, UsageError
from smtpops.providers import Provider
from smtpops.records import record
from smtpops.rules.context import RepoContext
from smtpops.secret import Secret

#: fields `new` sets itself, or that must not come from the command line
RESERVED = {
    "name": "give the name as the NAME argument",
    "provider": "use --provider",
    "active": "a new config is always inactive; `smtpops deploy` activates it",
    "password": "use --password-stdin or the masked prompt, never the command line",
    "oauth": "use --auth oauth with --oauth FIELD=VALUE (its secret parts: --secret-stdin)",
    "sops": "sops writes this block itself",
}
SETTABLE = tuple(f for f in model.FIELDS if f not in RESERVED)


@record(frozen=True, kw_only=True)
class Draft:
    path: str  # as shown to the user
    environment: str
    text: str
    report: Report  # findings about this file (a missing password is expected, not reported)
    provider: Provider


def _allowed_types(field: str) -> set[str]:
    prop = schema.properties().get(field, {})
    found = {prop["type"]} if isinstance(prop.get("type"), str) else set(prop.get("type") or ())
    for option in [*prop.get("anyOf", ()), *prop.get("oneOf", ())]:
        found.add(option.get("type"))
    return found


def coerce(field: str, text: str) -> Any:
    """A command-line value as the field's type: '2525' → 2525 for port, 'false' → False."""
    allowed = _allowed_types(field)
    if allowed & {"integer", "boolean"}:
        try:
            value = yamlio.loads(text).data
        except yamlio.LoadError:
            return text
        if isinstance(value, bool) and "boolean" in allowed:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and "integer" in allowed:
            return value
    return text.replace("\\n", "\n") if field == "custom_headers" else text


def parse_set(item: str) -> tuple[str, Any]:
    """``FIELD=VALUE`` from --set, checked against the config's fields."""
    field, sep, text = item.partition("=")
    field = field.strip()
    if not sep or not field:
        raise UsageError(f"--set '{item}' is not FIELD=VALUE", hint="Write e.g. --set port=465")
    if field in RESERVED:
        raise UsageError(f"--set {field}=… is not allowed: {RESERVED[field]}")
    if field not in SETTABLE:
        close = difflib.get_close_matches(field, model.FIELDS, n=1)
        raise UsageError(
            f"--set {field}=…: '{field}' is not a config field",
            hint=(f"Did you mean '{close[0]}'? " if close else "")
            + f"Fields: {', '.join(SETTABLE)}.",
        )
    return field, coerce(field, text)


def parse_param(provider: Provider, item: str) -> tuple[str, Any]:
    """``NAME=VALUE`` from --param, checked against the provider's parameters."""
    name, sep, text = item.partition("=")
    name = name.strip()
    known = ", ".join(p.name for p in provider.parameters) or "none"
    param = provider.parameter(name)
    if not sep or param is None:
        raise UsageError(
            f"--param '{item}': {provider.name} has no parameter '{name}'",
            hint=f"Its parameters: {known} (`smtpops providers show {provider.id}`).",
        )
    problem = param.problem(text.strip())
    if problem:
        raise UsageError(f"--param {name}: {problem}", hint=param.description)
    return name, coerce(name, text.strip()) if name in model.FIELDS else text.strip()


def check_name(name: str) -> None:
    repopath.check_segment(name, "config name")
    pattern = schema.properties()["name"]["pattern"]
    if not re.fullmatch(pattern.removeprefix("^").removesuffix("$"), name):
        raise UsageError(
            f"'{name}' cannot be a config name",
            hint="Use letters, digits, '-', '_' or '.', up to 64 characters, starting with a "
            "letter or digit (e.g. gmail-alerts).",
        )


def target(configs_dir: str, env: str, name: str) -> str:
    """The display path of ``configs/ENV/NAME.yaml``; refuses an existing file or unknown env."""
    repopath.check_segment(env, "environment")
    project = settings.load(configs_dir)
    if project.environment(env) is None:
        raise UsageError(
            f"there is no environment '{env}'",
            hint=f"Use one of: {', '.join(project.order)} (listed in configs/environments.yaml).",
        )
    check_name(name)
    env_dir = os.path.join(configs_dir, env)
    for suffix in discovery.CONFIG_SUFFIXES:
        existing = os.path.join(env_dir, name + suffix)
        if os.path.exists(existing):
            shown = discovery.classify(existing).path
            raise UsageError(
                f"{shown} already exists; smtpops new never overwrites a config",
                hint=f"Choose another name, or edit {shown} (and check it with "
                f"`smtpops validate {shown}`).",
            )
    return discovery.classify(os.path.join(env_dir, name + ".yaml")).path


def _header(provider: Provider, env: str, name: str, path: str) -> str:
    return (
        f"SMTP configuration '{name}' for {env}: {provider.name}, made by `smtpops new`.\n"
        f"Inactive until deployed (`smtpops deploy {env}/{name}`); "
        f"details: `smtpops providers show {provider.id}`.\n"
    )


def check(
    path: str,
    text: str,
    configs_dir: str,
    env: str,
    *,
    ignore: tuple[str, ...] = ("CRED001", "OAUTH007"),  # the secrets are stored after
) -> Report:
    """Validate ``text`` as if it were the file at ``path``, next to its environment's files
    (the file now at ``path``, if any, is replaced by ``text``)."""

    project = settings.load(configs_dir)
    run = engine.Run(engine.Options(ignore=ignore))
    env_dir = os.path.join(configs_dir, env)
    if os.path.isdir(env_dir):
        for item in discovery.discover((env_dir,))[0]:
            if os.path.abspath(item.path) != os.path.abspath(path):
                run.check_file(item, project.environment(env))
    try:
        doc = yamlio.loads(text)
    except yamlio.LoadError as exc:
        raise InputError(f"the template rendered invalid YAML ({exc.message})") from None
    run.check_document(path, doc, project.environment(env), configs_dir)
    contexts = tuple(run.contexts)
    run.check_repository(RepoContext(files=contexts, settings=project, configs_dir=configs_dir))
    report = run.report(project.rules, [path])
    mine = tuple(d for d in report.diagnostics if d.location.path == path)
    return dataclasses.replace(report, diagnostics=mine, files=(path,), input_error=False)


def draft(
    *,
    configs_dir: str,
    env: str,
    name: str,
    provider: Provider,
    values: dict[str, Any],
    params: dict[str, Any],
) -> Draft:
    """Render and validate; nothing is written."""
    path = target(configs_dir, env, name)
    body = templating.render(provider, name, values, params)
    text = templating.document(
        body,
        path=path,
        repo_root=os.path.dirname(os.path.abspath(configs_dir)),
        header=_header(provider, env, name, path),
    )
    report = check(path, text, configs_dir, env)
    return Draft(path=path, environment=env, text=text, report=report, provider=provider)


def create(path: str, text: str) -> None:
    """Write ``text`` to a new file at ``path`` atomically; FileExistsError if it exists.
    The temporary file lives where :mod:`smtpops.atomic` puts it (out of the work tree)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        _create_via(atomic.temp_dir_for(path), path, text)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        _create_via(os.path.dirname(os.path.abspath(path)), path, text)


def _create_via(directory: str, path: str, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=atomic.TMP_PREFIX, suffix=atomic.TMP_SUFFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.link(tmp, path)  # fails instead of replacing an existing file
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write(d: Draft) -> None:
    try:
        create(d.path, d.text)
    except FileExistsError:
        raise UsageError(
            f"{d.path} appeared while the config was being prepared; nothing was written",
            hint="Choose another name.",
        ) from None


def _sops_rule_matches(path: str) -> bool:
    """Whether a ``.sops.yaml`` above ``path`` has a creation rule with keys for it."""
    here = os.path.dirname(os.path.abspath(path))
    while True:
        candidate = os.path.join(here, ".sops.yaml")
        if os.path.isfile(candidate):
            break
        if os.path.dirname(here) == here:
            return False
        here = os.path.dirname(here)
    try:
        rules = (yamlio.load_path(candidate).data or {}).get("creation_rules") or []
    except (OSError, yamlio.LoadError, AttributeError):
        return False
    relative = os.path.relpath(os.path.abspath(path), here).replace(os.sep, "/")
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        regex = rule.get("path_regex")
        if regex is None or sops_regex.search(str(regex), relative):
            return bool(rule.get("age") or rule.get("key_groups"))
    return False


def password_problem(path: str, env: str) -> str | None:
    """Why a password cannot be stored encrypted in ``path`` yet, or None when it can."""
    if not _sops_rule_matches(path):
        return (
            f"there is no encryption key for the {env} environment yet (no .sops.yaml rule "
            f"for {path}), and a password is never written in plain text; "
            f"run `smtpops keys init --env {env}` first"
        )
    return None


def store_oauth(path: str, parts: dict[str, Secret]) -> None:
    """Encrypt the oauth secret ``parts`` into the new file; on failure the file is removed."""
    try:
        set_oauth(path, parts)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise


def store_password(path: str, password: Secret) -> None:
    """Encrypt ``password`` into the new file; on failure the file is removed."""
    try:
        set_password(path, password)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise


#: what stands in for a template value not answered yet while one answer is checked
PLACEHOLDER = "placeholder"


def answer_problems(
    *,
    configs_dir: str,
    env: str,
    name: str,
    provider: Provider,
    values: dict[str, Any],
    params: dict[str, Any],
    field: str,
) -> tuple[Diagnostic, ...]:
    """What ``smtpops validate`` would report about ``field`` in the config these answers
    make: the template rendered with them (values not answered yet stand in as
    placeholders), then the schema and every rule, exactly as for a file. Only findings that
    point at ``field`` are returned, errors first."""
    params = dict(params)
    values = dict(values)
    for var in templating.missing(provider, name, values, params):
        (values if var in SETTABLE else params)[var] = PLACEHOLDER
    report = draft(
        configs_dir=configs_dir, env=env, name=name, provider=provider, values=values, params=params
    ).report
    mine = [d for d in report.diagnostics if (d.location.field or "").split(".")[0] == field]
    return tuple(sorted(mine, key=lambda d: d.severity is not Severity.ERROR))
