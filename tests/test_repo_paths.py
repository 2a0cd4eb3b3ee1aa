"""Files smtpops reads or writes stay inside the repository: ``ca_file`` out of it, configs
that are symbolic links, and NAME/--env values that are not one path segment are refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from smtpops.rules.examples import BASE


def write(root: Path, env: str, name: str, text: str = BASE) -> Path:
    path = root / "configs" / env / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("name: example", f"name: {name}"), encoding="utf-8")
    return path


def rules_found(run_cli, *args: str) -> tuple[int, list[dict]]:
    result = run_cli("validate", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


@pytest.mark.parametrize("ca_file", ["/etc/passwd", "../outside.pem", "certs/../../outside.pem"])
def test_ca_file_outside_the_repository_is_an_error(run_cli, repo_dir: Path, ca_file: str) -> None:
    (repo_dir.parent / "outside.pem").write_text("not a CA\n")
    write(repo_dir, "development", "example", BASE + f"ca_file: {ca_file}\n")
    code, found = rules_found(run_cli)
    hits = [d for d in found if d["rule"] == "TLS007"]
    assert code == 1 and hits and hits[0]["severity"] == "error", found
    assert "outside the repository" in hits[0]["message"]


def test_ca_file_symlinked_out_of_the_repository_is_an_error(run_cli, repo_dir: Path) -> None:
    (repo_dir.parent / "outside.pem").write_text("not a CA\n")
    (repo_dir / "certs").mkdir()
    os.symlink(repo_dir.parent / "outside.pem", repo_dir / "certs" / "ca.pem")
    write(repo_dir, "development", "example", BASE + "ca_file: certs/ca.pem\n")
    code, found = rules_found(run_cli)
    assert code == 1 and "TLS007" in {d["rule"] for d in found}, found


def test_ca_file_inside_the_repository_passes(run_cli, repo_dir: Path) -> None:
    (repo_dir / "certs").mkdir()
    (repo_dir / "certs" / "ca.pem").write_text("PEM\n")
    write(repo_dir, "development", "example", BASE + "ca_file: certs/ca.pem\n")
    _, found = rules_found(run_cli)
    assert "TLS007" not in {d["rule"] for d in found}, found


def test_probe_refuses_a_ca_file_outside_before_reading_it(run_cli, repo_dir: Path) -> None:
    """Even with validation skipped (the probe library), the CA outside is never loaded."""
    from smtpops.model import Config
    from smtpops.probe import ProbeOptions, run_probe

    config = Config.from_raw(
        {"host": "127.0.0.1", "port": 1, "tls": "STARTTLS", "ca_file": "/etc/ssl/certs/x.pem"}
        | {"verify_certificate": True, "auth_protocol": "LOGIN", "username": "u"}
    )
    from smtpops.probe.failure import Failure
    from smtpops.probe.secure import ca_path
    from smtpops.probe.state import Probe

    p = Probe(
        config=config,
        password=None,
        environment=None,
        send_to=None,
        options=ProbeOptions(base_dir=str(repo_dir)),
        wait=1,
        deadline=0,
    )
    with pytest.raises(Failure) as caught:
        ca_path(p)
    assert "outside the repository" in caught.value.context["reason"]
    assert run_probe  # the entry point the CLI uses goes through ca_path


def test_symlinked_config_is_a_finding(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "x")
    (repo_dir / "configs" / "production").mkdir()
    os.symlink("../development/x.yaml", repo_dir / "configs" / "production" / "x.yaml")
    code, found = rules_found(run_cli)
    links = [d for d in found if d["rule"] == "FILE010"]
    assert code == 1 and links, found
    assert links[0]["path"].endswith("production/x.yaml")
    assert "symbolic link" in links[0]["message"]


def test_config_symlinked_out_of_the_repository_is_a_finding(run_cli, repo_dir: Path) -> None:
    outside = repo_dir.parent / "x.yaml"
    outside.write_text(BASE.replace("name: example", "name: x"))
    (repo_dir / "configs" / "development").mkdir()
    os.symlink(outside, repo_dir / "configs" / "development" / "x.yaml")
    code, found = rules_found(run_cli)
    assert code == 1 and "FILE010" in {d["rule"] for d in found}, found


@pytest.mark.parametrize("command", [("test", "--password-stdin"), ("deploy", "--dry-run")])
def test_commands_refuse_a_symlinked_config_with_exit_2(
    run_cli, repo_dir: Path, command: tuple[str, ...]
) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(repo_dir)], check=True)
    write(repo_dir, "development", "x")
    (repo_dir / "configs" / "production").mkdir()
    os.symlink("../development/x.yaml", repo_dir / "configs" / "production" / "x.yaml")
    result = run_cli(command[0], "production/x", *command[1:], input="pw\n")
    assert result.exit_code == 2, repr(result)
    assert "symbolic link" in result.stderr


def test_deploy_of_a_config_linked_out_of_the_repository_is_a_clear_error(
    run_cli, repo_dir: Path
) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(repo_dir)], check=True)
    outside = repo_dir.parent / "x.yaml"
    outside.write_text(BASE.replace("name: example", "name: x"))
    (repo_dir / "configs" / "development").mkdir()
    os.symlink(outside, repo_dir / "configs" / "development" / "x.yaml")
    result = run_cli("deploy", "development/x")
    assert result.exit_code == 2, repr(result)
    assert "internal error" not in result.output and "symbolic link" in result.stderr


@pytest.mark.parametrize("name", ["nl\n", "a/b", "..", "a\\b", "x\ty"])
def test_new_refuses_a_name_that_is_not_one_path_segment(
    run_cli, repo_dir: Path, name: str
) -> None:
    result = run_cli(
        "new", name, "--env", "development", "--provider", "custom",
        "--set", "host=smtp.example.com", "--username", "a@example.com",
    )  # fmt: skip
    assert result.exit_code == 2, repr(result)
    assert list((repo_dir / "configs").rglob("*.yaml")) == []


@pytest.mark.parametrize("env", ["development\n", "../development", "dev/x"])
def test_env_with_a_separator_or_newline_is_refused(run_cli, repo_dir: Path, env: str) -> None:
    (repo_dir / "configs" / "development").mkdir()
    for args in (
        ("new", "ok", "--env", env, "--provider", "custom", "--set", "host=smtp.example.com"),
        ("test", "--env", env),
        ("secrets", "updatekeys", "--env", env),
    ):
        result = run_cli(*args)
        assert result.exit_code == 2, (args, repr(result))
    assert list((repo_dir / "configs").rglob("*.yaml")) == []


def test_env_name_reference_cannot_climb_out_of_its_folder(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "x")
    result = run_cli("test", "production/../development/x", "--password-stdin", input="pw\n")
    assert result.exit_code == 2, repr(result)


def test_a_linked_environment_folder_is_reported_not_skipped(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "x")
    os.symlink("development", repo_dir / "configs" / "production")
    code, found = rules_found(run_cli)
    links = [d for d in found if d["rule"] == "FILE010"]
    assert code == 1 and [d["path"] for d in links] == ["configs/production/x.yaml"], found


def test_a_config_replaced_by_a_link_to_the_same_bytes_is_not_served_from_the_cache(
    run_cli, repo_dir: Path
) -> None:
    path = write(repo_dir, "development", "x")
    first = rules_found(run_cli)
    assert "FILE010" not in {d["rule"] for d in first[1]}
    copy = repo_dir.parent / "x-copy.yaml"
    copy.write_bytes(path.read_bytes())
    path.unlink()
    os.symlink(copy, path)
    code, found = rules_found(run_cli)
    assert code == 1 and "FILE010" in {d["rule"] for d in found}, found
