"""A config being edited (on the web page): form values → config text → the same validation
as ``smtpops validate``.

A draft is the values of the page's fields for ``configs/<env>/<name>.yaml``. An existing
file keeps its comments, suppressions, password and sops block: only the fields that changed
are rewritten (:func:`smtpops.templating.overlay`). A new config starts from its provider's
template, as with ``smtpops new``. The password never passes through here: the draft only
says whether one is saved, typed (to be encrypted on save) or missing.
"""

from __future__ import annotations

import os
from typing import Any

from smtpops import model, scaffold, schema, templating, yamlio
from smtpops.diagnostics import Report
from smtpops.providers import Provider, catalog, resolve
from smtpops.records import record

#: the fields the page edits, in the schema's order: not ``active`` (deploy switches it), not a
#: secret (typed apart, never sent back), not a nested block (e.g. sops')
EDITABLE = tuple(
    f
    for f in model.FIELDS
    if f != "active"
    and f not in schema.secret_fields()
    and schema.properties().get(f, {}).get("type") != "object"
)
BOOLEANS = ("verify_certificate",)
PASSWORD_STATES = ("saved", "typed", "none")


@record(frozen=True, kw_only=True)
class Draft:
    env: str
    name: str
    path: str  # absolute path of the file it becomes
    text: str
    new: bool


def bounds(field: str) -> tuple[int, int] | None:
    """(minimum, maximum) of a numeric field, from the schema."""
    prop = schema.properties().get(field, {})
    for option in (prop, *prop.get("anyOf", ())):
        if option.get("type") == "integer" and "minimum" in option:
            return int(option["minimum"]), int(option["maximum"])
    return None


def typed(form: dict[str, Any]) -> dict[str, Any]:
    """The form's values as config values: trimmed, typed like the schema wants ('587' → 587);
    an empty field is left out (its default applies, or "required" is reported)."""
    values: dict[str, Any] = {}
    for field in EDITABLE:
        raw = form.get(field)
        if field in BOOLEANS:
            values[field] = raw if isinstance(raw, bool) else str(raw).lower() != "false"
            continue
        if raw is None or isinstance(raw, bool):
            continue
        if field == "custom_headers":
            lines = [line.rstrip() for line in str(raw).replace("\r\n", "\n").split("\n")]
            text = "\n".join(line for line in lines if line.strip())
        else:
            text = str(raw).strip()
        if text:
            values[field] = scaffold.coerce(field, text) if field != "custom_headers" else text
    return values


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """A config file's values as the page shows them (strings, and a bool for checkboxes)."""
    out: dict[str, Any] = {}
    for field in EDITABLE:
        value = data.get(field, model.DEFAULTS.get(field))
        if field in BOOLEANS:
            out[field] = value if isinstance(value, bool) else True
        elif field == "custom_headers" and isinstance(value, dict):
            out[field] = "\n".join(f"{k}: {v}" for k, v in value.items())
        elif field in ("idle_timeout", "wait_timeout") and isinstance(value, str):
            out[field] = value.strip().removesuffix("s").strip()
        else:
            out[field] = "" if value is None else str(value).rstrip("\n")
    return out


def provider_of(values: dict[str, Any]) -> Provider:
    found = resolve(str(values.get("provider") or "custom"), catalog())
    return found or catalog()["custom"]


def template_values(provider: Provider) -> dict[str, Any]:
    """What the provider's template fixes (server, port, encryption, sign-in, limits): the
    values the page fills in when this provider is picked."""
    placeholder = "smtpops-placeholder"
    fill = {v: placeholder for v in templating.missing(provider, "new", {}, {})}
    data = yamlio.loads(templating.render(provider, "new", {}, fill)).data
    keep = ("host", "port", "tls", "verify_certificate", "auth_protocol", "max_connections")
    return {
        k: data[k]
        for k in keep
        if k in data and data[k] not in (placeholder, "", None) and placeholder not in str(data[k])
    }


def _new_text(provider: Provider, name: str, values: dict[str, Any], path: str) -> str:
    absent = templating.missing(provider, name, values, {})
    body = templating.render(provider, name, values, dict.fromkeys(absent, ""))
    data = yamlio.loads(body).data
    empty = [k for k, v in data.items() if v == "" and k not in values]
    header = (
        f"SMTP configuration '{name}': {provider.name}, made on the SMTP Settings page "
        "(`smtpops ui`).\nInactive until deployed.\n"
    )
    repo_root = os.path.dirname(os.path.dirname(os.path.dirname(path)))
    return templating.document(
        templating.remove(body, empty), path=path, repo_root=repo_root, header=header
    )


def compose(
    configs_dir: str, env: str, name: str, values: dict[str, Any], saved_text: str | None
) -> Draft:
    """The file ``values`` make: the saved file with the changed fields rewritten, or a new
    file from the provider's template."""
    path = os.path.join(os.path.abspath(configs_dir), env, f"{name}.yaml")
    values = {**values, "name": name}
    if saved_text is None:
        return Draft(
            env=env,
            name=name,
            path=path,
            text=_new_text(provider_of(values), name, values, path),
            new=True,
        )
    saved = yamlio.loads(saved_text).data
    saved = saved if isinstance(saved, dict) else {}
    changed = {
        k: v
        for k, v in values.items()
        if saved.get(k) != v and not (k not in saved and model.DEFAULTS.get(k) == v)
    }
    cleared = [k for k in EDITABLE if k in saved and k not in values]
    text = templating.overlay(templating.remove(saved_text, cleared), changed)
    return Draft(env=env, name=name, path=path, text=text, new=False)


def check(configs_dir: str, draft: Draft, password: str) -> Report:
    """The validator's findings about ``draft`` as it would be saved, next to the other files
    of its environment. ``password`` says where the password stands (see PASSWORD_STATES):
    a typed one is encrypted on save, so its absence from the text is not reported."""
    ignore = ("CRED001",) if password == "typed" else ()
    return scaffold.check(draft.path, draft.text, configs_dir, draft.env, ignore=ignore)


def field_of(location_field: str | None) -> str | None:
    """The page field a finding belongs to (``custom_headers.3`` → ``custom_headers``)."""
    if not location_field:
        return None
    return location_field.split(".")[0]
