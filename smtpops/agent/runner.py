"""The agent's loop: every ``interval`` (or at once on SIGHUP) fetch git and reconcile each
watched environment; probe each active config every ``probe_interval``; read the relay's
delivery log and queue; update the metrics, the state, the events and the alerts.

One round never raises: what fails is logged, counted and reported, and the runtime keeps
what it had (an apply is atomic; a refused config is not applied).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from smtpops.agent import admission, alerts, maillog, metrics, server, state
from smtpops.agent.checkout import Checkout
from smtpops.agent.settings import AgentSettings, Watch
from smtpops.delivery import targets
from smtpops.errors import SmtpopsError
from smtpops.events.collect import AUTH_ERRORS, TLS_PREFIXES
from smtpops.gitops import workspace
from smtpops.services import apply as apply_service
from smtpops.services.connection import ConnectionTestOptions, run_test
from smtpops.services.repository import Target

Log = Callable[..., None]

DELIVERY_EVENTS = {
    "accepted": "email_sent",
    "sent": "email_delivered",
    "bounced": "email_bounced",
    "deferred": "email_failed",
    "expired": "retry_attempts_exhausted",
}
CERT_WARNING_DAYS = 14
TOKEN_MARGIN = 600.0  # seconds: a handed-over access token this close to expiry is renewed


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Agent:
    def __init__(self, settings: AgentSettings, *, log: Log, post: alerts.Post | None = None):
        self.settings = settings
        self.log = log
        self.metrics = metrics.Metrics()
        self.checkout = Checkout(
            remote=settings.repository, branch=settings.branch, path=settings.checkout_dir
        )
        self.state = state.State(os.path.join(settings.workdir, "state.json"))
        self.events_path = os.path.join(settings.workdir, "events.jsonl")
        self.notifier = alerts.Notifier(
            settings.webhooks,
            log=lambda m: self.log("alert", detail=m),
            post=post or alerts.post_json,
        )
        self.readers = {
            w.environment: maillog.LogReader(w.maillog) for w in settings.watches if w.maillog
        }
        self._probed: dict[str, float] = {}
        self._canary: dict[str, float] = {}
        self._sync_error: str | None = None
        self._info_labels: dict[str, tuple[str, ...]] = {}
        self._next_reconcile = 0.0
        self.wake = threading.Event()
        self.stop = threading.Event()

    # -- events ----------------------------------------------------------------------------
    def event(self, name: str, **properties: Any) -> None:
        os.makedirs(self.settings.workdir, exist_ok=True)
        record = {"event": name, "timestamp": _now_iso(), **properties}
        with open(self.events_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")

    def events_bytes(self) -> bytes:
        try:
            with open(self.events_path, "rb") as handle:
                return handle.read()
        except OSError:
            return b""

    # -- one round -------------------------------------------------------------------------
    def watches(self, environments: tuple[str, ...]) -> tuple[Watch, ...]:
        if self.settings.watches:
            return self.settings.watches
        return tuple(Watch(environment=name) for name in environments)

    def round(self, *, reconcile: bool = True) -> None:
        """Reconcile (when due), probe what is due, read deliveries, send alerts."""
        ws = None
        if reconcile or time.time() >= self._next_reconcile:
            self._next_reconcile = time.time() + self.settings.interval
            ws = self.reconcile()
        else:
            ws = self._workspace()
        if ws is not None:
            self.probe(ws)
        self.read_deliveries()
        self.notifier.update(self.current_alerts())
        self.state.save()

    def _workspace(self) -> Any:
        try:
            return workspace.open_at(self.checkout.path)
        except SmtpopsError:
            return None

    def reconcile(self) -> Any:
        try:
            head = self.checkout.sync()
            ws = workspace.open_at(self.checkout.path)
        except SmtpopsError as exc:
            self._sync_error = exc.message
            self.log("sync failed", error=exc.message)
            return None
        self._sync_error = None
        self.state.commit = head
        for watch in self.watches(tuple(ws.settings.order)):
            self._reconcile_env(ws, watch, head)
        self.state.reconciled_at = time.time()
        self.metrics.reconcile_timestamp.set(self.state.reconciled_at)
        return ws

    def _reconcile_env(self, ws: Any, watch: Watch, head: str) -> None:
        env = watch.environment
        st = self.state.env(env)
        st.commit = head
        try:
            plan = apply_service.plan(env, ws=ws, decrypt=False)
        except SmtpopsError as exc:
            st.error = exc.message
            self.log("cannot read the active config", environment=env, error=exc.message)
            return
        delivery = plan.delivery
        st.config = delivery.config if delivery else None
        st.digest = delivery.digest if delivery else None
        if delivery is not None:
            name = delivery.config.partition("/")[2]
            rel = os.path.relpath(self._config_path(ws, env, name), ws.repo.root)
            verdict = admission.check(ws.repo.root, env, name, rel)
            if not verdict.admitted:
                if st.refused != verdict.reason:
                    self.log(
                        "refused", environment=env, config=delivery.config, reason=verdict.reason
                    )
                    self.event(
                        "config_apply_refused",
                        configuration_id=delivery.config,
                        config_version=verdict.commit,
                        reason=verdict.reason,
                    )
                st.refused = verdict.reason
                self.metrics.apply_refused.labels(env).set(1)
                return
        st.refused = None
        self.metrics.apply_refused.labels(env).set(0)
        wanted = st.digest or "hold"
        for choice in watch.targets:
            if st.applied.get(choice.name) == wanted and not self._token_due(st, choice.name):
                continue
            try:
                full = apply_service.plan(env, ws=ws, target=choice.name) if delivery else plan
                result = targets.apply(choice.name, full, dict(choice.options))
            except SmtpopsError as exc:
                st.error = exc.message
                self.metrics.apply_errors.labels(env, choice.name).inc()
                self.log("apply failed", environment=env, target=choice.name, error=exc.message)
                continue
            st.applied[choice.name] = wanted
            if result.token_expires_at is None:
                st.token_expires.pop(choice.name, None)
            else:
                st.token_expires[choice.name] = result.token_expires_at
            st.applied_at = time.time()
            st.error = None
            self.metrics.apply_success.labels(env, choice.name).set(st.applied_at)
            self.log(
                "applied",
                environment=env,
                target=choice.name,
                config=st.config,
                commit=head[:12],
                digest=wanted,
                location=result.location,
                changed=result.changed,
                held=result.held,
            )
            if delivery:
                self.event(
                    "config_deployment_success",
                    configuration_id=delivery.config,
                    config_version=head,
                    deployment_method=f"agent {choice.name}",
                    digest=wanted,
                )
        self._info(env, delivery, head)

    @staticmethod
    def _token_due(st: Any, target: str) -> bool:
        """Whether the access token a target was given expires within TOKEN_MARGIN seconds
        (an OAuth2 config): then it is applied again with a fresh one."""
        expires = st.token_expires.get(target)
        return expires is not None and expires - time.time() < TOKEN_MARGIN

    @staticmethod
    def _config_path(ws: Any, env: str, name: str) -> str:
        found = ws.config(env, name)
        return str(found.path) if found else os.path.join(ws.configs_dir, env, f"{name}.yaml")

    def _info(self, env: str, delivery: Any, head: str) -> None:
        gauge = self.metrics.config_info
        old = self._info_labels.pop(env, None)
        if old:  # one series per environment: the previous config's goes
            gauge.remove(*old)
        if delivery is not None:
            labels = (
                env,
                delivery.config,
                delivery.host,
                str(delivery.port),
                delivery.tls,
                head[:12],
                delivery.digest,
            )
            gauge.labels(*labels).set(1)
            self._info_labels[env] = labels

    # -- probes ----------------------------------------------------------------------------
    def probe(self, ws: Any, *, force: bool = False) -> None:
        now = time.time()
        for watch in self.watches(tuple(ws.settings.order)):
            env = watch.environment
            st = self.state.env(env)
            if st.config is None or st.refused:
                continue
            if not force and now - self._probed.get(env, 0) < self.settings.probe_interval:
                continue
            self._probed[env] = now
            name = st.config.partition("/")[2]
            canary = None
            if watch.canary_to and now - self._canary.get(env, 0) >= watch.canary_interval:
                canary, self._canary[env] = watch.canary_to, now
            target = Target(
                path=self._config_path(ws, env, name),
                label=st.config,
                environment=ws.environment(env),
                root=ws.repo.root,
            )
            self.event("connection_test_initiated", configuration_id=st.config, source="agent")
            try:
                report = run_test(target, ConnectionTestOptions(log=False, send_to=canary))
            except SmtpopsError as exc:
                st.probe = state.Probe(
                    passed=False, at=now, duration_ms=0, error="config", message=exc.message
                )
                self.metrics.probe_success.labels(env, st.config).set(0)
                self.log("probe could not run", environment=env, error=exc.message)
                continue
            self._record_probe(env, st, report, now)

    def _record_probe(self, env: str, st: state.EnvState, report: Any, now: float) -> None:
        m, cfg = self.metrics, st.config or ""
        failure = report.failure
        days = None
        for step in report.steps:
            m.probe_duration.labels(env, cfg, step.name).set(step.duration_ms / 1000)
            if step.name == "certificate" and "days_left" in step.data:
                days = int(step.data["days_left"])
                expiry = now + days * 86400
                m.cert_expiry.labels(env, cfg).set(expiry)
        m.probe_success.labels(env, cfg).set(1 if report.passed else 0)
        m.probe_timestamp.labels(env, cfg).set(now)
        total = int(report.facts.get("duration_ms") or 0)
        st.probe = state.Probe(
            passed=report.passed,
            at=now,
            duration_ms=total,
            failed_step=failure.name if failure else None,
            error=failure.error if failure else None,
            message=failure.message if failure else None,
            certificate_days_left=days,
        )
        name = "connection_test_success" if report.passed else "connection_test_failure"
        self.event(
            name,
            configuration_id=cfg,
            test_duration=total,
            error_type=failure.error if failure else None,
            retry_attempts=0,
            source="agent",
        )
        if failure:
            m.probe_failures.labels(env, cfg, failure.error or "unknown").inc()
            self.log(
                "probe failed", environment=env, config=cfg, step=failure.name, error=failure.error
            )
            if failure.error in AUTH_ERRORS:
                m.auth_failures.labels(env, cfg).inc()
                self.event(
                    "authentication_failure",
                    configuration_id=cfg,
                    failure_type=failure.error,
                    security_protocol=report.facts.get("tls_mode"),
                )
            elif (failure.error or "").startswith(TLS_PREFIXES):
                self.event(
                    "tls_handshake_failure",
                    configuration_id=cfg,
                    failure_type=failure.error,
                    security_protocol=report.facts.get("tls_mode"),
                )
            if (failure.error or "").endswith(".timeout"):
                self.event("timeout_events", configuration_id=cfg, timeout_duration=total)

    # -- deliveries ------------------------------------------------------------------------
    def read_deliveries(self) -> None:
        for env, reader in self.readers.items():
            cfg = self.state.env(env).config
            for fact in reader.read():
                self.metrics.deliveries.labels(env, fact.status).inc()
                if fact.status == "sent" and fact.delay is not None:
                    self.metrics.delivery_delay.labels(env).observe(fact.delay)
                props: dict[str, Any] = {"configuration_id": cfg, "queue_id": fact.queue_id}
                if fact.delay is not None:
                    props["delivery_time"] = fact.delay
                if fact.reason:
                    props["failure_reason"] = fact.reason
                self.event(DELIVERY_EVENTS[fact.status], **props)
        for watch in self.settings.watches:
            self._queue(watch)

    def _queue(self, watch: Watch) -> None:

        for choice in watch.targets:
            try:
                count = targets.get(choice.name).queued(dict(choice.options))
            except (SmtpopsError, OSError):
                continue
            self.state.env(watch.environment).queue = count
            self.metrics.queue_size.labels(watch.environment).set(count)

    # -- alerts and health -----------------------------------------------------------------
    def current_alerts(self) -> list[alerts.Alert]:
        found = []
        for env, st in self.state.envs.items():

            def add(name: str, summary: str, env: str = env, st: state.EnvState = st) -> None:
                found.append(
                    alerts.Alert(name=name, environment=env, config=st.config, summary=summary)
                )

            if st.refused:
                add("SmtpopsApplyRefused", st.refused)
            if st.error:
                add("SmtpopsApplyFailing", st.error)
            probe = st.probe
            if probe and not probe.passed:
                name = "SmtpopsAuthFailing" if probe.error in AUTH_ERRORS else "SmtpopsProbeFailing"
                add(name, probe.message or probe.error or "the connection test failed")
            days = probe.certificate_days_left if probe else None
            if days is not None and days < CERT_WARNING_DAYS:
                add(
                    "SmtpopsCertificateExpiring", f"the server's certificate expires in {days} days"
                )
        return found

    def healthy(self) -> tuple[bool, str]:
        if self._sync_error:
            return False, f"cannot fetch the config repository: {self._sync_error}"
        at = self.state.reconciled_at
        if at is None:
            return False, "not reconciled yet"
        late = time.time() - at
        if late > 3 * self.settings.interval + 30:
            return False, f"last reconcile {late:.0f} s ago"
        return True, "ok"

    # -- the loop --------------------------------------------------------------------------
    def serve(self) -> server.Server:
        endpoints = server.Endpoints(
            metrics=self.metrics.exposition,
            healthy=self.healthy,
            status=self.state.to_dict,
            events=self.events_bytes,
        )
        return server.Server(self.settings.listen_host, self.settings.listen_port, endpoints)

    def halt(self) -> None:
        """Stop after the current round (SIGTERM)."""
        self.stop.set()
        self.wake.set()

    def run(self, *, once: bool = False, http: server.Server | None = None) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, lambda *_: self.wake.set())
            signal.signal(signal.SIGTERM, lambda *_: self.halt())
        woken = True
        while not self.stop.is_set():
            self.round(reconcile=woken)
            if once:
                break
            tick = min(self.settings.interval, self.settings.probe_interval, 30.0)
            woken = self.wake.wait(timeout=tick)  # SIGHUP: reconcile now
            self.wake.clear()
        if http:
            http.stop()
