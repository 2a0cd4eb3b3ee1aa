"""A real Django project sends through the test server, configured once from
``render --format django`` and once from ``smtpops exec`` (examples/django)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CANARY, assert_no_canary
from tests.delivery.conftest import Project, headers_field
from tests.delivery.servers import CountingSandbox
from tests.gitops.conftest import USER
from tests.tooling import require_module

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "django"
SEND = """
import django
django.setup()
from django.core.mail import EmailMessage
EmailMessage("Outage notice", "Power is back.", to=["{to}"], headers={{"X-Company": "Own value"}}).send()
"""


@pytest.fixture(scope="module")
def server() -> Iterator[CountingSandbox]:
    box = CountingSandbox(username=USER, password=CANARY, mechanisms=("CRAM-MD5", "LOGIN"))
    with box:
        yield box


def django_project(root: Path, settings_import: str) -> Path:
    require_module("django", hint="Django is in the test extra")
    root.mkdir()
    for name in ("smtpops_mail.py", "settings_from_env.py"):
        shutil.copy(EXAMPLES / name, root / name)
    (root / "crm_settings.py").write_text(
        'SECRET_KEY = "test-only"\nINSTALLED_APPS = []\nDATABASES = {}\nUSE_TZ = True\n'
        f"{settings_import}\n"
        'EMAIL_BACKEND = "smtpops_mail.EmailBackend"\n'
    )
    return root


def wait_for(server: CountingSandbox, to: str) -> list:  # type: ignore[type-arg]
    deadline = time.monotonic() + 15
    while not server.to(to) and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.to(to)


def check_message(server: CountingSandbox, to: str) -> None:
    found = wait_for(server, to)
    assert len(found) == 1
    message = found[0].message
    assert message.get_all("X-Company") == ["Example Utility"]  # the config's, not doubled
    assert message.get_all("X-Department") == ["Customer Service"]
    assert message["Subject"] == "Outage notice"
    index = server.messages.index(found[0])
    assert server.helo[index] == "crm.example.test"


@pytest.fixture
def crm(project: Project, run_cli, server: CountingSandbox) -> Project:  # type: ignore[no-untyped-def]
    shutil.copy(server.ca_file, project.root / "sandbox-ca.pem")
    project.add_config(
        "development",
        "main",
        host="localhost",
        port=server.starttls_port,
        ca_file="sandbox-ca.pem",
        auth_protocol="CRAM-MD5",
        custom_headers=headers_field(),
    )
    run_cli("deploy", "development/main", expect=0)
    return project


def test_django_from_rendered_settings(crm: Project, run_cli, server, tmp_path) -> None:
    host = tmp_path / "crm-host"
    app = django_project(tmp_path / "app", "from smtp_settings import *")
    host.mkdir()
    run_cli(
        "render", "development", "--format", "django", "-o", str(host / "smtp_settings.py"),
        expect=0,
    )  # fmt: skip
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm_settings",
        "PYTHONPATH": os.pathsep.join([str(app), str(host)]),
    }
    to = "rendered@example.org"
    proc = subprocess.run(
        [sys.executable, "-c", SEND.format(to=to)], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    check_message(server, to)


def test_django_from_exec(crm: Project, server, tmp_path) -> None:
    app = django_project(tmp_path / "app", "from settings_from_env import *")
    to = "exec@example.org"
    proc = subprocess.Popen(
        [sys.executable, "-m", "smtpops", "exec", "development", "--",
         sys.executable, "-c", SEND.format(to=to)],
        cwd=crm.root,
        env={
            **crm.subprocess_env(),
            "DJANGO_SETTINGS_MODULE": "crm_settings",
            "PYTHONPATH": str(app),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert_no_canary(out, err)
    check_message(server, to)
