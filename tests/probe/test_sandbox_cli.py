"""``smtpops sandbox`` as a newcomer (or another test suite) uses it: start it, read the
connection details, test a config against it, stop it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from smtpops.rules.examples import BASE


def start(repo: Path, *args: str) -> tuple[subprocess.Popen[str], dict]:
    info_file = repo / "sandbox.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smtpops",
            "sandbox",
            "--port",
            "0",
            "--tls-port",
            "0",
            "--info-file",
            str(info_file),
            "--duration",
            "60",
            *args,
        ],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not info_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate(timeout=5)
            raise AssertionError(f"sandbox did not start: {out} {err}")
        time.sleep(0.05)
    return proc, json.loads(info_file.read_text())


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, out + err
    return out, err


def test_sandbox_end_to_end(repo_dir: Path, run_cli):
    target = repo_dir / "configs" / "development" / "sandbox.yaml"
    target.parent.mkdir(parents=True)
    proc, info = start(repo_dir, "--write-config", str(target))
    try:
        assert info["host"] == "localhost" and info["ca_file"] == ".smtpops/sandbox/ca.pem"
        assert (repo_dir / info["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
        written = yaml.safe_load(target.read_text())
        assert written["port"] == info["starttls_port"] and written["ca_file"] == info["ca_file"]
        assert "smtpops secrets set-password development/sandbox" in target.read_text()
        base = yaml.safe_load(BASE)  # stands in for `smtpops secrets set-password`
        target.write_text(
            yaml.safe_dump(
                written | {k: base[k] for k in ("password", "password_binding", "sops")},
                sort_keys=False,
            )
        )
        result = run_cli(
            "test",
            "development/sandbox",
            "--password-stdin",
            "--send-to",
            "newcomer@example.test",
            input=info["password"] + "\n",
        )
        assert result.exit_code == 0, repr(result)
        for tls in ("SSL/TLS",):
            target.write_text(
                target.read_text()
                .replace(f"port: {info['starttls_port']}", f"port: {info['tls_port']}")
                .replace("tls: STARTTLS", f"tls: {tls}")
            )
            result = run_cli(
                "test", "development/sandbox", "--password-stdin", input=info["password"] + "\n"
            )
            assert result.exit_code == 0, repr(result)
    finally:
        out, err = stop(proc)
    assert f"password:      {info['password']}   (throwaway)" in out  # printed for newcomers
    assert "received: from sandbox@example.test to newcomer@example.test" in err
    assert "1 message(s) kept" in err
    (message,) = (repo_dir / ".smtpops/sandbox/messages").glob("*.eml")
    assert b"X-Smtpops-Test-Id: " in message.read_bytes()


def test_sandbox_json_and_chosen_password(repo_dir: Path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smtpops",
            "sandbox",
            "--port",
            "0",
            "--tls-port",
            "0",
            "--json",
            "--password-stdin",
            "--duration",
            "0.5",
        ],
        cwd=repo_dir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate("chosen-secret\n", timeout=20)
    assert proc.returncode == 0, err
    info = json.loads(out.splitlines()[0])
    assert "password" not in info and info["starttls_port"] > 0
    assert "chosen-secret" not in out + err


def test_sandbox_port_in_use_is_a_usage_error(repo_dir: Path, sandbox, run_cli):
    result = run_cli(
        "sandbox", "--port", str(sandbox.starttls_port), "--tls-port", "0", "--duration", "0.1"
    )
    assert result.exit_code == 2, repr(result)
    assert "cannot listen on port" in result.stderr
