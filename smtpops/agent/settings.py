"""What one agent watches and how: read from a small YAML file (``smtpops agent --config``)
and/or command-line options, with embedded defaults for everything but the repository.

Example (``examples/agent/agent.yaml``)::

    repository: git@git.example.com:it/smtp-settings.git
    branch: main
    interval: 60            # seconds between git fetches (SIGHUP: now)
    probe_interval: 300     # seconds between connection tests of each active config
    listen: 127.0.0.1:9187  # /metrics, /healthz, /status, /events
    environments:
      production:
        targets:
          - postfix: {config_dir: /etc/postfix-smart360}
        maillog: /var/log/postfix-smart360.log
        canary_to: it-monitoring@utilitycompany.com   # optional real test email
        canary_interval: 86400
    webhooks:
      - url_env: SMTPOPS_SLACK_WEBHOOK   # the URL is a secret: read from the environment
        format: slack                    # generic | slack | teams
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from smtpops import yamlio
from smtpops.errors import InputError, UsageError
from smtpops.records import record

WEBHOOK_FORMATS = ("generic", "slack", "teams")


@record(frozen=True, kw_only=True)
class TargetChoice:
    name: str  # a delivery target: postfix, file, command
    options: Mapping[str, str] = field(default_factory=dict)


@record(frozen=True, kw_only=True)
class Watch:
    environment: str
    targets: tuple[TargetChoice, ...] = ()
    maillog: str | None = None
    canary_to: str | None = None
    canary_interval: float = 86400.0


@record(frozen=True, kw_only=True)
class Webhook:
    url: str  # a secret (Slack and Teams URLs carry their token): never logged or shown
    format: str = "generic"


@record(frozen=True, kw_only=True)
class AgentSettings:
    repository: str
    branch: str = "main"
    workdir: str = ""
    interval: float = 60.0
    probe_interval: float = 300.0
    listen_host: str = "127.0.0.1"
    listen_port: int = 9187
    watches: tuple[Watch, ...] = ()  # empty: every environment, no targets
    webhooks: tuple[Webhook, ...] = ()

    @property
    def checkout_dir(self) -> str:
        return os.path.join(self.workdir, "checkout")


def default_workdir() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return os.path.join(base, "smtpops-agent")


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(
            f"listen address {value!r} is not HOST:PORT",
            hint="Give e.g. 127.0.0.1:9187 (the default).",
        )
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _number(raw: Mapping[str, Any], key: str, default: float, where: str, low: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
        raise InputError(f"{where}: '{key}' must be a number of seconds, at least {low:g}")
    return float(value)


def _targets(raw: Any, where: str) -> tuple[TargetChoice, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(f"{where}: 'targets' must be a list like '- postfix: {{config_dir: DIR}}'")
    found = []
    for item in raw:
        if isinstance(item, str):
            found.append(TargetChoice(name=item))
            continue
        if not isinstance(item, dict) or len(item) != 1:
            raise InputError(f"{where}: each target is one 'NAME: {{options}}' entry")
        ((name, options),) = item.items()
        if options is not None and not isinstance(options, dict):
            raise InputError(f"{where}: the options of target '{name}' must be a mapping")
        found.append(
            TargetChoice(
                name=str(name), options={str(k): str(v) for k, v in (options or {}).items()}
            )
        )
    return tuple(found)


def _webhooks(raw: Any, where: str) -> tuple[Webhook, ...]:
    found = []
    for i, item in enumerate(raw or (), 1):
        if not isinstance(item, dict):
            raise InputError(f"{where}: webhook {i} must be a mapping with url_env (or url)")
        fmt = str(item.get("format", "generic"))
        if fmt not in WEBHOOK_FORMATS:
            raise InputError(
                f"{where}: webhook {i}: format must be one of {', '.join(WEBHOOK_FORMATS)}"
            )
        url = item.get("url")
        if "url_env" in item:
            url = os.environ.get(str(item["url_env"]))
            if not url:
                raise InputError(
                    f"{where}: webhook {i}: the variable {item['url_env']} is not set",
                    hint="Set it in the agent's environment (e.g. the systemd unit's EnvironmentFile).",
                )
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InputError(f"{where}: webhook {i}: the URL must start with http:// or https://")
        found.append(Webhook(url=url, format=fmt))
    return tuple(found)


def load(path: str | None, **overrides: Any) -> AgentSettings:
    """Settings from ``path`` (optional) with the given command-line values on top."""
    raw: dict[str, Any] = {}
    where = path or "the command line"
    if path:
        try:
            data = yamlio.load_path(path).data
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
        except yamlio.LoadError as exc:
            raise InputError(f"{path}: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(f"{path}: must be a mapping (repository:, environments:, ...)")
        raw = dict(data)
    raw.update({k: v for k, v in overrides.items() if v not in (None, ())})
    repository = raw.get("repository")
    if not isinstance(repository, str) or not repository:
        raise UsageError(
            "the agent needs the config repository to follow",
            hint="Give --repository URL_OR_PATH, or 'repository:' in the --config file.",
        )
    host, port = parse_listen(str(raw.get("listen", "127.0.0.1:9187")))
    envs = raw.get("environments") or {}
    if isinstance(envs, list | tuple):
        envs = {str(name): {} for name in envs}
    if not isinstance(envs, dict):
        raise InputError(f"{where}: 'environments' must map names to their settings")
    watches = []
    for name, body in envs.items():
        body = body or {}
        if not isinstance(body, dict):
            raise InputError(f"{where}: environment '{name}' must be a mapping")
        at = f"{where}: environment '{name}'"
        watches.append(
            Watch(
                environment=str(name),
                targets=_targets(body.get("targets"), at),
                maillog=body.get("maillog"),
                canary_to=body.get("canary_to"),
                canary_interval=_number(body, "canary_interval", 86400, at, 60),
            )
        )
    return AgentSettings(
        repository=repository,
        branch=str(raw.get("branch", "main")),
        workdir=str(raw.get("workdir") or default_workdir()),
        interval=_number(raw, "interval", 60, where, 1),
        probe_interval=_number(raw, "probe_interval", 300, where, 1),
        listen_host=host,
        listen_port=port,
        watches=tuple(watches),
        webhooks=_webhooks(raw.get("webhooks"), where),
    )
