"""The agent's Prometheus metrics, in a registry of its own (no process-wide state).

Names follow Prometheus' conventions (base units, ``_total`` counters, ``_seconds``); labels
are the environment, the config (ENV/NAME) and, where needed, the step or status. No label or
value ever holds a secret or an address.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

DELAY_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400)


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        env_cfg = ("environment", "config")
        self.probe_success = Gauge(
            "smtpops_probe_success",
            "1 if the last connection test passed, else 0",
            env_cfg,
            registry=r,
        )
        self.probe_duration = Gauge(
            "smtpops_probe_duration_seconds",
            "How long each step of the last connection test took",
            (*env_cfg, "step"),
            registry=r,
        )
        self.probe_timestamp = Gauge(
            "smtpops_probe_last_run_timestamp_seconds",
            "When the last connection test ended (Unix time)",
            env_cfg,
            registry=r,
        )
        self.probe_failures = Counter(
            "smtpops_probe_failures",
            "Failed connection tests, by failure class",
            (*env_cfg, "error"),
            registry=r,
        )
        self.auth_failures = Counter(
            "smtpops_auth_failures",
            "Connection tests the server refused at sign-in",
            env_cfg,
            registry=r,
        )
        self.cert_expiry = Gauge(
            "smtpops_certificate_expiry_timestamp_seconds",
            "When the server's certificate expires (Unix time), as seen by the last test",
            env_cfg,
            registry=r,
        )
        self.config_info = Gauge(
            "smtpops_config_info",
            "The active config of each environment as applied: 1 per environment",
            ("environment", "config", "host", "port", "tls", "commit", "digest"),
            registry=r,
        )
        self.apply_success = Gauge(
            "smtpops_apply_last_success_timestamp_seconds",
            "When the environment's runtime was last brought in line with git (Unix time)",
            ("environment", "target"),
            registry=r,
        )
        self.apply_errors = Counter(
            "smtpops_apply_errors",
            "Reconcile rounds in which applying the environment failed",
            ("environment", "target"),
            registry=r,
        )
        self.apply_refused = Gauge(
            "smtpops_apply_refused",
            "1 while git's active config is refused (no smtpops deploy with a passing test)",
            ("environment",),
            registry=r,
        )
        self.reconcile_timestamp = Gauge(
            "smtpops_reconcile_last_timestamp_seconds",
            "When the agent last fetched git and reconciled (Unix time)",
            registry=r,
        )
        self.deliveries = Counter(
            "smtpops_deliveries",
            "Messages through the relay, by status (accepted, sent, deferred, bounced, expired)",
            ("environment", "status"),
            registry=r,
        )
        self.delivery_delay = Histogram(
            "smtpops_delivery_delay_seconds",
            "Time from the relay accepting a message to the provider accepting it",
            ("environment",),
            buckets=DELAY_BUCKETS,
            registry=r,
        )
        self.queue_size = Gauge(
            "smtpops_queue_messages",
            "Messages waiting in the relay's queue",
            ("environment",),
            registry=r,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
