"""``smtpops render``: every format from the deployed config, the digest, and where the
plaintext may (and may not) go."""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess
import sys

import pytest

from tests.conftest import CANARY, assert_no_canary
from tests.delivery.conftest import Project
from tests.gitops.conftest import USER, git

PLAINTEXT = ("json", "env", "django", "spring", "nodemailer")


def render(run_cli, *args: str, expect: int = 0):  # type: ignore[no-untyped-def]
    return run_cli("render", "development", *args, expect=expect)


def test_json_carries_every_setting_and_the_digest(deployed: Project, run_cli) -> None:
    result = render(run_cli, "--format", "json")
    data = json.loads(result.stdout)
    assert data["host"] == "127.0.0.1" and data["port"] == deployed.server.port
    assert data["tls"] == "STARTTLS" and data["verify_certificate"] is True
    assert data["username"] == USER and data["password"] == CANARY
    assert data["custom_headers"] == {
        "X-Company": "Example Utility",
        "X-Department": "Customer Service",
    }
    assert (data["max_connections"], data["retries"]) == (4, 2)
    assert (data["idle_timeout"], data["wait_timeout"]) == (20, 7)
    assert data["ca_pem"].startswith("-----BEGIN CERTIFICATE-----")
    digest = data["smtpops"]["digest"]
    assert digest.startswith("sha256:") and f"digest {digest}" in result.stderr
    assert_no_canary(result.stderr)


def test_the_digest_is_stable_and_never_over_the_plaintext(deployed: Project, run_cli) -> None:
    first = json.loads(render(run_cli).stdout)["smtpops"]["digest"]
    assert json.loads(render(run_cli).stdout)["smtpops"]["digest"] == first
    # the same digest in every format
    env_text = render(run_cli, "--format", "env").stdout
    assert f"SMTP_CONFIG_DIGEST={first}" in env_text
    # a changed setting is a new digest
    path = deployed.root / "configs/development/main.yaml"
    path.write_text(path.read_text().replace("wait_timeout: 7", "wait_timeout: 8"))
    assert json.loads(render(run_cli).stdout)["smtpops"]["digest"] != first
    git(deployed.root, "checkout", "--", str(path))
    # the digest is computed from the file as stored: the plaintext is not in its input
    from smtpops.delivery import digest, source
    from smtpops.gitops import workspace

    src = source.load_active("development", ws=workspace.open_at(str(deployed.root)))
    assert CANARY not in json.dumps(src.settings) + str(src.ciphertext)
    assert digest.digest(src) == first


def test_env_names_and_quoting_read_back_by_a_shell(deployed: Project, run_cli, outside) -> None:
    out = outside / "smtp.env"
    render(run_cli, "--format", "env", "--output", str(out))
    script = f"set -a; . {out}; env"
    shown = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    got = dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)
    assert got["SMTP_HOST"] == "127.0.0.1"
    assert got["SMTP_PORT"] == str(deployed.server.port)
    assert got["SMTP_TLS"] == "STARTTLS"
    assert got["SMTP_USERNAME"] == USER
    assert got["SMTP_PASSWORD"] == CANARY  # "!" and such survive the quoting
    assert got["SMTP_HELO_HOSTNAME"] == "crm.example.test"
    assert (got["SMTP_MAX_CONNECTIONS"], got["SMTP_RETRIES"]) == ("4", "2")
    assert (got["SMTP_IDLE_TIMEOUT"], got["SMTP_WAIT_TIMEOUT"]) == ("20", "7")
    assert json.loads(got["SMTP_CUSTOM_HEADERS"])["X-Company"] == "Example Utility"


@pytest.mark.parametrize("value", ["a'b\"c$HOME`x`\\y", "plain", "sp ace", "#hash"])
def test_env_quoting_round_trips_through_sh(value: str) -> None:
    from smtpops.delivery.formats.dotenv import quote

    out = subprocess.run(
        ["sh", "-c", f'X={quote(value)}; printf %s "$X"'], capture_output=True, text=True
    )
    assert out.stdout == value


def test_django_settings_are_python_with_exclusive_tls_flags(deployed: Project, run_cli) -> None:
    text = render(run_cli, "--format", "django").stdout
    namespace: dict[str, object] = {}
    exec(compile(text, "smtp_settings.py", "exec"), namespace)
    assert namespace["EMAIL_HOST"] == "127.0.0.1"
    assert namespace["EMAIL_USE_TLS"] is True and namespace["EMAIL_USE_SSL"] is False
    assert namespace["EMAIL_TIMEOUT"] == 7
    assert namespace["EMAIL_HOST_PASSWORD"] == CANARY
    assert namespace["SMTPOPS_EMAIL_HEADERS"] == {
        "X-Company": "Example Utility",
        "X-Department": "Customer Service",
    }


def test_django_implicit_tls_sets_only_use_ssl(project: Project, run_cli) -> None:
    project.add_config("development", "main", tls="SSL/TLS", port=465, active=True)
    namespace: dict[str, object] = {}
    exec(render(run_cli, "--format", "django").stdout, namespace)
    assert (namespace["EMAIL_USE_TLS"], namespace["EMAIL_USE_SSL"]) == (False, True)


def test_spring_properties_have_finite_timeouts(deployed: Project, run_cli) -> None:
    text = render(run_cli, "--format", "spring").stdout
    props = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    prefix = "spring.mail.properties.mail.smtp"
    for key in ("connectiontimeout", "timeout", "writetimeout"):
        assert props[f"{prefix}.{key}"] == "7000"
    assert props[f"{prefix}.starttls.required"] == "true"
    assert props[f"{prefix}.localhost"] == "crm.example.test"
    assert props["spring.mail.username"] == USER
    assert props["spring.ssl.bundle.pem.smtpops.truststore.certificate"].startswith("file:/")
    assert props["smtpops.mail.headers.X-Company"] == "Example Utility"


