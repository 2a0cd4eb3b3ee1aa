"""``smtpops agent``: keep relays in line with git, probe them, export metrics and alerts."""

from __future__ import annotations

import json
import sys
import time

import click

from smtpops.agent import settings as agent_settings
from smtpops.agent.runner import Agent
from smtpops.errors import CheckFailed, UsageError


def _logger(fmt: str):  # type: ignore[no-untyped-def]
    def log(message: str, **fields: object) -> None:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if fmt == "json":
            line = json.dumps({"time": when, "message": message, **fields}, default=str)
        else:
            bits = " ".join(f"{k}={json.dumps(v, default=str)}" for k, v in fields.items())
            line = f"{when} smtpops agent: {message} {bits}".rstrip()
        print(line, file=sys.stderr, flush=True)

    return log


def _options(items: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(
                f"--apply-option {item!r} is not KEY=VALUE",
                hint="e.g. --apply-option config_dir=/etc/postfix-crm",
            )
        found[key] = value
    return found


@click.command()
@click.option(
    "--config",
    "config_file",
    metavar="FILE",
    help="Agent settings (YAML); see examples/agent/agent.yaml.",
)
@click.option("--repository", metavar="URL_OR_PATH", help="The config repository to follow.")
@click.option("--branch", metavar="BRANCH", help="Branch to follow (default: main).")
@click.option(
    "--env",
    "envs",
    multiple=True,
    metavar="ENV",
    help="Watch this environment (repeatable; default: all).",
)
@click.option(
    "--apply",
    "apply_target",
    metavar="TARGET",
    help="Apply each watched environment to this target (postfix, file, command).",
)
@click.option(
    "--apply-option",
    "apply_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="An option of the --apply target (repeatable).",
)
@click.option(
    "--interval", type=float, help="Seconds between git fetches (default 60; SIGHUP: now)."
)
@click.option(
    "--probe-interval", type=float, help="Seconds between connection tests (default 300)."
)
@click.option(
    "--listen",
    metavar="HOST:PORT",
    help="Where /metrics, /healthz, /status and /events are served (default 127.0.0.1:9187).",
)
@click.option(
    "--workdir",
    metavar="DIR",
    help="The agent's clone and state (default ~/.local/state/smtpops-agent).",
)
@click.option(
    "--once",
    is_flag=True,
    help="One round (fetch, apply, probe), then exit: 0 all well, 1 a problem.",
)
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def agent(
    config_file: str | None,
    repository: str | None,
    branch: str | None,
    envs: tuple[str, ...],
    apply_target: str | None,
    apply_options: tuple[str, ...],
    interval: float | None,
    probe_interval: float | None,
    listen: str | None,
    workdir: str | None,
    once: bool,
    log_format: str,
) -> None:
    """Follow a config repository: apply each environment's active config (only one that an
    smtpops deploy activated after a passing test), probe it on a schedule, read the relay's
    delivery log, and serve Prometheus metrics on 127.0.0.1.

    Runs in the foreground until SIGTERM or Ctrl-C; SIGHUP fetches at once.
    """
    environments = None
    if envs:
        body = {"targets": [{apply_target: _options(apply_options)}]} if apply_target else {}
        environments = {name: body for name in envs}
    elif apply_target:
        raise UsageError(
            "--apply needs the environments it applies: give --env ENV",
            hint="e.g. smtpops agent --repository URL --env production --apply postfix",
        )
    settings = agent_settings.load(
        config_file,
        repository=repository,
        branch=branch,
        environments=environments,
        interval=interval,
        probe_interval=probe_interval,
        listen=listen,
        workdir=workdir,
    )
    log = _logger(log_format)
    runner = Agent(settings, log=log)
    http = None
    if not once:
        http = runner.serve().start()
        shown = (
            ""
            if agent_settings.is_loopback(settings.listen_host)
            else " (not loopback: make sure a firewall guards it)"
        )
        log(
            "listening",
            url=f"http://{settings.listen_host}:{http.port}/metrics",
            note=shown or None,
        )
    try:
        runner.run(once=once, http=http)
    except KeyboardInterrupt:
        if http:
            http.stop()
    log("stopped")
    if once:
        problems = [a.summary for a in runner.current_alerts()]
        ok, why = runner.healthy()
        if problems or not ok:
            raise CheckFailed(
                "; ".join(problems or [why]),
                hint="Fix what the log lines above name, then run `smtpops agent --once` again.",
            )
