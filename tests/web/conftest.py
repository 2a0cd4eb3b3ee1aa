"""Fixtures for the SMTP Settings page: a real git repository with age keys and sops (the
gitops fixtures), the page's app behind its guard, a real uvicorn server on 127.0.0.1, and
Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.gitops.conftest import Project, Server, git, project, smtp_server  # noqa: F401
from tests.tooling import missing

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STRICT_ENVIRONMENTS = """\
environments:
  - name: development
    policy: relaxed
  - name: staging
    policy: relaxed
  - name: production
    policy: strict
"""
CODEOWNERS = "*  @crm-admins\n/configs/production/  @it-security\n"


def need_web() -> None:
    for module in ("starlette", "uvicorn", "httpx2"):
        if importlib.util.find_spec(module) is None:
            missing(f"{module} is not installed (it is in the 'ui' and 'test' extras)")


@pytest.fixture
def site(project: Project) -> Project:  # noqa: F811
    """The gitops project with production strict, a CODEOWNERS file, two configs of
    development (one active) and one of production, all pointing at the loopback SMTP
    server."""
    (project.root / "configs" / "environments.yaml").write_text(STRICT_ENVIRONMENTS)
    (project.root / "schemas").mkdir()  # as `smtpops init` lays it out: the modeline's schema
    shutil.copy(ROOT / "schemas" / "smtp-config.schema.json", project.root / "schemas")
    (project.root / ".github").mkdir()
    (project.root / ".github" / "CODEOWNERS").write_text(CODEOWNERS)
    project.add_config("development", "relay", active=True, commit=False)
    project.add_config("development", "backup", commit=False)
    project.add_config("production", "live", commit=False)
    project.commit("Two development configs and one of production")
    return project


@dataclass
class Page:
    """The app as the browser sees it: its gate (port, token) and its work branch."""

    app: Any
    gate: Any
    work: Any
    base: str


def make_app(root: Path, port: int = 48123) -> Page:
    need_web()
    from smtpops.services.workbranch import begin
    from smtpops.web.app import create_app
    from smtpops.web.security import Gate

    work = begin(str(root))
    gate = Gate(port=port)
    return Page(create_app(work, gate), gate, work, f"http://127.0.0.1:{port}")


@pytest.fixture
def served(site: Project) -> Iterator[Page]:
    """The page served by a real uvicorn on a free port of 127.0.0.1, in a thread."""
    need_web()
    from smtpops.web import server

    app, gate, sock, work = server.prepare(str(site.root), 0)
    instance = server.server(app, sock)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield Page(app, gate, work, f"http://127.0.0.1:{gate.port}")
    instance.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (which never downloads a browser)."""
    if importlib.util.find_spec("playwright") is None:
        missing("playwright is not installed (it is in the 'test' extra)")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing("Debian's chromium is not installed (apt-get install chromium)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, served: Page) -> Iterator[Any]:
    small = {"device_scale_factor": 0.75} if os.environ.get("SMTPOPS_SCREENSHOTS") else {}
    context = browser.new_context(viewport={"width": 1280, "height": 860}, **small)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    tab.goto(served.gate.url)
    yield tab
    context.close()
