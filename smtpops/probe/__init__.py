"""The live connection test: DNS, TCP, greeting, EHLO, TLS, certificate, AUTH, envelope dry run,
optional test email, QUIT — each step timed, each failure typed and explained.

``run_probe`` is the library entry point; ``smtpops test`` and ``smtpops deploy`` use it.
"""

from __future__ import annotations

from smtpops.model import Config
from smtpops.probe.result import ProbeOptions, ProbeReport, StepResult
from smtpops.probe.runner import run
from smtpops.secret import Secret
from smtpops.settings import Environment

__all__ = ["ProbeOptions", "ProbeReport", "StepResult", "run_probe"]


def run_probe(
    config: Config,
    password: Secret | None,
    *,
    environment: Environment | None = None,
    send_to: str | None = None,
    options: ProbeOptions | None = None,
) -> ProbeReport:
    """Test ``config`` against its real server. Never raises for a server problem: the report
    says which step failed and why. ``password`` None fails the AUTH step."""

    return run(
        config,
        password,
        environment=environment,
        send_to=send_to,
        options=options,
        config_name=(options.label or "") if options else "",
    )
