"""``smtpops test``: test a config's connection against its real server."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any

import click

from smtpops.cli._change import DNS
from smtpops.cli.options import format_option
from smtpops.errors import CheckFailed, InputError, SmtpopsError, UsageError


@dataclass(frozen=True, slots=True)
class Target:
    path: str
    label: str
    environment: str | None
    configs_dir: str | None


def _target(path: str) -> Target:
    from smtpops import discovery

    item = discovery.classify(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    label = f"{item.environment}/{stem}" if item.environment else item.path
    return Target(item.path, label, item.environment, item.configs_dir)


def _validation_errors(path: str) -> list[str]:
    """The validator's errors for ``path`` as printable lines (empty when it may be tested)."""
    from smtpops import engine

    report = engine.validate((path,))
    if report.input_error:
        first = report.diagnostics[0] if report.diagnostics else None
        raise InputError(f"{path}: {first.message if first else 'cannot be read'}")
    return [
        f"{d.location}: {d.rule_id} {d.message}\n    How to fix: {d.hint}" for d in report.errors
    ]


def _decrypter() -> Any:
    """``smtpops.encryption.decrypt_password`` (built by the secrets work), if present."""
    import importlib

    try:
        module = importlib.import_module("smtpops.encryption")
    except ImportError:
        module = None
    if module is None or not hasattr(module, "decrypt_for_sending"):
        raise UsageError(
            "this smtpops cannot decrypt passwords yet",
            hint="Pass the password on standard input: smtpops test --password-stdin CONFIG.",
        )
    return module.decrypt_for_sending  # refuses a password whose binding no longer matches


def _password(target: Target, stdin_password: str | None) -> Any:
    from smtpops.secret import Secret

    if stdin_password is not None:
        return Secret(stdin_password)
    return _decrypter()(target.path)


def _run(target: Target, password: Any, opts: dict[str, Any]) -> Any:
    from smtpops import settings, yamlio
    from smtpops.model import Config
    from smtpops.probe import ProbeOptions, run_probe

    config = Config.from_raw(yamlio.load_path(target.path).data)
    project = settings.load(target.configs_dir) if target.configs_dir else settings.DEFAULT
    env = project.environment(target.environment) if target.environment else None
    root = os.path.dirname(target.configs_dir) if target.configs_dir else os.getcwd()
    options = ProbeOptions(
        nameservers=opts["nameservers"],
        wait_timeout=opts["wait_timeout"],
        base_dir=root,
        log_dir=os.path.join(root, ".smtpops"),
        label=target.label,
        **({"alternative_ports": opts["alt_ports"]} if opts["alt_ports"] is not None else {}),
    )
    return run_probe(config, password, environment=env, send_to=opts["send_to"], options=options)


def _read_stdin_password() -> str:
    text = sys.stdin.readline().rstrip("\r\n")
    if not text:
        raise UsageError(
            "--password-stdin was given but standard input is empty",
            hint="Pipe the password in: printf '%s' \"$PW\" | smtpops test ...",
        )
    return text


