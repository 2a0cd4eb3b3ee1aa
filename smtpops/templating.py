"""Render a provider's ``template.yaml.j2`` into config text; the user's values always win.

The template sees ``name``, ``description``, the spec's field defaults, the provider's
parameters and every value the user gave. After rendering, each value the user gave
explicitly replaces whatever the template wrote for that field, so a template can never
override a value entered by hand. jinja2 is imported only here, only when rendering.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from smtpops import model, yamlio
from smtpops.errors import InputError, UsageError
from smtpops.providers import Provider

MODELINE = "# yaml-language-server: $schema={schema}\n"
_PLAIN_LINE = re.compile(r"^[^\s#][^\r\t]*$")


def scalar(value: Any) -> str:
    """``value`` as one YAML flow scalar (quoted when needed): the templates' ``yaml`` filter."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 20)
    return text.removesuffix("\n...\n").removesuffix("\n")


def field_lines(key: str, value: Any) -> str:
    """``key: value`` as YAML lines; multi-line text becomes a literal block."""
    if isinstance(value, str) and "\n" in value.strip("\n"):
        lines = value.rstrip("\n").split("\n")
        if all(_PLAIN_LINE.match(line) for line in lines):
            body = "".join(f"  {line}\n" for line in lines)
            return f"{key}: |{'' if value.endswith(chr(10)) else '-'}\n{body}"
    return f"{key}: {scalar(value)}\n"


def context(
    provider: Provider, name: str, values: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """What the template sees: defaults < parameter defaults < parameters < the user's values."""
    ctx: dict[str, Any] = {"name": name, "description": provider.name, **model.DEFAULTS}
    ctx.update({p.name: p.default for p in provider.parameters if p.default is not None})
    ctx.update(params)
    ctx.update(values)
    return ctx


def _environment() -> Any:
    # lazy: jinja2 is heavy: only rendering a template loads it (CLI start-up stays light)
    import jinja2

    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = scalar
    return env


def _source(provider: Provider) -> str:
    try:
        return provider.template_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"{provider.template_path}: cannot read the template of provider '{provider.id}' "
            f"({exc.strerror})",
            hint="Every provider folder needs a template.yaml.j2 next to its provider.yaml.",
        ) from None


def variables(provider: Provider) -> set[str]:
    """The names the provider's template uses."""
    # lazy: jinja2 is heavy: only rendering a template loads it (CLI start-up stays light)
    import jinja2
    from jinja2 import meta

    try:
        return set(meta.find_undeclared_variables(_environment().parse(_source(provider))))
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(
            f"{provider.template_path}:{exc.lineno}: template error: {exc.message}"
        ) from None


def missing(
    provider: Provider, name: str, values: Mapping[str, Any], params: Mapping[str, Any]
) -> list[str]:
    """Template variables that nothing supplies yet (e.g. username, a region)."""
    have = context(provider, name, values, params)
    return sorted(v for v in variables(provider) if v not in have)


def _spans(text: str, lines: list[str]) -> dict[str, tuple[int, int]]:
    """Each top-level field's lines [start, end): without the blank and comment lines after
    it, with the comment right above it (templates write comments on their own line, as sops
    would move an end-of-line one), which is about that field."""
    doc = yamlio.loads(text)
    starts = sorted((mark.line - 1, key[0]) for key, mark in doc.keys.items() if len(key) == 1)
    spans: dict[str, tuple[int, int]] = {}
    for i, (line, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        while end - 1 > line and (
            not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
        ):
            end -= 1
        start = line
        while i and start - 1 > starts[i - 1][0] and lines[start - 1].lstrip().startswith("#"):
            start -= 1  # the comment just above a field is about that field
        spans[str(key)] = (start, end)
    return spans


def remove(text: str, keys: Iterable[str]) -> str:
    """``text`` without the top-level fields ``keys`` (and the comment right above each)."""
    lines = text.splitlines(keepends=True)
    spans = _spans(text, lines)
    for key in keys:
        if key in spans:
            start, end = spans[key]
            lines[start:end] = [""] * (end - start)
    return "".join(lines)


def overlay(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with each top-level field in ``values`` replaced (or appended) verbatim; a
    comment right above a replaced field goes with it."""
    if not values:
        return text
    lines = text.splitlines(keepends=True)
    spans = _spans(text, lines)
    appended = []
    for key, value in values.items():
        if key in spans:
            start, end = spans[key]
            lines[start:end] = [field_lines(key, value)] + [""] * (end - start - 1)
        else:
            appended.append(field_lines(key, value))
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines) + "".join(appended)


def render(
    provider: Provider,
    name: str,
    values: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> str:
    """The config text the provider's template gives, with the user's values laid over it."""
    # lazy: jinja2 is heavy: only rendering a template loads it (CLI start-up stays light)
    import jinja2

    values = dict(values or {})
    params = dict(params or {})
    absent = missing(provider, name, values, params)
    if absent:
        raise UsageError(
            f"provider '{provider.id}' needs a value for: {', '.join(absent)}",
            hint=(
                "Give them with --set FIELD=VALUE (config fields), --username, or --param "
                "NAME=VALUE."
            ),
        )
    template = _environment().from_string(_source(provider))
    try:
        text = template.render(context(provider, name, values, params))
    except jinja2.TemplateError as exc:
        raise InputError(f"{provider.template_path}: template error: {exc}") from None
    try:
        return overlay(text, values)
    except yamlio.LoadError as exc:
        raise InputError(
            f"{provider.template_path}: the rendered template is not valid YAML ({exc.message})"
        ) from None


def document(body: str, *, path: str, repo_root: str, header: str) -> str:
    """The file as written: schema modeline, a comment header, then the config."""
    schema = os.path.join(repo_root, "schemas", "smtp-config.schema.json")
    rel = os.path.relpath(schema, os.path.dirname(os.path.abspath(path))).replace(os.sep, "/")
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return MODELINE.format(schema=rel) + comments + body
