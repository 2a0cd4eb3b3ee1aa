"""Hostile YAML that used to end in an internal error (exit 70): deep nesting, tags that do
not fit their value, huge sexagesimal numbers. Each is now a FILE finding naming the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smtpops import yamlio
from smtpops.rules.examples import BASE

TAGGED = [
    ("port: !!bool maybe\n", "'maybe' is not a valid !!bool"),
    ("host: !!timestamp x\n", "'x' is not a valid !!timestamp"),
    ('port: !!int ""\n', "'' is not a valid !!int"),
    ('port: !!int "-"\n', "'-' is not a valid !!int"),
    ('port: !!float ""\n', "'' is not a valid !!float"),
    ("port: !!int 0x\n", "'0x' is not a valid !!int"),
]


def write(repo: Path, text: str, env: str = "development", name: str = "hostile") -> Path:
    path = repo / "configs" / env / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def findings(run_cli, *args: str) -> tuple[int, list[dict]]:
    result = run_cli("validate", "--format", "json", *args)
    assert "internal error" not in result.stderr, repr(result)
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


@pytest.mark.parametrize("depth", [65, 600, 999, 5000])
def test_deep_flow_nesting_is_a_file_finding(run_cli, repo_dir: Path, depth: int) -> None:
    write(repo_dir, "name: x\nhost: " + "[" * depth + "]" * depth + "\n")
    code, found = findings(run_cli)
    assert code == 1
    assert [(d["rule"], d["line"]) for d in found] == [("FILE009", 2)]
    assert "nested more than 64 levels" in found[0]["message"]


def test_deep_block_nesting_is_a_file_finding(run_cli, repo_dir: Path) -> None:
    text = "host:\n" + "- " * 700 + "x\n"  # a list of a list of a list…
    write(repo_dir, text)
    code, found = findings(run_cli)
    assert code == 1 and [d["rule"] for d in found] == ["FILE009"]


def test_the_depth_limit_leaves_real_documents_alone() -> None:
    assert yamlio.loads("a: " + "[" * 64 + "]" * 64).data is not None
    with pytest.raises(yamlio.LoadError) as caught:
        yamlio.loads("a: " + "[" * 65 + "]" * 65)
    assert caught.value.kind == "depth"


@pytest.mark.parametrize("line, words", TAGGED)
def test_a_tag_that_does_not_fit_its_value_is_a_file_finding(
    run_cli, repo_dir: Path, line: str, words: str
) -> None:
    write(repo_dir, "name: x\n" + line)
    code, found = findings(run_cli)
    assert code == 1
    assert [(d["rule"], d["line"]) for d in found] == [("FILE006", 2)]
    assert words in found[0]["message"]


def test_a_tag_that_fits_is_still_read() -> None:
    assert yamlio.loads('port: !!int "587"\nok: !!bool yes\n').data == {"port": 587, "ok": True}


def test_a_tag_on_a_mapping_is_refused_too() -> None:
    with pytest.raises(yamlio.LoadError) as caught:
        yamlio.loads("x: !!python/object:os.system {a: 1}\n")
    assert caught.value.kind == "tag"


def test_a_huge_sexagesimal_number_is_refused(run_cli, repo_dir: Path) -> None:
    # YAML 1.1 reads 1:1:1… as a base-60 integer; building it is quadratic and printing it
    # raised ValueError (more than 4300 digits)
    write(repo_dir, "name: x\nport: " + "1:" * 60_000 + "1\n")
    code, found = findings(run_cli)
    assert code == 1 and [d["rule"] for d in found] == ["FILE001"]
    assert "longer than 4300 characters" in found[0]["message"]


@pytest.mark.parametrize("line, words", TAGGED[:2])
def test_one_bad_file_does_not_stop_secrets_check(
    run_cli, repo_dir: Path, line: str, words: str
) -> None:
    write(repo_dir, BASE, name="good")
    write(repo_dir, "name: x\n" + line)
    result = run_cli("secrets", "check", "--format", "json")
    assert result.exit_code == 1, repr(result)
    found = json.loads(result.stdout)["diagnostics"]
    bad = [d for d in found if d["path"].endswith("hostile.yaml")]
    assert [d["rule"] for d in bad] == ["FILE006"] and words in bad[0]["message"]
    assert not [d for d in found if d["path"].endswith("good.yaml")]


def test_secrets_check_refuses_a_file_over_256_kib(run_cli, repo_dir: Path) -> None:
    write(repo_dir, BASE + "description: " + "x" * 10_000_000 + "\n")
    result = run_cli("secrets", "check")
    assert result.exit_code == 1, repr(result)
    assert "FILE004 the file is larger than 256 KiB" in result.stdout


def test_a_hostile_sops_yaml_is_a_clear_error(run_cli, repo_dir: Path) -> None:
    (repo_dir / ".sops.yaml").write_text("creation_rules: !!bool maybe\n", encoding="utf-8")
    write(repo_dir, BASE)
    result = run_cli("validate")
    assert result.exit_code in (1, 2), repr(result)
    assert "internal error" not in result.stderr
    assert ".sops.yaml" in result.output
