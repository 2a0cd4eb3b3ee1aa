"""The certificate step without a certificate parser: a verified certificate's facts come
from OpenSSL (``getpeercert()``), the same facts cryptography reads from its DER bytes, and
a verified test loads no cryptography. (The CA and host-name failures, which still parse the
DER, are tests/probe/test_login_faults.py.)"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st

from smtpops.probe import tls

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tls_server() -> Iterator[tuple[trustme.CA, int]]:
    """A loopback TLS server whose names need RFC 4514 escaping."""
    ca = trustme.CA(organization_name='Acme, Inc+ "x"', organization_unit_name="unit;<a>")
    cert = ca.issue_cert("localhost", "127.0.0.1", "::1", "*.example.com", common_name="#1 ")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            with context.wrap_socket(conn, server_side=True) as tls_conn:
                tls_conn.recv(1)
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield ca, listener.getsockname()[1]
    listener.close()
    thread.join(5)


def test_verified_facts_are_the_parsed_facts(tls_server, tmp_path):
    ca, port = tls_server
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = tls.context(verify=True, ca_file=str(ca_file))
    with context.wrap_socket(
        socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="localhost"
    ) as sock:
        found = tls.negotiated(sock)
    assert found.peer, "a verified handshake gives the peer certificate"
    assert found.der is not None
    assert tls.facts(found) == tls.certificate(found.der)
    assert tls.facts(found).ip_addresses == ("127.0.0.1", "::1")
    assert tls.context(verify=True, ca_file=str(ca_file)) is context  # loaded once


def test_an_unverified_handshake_loads_no_trust_store_and_gets_no_peer_dict():
    context = tls.context(verify=False, ca_file=None)
    assert context.verify_mode is ssl.CERT_NONE and not context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0


PROBE = """
import json, sys
from smtpops.model import Config
from smtpops.probe import ProbeOptions, run_probe
from smtpops.secret import Secret
fields = json.loads(sys.argv[1])
password = Secret(sys.stdin.read())
report = run_probe(Config.from_raw(fields), password, options=ProbeOptions(wait_timeout=5))
steps = {s["name"]: s for s in report.to_dict()["steps"]}
print(json.dumps({"passed": report.passed, "certificate": steps["certificate"],
                  "cryptography": any(m.startswith("cryptography") for m in sys.modules)}))
"""


def _probe(fields: dict[str, object], password: str) -> dict[str, object]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(fields)],
        input=password,
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_a_verified_test_loads_no_certificate_parser(sandbox):
    result = _probe(sandbox.config(), sandbox.password)
    assert result["passed"]
    assert result["cryptography"] is False
    data = result["certificate"]["data"]  # type: ignore[index]
    assert data["ca_check"] == "passed" and data["hostname_check"] == "passed"
    assert "localhost" in data["sans"] and "::1" in data["sans"]


@given(
    when=st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    pad=st.booleans(),
)
def test_cert_time_reads_what_ssl_reads(when: dt.datetime, pad: bool) -> None:
    """OpenSSL writes ``notAfter`` as ``'Jun  1 12:00:00 2030 GMT'`` (the day padded with a
    space); smtpops reads it without strptime, to the same second as the standard library."""
    day = f"{when.day:2d}" if pad else str(when.day)
    text = when.strftime(f"%b {day} %H:%M:%S %Y GMT")
    ours = tls.cert_time(text)
    assert ours.timestamp() == ssl.cert_time_to_seconds(text)
    assert ours.tzinfo is dt.UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Jun 1 12:00:00 2030",
        "Jux  1 12:00:00 2030 GMT",
        "Jun  1 12:00 2030 GMT",
        "Jun  1 12:00:00 2030 CET",
        "Jun 31 12:00:00 2030 GMT",
        "Jun  1 1٢:00:00 2030 GMT",
    ],
)
def test_cert_time_refuses_what_is_not_a_certificate_time(text: str) -> None:
    with pytest.raises(ValueError):
        tls.cert_time(text)
