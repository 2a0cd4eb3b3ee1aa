"""``smtpops ui``: the SMTP Settings page in the browser (needs the ``ui`` extra)."""

from __future__ import annotations

import webbrowser
from types import ModuleType
from typing import Any

import click

from smtpops.errors import UsageError

server: ModuleType | None
try:  # the page needs the `ui` extra; without it, `smtpops ui --help` still works
    from smtpops.web import server
except ImportError as exc:  # starlette or uvicorn is not installed
    server, MISSING = None, exc.name or "starlette"
else:
    MISSING = ""


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option("--no-open", is_flag=True, help="Print the address but do not open a browser.")
def ui(port: int, no_open: bool) -> None:
    """Serve the SMTP Settings page on 127.0.0.1 and open it in the browser.

    The printed address holds a one-session access token; keep it to yourself. Changes are
    committed on a new work branch (smtpops-ui/DATE-TIME), never on the branch you are on;
    Propose pushes it for review. Stop with Ctrl+C.
    """
    if server is None:
        raise UsageError(
            f"the web page needs {MISSING}, which is not installed",
            hint="Install the extra: pip install 'smtpops[ui]'",
        )

    def ready(url: str, work: Any) -> None:
        click.echo("The SMTP Settings page is running. Open this address in your browser:")
        click.echo(f"    {url}")
        click.echo("(Only this computer can reach it; stop it with Ctrl+C.)")
        click.echo(f"Changes are committed on branch {work.branch}, made from {work.started_from}.")
        unsaved = work.unsaved_in_checkout()
        if unsaved:
            click.echo(
                f"Note: {', '.join(unsaved)} have uncommitted changes here; the page starts "
                "from the last commit and does not show them.",
                err=True,
            )
        if not no_open:
            opener = server.launcher(url)
            opened.append(opener)
            # the browser gets a private file that redirects, never the token on its argv
            webbrowser.open(f"file://{opener}")

    opened: list[str] = []
    try:
        server.serve(".", port, ready)
    finally:
        for path in opened:
            server.forget(path)