def test_spring_escapes_like_java_properties() -> None:
    from smtpops.delivery.formats.spring import escape

    assert escape("a=b:c#d!e\\f", key=True) == "a\\=b\\:c\\#d\\!e\\\\f"
    assert escape("file:/x=1#2\\") == "file:/x=1#2\\\\"
    assert escape(" lead") == "\\ lead"
    assert escape("é€😀") == "\\u00e9\\u20ac\\ud83d\\ude00"


def test_nodemailer_pool_and_defaults(deployed: Project, run_cli) -> None:
    data = json.loads(render(run_cli, "--format", "nodemailer").stdout)
    transport = data["transport"]
    assert transport["pool"] is True and transport["maxConnections"] == 4
    assert transport["requireTLS"] is True and transport["secure"] is False
    assert transport["connectionTimeout"] == 7000 and transport["socketTimeout"] == 20000
    assert transport["auth"] == {"user": USER, "pass": CANARY}
    assert transport["name"] == "crm.example.test"
    assert data["defaults"]["headers"]["X-Department"] == "Customer Service"


def test_plaintext_file_is_created_0600(deployed: Project, run_cli, outside) -> None:
    for fmt in PLAINTEXT:
        out = outside / f"smtp.{fmt}"
        out.write_text("old")
        out.chmod(0o644)  # an existing file does not keep a wider mode
        result = render(run_cli, "--format", fmt, "--output", str(out))
        assert stat.S_IMODE(out.stat().st_mode) == 0o600, fmt
        assert CANARY in out.read_text()
        assert_no_canary(result.output)
        assert not [p for p in outside.iterdir() if p.name.startswith(".smtpops-")]


def test_plaintext_is_refused_inside_the_repository(deployed: Project, run_cli) -> None:
    for target in ("smtp.env", "sub/../leak.json", str(deployed.root / "configs" / "x.env")):
        result = render(run_cli, "--format", "env", "--output", target, expect=2)
        assert "inside the repository" in result.stderr
    link = deployed.root.parent / "link-into-repo"
    link.symlink_to(deployed.root)
    result = render(run_cli, "--format", "json", "--output", str(link / "x.json"), expect=2)
    assert "inside the repository" in result.stderr
    assert deployed.status() == ""


def test_a_terminal_gets_no_plaintext_unless_forced(deployed: Project) -> None:
    env = deployed.subprocess_env()
    for args, code in (([], 2), (["--force"], 0)):
        primary, secondary = pty.openpty()
        proc = subprocess.run(
            [sys.executable, "-m", "smtpops", "render", "development", "--format", "env", *args],
            cwd=deployed.root,
            env=env,
            stdout=secondary,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        os.close(primary)
        assert proc.returncode == code, proc.stderr
        if code == 2:
            assert "terminal" in proc.stderr and CANARY.encode() not in shown
        else:
            assert CANARY.encode() in shown


def test_rev_renders_what_was_active_then(deployed: Project, run_cli) -> None:
    old = json.loads(render(run_cli).stdout)
    rev = deployed.head()
    deployed.add_config("development", "other", helo_hostname="other.example.test")
    run_cli("deploy", "development/other", expect=0)
    assert json.loads(render(run_cli).stdout)["helo_hostname"] == "other.example.test"
    again = json.loads(render(run_cli, "--rev", rev).stdout)
    assert again == old


def test_no_active_config_is_a_clear_error(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    result = render(run_cli, expect=1)
    assert "development has no active config" in result.stderr
    assert "smtpops deploy development/NAME" in result.stderr
    result = render(run_cli, "--rev", "nosuchrev", expect=1)
    assert "not a commit" in result.stderr


def test_postfix_refuses_a_verified_ip_address(deployed: Project, run_cli, outside) -> None:
    result = render(run_cli, "--format", "postfix", "--output", str(outside / "pf"), expect=2)
    assert "verifies certificates by host name only" in result.stderr
    assert not (outside / "pf").exists()


def test_postfix_needs_an_output_folder(project: Project, run_cli, outside) -> None:
    from tests.delivery.conftest import headers_field

    project.add_config(
        "development", "main", host="localhost", active=True, custom_headers=headers_field()
    )
    result = render(run_cli, "--format", "postfix", expect=2)
    assert "--output DIR" in result.stderr
    out = outside / "pf"
    render(run_cli, "--format", "postfix", "--output", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "ca.pem",
        "header-1.regexp",
        "header-2.regexp",
        "header_checks",
        "main.cf.smtpops",
        "master.cf.smtpops",
        "sasl_passwd",
    ]
    assert stat.S_IMODE((out / "sasl_passwd").stat().st_mode) == 0o600
    main = (out / "main.cf.smtpops").read_text()
    assert f"relayhost = [localhost]:{project.server.port}" in main
    assert f"smtp_sasl_password_maps = hash:{out}/sasl_passwd" in main
    assert "smtpops  unix  -  -  -  -  10  smtp" in (out / "master.cf.smtpops").read_text()
    for name in names:
        if name != "sasl_passwd":
            assert_no_canary((out / name).read_text())
    assert CANARY in (out / "sasl_passwd").read_text()


def test_an_invalid_active_config_is_not_rendered(project: Project, run_cli) -> None:
    project.add_config("development", "main", active=True, max_connections=1000)
    result = render(run_cli, "--format", "env", expect=1)
    assert "validation error" in result.stderr and "max_connections" in result.stderr
    assert result.stdout == ""
