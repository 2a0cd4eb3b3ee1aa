"""A password goes only where it was sealed to: change host, port, tls, ca_file (or the CA's
content) or username without a key holder re-sealing it, and test and deploy refuse to send
it, before any connection; `secrets reseal` shows the change, asks, and seals it again. The
real sops still decrypts and edits the file."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml

from smtpops.encryption import runner
from smtpops.encryption.sops_config import ENCRYPTED_REGEX
from tests.conftest import CANARY, assert_no_canary
from tests.gitops.conftest import Project, git


def _edit(project: Project, rel: str, old: str, new: str) -> None:
    path = project.root / rel
    path.write_text(path.read_text().replace(old, new))
    project.commit(f"change {rel}")


def _sops(
    project: Project, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> str:
    out = subprocess.run(
        [runner.sops_binary(), *args],
        input=stdin,
        cwd=project.root,
        env=(env or project.subprocess_env()) | {"SOPS_DISABLE_VERSION_CHECK": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


MAIN = "configs/development/main.yaml"


def test_set_password_seals_the_server_fields_and_sops_reads_them(project: Project) -> None:
    path = project.add_config("development", "main")
    text = path.read_text()
    assert_no_canary(text)
    assert "password_binding: ENC[AES256_GCM," in text
    plain = yaml.safe_load(_sops(project, "decrypt", MAIN))  # the real sops, with the key
    assert plain["password"] == CANARY
    sealed = json.loads(plain["password_binding"])
    assert sealed["host"] == "127.0.0.1" and sealed["port"] == project.server.port
    assert sealed["tls"] == "STARTTLS" and sealed["username"] == "crm@example.test"
    assert sealed["ca_file"] == "ca.pem" and len(sealed["ca_sha256"]) == 64


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("host: 127.0.0.1", "host: 127.0.0.2", "the server (host)"),
        ("username: crm@example.test", "username: other@example.test", "the username"),
        ("verify_certificate: true", "verify_certificate: false", "certificate verification"),
        ("ca_file: ca.pem", "ca_file: other.pem", "the CA file"),
    ],
)
def test_deploy_refuses_a_changed_bound_field_before_connecting(
    project: Project, run_cli, connects, old: str, new: str, says: str
) -> None:
    project.add_config("development", "main")
    (project.root / "other.pem").write_bytes(project.server.ca_pem)
    _edit(project, MAIN, old, new)
    head = project.head()
    connects.clear()
    result = run_cli("deploy", "development/main")
    assert result.exit_code == 1, repr(result)
    assert_no_canary(result.output)
    assert says in result.stderr and "smtpops secrets reseal development/main" in result.stderr
    assert connects == []  # refused before any connection (no DNS, no SMTP)
    assert project.head() == head and project.status() == ""


def test_a_changed_ca_content_is_refused_too(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    (project.root / "ca.pem").write_bytes(project.server.ca_pem + b"\n")
    project.commit("other CA bytes")
    result = run_cli("test", "development/main")
    assert result.exit_code == 1 and "content of the CA file changed" in result.stderr, repr(result)


def test_test_refuses_too_but_a_password_on_stdin_is_the_users_own(
    project: Project, run_cli
) -> None:
    project.add_config("development", "main")
    _edit(project, MAIN, "host: 127.0.0.1", "host: localhost")
    refused = run_cli("test", "development/main")
    assert refused.exit_code == 1 and "the server (host)" in refused.stderr, repr(refused)
    own = run_cli("test", "development/main", "--password-stdin", input=CANARY + "\n")
    assert own.exit_code == 0, repr(own)
    assert_no_canary(refused.output, own.output)


def test_reseal_shows_the_change_asks_and_then_deploy_works(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    _edit(project, MAIN, "host: 127.0.0.1", "host: localhost")
    asked = run_cli("secrets", "reseal", "development/main")
    assert asked.exit_code == 2 and "--yes" in asked.stderr, repr(asked)  # no terminal to ask
    result = run_cli("secrets", "reseal", "development/main", "--yes", expect=0)
    assert 'the server (host): sealed for "127.0.0.1", now "localhost"' in result.stdout
    assert_no_canary(result.output, (project.root / MAIN).read_text())
    changed = git(project.root, "diff", "--stat").strip()
    assert MAIN in changed
    project.commit("Re-seal the password for localhost")
    again = run_cli("secrets", "reseal", "development/main", "--yes", expect=0)
    assert "already sealed" in again.stdout
    deployed = run_cli("deploy", "development/main", expect=0)
    assert_no_canary(deployed.output)
    assert project.active("development") == ["main"]


def test_reseal_needs_the_key(project: Project, run_cli, monkeypatch) -> None:
    project.add_config("development", "main")
    monkeypatch.delenv("SOPS_AGE_KEY")
    result = run_cli("secrets", "reseal", "development/main", "--yes")
    assert result.exit_code == 1 and "no age key" in result.stderr, repr(result)


def test_sops_set_and_edit_keep_the_file_and_its_seal_working(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    _sops(project, "set", MAIN, '["description"]', '"edited with sops set"')
    editor = project.root.parent / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/^wait_timeout: 5$/wait_timeout: 6/' \"$1\"\n")
    editor.chmod(0o755)
    _sops(project, "edit", MAIN, env=project.subprocess_env() | {"EDITOR": str(editor)})
    text = (project.root / MAIN).read_text()
    assert "edited with sops set" in text and "wait_timeout: 6" in text
    project.commit("edited with sops")
    result = run_cli("deploy", "development/main")
    assert result.exit_code == 0, repr(result)  # description and timeouts are not bound


def test_removing_the_seal_is_caught_with_and_without_a_key(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    path = project.root / MAIN
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("password_binding:")))
    keyless = run_cli("validate", "--format", "json", expect=1)
    assert "CRED016" in {d["rule"] for d in json.loads(keyless.stdout)["diagnostics"]}
    # and lowering the sops section's regex too only moves the finding: the MAC still fails
    text = path.read_text()
    assert f"encrypted_regex: {ENCRYPTED_REGEX}" in text
    path.write_text(
        text.replace(f"encrypted_regex: {ENCRYPTED_REGEX}", "encrypted_regex: ^password$")
    )
    project.commit("lift the seal")
    result = run_cli("test", "development/main")
    assert result.exit_code == 1 and "checksum" in result.stderr, repr(result)
    assert os.path.exists(path)


def test_promote_does_not_seal_on_a_server_change_that_slipped_into_the_source(
    project: Project, run_cli
) -> None:
    project.add_config("development", "main")
    project.add_config("staging", "main")
    _edit(project, MAIN, "host: 127.0.0.1", "host: localhost")  # no re-seal in development
    result = run_cli(
        "promote", "main", "--from", "development", "--to", "staging", "--copy-credentials"
    )
    assert result.exit_code == 1 and "the server (host)" in result.stderr, repr(result)
    assert project.status() == ""


def test_promote_keeping_the_targets_password_refuses_when_the_server_moves(
    project: Project, run_cli
) -> None:
    project.add_config("development", "main", host="localhost")
    project.add_config("staging", "main")
    result = run_cli("promote", "main", "--from", "development", "--to", "staging")
    assert result.exit_code == 1, repr(result)
    assert "smtpops secrets reseal staging/main" in result.stderr


def test_rotate_keeps_the_seal(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    result = run_cli("secrets", "rotate", "--env", "development", expect=0)
    assert ": rotated" in result.stdout
    project.commit("rotate")
    run_cli("deploy", "development/main", expect=0)


def test_new_seals_the_password_it_stores(project: Project, run_cli) -> None:
    result = run_cli(
        "new", "fresh", "--env", "development", "--provider", "custom",
        "--set", "host=127.0.0.1", "--set", f"port={project.server.port}",
        "--set", "ca_file=ca.pem", "--set", "helo_hostname=crm.example.test",
        "--username", "crm@example.test", "--password-stdin", input=CANARY + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, repr(result)
    text = (project.root / "configs" / "development" / "fresh.yaml").read_text()
    assert "password_binding: ENC[" in text
    sealed = json.loads(
        yaml.safe_load(_sops(project, "decrypt", "configs/development/fresh.yaml"))[
            "password_binding"
        ]
    )
    assert sealed["host"] == "127.0.0.1" and sealed["username"] == "crm@example.test"


def test_diff_flags_a_bound_field_changed_without_a_reseal(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    _edit(project, MAIN, "host: 127.0.0.1", "host: localhost")
    text = run_cli("diff", "HEAD~1", "HEAD", expect=0).stdout
    assert "host changed, but the password was not re-sealed" in text
    assert "smtpops secrets reseal development/main" in text
    markdown = run_cli("diff", "HEAD~1", "HEAD", "--format", "markdown", expect=0).stdout
    assert "not re-sealed" in markdown and "password not re-sealed" in markdown
    data = json.loads(run_cli("diff", "HEAD~1", "HEAD", "--format", "json", expect=0).stdout)
    (config,) = data["configs"]
    assert config["unsealed"] == ["host"] and config["security"] is True
    run_cli("secrets", "reseal", "development/main", "--yes", expect=0)
    project.commit("Re-seal for localhost")
    after = run_cli("diff", "HEAD~2", "HEAD", expect=0).stdout
    assert "not re-sealed" not in after and "password: changed" in after
    assert_no_canary(text, markdown, after)


def test_diff_flags_a_removed_seal(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    path = project.root / MAIN
    kept = [ln for ln in path.read_text().splitlines(True) if not ln.startswith("password_b")]
    path.write_text("".join(kept))
    project.commit("drop the seal")
    text = run_cli("diff", "HEAD~1", "HEAD", expect=0).stdout
    assert "seal that binds the password to its server was removed" in text


def test_the_sandbox_keeps_its_ca_so_a_sealed_sandbox_config_survives_a_restart(
    tmp_path,
) -> None:
    from smtpops.probe.sandbox import Sandbox

    folder = tmp_path / ".smtpops" / "sandbox"
    folder.mkdir(parents=True)
    with Sandbox(directory=str(folder)) as box:
        first = (folder / "ca.pem").read_bytes()
        assert box.ca_file == str(folder / "ca.pem")
    with Sandbox(directory=str(folder)):
        assert (folder / "ca.pem").read_bytes() == first
    assert (folder / "ca-key.pem").stat().st_mode & 0o077 == 0


def test_a_file_from_before_seals_is_refused_until_resealed(project: Project, run_cli) -> None:
    """A config encrypted the way smtpops did before seals (only ^password$): CRED015 warns,
    deploy refuses, reseal (which needs the key) seals it, then deploy works."""
    path = project.root / MAIN
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = project.config_text("main") + f'password: "{CANARY}"\n'
    legacy = _sops(
        project,
        "--config", str(project.root / ".sops.yaml"),
        "encrypt", "--filename-override", str(path), "--encrypted-regex", "^password$",
        "--input-type", "yaml", "--output-type", "yaml", "/dev/stdin",
        stdin=plain,
    )  # fmt: skip
    path.write_text(legacy)
    project.commit("a config from before seals")
    found = json.loads(run_cli("validate", "--format", "json", MAIN).stdout)["diagnostics"]
    assert [d["rule"] for d in found if d["rule"].startswith("CRED")] == ["CRED015"]
    refused = run_cli("deploy", "development/main")
    assert refused.exit_code == 1 and "not sealed to a server" in refused.stderr, repr(refused)
    sealed = run_cli("secrets", "reseal", "development/main", "--yes", expect=0)
    assert "not sealed to a server yet" in sealed.stdout and "host: 127.0.0.1" in sealed.stdout
    project.commit("seal it")
    run_cli("deploy", "development/main", expect=0)
    assert_no_canary(refused.output, sealed.output, path.read_text())


def _on_a_terminal(project: Project, args: list[str], answer: str) -> tuple[int, str]:
    """Run smtpops on a pseudo-terminal (as a person would), answer its question, read all."""
    import pty
    import select
    import sys

    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "smtpops", *args],
        cwd=project.root,
        env=project.subprocess_env(),
        stdin=child,
        stdout=child,
        stderr=child,
        close_fds=True,
    )
    os.close(child)
    out, answered = b"", False
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if not answered and b"[y/N]" in out:
            os.write(main, answer.encode() + b"\n")
            answered = True
    os.close(main)
    return proc.wait(timeout=30), out.decode("utf-8", "replace")


@pytest.mark.parametrize(("answer", "code"), [("n", 1), ("y", 0)])
def test_reseal_asks_on_a_terminal(project: Project, answer: str, code: int) -> None:
    project.add_config("development", "main")
    _edit(project, MAIN, "host: 127.0.0.1", "host: localhost")
    before = (project.root / MAIN).read_text()
    exit_code, out = _on_a_terminal(project, ["secrets", "reseal", "development/main"], answer)
    assert exit_code == code, out
    assert "the server (host)" in out and "[y/N]" in out
    assert_no_canary(out)
    changed = (project.root / MAIN).read_text() != before
    assert changed is (answer == "y")


def test_validate_base_flags_a_bound_field_changed_without_a_reseal(
    project: Project, run_cli
) -> None:
    project.add_config("development", "main")
    base = project.head()
    _edit(project, MAIN, "username: crm@example.test", "username: other@example.test")
    result = run_cli("validate", "--base", base, "--format", "json")
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "CRED017"]
    assert result.exit_code == 1 and len(found) == 1, repr(result)
    assert found[0]["field"] == "username" and found[0]["severity"] == "error"
    assert "smtpops secrets reseal development/main" in found[0]["hint"]
    assert "CRED017" not in run_cli("validate", "--format", "json").stdout  # needs --base
    run_cli("secrets", "reseal", "development/main", "--yes", expect=0)
    project.commit("Re-seal for the new username")
    again = run_cli("validate", "--base", base, "--format", "json")
    assert "CRED017" not in {d["rule"] for d in json.loads(again.stdout)["diagnostics"]}
