"""Run the steps in order under the overall cap, time each, and build the ProbeReport."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from smtpops.model import Config
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.probe import log, resolve, secure, steps
from smtpops.probe.failure import Failure
from smtpops.probe.result import ProbeOptions, ProbeReport, StepResult
from smtpops.probe.state import Outcome, Probe
from smtpops.secret import Secret
from smtpops.settings import Environment


def _token(p: Probe) -> Outcome:
    """The Token step (:func:`smtpops.probe.token_step.token`)."""
    # only a config that signs in with a token loads the OAuth2 token machinery:
    # lazy(start-up): ~6 ms (flows, providers, token endpoints)
    from smtpops.probe import token_step

    return token_step.token(p)


def _token_auth(p: Probe) -> Outcome:
    """AUTH with the access token of the Token step (XOAUTH2, OAUTHBEARER)."""
    # lazy(start-up): as for the Token step, only a config that signs in with a token
    from smtpops.probe import token_step

    return token_step.token_auth(p)


STEPS: dict[str, Callable[[Probe], Outcome]] = {
    "dns": steps.dns,
    "connect": steps.connect,
    "greeting": steps.greeting,
    "ehlo": steps.ehlo,
    "tls": secure.tls_step,
    "certificate": secure.certificate_step,
    "ehlo_tls": steps.ehlo_tls,
    "token": _token,
    "auth": steps.auth,
    "envelope": steps.envelope,
    "send": steps.send,
    "quit": steps.quit_,
}
_TAIL = ("auth", "envelope", "send", "quit")
SEQUENCES: dict[str, tuple[str, ...]] = {
    "STARTTLS": ("dns", "connect", "greeting", "ehlo", "tls", "certificate", "ehlo_tls", *_TAIL),
    "SSL/TLS": ("dns", "connect", "tls", "certificate", "greeting", "ehlo", *_TAIL),
    "None": ("dns", "connect", "greeting", "ehlo", "tls", "certificate", *_TAIL),
}


def sequence(config: Config) -> tuple[str, ...]:
    """The steps for ``config``: its TLS mode's, with the Token step before AUTH when it signs
    in with OAuth2."""
    names = SEQUENCES.get(config.tls, SEQUENCES["STARTTLS"])
    if not config.uses_token:
        return names
    at = names.index("auth")
    return (*names[:at], "token", *names[at:])


def _ms(since: float) -> int:
    return round((time.perf_counter() - since) * 1000)


def _context(p: Probe, failure: Failure) -> dict[str, Any]:
    base: dict[str, Any] = {
        "host": p.host,
        "port": p.port,
        "address": p.address or p.host,
        "seconds": p.wait,
        "username": p.config.username or "",
        "provider": p.provider,
        "command": p.step.upper(),
        "ca_file": p.config.ca_file,
        "excerpt": "",
        "reply": "",
        "servers": "",
    }
    return base | failure.context


def _failed(p: Probe, name: str, failure: Failure, started: float) -> StepResult:
    context = _context(p, failure)
    # lazy(start-up): the advice tables (advice, token_advice) are read only when a step fails
    from smtpops.probe.advice import explain

    message, hint = explain(failure.error, context)
    return StepResult(
        name=name,
        ok=False,
        duration_ms=_ms(started),
        detail=failure.detail,
        error=failure.error,
        message=message,
        hint=hint,
        data=dict(context.get("data") or {}),
    )


def _summary(p: Probe, failure: StepResult | None) -> str:
    if failure is not None:
        return f"{failure.message} {failure.hint}"
    tls = {"STARTTLS": "with STARTTLS", "SSL/TLS": "with implicit TLS"}.get(
        p.config.tls, "unencrypted"
    )
    sent = f" and queued the test email to {p.send_to}" if p.send_to else ""
    return (
        f"The connection test passed: {p.host} port {p.port} answered {tls}, accepted the "
        f"{p.config.auth_protocol} login of {p.config.username} and would accept mail from "
        f"{p.facts.get('sender', '?')}{sent}."
    )


def _scrub(value: Any, password: Secret | OAuthCredentials | None) -> Any:
    if password is None:
        return value
    if isinstance(value, str):
        return password.scrub(value)
    if isinstance(value, dict):
        return {k: _scrub(v, password) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub(v, password) for v in value)
    return value


def _clean(step: StepResult, password: Secret | OAuthCredentials | None) -> StepResult:
    if password is None:
        return step
    return StepResult(
        name=step.name,
        ok=step.ok,
        duration_ms=step.duration_ms,
        skipped=step.skipped,
        detail=_scrub(step.detail, password),
        error=step.error,
        message=_scrub(step.message, password),
        hint=_scrub(step.hint, password),
        warnings=_scrub(step.warnings, password),
        data=_scrub(dict(step.data), password),
    )


def _tell(options: ProbeOptions, step: StepResult) -> None:
    """Report a finished step to whoever watches the test as it runs (the web page)."""
    if options.on_step is not None:
        options.on_step(step)


def run(
    config: Config,
    password: Secret | OAuthCredentials | None,
    *,
    environment: Environment | None = None,
    send_to: str | None = None,
    options: ProbeOptions | None = None,
    config_name: str = "",
) -> ProbeReport:
    options = options or ProbeOptions()
    wait = float(options.wait_timeout or config.wait_timeout or 30)
    begun, clock = time.monotonic(), time.perf_counter()
    p = Probe(
        config=config,
        password=password,
        environment=environment,
        send_to=send_to,
        options=options,
        wait=wait,
        deadline=begun + options.total_timeout,
        test_id=uuid.uuid4().hex,
        nameservers=resolve.parse_nameservers(" ".join(options.nameservers)),
    )
    p.facts.update(host=p.host, port=str(p.port), tls_mode=config.tls)
    name = config_name or config.name or ""
    env_name = environment.name if environment else None
    log.event(
        options.log_dir,
        "connection_test_initiated",
        config=name,
        environment=env_name,
        test_id=p.test_id,
    )
    results: list[StepResult] = []
    try:
        for step in sequence(config):
            p.step = step
            run_step = _token_auth if step == "auth" and config.uses_token else STEPS[step]
            started = time.perf_counter()
            try:
                if not p.host:
                    raise Failure("dns.no_host")
                if p.remaining() <= 0:
                    raise Failure(f"{step}.overall_timeout", seconds=options.total_timeout)
                outcome = run_step(p)
            except Failure as failure:
                results.append(_clean(_failed(p, step, failure, started), password))
                _tell(options, results[-1])
                break
            results.append(
                _clean(
                    StepResult(
                        name=step,
                        ok=True,
                        duration_ms=_ms(started),
                        detail=outcome.detail,
                        skipped=outcome.skipped,
                        warnings=outcome.warnings,
                        data=outcome.data,
                    ),
                    password,
                )
            )
            _tell(options, results[-1])
    finally:
        p.close()
    failed = next((r for r in results if not r.ok), None)
    p.facts["duration_ms"] = str(_ms(clock))
    for key in ("address", "tls_version", "cipher", "auth_mechanism"):
        p.facts.setdefault(key, "")
    report = ProbeReport(
        passed=failed is None,
        steps=tuple(results),
        summary=_scrub(_summary(p, failed), password),
        facts=_scrub(dict(p.facts), password),
        config=name,
        environment=env_name,
        test_id=p.test_id,
        transcript=tuple(_scrub(list(p.transcript), password)),
    )
    log.attempt(options.log_dir, report)
    return report
