"""The live connection test: DNS, TCP, greeting, EHLO, TLS, certificate, AUTH, envelope dry run,
optional test email, QUIT — each step timed, each failure typed and explained.

``run_probe`` is the library entry point; ``smtpops test`` and ``smtpops deploy`` use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smtpops.probe.result import ProbeOptions, ProbeReport, StepResult

if TYPE_CHECKING:  # names of annotations only: `smtpops test` imports the package (its
    # batch sizes) before it starts sops, and the model loads while sops runs
    from smtpops.model import Config
    from smtpops.oauth.credentials import OAuthCredentials
    from smtpops.secret import Secret
    from smtpops.settings import Environment

__all__ = ["ProbeOptions", "ProbeReport", "StepResult", "prepare", "run_probe"]


def prepare() -> None:
    """Load the steps (ssl, sockets, the advice) now, with no network: ``smtpops test`` does
    it while sops decrypts the password, which has to be done before anything connects.
    :func:`run_probe` does it anyway; commands that use only the probe's records, log or
    text (status, history) never load them."""
    # lazy(start-up): the steps, ssl and the advice (~15 ms) wait until a test is to run
    from smtpops.probe import runner  # noqa: F401


def run_probe(
    config: Config,
    password: Secret | OAuthCredentials | None,
    *,
    environment: Environment | None = None,
    send_to: str | None = None,
    options: ProbeOptions | None = None,
) -> ProbeReport:
    """Test ``config`` against its real server. Never raises for a server problem: the report
    says which step failed and why. ``password`` None fails the AUTH step; an OAuth2 config
    takes its decrypted OAuth2 credentials instead (the Token step gets the access token)."""
    # lazy(start-up): the steps, ssl and the advice (~15 ms): see prepare()
    from smtpops.probe.runner import run

    return run(
        config,
        password,
        environment=environment,
        send_to=send_to,
        options=options,
        config_name=(options.label or "") if options else "",
    )
