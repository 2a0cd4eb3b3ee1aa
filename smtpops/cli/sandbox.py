"""``smtpops sandbox``: a local SMTP server on loopback for trying smtpops out."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from typing import Any

import click
import yaml

from smtpops.atomic import write_text
from smtpops.errors import InputError, UsageError
from smtpops.localstate import TOP, make_dir
from smtpops.probe.sandbox import Received, Sandbox

CONFIG_HEADER = """\
# yaml-language-server: $schema=../../schemas/smtp-config.schema.json
# A config for the local smtpops sandbox (smtpops sandbox). Add its password, encrypted:
#   smtpops secrets set-password {target}
# then test it:  smtpops test {target}
"""


def _relative(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _write_config(path: str, fields: dict[str, Any]) -> None:

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"{path}: the folder {directory} does not exist")
    stem = os.path.splitext(os.path.basename(path))[0]
    env = os.path.basename(directory)
    body = yaml.safe_dump(fields | {"name": stem}, sort_keys=False, allow_unicode=True)
    write_text(path, CONFIG_HEADER.format(target=f"{env}/{stem}") + body)


def _describe(info: dict[str, Any], shown_password: str) -> str:
    return "\n".join(
        [
            "smtpops sandbox: a local SMTP server for trying smtpops out (loopback only)",
            f"  host:          {info['host']} ({info['address']})",
            f"  STARTTLS port: {info['starttls_port']}   (tls: STARTTLS)",
            f"  SSL/TLS port:  {info['tls_port']}   (tls: SSL/TLS)",
            f"  ca_file:       {info['ca_file']}",
            f"  username:      {info['username']}",
            f"  password:      {shown_password}   (throwaway)",
            f"  auth:          {', '.join(info['mechanisms'])}",
            f"  messages kept: {info['messages_dir']}",
            "Press Ctrl-C to stop.",
        ]
    )


@click.command()
@click.option(
    "--port",
    "starttls_port",
    type=click.IntRange(0, 65535),
    default=2525,
    show_default=True,
    help="STARTTLS port (0: any free port).",
)
@click.option(
    "--tls-port",
    type=click.IntRange(0, 65535),
    default=2465,
    show_default=True,
    help="Implicit TLS (SSL/TLS) port (0: any free port).",
)
@click.option(
    "--dir",
    "directory",
    default=os.path.join(TOP, "sandbox"),
    show_default=True,
    help="Where the CA file and received messages are kept.",
)
@click.option("--username", default="sandbox@example.test", show_default=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the sandbox password from standard input (default: a random one).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the connection details as JSON.")
@click.option(
    "--info-file",
    metavar="PATH",
    help="Also write the connection details as JSON to PATH once listening.",
)
@click.option(
    "--write-config",
    metavar="PATH",
    help="Write an smtpops config for the sandbox (all but the password) to PATH.",
)
@click.option(
    "--duration",
    type=click.FloatRange(0, min_open=True),
    metavar="SECONDS",
    help="Stop after SECONDS (default: run until Ctrl-C).",
)
def sandbox(
    starttls_port: int,
    tls_port: int,
    directory: str,
    username: str,
    password_stdin: bool,
    as_json: bool,
    info_file: str | None,
    write_config: str | None,
    duration: float | None,
) -> None:
    """Run a local SMTP server (STARTTLS and SSL/TLS, AUTH LOGIN/PLAIN/CRAM-MD5) so that
    `smtpops test` and `smtpops deploy` can be tried without a provider account.

    It listens on 127.0.0.1 only, with a certificate from a CA generated for this run,
    and keeps every message it receives as a .eml file.
    """

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    if password_stdin and not password:
        raise UsageError("--password-stdin was given but standard input is empty")
    make_dir(directory)

    def received(message: Received) -> None:
        subject = message.message.get("Subject", "")
        click.echo(
            f"received: from {message.mail_from} to {', '.join(message.rcpt_tos)}: {subject}",
            err=True,
        )

    box = Sandbox(
        os.path.abspath(directory),
        starttls_port=starttls_port,
        tls_port=tls_port,
        username=username,
        password=password,
        on_message=received,
    )
    try:
        box.start()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on port {starttls_port} or {tls_port} ({exc.strerror})",
            hint="Choose other ports with --port and --tls-port (0: any free).",
        ) from None
    try:
        info = box.info() | {
            "ca_file": _relative(box.ca_file),
            "messages_dir": _relative(box.info()["messages_dir"]),
        }
        if password_stdin:
            info.pop("password")
        if write_config:
            _write_config(write_config, box.config() | {"ca_file": info["ca_file"]})
        if info_file:
            write_text(info_file, json.dumps(info, indent=2) + "\n")
        if as_json:
            click.echo(json.dumps(info))
        else:
            click.echo(_describe(info, "(from standard input)" if password_stdin else box.password))
        sys.stdout.flush()
        _wait(duration)
    finally:
        box.stop()
    click.echo(
        f"sandbox stopped; {len(box.messages)} message(s) kept in {info['messages_dir']}", err=True
    )


def _wait(duration: float | None) -> None:
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait(duration)
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
