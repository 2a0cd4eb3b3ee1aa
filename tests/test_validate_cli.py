"""`smtpops validate` as a user sees it: positions, selection, suppressions, exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from smtpops.rules.examples import BASE

ROOT = Path(__file__).resolve().parents[1]


def write(repo: Path, env: str, name: str, text: str) -> Path:
    path = repo / "configs" / env / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def diagnostics(run_cli, *args: str) -> tuple[int, list[dict]]:
    result = run_cli("validate", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


def test_bundled_examples_validate_clean(run_cli, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_cli("validate", expect=0)
    assert "no problems found" in result.stdout or "0 errors" in result.stdout


def test_finding_points_at_file_line_and_column(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "production", "example", BASE.replace("port: 587", "port: 465"))
    result = run_cli("validate", expect=1)
    line = next(n for n, text in enumerate(BASE.splitlines(), 1) if text.startswith("tls:"))
    assert f"configs/production/example.yaml:{line}:6: error PORT003 [tls]" in result.stdout
    assert "How to fix: Set 'tls: SSL/TLS'" in result.stdout


def test_unknown_field_suggests_the_right_name(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "example", BASE.replace("helo_hostname:", "helo_hostnme:"))
    code, found = diagnostics(run_cli)
    assert code == 1
    (unknown,) = [d for d in found if d["rule"] == "SCHEMA001"]
    assert "helo_hostname" in unknown["hint"] and unknown["column"] == 1


def test_duplicate_key_is_an_error_not_last_one_wins(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "example", BASE + "port: 25\n")
    code, found = diagnostics(run_cli)
    assert code == 1 and [d["rule"] for d in found] == ["FILE002"]
    assert "first on line 3" in found[0]["message"]


def test_warnings_pass_unless_strict(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "example", BASE.replace("port: 587", "port: 2526"))
    assert run_cli("validate").exit_code == 0
    assert run_cli("validate", "--strict").exit_code == 1


def test_ignore_option_takes_ids_and_areas(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "example", BASE.replace("port: 587", "port: 25"))
    assert {d["rule"] for d in diagnostics(run_cli)[1]} == {"PORT005"}
    assert diagnostics(run_cli, "--ignore", "PORT005")[1] == []
    assert diagnostics(run_cli, "--ignore", "port")[1] == []


def test_project_settings_change_severity_and_ignore(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "example", BASE.replace("port: 587", "port: 25"))
    settings = repo_dir / "configs" / "environments.yaml"
    settings.write_text(
        "environments: [development, staging, production]\nrules:\n  severity: {PORT005: error}\n"
    )
    code, found = diagnostics(run_cli)
    assert code == 1 and found[0]["severity"] == "error"
    settings.write_text("environments: [development]\nrules:\n  ignore: [PORT]\n")
    assert diagnostics(run_cli) == (0, [])


def test_security_error_cannot_be_silenced_in_production(run_cli, repo_dir: Path) -> None:
    bad = BASE.replace("port: 587", "port: 587\nverify_certificate: false")
    write(repo_dir, "production", "example", bad)
    (repo_dir / "configs" / "environments.yaml").write_text(
        "environments:\n  - name: production\n    policy: strict\n"
        "rules:\n  ignore: [TLS004]\n  severity: {TLS004: warning}\n"
    )
    code, found = diagnostics(run_cli)
    assert code == 1
    assert [(d["rule"], d["severity"]) for d in found] == [("TLS004", "error")]


def test_same_problem_is_a_warning_in_development(run_cli, repo_dir: Path) -> None:
    write(
        repo_dir,
        "development",
        "example",
        BASE.replace("port: 587", "port: 587\nverify_certificate: false"),
    )
    code, found = diagnostics(run_cli)
    assert code == 0 and [(d["rule"], d["severity"]) for d in found] == [("TLS004", "warning")]


def test_suppression_on_the_line_above(run_cli, repo_dir: Path) -> None:
    text = BASE.replace(
        "port: 587", "# smtpops: ignore[PORT005] the on-site relay only listens on 25\nport: 25"
    )
    write(repo_dir, "development", "example", text)
    assert diagnostics(run_cli) == (0, [])


def test_suppression_covers_only_its_line(run_cli, repo_dir: Path) -> None:
    text = BASE.replace("port: 587", "port: 25").replace(
        "tls: STARTTLS", "tls: STARTTLS  # smtpops: ignore[PORT005] wrong line"
    )
    write(repo_dir, "development", "example", text)
    rules = {d["rule"] for d in diagnostics(run_cli)[1]}
    assert rules == {"PORT005", "SUPP002"}


def test_missing_path_is_exit_2_with_a_hint(run_cli, repo_dir: Path) -> None:
    result = run_cli("validate", "configs/nowhere.yaml", expect=2)
    assert "no such config file" in result.stderr and "How to fix" in result.stderr
    assert "Traceback" not in result.output


def test_config_by_env_and_name(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "staging", "example", BASE)
    assert run_cli("validate", "staging/example", expect=0).stdout.startswith("✓ 1 file")


def test_no_configs_folder_is_exit_2(run_cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", expect=2)
    assert "no configs/ folder" in result.stderr


def test_broken_environments_file_is_exit_2_with_line(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "example", BASE)
    (repo_dir / "configs" / "environments.yaml").write_text(
        "environments:\n  - name: dev\n    policy: loose\n"
    )
    result = run_cli("validate", expect=2)
    assert "environments.yaml:3" in result.stderr


def test_empty_file_and_list_file(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "empty", "")
    write(repo_dir, "development", "listy", "- a\n- b\n")
    code, found = diagnostics(run_cli)
    assert code == 1 and [d["rule"] for d in found] == ["FILE005", "FILE005"]


def test_unreadable_file_is_exit_2(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "example", BASE)
    os.symlink(repo_dir / "nowhere", repo_dir / "configs" / "development" / "broken.yaml")
    code, found = diagnostics(run_cli)
    assert code == 2 and [d["rule"] for d in found] == ["FILE008"]


def test_wrongly_typed_password_is_never_echoed(run_cli, repo_dir: Path) -> None:
    from tests.conftest import CANARY

    for written, secret in (
        ("98765432", "98765432"),
        (f"[{CANARY}]", CANARY),
        (f"{{a: {CANARY}}}", CANARY),
    ):
        text = BASE.replace("password: ENC[", f"password: {written}\nx_: ENC[")
        write(repo_dir, "development", "example", text)
        result = run_cli("validate", "--format", "json")
        assert result.exit_code == 1
        assert secret not in result.output, result.output


def test_port_zero_is_one_finding(run_cli, repo_dir: Path) -> None:
    write(repo_dir, "development", "example", BASE.replace("port: 587", "port: 0"))
    assert [d["rule"] for d in diagnostics(run_cli)[1]] == ["PORT001"]


def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    configs = tmp_path / "configs" / "development"
    configs.mkdir(parents=True)
    for i in range(300):
        (configs / f"c{i}.yaml").write_text(
            BASE.replace("name: example", f"name: c{i}").replace("port: 587", "port: 25")
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "smtpops", "validate"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, 1), err
    assert "internal error" not in err and "Traceback" not in err


def test_set_password_with_ended_input_is_a_usage_error(run_cli, repo_dir: Path) -> None:
    from tests.conftest import CANARY

    write(repo_dir, "development", "example", BASE)
    result = run_cli(
        "secrets", "set-password", "development/example", input=f"{CANARY}\n{CANARY}x\n"
    )
    assert result.exit_code == 2, result
    assert "--password-stdin" in result.stderr and CANARY not in result.output


def test_out_of_range_port_with_a_provider_is_one_finding(run_cli, repo_dir: Path) -> None:
    text = BASE.replace("host: smtp.example.com", "host: smtp.gmail.com").replace(
        "port: 587", "port: 70000"
    )
    write(repo_dir, "development", "example", text)
    assert [d["rule"] for d in diagnostics(run_cli)[1] if d["severity"] == "error"] == ["PORT001"]


def test_one_file_still_gets_the_repository_rules_about_it(run_cli, repo_dir: Path) -> None:
    """`validate configs/production/a.yaml` reports that b.yaml is active too (the whole-tree
    run always did); findings of b.yaml itself are not reported, it was not asked for."""
    active = BASE.replace("name: example", "name: {}\nactive: true")
    write(repo_dir, "production", "a", active.format("a"))
    write(repo_dir, "production", "b", active.format("b").replace("port: 587", "port: 465"))
    write(repo_dir, "staging", "c", active.format("c"))
    code, found = diagnostics(run_cli, "configs/production/a.yaml")
    assert code == 1
    assert {(d["rule"], d["path"]) for d in found} == {("REPO003", "configs/production/a.yaml")}
    assert "configs/production/b.yaml" in found[0]["message"]
    code, found = diagnostics(run_cli, "production/a")  # ENV/NAME too
    assert code == 1 and [d["rule"] for d in found] == ["REPO003"]
    code, found = diagnostics(run_cli, "configs/staging/c.yaml")
    assert code == 0 and found == []
