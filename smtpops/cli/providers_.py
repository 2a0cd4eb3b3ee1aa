"""``smtpops providers``: list the providers smtpops knows; ``providers show ID``: all facts."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import click

from smtpops.cli import complete
from smtpops.errors import UsageError
from smtpops.providers import catalog, resolve, suggest

FORMATS = ("text", "json")


def _lookup(provider_id: str) -> Any:

    providers = catalog()
    found = resolve(provider_id, providers)
    if found is None:
        guess = suggest(provider_id, providers)
        raise UsageError(
            f"no provider '{provider_id}'",
            hint=(f"Did you mean '{guess}'? " if guess else "")
            + "Run `smtpops providers` to list them.",
        )
    return found


def _row(p: Any) -> dict[str, Any]:
    best = p.recommended
    return {
        "id": p.id,
        "name": p.name,
        "host": p.host_label,
        "port": best.port if best else None,
        "tls": best.tls if best else None,
    }


@click.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.pass_context
def providers(ctx: click.Context, fmt: str) -> None:
    """List the email providers smtpops knows: ID, name, server, recommended port and TLS.

    `smtpops providers show ID` prints everything known about one, with notes and sources.
    """
    if ctx.invoked_subcommand is not None:
        return

    rows = [_row(p) for p in catalog().values()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    cells = [
        (r["id"], r["name"], r["host"], f"{r['port']} {r['tls']}" if r["port"] else "any")
        for r in rows
    ]
    header = ("ID", "NAME", "SERVER", "RECOMMENDED")
    widths = [max(len(c[i]) for c in (*cells, header)) for i in range(3)]
    for cell in (header, *cells):
        click.echo("".join(c.ljust(w + 2) for c, w in zip(cell, widths, strict=False)) + cell[3])
    click.echo("\nDetails: smtpops providers show ID    New config: smtpops new NAME --provider ID")


def _facts(p: Any) -> dict[str, Any]:
    return {
        **_row(p),
        "aliases": list(p.aliases),
        "hosts": sorted(p.hosts),
        "host_patterns": [pattern.pattern for pattern in p.host_patterns],
        "any_host": p.any_host,
        "endpoints": [
            {"port": e.port, "tls": e.tls, "recommended": e.recommended, "verified": e.verified}
            for e in p.endpoints
        ],
        "auth": list(p.auth),
        "auth_verified": p.auth_verified,
        "username": p.username,
        "username_fixed": p.username_fixed,
        "max_connections": p.max_connections,
        "limits": list(p.limits),
        "notices": [
            {"severity": n.severity, "field": n.field, "text": n.text, "hint": n.hint}
            for n in p.notices
        ],
        "parameters": [
            {
                "name": a.name,
                "description": a.description,
                "default": a.default,
                "choices": list(a.choices),
            }
            for a in p.parameters
        ],
        "required_fields": list(p.required_fields),
        "notes": list(p.notes),
        "sources": list(p.sources),
    }


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=first, subsequent_indent=rest) or [first]


def _endpoint(e: Any) -> str:
    tags = [t for t, on in (("recommended", e.recommended), ("unverified", not e.verified)) if on]
    return f"{e}" + (f" ({', '.join(tags)})" if tags else "")


def _text(p: Any) -> list[str]:
    out = [f"{p.name}  [{p.id}]"]
    if p.aliases:
        out.append(f"  Also called:      {', '.join(p.aliases)}")
    out.append(f"  Server:           {p.host_label or 'any'}")
    if p.hosts and (len(p.hosts) > 1 or p.display_host):
        out.append(f"  Known servers:    {', '.join(sorted(p.hosts))}")
    ports = "; ".join(_endpoint(e) for e in p.endpoints) or "any"
    out.append(f"  Ports:            {ports}")
    auth = ", ".join(p.auth) or "any"
    out.append(f"  Sign-in:          {auth}{'' if p.auth_verified else ' (unverified)'}")
    if p.username:
        out.append(f"  Username:         {p.username}")
    if p.max_connections:
        out.append(f"  Max connections:  {p.max_connections}")
    for title, items in (("Parameters", p.parameters), ("Limits", p.limits)):
        if items:
            out.append(f"  {title}:")
            for item in items:
                out += _item(item)
    if p.notices:
        out.append("  What smtpops validate tells you:")
        for n in p.notices:
            out += _wrap(n.text, f"    [{n.severity}] ", " " * 8)
            out += _wrap(n.hint, "        How to fix: ", " " * 10)
    for title, lines in (("Notes", p.notes), ("Sources", p.sources)):
        if lines:
            out.append(f"  {title}:")
            for line in lines:
                out += _wrap(line, "    - ", " " * 6)
    return out


def _item(item: Any) -> list[str]:
    if isinstance(item, str):
        return _wrap(item, "    - ", " " * 6)
    extra = [f"default: {item.default}"] if item.default is not None else []
    if item.choices:
        extra.append(f"one of: {', '.join(item.choices)}")
    tail = f" ({'; '.join(extra)})" if extra else ""
    return [f"    --param {item.name}=…", *_wrap(item.description + tail, " " * 8, " " * 8)]


@providers.command()
@click.argument("provider_id", metavar="ID", shell_complete=complete.provider_ids)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None)
@click.pass_context
def show(ctx: click.Context, provider_id: str, fmt: str | None) -> None:
    """Everything smtpops knows about one provider, with notes and sources."""
    p = _lookup(provider_id)
    if fmt is None:
        fmt = ctx.parent.params.get("fmt", "text") if ctx.parent else "text"
    if fmt == "json":
        click.echo(json.dumps(_facts(p), indent=2))
        return
    click.echo("\n".join(_text(p)))
