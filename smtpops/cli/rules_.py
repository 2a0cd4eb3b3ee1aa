"""``smtpops rules``: list the rules, or explain one."""

from __future__ import annotations

import difflib
import json

import click

from smtpops.cli import complete
from smtpops.errors import UsageError
from smtpops.rules import docs
from smtpops.rules.registry import RULES, select


@click.command()
@click.argument("rule_id", required=False, shell_complete=complete.rule_ids)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def rules(rule_id: str | None, fmt: str) -> None:
    """List every rule, or explain RULE_ID (an ID like PORT003, or an area like PORT)."""

    chosen = sorted(RULES.values(), key=lambda r: r.id)
    if rule_id:
        chosen = select(rule_id)
        if not chosen:
            close = difflib.get_close_matches(rule_id.upper(), list(RULES), n=1)
            raise UsageError(
                f"there is no rule '{rule_id}'",
                hint=f"Did you mean {close[0]}? " if close else "Run `smtpops rules` for the list.",
            )
    if fmt == "json":
        click.echo(json.dumps([docs.as_dict(r) for r in chosen], indent=2))
        return
    if len(chosen) == 1 and rule_id:
        click.echo(docs.explain(chosen[0]), nl=False)
        return
    for record in chosen:
        click.echo(f"{record.id:<10} {record.severity.value:<8} {record.name:<32} {record.message}")
    click.echo(f"\n{len(chosen)} rules. `smtpops rules ID` explains one.")
