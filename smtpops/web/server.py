"""Serve the page with uvicorn on 127.0.0.1 only, without an access log (the first request
carries the access token in its URL)."""

from __future__ import annotations

import contextlib
import html
import os
import socket
import tempfile
from collections.abc import Callable
from typing import Any

import uvicorn

from smtpops.errors import UsageError
from smtpops.services import workbranch
from smtpops.web.app import create_app
from smtpops.web.security import Gate

HOST = "127.0.0.1"


def listen(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart may reuse it at once
    try:
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {HOST} port {port}: {exc.strerror}",
            hint="Choose another port with --port, or leave --port out for a free one.",
        ) from None
    return sock


def prepare(start: str, port: int) -> tuple[Any, Gate, socket.socket, workbranch.WorkBranch]:
    """The app for the repository at ``start``, its gate (token) and its bound socket."""
    sock = listen(port)  # first, so that a port in use leaves no branch behind
    try:
        work = workbranch.begin(start)
    except BaseException:
        sock.close()
        raise
    gate = Gate(port=sock.getsockname()[1])
    return create_app(work, gate), gate, sock, work


def server(app: Any, sock: socket.socket) -> Any:
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        date_header=False,
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


def serve(start: str, port: int, on_ready: Callable[[str, workbranch.WorkBranch], None]) -> None:
    """Run until interrupted; ``on_ready`` gets the URL with the access token."""
    app, gate, sock, work = prepare(start, port)
    on_ready(gate.url, work)
    try:
        server(app, sock).run(sockets=[sock])
    finally:
        sock.close()
        work.close()


def launcher(url: str) -> str:
    """A private HTML file that sends the browser to ``url``, for opening the page without
    the access token on the browser's command line (where other users could read it): the
    file lives in a folder only this user can read; remove it with :func:`forget`."""
    folder = tempfile.mkdtemp(prefix="smtpops-ui-")  # mode 0700
    path = os.path.join(folder, "open.html")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        target = html.escape(url, quote=True)
        handle.write(
            '<!doctype html><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0;url={target}">'
            f'<title>SMTP Settings</title><p><a href="{target}">Open the SMTP Settings page</a></p>'
        )
    return path


def forget(path: str) -> None:
    """Remove a :func:`launcher` file and its folder."""
    for remove, target in ((os.unlink, path), (os.rmdir, os.path.dirname(path))):
        with contextlib.suppress(OSError):
            remove(target)
