"""The gate every activation passes: validation, then the live connection test.

"A configuration cannot be activated until it passes the connection test": the gate runs
in the same smtpops run as the commit, on the file as it will be committed. The tester is
a seam — ``(Config, Secret | None, Environment) -> report`` — with the real connection test
(:mod:`smtpops.probe`) as the default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from smtpops import yamlio
from smtpops.errors import CheckFailed, InputError
from smtpops.model import Config
from smtpops.secret import Secret
from smtpops.settings import Environment


class TestReport(Protocol):
    """What deploy needs of a connection test's report (``smtpops.probe.ProbeReport``)."""

    @property
    def passed(self) -> bool: ...

    @property
    def summary(self) -> str: ...

    @property
    def facts(self) -> Any: ...

    def to_dict(self) -> dict[str, Any]: ...


Tester = Callable[[Config, Secret | None, Environment], TestReport]
Decrypt = Callable[[str], Secret]


class ValidationFailed(CheckFailed):
    """The config has validation errors; nothing was changed."""


class TestFailed(CheckFailed):
    """The connection test failed; nothing was changed. ``report`` is the test's report."""

    def __init__(self, message: str, *, hint: str | None, report: TestReport) -> None:
        super().__init__(message, hint=hint)
        self.report = report


def default_tester(
    base_dir: str, label: str = "", nameservers: tuple[str, ...] | None = None
) -> Tester:
    """The real connection test; relative ``ca_file`` paths resolve against ``base_dir``
    (the repository root) and the attempt goes to the local test log. ``nameservers``
    ("IP[:PORT]") default to $SMTPOPS_DNS, as for `smtpops test`, else the system's."""
    if nameservers is None:
        from smtpops.probe.resolve import configured_nameservers

        nameservers = tuple(f"{ip}:{port}" for ip, port in configured_nameservers(()))

    def run(config: Config, password: Secret | None, env: Environment) -> TestReport:
        import os

        from smtpops.probe import ProbeOptions, run_probe

        options = ProbeOptions(
            base_dir=base_dir,
            log_dir=os.path.join(base_dir, ".smtpops"),
            label=label or None,
            nameservers=nameservers,
        )
        report: TestReport = run_probe(config, password, environment=env, options=options)
        return report

    return run


def default_decrypt(path: str) -> Secret:
    """The password, only while its sealed binding matches the file's server fields."""
    from smtpops.encryption import decrypt_for_sending

    return decrypt_for_sending(path)


def validate(path: str, label: str) -> None:
    from smtpops import engine

    report = engine.validate((path,))
    if report.errors:
        shown = [f"  {d.location} {d.rule_id}: {d.message}" for d in report.errors[:5]]
        more = len(report.errors) - len(shown)
        raise ValidationFailed(
            f"{label} has {len(report.errors)} validation error(s); nothing was changed:\n"
            + "\n".join(shown)
            + (f"\n  … and {more} more" if more > 0 else ""),
            hint=f"Run `smtpops validate {path}` for every finding with its fix.",
        )


def run(path: str, label: str, env: Environment, tester: Tester, decrypt: Decrypt) -> TestReport:
    """Validate, decrypt in memory and test ``path``; raise when any step fails."""
    validate(path, label)
    try:
        data = yamlio.load_path(path).data
    except (OSError, yamlio.LoadError) as exc:  # validation reports these first
        raise InputError(f"{path}: cannot be read ({exc})") from None
    config = Config.from_raw(data if isinstance(data, dict) else {})
    password = decrypt(path) if config.password else None
    report = tester(config, password, env)
    if not report.passed:
        failure = getattr(report, "failure", None)
        summary = password.scrub(report.summary) if password else report.summary
        raise TestFailed(
            f"the connection test of {label} failed, so nothing was changed: {summary}",
            hint=getattr(failure, "hint", None) or f"Run `smtpops test {label}` for details.",
            report=report,
        )
    return report