def _ports(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise UsageError(
            f"--alternative-ports '{text}' is not a comma-separated port list"
        ) from None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One config of an ``--env`` run: its report, or why it was not tested."""

    target: Target
    report: Any
    errors: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.report is not None and self.report.passed

    def to_dict(self) -> dict[str, Any]:
        if self.report is not None:
            return dict(self.report.to_dict())
        return {
            "config": self.target.label,
            "environment": self.target.environment,
            "passed": False,
            "tested": False,
            "errors": list(self.errors),
        }


def _env_targets(env_name: str) -> list[Target]:
    from smtpops import discovery, repopath

    repopath.check_segment(env_name, "environment")
    configs_dir = discovery.find_configs_dir()
    if configs_dir is None:
        raise InputError(
            "there is no configs/ folder here or in a parent folder",
            hint="Run smtpops from your repository.",
        )
    folder = os.path.join(configs_dir, env_name)
    if not os.path.isdir(folder):
        known = sorted(
            d
            for d in os.listdir(configs_dir)
            if os.path.isdir(os.path.join(configs_dir, d)) and not d.startswith(".")
        )
        raise UsageError(
            f"there is no environment '{env_name}' in {configs_dir}",
            hint=f"Environments here: {', '.join(known) or 'none'}.",
        )
    items, _ = discovery.discover((folder,))
    if not items:
        raise InputError(f"{folder} holds no config files")
    return [_target(item.path) for item in items]


def _test_environment(
    env_name: str, fmt: str, opts: dict[str, Any], stdin_password: str | None
) -> int:
    from smtpops.probe.batch import run_all

    targets = _env_targets(env_name)
    if stdin_password is None:
        _decrypter()
    checked = [(t, _validation_errors(t.path)) for t in targets]

    def job(target: Target, errors: list[str]) -> Any:
        def run() -> Outcome:
            if errors:
                return Outcome(target, None, tuple(errors))
            try:
                return Outcome(target, _run(target, _password(target, stdin_password), opts))
            except SmtpopsError as exc:
                return Outcome(target, None, (exc.message,))

        return run

    done = [0]

    def progress(index: int, outcome: Outcome) -> None:
        done[0] += 1
        mark = "✓" if outcome.passed else "✗"
        took = f"{outcome.report.facts.get('duration_ms')} ms" if outcome.report else "not tested"
        click.echo(f"[{done[0]}/{len(targets)}] {mark} {outcome.target.label} ({took})", err=True)

    outcomes = run_all([job(t, e) for t, e in checked], on_done=progress)
    passed = sum(o.passed for o in outcomes)
    if fmt == "json":
        document = {
            "environment": env_name,
            "passed": passed == len(outcomes),
            "configs": [o.to_dict() for o in outcomes],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        from smtpops.probe import text

        for outcome in outcomes:
            if outcome.report is not None:
                text.write(outcome.report, sys.stdout)
            else:
                click.echo(f"{outcome.target.label}: not tested")
                for error in outcome.errors:
                    click.echo(f"  {error}")
            click.echo("")
        click.echo(f"{passed} of {len(outcomes)} configs of {env_name} passed.")
    return 0 if passed == len(outcomes) else 1


@click.command()
@click.argument("config", required=False)
@click.option("--env", "env_name", metavar="ENV", help="Test every config of this environment.")
@click.option("--send-to", metavar="ADDRESS", help="Also send a real test email to ADDRESS.")
@format_option("text", "json")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of decrypting it.",
)
@DNS
@click.option(
    "--wait-timeout",
    type=click.FloatRange(0.05, 120),
    metavar="SECONDS",
    help="Seconds to wait for each answer (default: the config's wait_timeout).",
)
@click.option("--transcript", is_flag=True, help="Show the SMTP conversation (no credentials).")
@click.option("--alternative-ports", "alt_ports", hidden=True)
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
) -> None:
    """Test the connection of CONFIG (a path or ENV/NAME) against its real server.

    Checks DNS, TCP, the greeting, EHLO, TLS and the certificate, login, and a dry run of the
    envelope (nothing is sent unless --send-to is given). Exit 0 passed, 1 failed, 2 bad input.
    """
    from smtpops import discovery
    from smtpops.cli._change import nameservers

    if bool(config) == bool(env_name):
        raise UsageError(
            "give either a CONFIG or --env ENV",
            hint="smtpops test production/main, or smtpops test --env production",
        )
    opts = {
        "nameservers": nameservers(dns),
        "wait_timeout": wait_timeout,
        "send_to": send_to,
        "alt_ports": _ports(alt_ports),
    }
    stdin_password = _read_stdin_password() if password_stdin else None
    if env_name:
        sys.exit(_test_environment(env_name, fmt, opts, stdin_password))
    assert config is not None
    target = _target(discovery.resolve_name(config))
    errors = _validation_errors(target.path)
    if errors:
        click.echo("\n".join(errors), err=True)
        raise CheckFailed(
            f"{target.path} has validation errors; it was not tested",
            hint=f"Fix them (smtpops validate {target.path}), then test again.",
        )
    report = _run(target, _password(target, stdin_password), opts)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        from smtpops.probe import text
        from smtpops.reporters.text import use_colour

        text.write(report, sys.stdout, colour=use_colour(sys.stdout), transcript=transcript)
    sys.exit(report.exit_code)
