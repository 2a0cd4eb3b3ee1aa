"""``smtpops test``: test a config's connection against its real server.

The work is :mod:`smtpops.services.connection`; this module parses the options and prints.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import TYPE_CHECKING

import click

from smtpops import parse_cache
from smtpops.cli import complete
from smtpops.cli.options import format_option, mailbox
from smtpops.cli.probe_flags import connection_test_flags, connection_test_options
from smtpops.encryption.runner import decrypt_ahead
from smtpops.errors import UsageError
from smtpops.probe.batch import MAX_WORKERS, WORKERS
from smtpops.secret import Secret
from smtpops.services import repository

if TYPE_CHECKING:
    from smtpops.probe import ProbeReport
    from smtpops.services.connection import ConnectionTestOptions, ConnectionTestResult


def _read_stdin_password() -> Secret:
    text = sys.stdin.readline().rstrip("\r\n")
    if not text:
        raise UsageError(
            "--password-stdin was given but standard input is empty",
            hint="Pipe the password in: printf '%s' \"$PW\" | smtpops test ...",
        )
    return Secret(text)


def _ports(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise UsageError(
            f"--alternative-ports '{text}' is not a comma-separated port list"
        ) from None


def _write_report(report: ProbeReport, fmt: str, transcript: bool) -> None:
    # lazy(start-up): loaded after sops was started (see test), not before
    from smtpops.probe import text as probe_text
    from smtpops.reporters.text import use_colour

    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        probe_text.write(report, sys.stdout, colour=use_colour(sys.stdout), transcript=transcript)


def _test_environment(
    env_name: str, fmt: str, options: ConnectionTestOptions, password: Secret | None
) -> int:
    # lazy(start-up): the connection service, probe and text (see test)
    from smtpops.probe import text as probe_text
    from smtpops.services.connection import run_tests

    targets = repository.environment_targets(env_name)
    done = [0]

    def progress(index: int, result: ConnectionTestResult) -> None:
        done[0] += 1
        mark = "✓" if result.passed else "✗"
        took = f"{result.report.facts.get('duration_ms')} ms" if result.report else "not tested"
        click.echo(f"[{done[0]}/{len(targets)}] {mark} {result.target.label} ({took})", err=True)

    results = run_tests(targets, options, password=password, on_done=progress)
    passed = sum(r.passed for r in results)
    if fmt == "json":
        document = {
            "environment": env_name,
            "passed": passed == len(results),
            "configs": [r.to_dict() for r in results],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for result in results:
            if result.report is not None:
                probe_text.write(result.report, sys.stdout)
            else:
                click.echo(f"{result.target.label}: not tested")
                for problem in result.problems:
                    click.echo(f"  {problem}")
            click.echo("")
        click.echo(f"{passed} of {len(results)} configs of {env_name} passed.")
    return 0 if passed == len(results) else 1


@click.command()
@click.argument("config", required=False, shell_complete=complete.configs)
@click.option(
    "--env",
    "env_name",
    metavar="ENV",
    help="Test every config of this environment.",
    shell_complete=complete.environments,
)
@click.option(
    "--send-to",
    metavar="ADDRESS",
    callback=mailbox,
    help="Also send a real test email to ADDRESS (one email address).",
)
@format_option("text", "json")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of decrypting it.",
)
@connection_test_flags
@click.option("--transcript", is_flag=True, help="Show the SMTP conversation (no credentials).")
@click.option("--alternative-ports", "alt_ports", hidden=True)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, MAX_WORKERS),
    default=WORKERS,
    show_default=True,
    envvar="SMTPOPS_JOBS",
    metavar="N",
    help="With --env: how many configs to test at once (also $SMTPOPS_JOBS).",
)
def test(
    config: str | None,
    env_name: str | None,
    send_to: str | None,
    fmt: str,
    password_stdin: bool,
    dns: tuple[str, ...],
    wait_timeout: float | None,
    transcript: bool,
    alt_ports: str | None,
    jobs: int,
) -> None:
    """Test the connection of CONFIG (a path or ENV/NAME) against its real server.

    Checks DNS, TCP, the greeting, EHLO, TLS and the certificate, login, and a dry run of the
    envelope (nothing is sent unless --send-to is given). Exit 0 passed; 1 the test failed or
    the config has validation errors (not tested); 2 a usage error or a config that cannot be
    read.
    """
    if bool(config) == bool(env_name):
        raise UsageError(
            "give either a CONFIG or --env ENV",
            hint="smtpops test production/main, or smtpops test --env production",
        )
    password = _read_stdin_password() if password_stdin else None
    how = {"send_to": send_to, "alternative_ports": _ports(alt_ports), "concurrency": jobs}
    if env_name:
        options = connection_test_options(dns, wait_timeout, **how)
        sys.exit(_test_environment(env_name, fmt, options, password))
    assert config is not None
    # the settings and the config are read from their parsed copies when these are known
    # (an unchanged config tested again): then no YAML parser loads (parse_cache)
    with parse_cache.used(repository.root_of(config)):
        target = repository.target(config)
        # sops (a Go process start and an age decryption, 15-30 ms) starts now and runs while
        # the rest of the test loads; run_test still validates first and checks the seal
        # before anything connects, and takes sops' answer only then (a run it does not take
        # is ended)
        with decrypt_ahead(target.path) if password is None else contextlib.nullcontext():
            options = connection_test_options(dns, wait_timeout, **how)
            # lazy(start-up): the connection service (probe, model: ~20 ms) loads while sops runs
            from smtpops.services.connection import run_test

            report = run_test(target, options, password=password)
    _write_report(report, fmt, transcript)
    sys.exit(report.exit_code)
