"""The guided part of ``smtpops new``: questions, with the spec's defaults and explanations,
for whatever the command line left open. Answers equal to the template's value are not
recorded as the user's own, so the template's comments stay."""

from __future__ import annotations

from typing import Any

import click

from smtpops import scaffold, schema, settings, templating
from smtpops.errors import SmtpopsError
from smtpops.providers import Parameter, Provider, catalog, resolve, suggest
from smtpops.secret import Secret


def _say(text: str = "") -> None:
    click.echo(text)


def _field_proc(field: str) -> Any:
    def proc(text: str) -> Any:
        # lazy: jsonschema is heavy: only checking a typed answer loads it (CLI start-up stays light)
        from jsonschema import Draft202012Validator

        value = scaffold.coerce(field, str(text).strip())
        prop = schema.properties()[field]
        if not Draft202012Validator(prop).is_valid(value):
            raise click.BadParameter(prop.get("description", "not a valid value"))
        return value

    return proc


def ask_field(field: str, default: Any = None, explain: str | None = None) -> Any:
    prop = schema.properties()[field]
    _say(f"  {explain or prop.get('description', '')}")
    kwargs: dict[str, Any] = {"value_proc": _field_proc(field)}
    if default is not None:
        kwargs["default"] = default
    return click.prompt(prop.get("title", field), **kwargs)


def ask_param(param: Parameter) -> Any:
    _say(f"  {param.description}")

    def proc(text: str) -> str:
        problem = param.problem(str(text).strip())
        if problem:
            raise click.BadParameter(problem)
        return str(text).strip()

    kwargs: dict[str, Any] = {"value_proc": proc}
    if param.default is not None:
        kwargs["default"] = str(param.default)
    if param.choices:
        kwargs["type"] = click.Choice(param.choices)
        kwargs.pop("value_proc")
    return click.prompt(param.prompt or param.name.replace("_", " ").capitalize(), **kwargs)


def basics(
    configs_dir: str, env: str | None, provider_id: str | None, name: str | None
) -> tuple[str, Provider, str]:
    """Environment, provider and name."""
    project = settings.load(configs_dir)
    _say("New SMTP configuration. Press Enter to accept the [default].\n")
    if env is None:
        _say("  Environment: where the CRM uses this configuration.")
        env = click.prompt(
            "Environment", type=click.Choice(project.order), default=project.order[0]
        )
    providers = catalog()
    if provider_id is None:
        _say("  Provider: who runs the mail server. Known providers:")
        for p in providers.values():
            _say(f"    {p.id:<24}{p.name}")

        def pick(text: str) -> str:
            found = resolve(str(text), providers)
            if found is None:
                guess = suggest(str(text), providers)
                raise click.BadParameter(
                    f"unknown provider{f'; did you mean {guess}?' if guess else ''}"
                )
            return found.id

        provider_id = click.prompt("Provider", value_proc=pick)
    provider = resolve(provider_id, providers)
    if provider is None:
        raise click.BadParameter(f"unknown provider '{provider_id}'")
    if name is None:
        _say("  Name: letters, digits, '-', '_' or '.'; the file will be configs/ENV/NAME.yaml.")

        def named(text: str) -> str:
            try:
                scaffold.target(configs_dir, str(env), str(text).strip())
            except SmtpopsError as exc:
                raise click.BadParameter(f"{exc.message}. {exc.hint or ''}") from None
            return str(text).strip()

        name = click.prompt("Name", default=f"{provider.id}-{env}", value_proc=named)
    return env, provider, name


def _endpoint(provider: Provider, values: dict[str, Any]) -> None:
    choices = [e for e in provider.endpoints if e.tls != "None"]
    if len(choices) < 2 or "port" in values or "tls" in values:
        return
    best = provider.recommended or choices[0]
    _say(f"  Port and encryption {provider.name} accepts:")
    for i, e in enumerate(choices, 1):
        _say(f"    {i}) {e}{' (recommended)' if e is best else ''}")
    picked = click.prompt(
        "Choose", type=click.IntRange(1, len(choices)), default=choices.index(best) + 1
    )
    chosen = choices[picked - 1]
    if chosen is not best:
        values.update(port=chosen.port, tls=chosen.tls)


def fields(provider: Provider, name: str, values: dict[str, Any], params: dict[str, Any]) -> None:
    """Everything the template still needs, then the optional settings."""
    _say(f"\n{provider.name}: server {provider.host_label or 'of your choice'}.")
    for notice in provider.notices:
        _say(f"  Note: {notice.text}.")
    if "description" not in values:
        values["description"] = click.prompt("Description", default=provider.name)
    for param in provider.parameters:
        if param.name not in params and param.name not in values:
            params[param.name] = (
                scaffold.coerce(param.name, ask_param(param))
                if param.name in scaffold.SETTABLE
                else ask_param(param)
            )
    for var in templating.missing(provider, name, values, params):
        if var in scaffold.SETTABLE:
            hint = provider.username if var == "username" and provider.username else None
            values[var] = ask_field(var, explain=f"Username: {hint}." if hint else None)
    _endpoint(provider, values)
    if "helo_hostname" not in values:
        helo = ask_field(
            "helo_hostname",
            default="localhost",
            explain="HELO hostname: the name of the sending system, e.g. "
            "crm.example-utility.com (localhost is warned about in production).",
        )
        if helo != "localhost":
            values["helo_hostname"] = helo
    headers(values)
    if click.confirm("Change limits and timeouts (connections, retries, timeouts)?", default=False):
        for field in ("max_connections", "retries", "idle_timeout", "wait_timeout"):
            default = (
                provider.max_connections
                if field == "max_connections" and provider.max_connections
                else schema.properties()[field].get("default")
            )
            answer = ask_field(field, default=default)
            if answer != default:
                values[field] = answer


def headers(values: dict[str, Any]) -> None:
    """Custom headers, one 'Name: value' per answer; an empty answer ends."""
    if "custom_headers" in values or not click.confirm("Add custom headers?", default=False):
        return
    _say("  One header per line as 'Name: value' (e.g. X-Company: Example Utility); Enter ends.")
    lines: list[str] = []
    while True:
        line = click.prompt("Header", default="", show_default=False).strip()
        if not line:
            break
        lines.append(line)
    if lines:
        values["custom_headers"] = "\n".join(lines)


def password(path: str, env: str) -> Secret | None:
    """The masked password prompt (asked twice), or None when it cannot be stored yet."""
    problem = scaffold.password_problem(path, env)
    if problem:
        _say(f"\nPassword: not asked: {problem}.")
        return None
    _say("\n  Password: the password, app password or API key; typing is hidden. Enter skips.")
    text = click.prompt(
        "Password", hide_input=True, confirmation_prompt=True, default="", show_default=False
    )
    return Secret(text) if text else None
