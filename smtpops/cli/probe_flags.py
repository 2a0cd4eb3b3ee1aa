"""The options of every command that runs a connection test (test, deploy, promote, rollback),
so they accept the same flags and build the same :class:`ConnectionTestOptions`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from smtpops.services.connection import ConnectionTestOptions

DNS = click.option(
    "--dns",
    "dns",
    multiple=True,
    metavar="IP[:PORT]",
    help="DNS server to ask (repeatable); default $SMTPOPS_DNS, else the system's.",
)
WAIT_TIMEOUT = click.option(
    "--wait-timeout",
    type=click.FloatRange(0.05, 120),
    metavar="SECONDS",
    help="Seconds to wait for each answer (default: the config's wait_timeout).",
)


def connection_test_flags(f: Any) -> Any:
    """``--dns`` and ``--wait-timeout``: how the connection test runs, for every command that
    runs one (test, deploy, promote, rollback). Build the record with :func:`connection_test_options`."""
    return DNS(WAIT_TIMEOUT(f))


def connection_test_options(
    dns: tuple[str, ...], wait_timeout: float | None, **more: Any
) -> ConnectionTestOptions:
    """The service's options from the command line (a bad --dns is a usage error)."""
    # `smtpops test` starts sops before it builds these options, so this loads while sops runs
    # lazy(start-up): the connection service loads the probe, model and yaml (~20 ms)
    from smtpops.probe.resolve import configured_nameservers
    from smtpops.services.connection import ConnectionTestOptions

    return ConnectionTestOptions(
        nameservers=configured_nameservers(dns), wait_timeout=wait_timeout, **more
    )
