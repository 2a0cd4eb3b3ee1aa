"""``smtpops status``: what is active in each environment."""

from __future__ import annotations

import json

import click

from smtpops import remote_agent as remote
from smtpops.cli import complete
from smtpops.cli.options import format_option
from smtpops.gitops import status as service


@click.command()
@click.option(
    "--env",
    "env",
    metavar="ENV",
    help="Show only this environment.",
    shell_complete=complete.environments,
)
@click.option(
    "--agent",
    "agent_url",
    metavar="URL",
    envvar="SMTPOPS_AGENT_URL",
    help="Also show what the smtpops agent at URL applied and probed (drift from git).",
)
@format_option("text", "json")
def status(env: str | None, agent_url: str | None, fmt: str) -> None:
    """Show per environment the active config, its server, whether it is pinned or locked,
    and the last change and connection test recorded in git; with --agent, what the agent
    runs next to what git says."""

    items = service.status(env)
    agent = None
    if agent_url:
        agent = remote.fetch_status(agent_url)
    if fmt == "json":
        rows = []
        for item in items:
            row = service.to_dict(item)
            if agent is not None:
                lines, drift = remote.describe(item.environment, item.active, agent)
                row["agent"] = (agent.get("environments") or {}).get(item.environment)
                row["drift"] = drift
            rows.append(row)
        click.echo(json.dumps(rows, indent=2))
        return
    text = service.text(items)
    if agent is not None:
        blocks = text.rstrip("\n").split("\n\n")
        for index, item in enumerate(items):
            lines, _ = remote.describe(item.environment, item.active, agent)
            blocks[index] += "".join(f"\n  {line}" for line in lines)
        text = "\n\n".join(blocks) + "\n"
    click.echo(text, nl=False)
