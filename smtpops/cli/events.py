"""``smtpops events``: the spec's tracking events, one per line."""

from __future__ import annotations

import json

import click

from smtpops.cli.options import format_option
from smtpops.events.catalog import EVENTS
from smtpops.services import events as service


def _text_line(item: dict[str, object]) -> str:
    # values as JSON with ASCII escapes: no control character or bidi override reaches a terminal
    props = " ".join(
        f"{k}={json.dumps(v)}" for k, v in item.items() if k not in ("event", "timestamp")
    )
    return f"{item['timestamp']}  {item['event']:<30} {props}"


@click.command()
@click.option("--since", metavar="WHEN", help="Only events from WHEN on (ISO date or time, UTC).")
@click.option(
    "--event", "names", multiple=True, metavar="NAME", help="Only this event (repeatable)."
)
@click.option("--list", "list_names", is_flag=True, help="List every event name and its source.")
@click.option(
    "--agent",
    "agent_url",
    metavar="URL",
    envvar="SMTPOPS_AGENT_URL",
    help="Add the delivery events of the smtpops agent at URL.",
)
@format_option("jsonl", "text")
def events(
    since: str | None, names: tuple[str, ...], list_names: bool, agent_url: str | None, fmt: str
) -> None:
    """Print the tracking events of the spec (section 12), oldest first, built from git
    history, the connection-test log, the SMTP Settings page and the agent.

    --format jsonl (the default) writes one JSON object per line: ``event``, ``timestamp`` and
    the spec's properties; no event carries a secret.
    """
    if list_names:
        for spec in EVENTS.values():
            click.echo(f"{spec.name:<32} {spec.category:<28} from {spec.source}: {spec.meaning}")
        return
    found = service.events(since=service.parse_since(since), names=names, agent_url=agent_url)
    for item in found:
        click.echo(json.dumps(item, sort_keys=False) if fmt == "jsonl" else _text_line(item))
