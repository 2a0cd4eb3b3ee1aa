"""How a connection test ends: the dry run stops at RCPT TO with RSET and QUIT (never DATA),
TLS is closed with close_notify, a failed test still says QUIT where the session allows it,
and a silent server costs no more than wait_timeout + 1 s, with advice that fits."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.probe.conftest import RawServer, read_line

MODES = ("STARTTLS", "SSL/TLS")


def failure(report: dict) -> dict:
    assert report["passed"] is False, report
    return report["failure"]


@pytest.mark.parametrize("tls", MODES)
def test_the_dry_run_ends_with_rset_and_quit_and_never_sends_data(
    make_sandbox, write_config, probe, tls
):
    box = make_sandbox()
    write_config(box.config(tls=tls))
    _, report = probe("development/sandbox", expect=0)
    assert box.commands[-4:] == ["MAIL", "RCPT", "RSET", "QUIT"], box.commands
    assert "DATA" not in box.commands
    steps = {s["name"]: s for s in report["steps"]}
    assert (
        "RSET" in steps["envelope"]["detail"] and "nothing was sent" in steps["envelope"]["detail"]
    )
    assert steps["quit"]["status"] == "passed" and steps["quit"]["detail"].startswith("221")
    assert report["transcript"][-4:-2] == ["C: RSET", "S: 250 OK"]
    _wait_for(lambda: box.tls_closed_cleanly == 1)
    assert box.tls_opened == 1  # one TLS session, closed with close_notify


def test_a_real_send_uses_data_and_then_quit(make_sandbox, write_config, probe):
    box = make_sandbox()
    write_config(box.config())
    probe("development/sandbox", "--send-to", "ops@example.test", expect=0)
    assert box.commands[-4:] == ["MAIL", "RCPT", "DATA", "QUIT"], box.commands
    assert len(box.messages) == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"auth_reply": "535 5.7.8 Authentication credentials invalid"}, "auth.failed"),
        ({"mail_reply": "550 5.7.1 Sender not allowed"}, "envelope.sender_refused"),
        ({"rcpt_reply": "550 5.1.1 No such user"}, "envelope.recipient_refused"),
        ({"mechanisms": ("PLAIN",)}, "auth.mechanism"),
    ],
)
def test_a_failed_test_still_says_quit(make_sandbox, write_config, probe, fields, error):
    box = make_sandbox(**fields)
    write_config(box.config())
    _, report = probe("development/sandbox", expect=1)
    assert failure(report)["error"] == error
    assert box.commands[-1] == "QUIT", box.commands
    assert "C: QUIT" in report["transcript"]
    _wait_for(lambda: box.tls_closed_cleanly == 1)
    assert box.tls_opened == 1


def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the server never saw it"
        time.sleep(0.02)


def test_the_sandbox_tells_a_dropped_tls_session_from_a_clean_close(sandbox):
    """The control for the counts above: a client that drops TLS is not counted as clean."""
    context = ssl.create_default_context(cafile=sandbox.ca_file)
    for clean in (False, True):
        raw = socket.create_connection(("127.0.0.1", sandbox.tls_port), 5)
        conn = context.wrap_socket(raw, server_hostname="localhost")
        conn.recv(1024)  # the greeting
        conn.sendall(b"QUIT\r\n")
        conn.recv(1024)  # 221
        if clean:
            conn.unwrap().close()
        else:
            raw.close()  # the socket under TLS, closed without close_notify
            conn.close()
        quits = 2 if clean else 1
        _wait_for(lambda: sandbox.commands.count("QUIT") == quits)  # noqa: B023 - used at once
        time.sleep(0.2)  # time for the server to finish its side
    assert sandbox.tls_opened == 2
    assert sandbox.tls_closed_cleanly == 1


def test_quit_after_a_554_greeting(sandbox, write_config, probe, raw_server):
    seen: list[bytes] = []

    def refuses(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"554 5.7.1 mail.example.com: your IP is on our blocklist\r\n")
        seen.append(read_line(conn))
        conn.sendall(b"221 2.0.0 Bye\r\n")

    server = raw_server(refuses)
    write_config(sandbox.config() | {"port": server.port})
    _, report = probe("development/sandbox", expect=1)
    assert failure(report)["error"] == "greeting.rejected"
    _wait_for(lambda: bool(seen))
    assert seen == [b"QUIT\r\n"]


# -- a TLS server written with the ssl module, to see how the client ends TLS --------------


class TlsSmtp:
    """Implicit TLS SMTP on loopback that reads the client's TLS close strictly: after QUIT
    it runs its own TLS shutdown, which succeeds only when the client sends close_notify."""

    def __init__(self, raw_server: Callable[..., RawServer], auth_code: bytes = b"235") -> None:
        import trustme

        self.ca = trustme.CA()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("localhost", "127.0.0.1").configure_cert(self.context)
        self.auth_code = auth_code
        self.commands: list[str] = []
        self.closes: list[str] = []
        self.server = raw_server(self.serve)

    def ca_file(self, folder: Path) -> str:
        path = folder / "tls-ca.pem"
        self.ca.cert_pem.write_to_path(str(path))
        return str(path)

    def serve(self, raw: socket.socket, stop: threading.Event) -> None:
        conn = self.context.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False)
        try:
            self._talk(conn)
        finally:
            conn.close()

    def _talk(self, conn: ssl.SSLSocket) -> None:
        conn.sendall(b"220 localhost ESMTP\r\n")
        while True:
            line = read_line(conn).decode().strip()  # type: ignore[arg-type]
            verb = line.split(" ")[0].upper()
            self.commands.append(verb)
            if verb == "EHLO":
                conn.sendall(b"250-localhost\r\n250 AUTH LOGIN PLAIN\r\n")
            elif verb == "AUTH":
                conn.sendall(self.auth_code + b" 2.7.0 done\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 2.0.0 Bye\r\n")
                break
            elif not verb:
                self.closes.append("no QUIT")
                return
            else:
                conn.sendall(b"250 2.0.0 OK\r\n")
        try:
            conn.unwrap()
            self.closes.append("clean")
        except (ssl.SSLError, OSError) as exc:
            self.closes.append(f"not clean: {exc!r}")


@pytest.mark.parametrize(("auth_code", "expect"), [(b"235", 0), (b"535", 1)])
def test_tls_is_closed_with_close_notify(
    raw_server, write_config, probe, sandbox, tmp_path, auth_code, expect
):
    server = TlsSmtp(raw_server, auth_code)
    write_config(
        sandbox.config(tls="SSL/TLS")
        | {"port": server.server.port, "ca_file": server.ca_file(tmp_path)}
    )
    probe("development/sandbox", expect=expect)
    _wait_for(lambda: bool(server.closes))
    assert server.closes == ["clean"]
    wanted = (
        ["EHLO", "AUTH", "MAIL", "RCPT", "RSET", "QUIT"]
        if expect == 0
        else ["EHLO", "AUTH", "QUIT"]
    )
    assert server.commands == wanted


# -- servers that never answer ---------------------------------------------------------------


def never_greets(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(10)


@pytest.fixture
def plaintext_allowed(repo_dir: Path) -> None:
    """A development environment whose team accepts unencrypted logins (AUTH003 ignored)."""
    (repo_dir / "configs" / "environments.yaml").write_text(
        "environments:\n  - name: development\n    policy: relaxed\nrules:\n  ignore: [AUTH003]\n"
    )


@pytest.mark.parametrize("tls", ["STARTTLS", "None"])
def test_a_silent_server_costs_at_most_wait_timeout_plus_one_second(
    sandbox, write_config, probe, raw_server, plaintext_allowed, tls
):
    server = raw_server(never_greets)
    write_config(sandbox.config() | {"port": server.port, "tls": tls})
    _, report = probe("development/sandbox", wait="1.5", expect=1)
    assert failure(report)["error"] == "greeting.timeout"
    assert int(report["facts"]["duration_ms"]) < 2500, report["facts"]


def test_a_silent_server_with_implicit_tls_is_no_answer_not_a_tls_version_problem(
    sandbox, write_config, probe, raw_server
):
    server = raw_server(never_greets)
    write_config(sandbox.config(tls="SSL/TLS") | {"port": server.port})
    _, report = probe("development/sandbox", wait="1", expect=1)
    step = failure(report)
    assert step["error"] == "tls.no_answer"
    assert "TLS versions" not in step["hint"] and "check host and port" in step["hint"].lower()
    assert "no answer" in step["message"].lower()
    assert int(report["facts"]["duration_ms"]) < 2000, report["facts"]


def test_tls_none_against_a_server_that_wants_starttls_first(
    sandbox, write_config, probe, plaintext_allowed
):
    write_config(sandbox.config() | {"tls": "None", "ca_file": None})
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "auth.starttls_first"
    assert step["message"].startswith("This server wants STARTTLS first")
    assert step["hint"] == "Set tls: STARTTLS."
    assert sandbox.commands[-1] == "QUIT"


@pytest.mark.parametrize("tls", MODES)
def test_the_second_connection_that_reads_an_untrusted_certificate_also_ends_cleanly(
    make_sandbox, write_config, probe, tls
):
    box = make_sandbox(cert="untrusted")
    write_config(box.config(tls=tls))
    _, report = probe("development/sandbox", expect=1)
    assert failure(report)["error"] == "certificate.untrusted"
    _wait_for(lambda: box.tls_closed_cleanly == 1)
    assert box.commands[-1] == "QUIT", box.commands
    assert box.tls_opened == 1  # the verified handshake was refused by the client itself
