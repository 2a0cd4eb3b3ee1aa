"""``smtpops ui`` as a user runs it: a real process on 127.0.0.1, the address with its token
on standard output, and nothing secret in its log."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.web.conftest import need_web


def _get(port: int, path: str, cookie: str = "") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    res = conn.getresponse()
    res.read()
    conn.close()
    return res


def test_the_command_serves_on_loopback_and_logs_no_secret(site: Any) -> None:
    need_web()
    proc = subprocess.Popen(
        [sys.executable, "-m", "smtpops", "ui", "--no-open"],
        cwd=site.root,
        env=site.subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 20
        url, printed = "", []
        while not url and time.monotonic() < deadline:
            line = proc.stdout.readline()
            printed.append(line)
            found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", line)
            if found:
                url, port, token = found.group(0), int(found.group(1)), found.group(2)
        assert url, "smtpops ui printed no address"
        for _ in range(100):  # the socket is bound before the address is printed
            try:
                res = _get(port, f"/?token={token}")
                break
            except ConnectionRefusedError:
                time.sleep(0.05)
        assert res.status == 303
        cookie = res.getheader("Set-Cookie", "").split(";")[0]
        assert _get(port, "/api/configs", cookie).status == 200
        assert _get(port, "/api/configs").status == 403
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        assert proc.stdout is not None and proc.stderr is not None
        out = "".join(printed) + proc.stdout.read()  # the rest, after readline's buffer
        err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode in (0, 130, -signal.SIGINT), err
    assert token not in err and out.count(token) == 1  # once: in the address it prints
    assert "Changes are committed on branch smtpops-ui/" in out
    assert "GET /" not in err  # no access log


BLOCK = "import sys; sys.modules['starlette'] = sys.modules['uvicorn'] = None; "


def test_without_the_ui_extra_the_command_says_how_to_install_it(tmp_path: Any) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = BLOCK + f"from smtpops.cli import main; main({list(args)!r})"
        return subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
        )

    helped = run("ui", "--help")
    assert helped.returncode == 0 and "--no-open" in helped.stdout
    refused = run("ui", "--no-open")
    assert refused.returncode == 2, refused
    assert "pip install 'smtpops[ui]'" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_port_in_use_is_a_usage_error_and_makes_no_branch(site: Any, run_cli: Any) -> None:
    import socket

    from tests.web.conftest import git

    need_web()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_cli("ui", "--no-open", "--port", str(port))
    assert result.exit_code == 2, repr(result)
    assert f"cannot listen on 127.0.0.1 port {port}" in result.stderr
    assert "smtpops-ui" not in git(site.root, "branch", "--list")


def test_outside_a_repository_the_command_says_where_to_run_it(
    tmp_path: Any, monkeypatch: Any, run_cli: Any
) -> None:
    need_web()
    monkeypatch.chdir(tmp_path)
    result = run_cli("ui", "--no-open")
    assert result.exit_code == 2, repr(result)
    assert "no configs/ folder" in result.stderr and "Traceback" not in result.output
    (tmp_path / "configs").mkdir()
    result = run_cli("ui", "--no-open")
    assert result.exit_code != 0 and "git init" in result.stderr, repr(result)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = run_cli("ui", "--no-open")
    assert result.exit_code != 0 and "no commits yet" in result.stderr, repr(result)


def test_the_browser_is_opened_without_the_token_on_its_command_line(
    site: Any, run_cli: Any, monkeypatch: Any
) -> None:
    """``smtpops ui`` hands the browser a private file that redirects (as Jupyter does): an
    address on a command line can be read by every user of the machine."""
    need_web()
    import os
    import stat

    from smtpops.cli import ui as command
    from smtpops.web import server

    opened: list[tuple[str, str, int, int]] = []

    def fake_open(address: str) -> bool:
        path = address.removeprefix("file://")
        mode = os.stat(path).st_mode, os.stat(os.path.dirname(path)).st_mode
        opened.append(
            (address, Path(path).read_text(), stat.S_IMODE(mode[0]), stat.S_IMODE(mode[1]))
        )
        return True

    def fake_serve(start: str, port: int, on_ready: Any) -> None:
        _app, gate, sock, work = server.prepare(start, port)
        sock.close()
        on_ready(gate.url, work)
        work.close()

    monkeypatch.setattr(command.webbrowser, "open", fake_open)
    monkeypatch.setattr(server, "serve", fake_serve)
    result = run_cli("ui")
    assert result.exit_code == 0, repr(result)
    ((address, text, file_mode, folder_mode),) = opened
    token = re.search(r"token=(\S+)", result.stdout).group(1)  # type: ignore[union-attr]
    assert address.startswith("file://") and token not in address
    assert f"?token={token}" in text and 'http-equiv="refresh"' in text
    assert file_mode == 0o600 and folder_mode == 0o700
    assert not os.path.exists(address.removeprefix("file://"))  # removed when the page stops
