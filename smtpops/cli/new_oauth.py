"""The OAuth2 part of ``smtpops new --auth oauth``: the oauth block's readable fields from
--oauth FIELD=VALUE (or questions), and its secret parts from --secret-stdin (or hidden
questions), encrypted once the file exists."""

from __future__ import annotations

import sys
from typing import Any

import click

from smtpops import schema
from smtpops.errors import UsageError
from smtpops.oauth.flows import FLOWS, SECRET_FIELDS, SECRET_TITLES, Flow
from smtpops.providers import Provider
from smtpops.secret import Secret

READABLE = tuple(k for k in schema.properties()["oauth"]["properties"] if k not in SECRET_FIELDS)
_ASKED = {
    "tenant": "Tenant: your Microsoft Entra tenant ID (a GUID) or primary domain "
    "(name.onmicrosoft.com), from the Entra admin center → Overview.",
    "client_id": "Client ID: the app registration's 'Application (client) ID'.",
    "token_url": "Token endpoint: the https URL your server's OAuth2 provider gives.",
    "scope": "Scope: what the token is for, as your mail server's provider documents it.",
}


def parse(items: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in READABLE:
            hint = (
                " Secret parts come from --secret-stdin or the hidden prompt."
                if (key in SECRET_FIELDS)
                else ""
            )
            raise UsageError(
                f"--oauth '{item.split('=')[0]}=…' is not an oauth field smtpops takes here",
                hint=f"Fields: {', '.join(READABLE)}.{hint}",
            )
        found[key] = value.strip()
    return found


def offered(provider: Provider) -> list[str]:
    """The flows ``new`` may write for this provider (custom: any)."""
    if not {"XOAUTH2", "OAUTHBEARER"} & set(provider.auth) and provider.auth:
        return []
    return [f.id for f in provider.oauth_flows] or (list(FLOWS) if provider.any_host else [])


def ask_auth(provider: Provider) -> str:
    """Guided setup without --auth: password sign-in, with a note pointing to OAuth2 where
    the provider is retiring passwords (``--auth oauth`` asks for the OAuth2 fields)."""
    retiring = provider.basic_auth_retirement
    if offered(provider) and retiring is not None:
        click.echo(f"  Note: {retiring.text}.")
        click.echo(
            "  This config signs in with a password; to use OAuth2 instead, run smtpops new "
            "again with --auth oauth."
        )
    return "password"


def _flow(provider: Provider, block: dict[str, str], interactive: bool) -> Flow:
    flows = offered(provider)
    if not flows:
        raise UsageError(
            f"{provider.name} does not offer OAuth2 sign-in in smtpops",
            hint="Leave out --auth oauth (password sign-in), or use provider custom.",
        )
    chosen = block.get("flow")
    if chosen is None and interactive and len(flows) > 1:
        click.echo("  OAuth2 flow: how the CRM proves who it is.")
        for f in flows:
            click.echo(f"    {f:<24}{FLOWS[f].title}")
        chosen = click.prompt("Flow", type=click.Choice(flows), default=flows[0])
    chosen = chosen or flows[0]
    if chosen not in flows:
        raise UsageError(
            f"{provider.name} does not offer the flow '{chosen}'",
            hint=f"Use one of: {', '.join(flows)}.",
        )
    block["flow"] = chosen
    return FLOWS[chosen]


def block(provider: Provider, given: dict[str, str], interactive: bool) -> dict[str, str]:
    """The readable oauth block; missing required fields are asked (terminal) or named."""
    result = dict(given)
    flow = _flow(provider, result, interactive)
    needed = list(flow.required)
    if provider.oauth_flow(flow.id) is None:
        needed.append("scope")
    if (
        flow.id == "microsoft-app-only"
        and interactive
        and "certificate_thumbprint" not in result
        and click.confirm("Sign in with a certificate instead of a client secret?", default=False)
    ):
        needed.append("certificate_thumbprint")
    missing = [n for n in needed if not result.get(n)]
    if missing and not interactive:
        raise UsageError(
            f"the {flow.id} flow needs: " + "; ".join(f"--oauth {n}=…" for n in missing),
            hint="`smtpops rules OAUTH005` explains each field.",
        )
    for name in missing:
        click.echo(f"  {_ASKED.get(name, name)}")
        result[name] = click.prompt(name.replace("_", " ").capitalize()).strip()
    order = {k: i for i, k in enumerate(READABLE)}
    return dict(sorted(result.items(), key=lambda kv: order[kv[0]]))


def secrets_needed(readable: dict[str, str]) -> tuple[str, ...]:
    return FLOWS[readable["flow"]].secrets_for(set(readable))


def read_stdin(names: tuple[str, ...]) -> dict[str, Secret]:
    text = sys.stdin.read()
    if len(names) == 1:
        multiline = names[0] in ("private_key", "service_account_key")
        value = text.strip() if multiline else text.rstrip("\r\n")
        values = [value]
    else:
        values = [line.rstrip("\r") for line in text.split("\n")][: len(names)]
    if len(values) < len(names) or not all(values):
        raise UsageError(
            f"--secret-stdin needs {', then '.join(names)}"
            + (" (one per line)" if len(names) > 1 else ""),
            hint="Pipe them in; nothing was written.",
        )
    return {n: Secret(v) for n, v in zip(names, values, strict=False)}


def ask_secrets(names: tuple[str, ...]) -> dict[str, Secret] | None:
    """Hidden questions; None when skipped (or a part needs --secret-stdin)."""
    if any(n in ("private_key", "service_account_key") for n in names):
        click.echo(
            "\n  The key spans several lines: set it afterwards with "
            "`smtpops secrets set-oauth CONFIG --stdin < the-file`."
        )
        return None
    click.echo("\n  OAuth2 secret: typing is hidden. Enter skips (set it later with set-oauth).")
    parts: dict[str, Secret] = {}
    for name in names:
        text = click.prompt(
            SECRET_TITLES[name],
            hide_input=True,
            confirmation_prompt=True,
            default="",
            show_default=False,
        )
        if not text:
            return None
        parts[name] = Secret(text)
    return parts


def values_for(readable: dict[str, str], values: dict[str, Any]) -> None:
    """The fields an OAuth2 config sets over the template."""
    values.setdefault("auth_protocol", "XOAUTH2")
    values["oauth"] = readable
