"""Validating files named one by one (a pre-commit hook, an editor) looks at what concerns
them: the leak scan reads those files, not the whole repository, and the repository rules
about them still run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smtpops.encryption import scan
from smtpops.rules.examples import BASE

AGE_KEY = "AGE-SECRET-KEY-1" + "Q" * 58


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = scan.scan_file

    def recording(path: str, *, content: bool = True):  # type: ignore[no-untyped-def]
        seen.append(path)
        return real(path, content=content)

    monkeypatch.setattr(scan, "scan_file", recording)
    return seen


def _repo(repo: Path) -> Path:
    folder = repo / "configs" / "development"
    folder.mkdir(parents=True)
    for i in range(5):
        (folder / f"c{i}.yaml").write_text(BASE.replace("name: example", f"name: c{i}"))
    (repo / "keys.txt").write_text(AGE_KEY + "\n")  # a leaked key at the top level
    return folder / "c0.yaml"


def _rules(run_cli, *args: str) -> list[tuple[str, str]]:
    result = run_cli("validate", "--no-cache", "--format", "json", *args)
    return [(d["rule"], d["path"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_one_file_is_scanned_alone(run_cli, repo_dir, scanned):
    one = _repo(repo_dir)
    assert _rules(run_cli, str(one)) == []
    # the file itself, and the configs of its environment the repository rules compare it
    # with (their names only); nothing else of the repository
    assert one.resolve() in {Path(p).resolve() for p in scanned}
    assert {Path(p).resolve().parent for p in scanned} == {one.resolve().parent}


def test_the_whole_tree_is_still_scanned_whole(run_cli, repo_dir, scanned):
    _repo(repo_dir)
    assert ("CRED012", "keys.txt") in _rules(run_cli)
    assert len(scanned) >= 6


def test_a_named_file_named_like_a_decrypted_copy_is_still_found(run_cli, repo_dir):
    _repo(repo_dir)
    copy = repo_dir / "configs" / "development" / "c1.decrypted.yaml"
    copy.write_text(BASE.replace("name: example", "name: c1.decrypted"))
    assert ("CRED012", str(copy.relative_to(repo_dir))) in _rules(run_cli, str(copy))


def test_the_repository_rules_about_a_named_file_still_run(run_cli, repo_dir):
    one = _repo(repo_dir)
    one.write_text(BASE.replace("name: example", "name: another"))
    assert ("REPO002", str(one.relative_to(repo_dir))) in _rules(run_cli, str(one))


@pytest.mark.parametrize("named", ["c0.yaml", "c0.yml"])
def test_a_named_file_gets_the_duplicate_name_finding_the_tree_run_gives_it(
    run_cli, repo_dir, named
):
    """Two files of one environment share a name: the tree run reports the second in path
    order (REPO001), and so does a run that names only that file; naming the first reports
    nothing about it, as in the tree."""
    first = _repo(repo_dir)
    second = first.with_name("c0.yml")  # name: c0 as well; after c0.yaml in path order
    second.write_text(first.read_text())
    tree = [(rule, path) for rule, path in _rules(run_cli) if rule == "REPO001"]
    assert tree == [("REPO001", str(second.relative_to(repo_dir)))]
    alone = [d for d in _rules(run_cli, str(first.with_name(named))) if d[0] == "REPO001"]
    assert alone == (tree if named == "c0.yml" else [])


def test_a_named_file_is_told_of_the_other_active_configs_as_the_tree_run_tells_it(
    run_cli, repo_dir
):
    """REPO003 names every active config of the environment in path order, whichever file
    the run named."""
    first = _repo(repo_dir)
    last = first.with_name("c4.yaml")
    for path in (first, last):
        path.write_text(path.read_text() + "active: true\n")
    result = run_cli("validate", "--no-cache", "--format", "json")
    tree = {d["path"]: d["message"] for d in json.loads(result.stdout)["diagnostics"]}
    alone = run_cli("validate", "--no-cache", "--format", "json", str(last))
    (found,) = [d for d in json.loads(alone.stdout)["diagnostics"] if d["rule"] == "REPO003"]
    assert found["message"] == tree[found["path"]]
