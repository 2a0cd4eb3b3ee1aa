"""``smtpops test`` as a command: refusing invalid input, passwords, --env, usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import CANARY, assert_no_canary


def test_invalid_config_is_refused_before_any_connection(sandbox, write_config, run_cli, repo_dir):
    write_config(sandbox.config(), port=0)
    result = run_cli("test", "development/sandbox", "--password-stdin", input=CANARY)
    assert result.exit_code == 1, repr(result)
    assert "has validation errors; it was not tested" in result.stderr
    assert "port" in result.stderr and "How to fix:" in result.stderr
    assert not (repo_dir / ".smtpops").exists()  # no test was attempted
    assert_no_canary(result.output)


def test_unknown_config_is_a_usage_error(run_cli, repo_dir):
    result = run_cli("test", "development/nothing", "--password-stdin", input=CANARY)
    assert result.exit_code == 2, repr(result)
    assert "development/nothing: no such config file" in result.stderr


def test_config_or_env_but_not_both(run_cli, repo_dir):
    assert run_cli("test").exit_code == 2
    result = run_cli("test", "a", "--env", "development")
    assert result.exit_code == 2 and "either a CONFIG or --env ENV" in result.stderr


def test_bad_dns_server_is_a_usage_error(sandbox, write_config, run_cli):
    write_config(sandbox.config())
    result = run_cli(
        "test", "development/sandbox", "--dns", "not-an-ip:99", "--password-stdin", input=CANARY
    )
    assert result.exit_code == 2, repr(result)
    assert "DNS server 'not-an-ip:99' is not an IP address" in result.stderr


def test_empty_stdin_password_is_a_usage_error(sandbox, write_config, run_cli):
    write_config(sandbox.config())
    result = run_cli("test", "development/sandbox", "--password-stdin", input="")
    assert result.exit_code == 2 and "standard input is empty" in result.stderr


def test_encrypted_password_without_stdin(sandbox, write_config, run_cli):
    write_config(sandbox.config())
    result = run_cli("test", "development/sandbox")
    assert "Traceback" not in result.output
    # the base config's password was encrypted for a key nobody has
    assert result.exit_code in (1, 2), repr(result)
    assert result.stderr.startswith("Error:")


def test_whole_environment_concurrently(make_sandbox, write_config, run_cli):
    good = make_sandbox()
    write_config(good.config(name="alpha"))
    write_config(good.config(tls="SSL/TLS", name="beta"))
    write_config(good.config(name="gamma"), port=0)  # invalid: not tested
    result = run_cli(
        "test", "--env", "development", "--password-stdin", "--format", "json", input=CANARY
    )
    assert result.exit_code == 1, repr(result)
    assert_no_canary(result.output)
    document = json.loads(result.stdout)
    by_name = {c["config"]: c for c in document["configs"]}
    assert by_name["development/alpha"]["passed"] and by_name["development/beta"]["passed"]
    assert by_name["development/gamma"]["tested"] is False
    assert document["passed"] is False
    progress = result.stderr.splitlines()
    assert len(progress) == 3 and all(line.startswith("[") for line in progress)
    assert any("✗ development/gamma (not tested)" in line for line in progress)


def test_whole_environment_text(sandbox, write_config, run_cli):
    write_config(sandbox.config(name="alpha"))
    result = run_cli("test", "--env", "development", "--password-stdin", input=CANARY)
    assert result.exit_code == 0, repr(result)
    assert result.stdout.rstrip().endswith("1 of 1 configs of development passed.")


def test_unknown_environment(write_config, sandbox, run_cli):
    write_config(sandbox.config())
    result = run_cli("test", "--env", "prod", "--password-stdin", input=CANARY)
    assert result.exit_code == 2 and "Environments here: development" in result.stderr


def test_as_a_subprocess_nothing_leaks(sandbox, write_config, repo_dir: Path):
    write_config(sandbox.config())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "smtpops",
            "test",
            "development/sandbox",
            "--password-stdin",
            "--transcript",
            "--send-to",
            "ops@example.com",
        ],
        input=CANARY,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=repo_dir,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "C: <credentials hidden>" in proc.stdout
    assert_no_canary(proc.stdout, proc.stderr)
    for path in (p for p in (repo_dir / ".smtpops").rglob("*") if p.is_file()):
        assert_no_canary(path.read_text())


def test_importing_the_probe_api_loads_no_heavy_module():
    code = (
        "import sys, smtpops.probe, smtpops.probe.runner; print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('dns', 'cryptography', 'aiosmtpd', 'trustme', 'click')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_readme_and_help_state_the_exit_codes_the_code_uses(sandbox, write_config, run_cli):
    """1 for validation errors, like `smtpops validate`; 2 only for usage and unreadable input."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = " ".join(readme.split("## Testing a connection")[1].split("\n## ")[0].split())
    assert "1 the test failed, or the config has validation errors" in section
    assert "(invalid YAML too) and was not tested, as `smtpops validate` exits 1" in section
    assert "2 the command was used wrongly or the config cannot be read" in section
    shown = " ".join(run_cli("test", "--help", expect=0).stdout.split())
    assert "1 the test failed or the config has validation errors (not tested)" in shown
    path = write_config(sandbox.config(), port=0)
    for text in (None, "name: [unclosed\n"):  # a rule's error, then invalid YAML (FILE001)
        if text:
            path.write_text(text, encoding="utf-8")
        run_cli("test", "development/sandbox", "--password-stdin", input=CANARY, expect=1)
        run_cli("validate", str(path.relative_to(path.parents[2])), expect=1)
    result = run_cli("test", "development/other", "--password-stdin", input=CANARY, expect=2)
    assert result.stderr.startswith("Error: development/other: no such config file")


def test_the_test_command_loads_no_rule_ssl_or_token_code_before_a_test_runs():
    """`smtpops test` imports the rules only when the validation cache cannot answer, ssl and
    the steps only once a test is to run (while sops decrypts), the OAuth2 token machinery
    only for a config that signs in with a token, and atomic writes never (tests/perf)."""
    code = (
        "import sys, smtpops.cli.connection, smtpops.services.connection, smtpops.probe; "
        "print(sorted(m for m in sys.modules if m in ('ssl', 'smtpops.rules', "
        "'smtpops.probe.runner', 'smtpops.probe.token_step', 'smtpops.oauth.token', "
        "'smtpops.atomic', 'smtpops.encryption.keys', 'tempfile')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
    code = "import sys, smtpops.probe; smtpops.probe.prepare(); print('ssl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True", out.stdout
