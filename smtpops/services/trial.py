"""The connection test of a draft (a config not yet saved), step by step as it runs.

The same test as ``smtpops test`` (:mod:`smtpops.probe`): validation first (a config with
errors is not tested), then DNS, TCP, greeting, EHLO, TLS, certificate, login and the
envelope dry run, or a real test email with ``send_to``; at most 60 seconds in all.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

from smtpops import localstate, settings, yamlio
from smtpops.model import Config
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.probe import ProbeReport, StepResult, run_probe
from smtpops.probe.result import STEP_TITLES
from smtpops.probe.runner import SEQUENCES
from smtpops.secret import Secret
from smtpops.services import connection
from smtpops.services.repository import Target

TOTAL_TIMEOUT = 60.0


def planned_steps(tls: str) -> list[dict[str, str]]:
    """The steps the test will run for this encryption mode, in order, with their titles."""
    names = SEQUENCES.get(tls, SEQUENCES["STARTTLS"])
    return [{"name": n, "title": STEP_TITLES.get(n, n)} for n in names]


def run(
    *,
    root: str,
    configs_dir: str,
    env: str,
    name: str,
    text: str,
    password: Secret | OAuthCredentials | None,
    send_to: str | None = None,
    on_step: Callable[[StepResult], None] | None = None,
) -> ProbeReport:
    """Test the config ``text`` would be, with ``password`` (or an OAuth2 config's decrypted
    secret parts, for the Token step) held in memory only: the probe's
    options (DNS servers, timeouts, where a relative ``ca_file`` is found) are decided by
    :func:`smtpops.services.connection.probe_options`, as for ``smtpops test``; the attempt
    goes to the test log of the repository at ``root``."""
    data = yamlio.loads(text).data
    config = Config.from_raw(data if isinstance(data, dict) else {})
    environment = settings.load(configs_dir).environment(env)
    target = Target(
        path=os.path.join(configs_dir, env, f"{name}.yaml"),
        label=f"{env}/{name}",
        environment=environment,
        root=os.path.dirname(os.path.abspath(configs_dir)),
    )
    options = connection.probe_options(
        target, connection.ConnectionTestOptions(send_to=send_to, total_timeout=TOTAL_TIMEOUT)
    )
    options = dataclasses.replace(options, log_dir=localstate.top(root), on_step=on_step)
    return run_probe(config, password, environment=environment, send_to=send_to, options=options)
