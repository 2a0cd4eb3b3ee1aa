"""history and diff through the CLI: authors, times, field changes, never the password."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import CANARY, assert_no_canary
from tests.gitops.conftest import AUTHOR, Project, git


def edit(path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def test_history_shows_author_time_fields_and_test_evidence(project: Project, run_cli) -> None:
    from smtpops.encryption import set_password
    from smtpops.secret import Secret

    path = project.add_config("development", "main")
    run_cli("deploy", "development/main", expect=0)
    edit(path, "wait_timeout: 5", "wait_timeout: 8")
    set_password(str(path), Secret(CANARY + "-rotated"))
    project.commit("Rotate the password and raise the timeout")
    result = run_cli("history", "development/main", "--format", "json", expect=0)
    assert_no_canary(result.output)
    entries = json.loads(result.stdout)["entries"]
    assert [e["action"] for e in entries] == ["edit", "deploy", "edit"]
    latest, deploy = entries[0], entries[1]
    assert latest["author"] == f"{AUTHOR[0]} <{AUTHOR[1]}>"
    assert latest["when"] == git(project.root, "log", "-1", "--format=%cI").strip().replace(
        "Z", "+00:00"
    )
    fields = {f["field"]: f for f in latest["changes"][0]["fields"]}
    assert fields["wait_timeout"]["old"] == "5" and fields["wait_timeout"]["new"] == "8"
    assert fields["password"] == {"field": "password", "change": "changed", "security": True}
    assert "ENC[" not in result.stdout
    assert deploy["test"].startswith(f"passed 127.0.0.1:{project.server.port}")
    assert {f["field"]: f["new"] for f in deploy["changes"][0]["fields"]} == {"active": "true"}
    text = run_cli("history", "--env", "development", expect=0).stdout
    assert "password: changed" in text and "wait_timeout: 5 → 8" in text
    assert f"by {AUTHOR[0]} <{AUTHOR[1]}>" in text
    assert_no_canary(text)


def test_history_in_a_shallow_clone_says_where_it_stops(
    project: Project, run_cli, tmp_path, monkeypatch
) -> None:
    path = project.add_config("development", "main")
    for timeout in (6, 7, 8):
        edit(path, f"wait_timeout: {timeout - 1}", f"wait_timeout: {timeout}")
        project.commit(f"timeout {timeout}")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{project.root}", str(clone)], check=True
    )
    monkeypatch.chdir(clone)
    result = run_cli("history", "--format", "json", expect=0)
    data = json.loads(result.stdout)
    assert len(data["entries"]) == 2
    assert data["entries"][-1]["history_stops_here"] is True
    assert data["entries"][-1]["changes"] == []  # not shown as if everything were added
    assert "shallow clone" in data["shallow_note"] and "--unshallow" in data["shallow_note"]
    assert "history stops" in run_cli("history", expect=0).stdout


def test_diff_marks_security_sensitive_changes(project: Project, run_cli) -> None:
    from smtpops.encryption import set_password
    from smtpops.secret import Secret

    project.add_config("development", "main")
    prod = project.add_config("production", "main", active=False)
    base = project.head()
    dev = project.root / "configs/development/main.yaml"
    edit(dev, "wait_timeout: 5", "wait_timeout: 9")
    edit(prod, "host: 127.0.0.1", "host: smtp.evil.example")
    edit(prod, "active: false", "active: true")
    set_password(str(prod), Secret(CANARY + "2"))
    project.commit("PR: change things")
    result = run_cli("diff", base, "HEAD", "--format", "json", expect=0)
    assert_no_canary(result.output)
    data = json.loads(result.stdout)
    assert data["security_sensitive"] is True
    configs = {(c["environment"], c["name"]): c for c in data["configs"]}
    dev_diff, prod_diff = configs[("development", "main")], configs[("production", "main")]
    assert dev_diff["security"] is False
    assert dev_diff["fields"] == [
        {"field": "wait_timeout", "old": "5", "new": "9", "security": False}
    ]
    assert prod_diff["activation"] == "activated"
    assert {"host", "password"} <= set(prod_diff["reasons"])
    assert "ENC[" not in result.stdout
    md = run_cli("diff", base, "HEAD", "--format", "markdown", expect=0).stdout
    assert md.startswith("<!-- smtpops-diff -->")
    assert "IT approval needed" in md and "`password: changed`" in md
    assert "`host: 127.0.0.1 → smtp.evil.example`" in md
    assert_no_canary(md)


def test_diff_of_harmless_change_and_new_findings(project: Project, run_cli) -> None:
    path = project.add_config("development", "main")
    base = project.head()
    edit(path, "wait_timeout: 5", "wait_timeout: 4")
    edit(path, "description: main relay", "description: main relay\nbogus_field: 1")
    result = run_cli("diff", base, "--format", "json", expect=0)  # against the working tree
    data = json.loads(result.stdout)
    assert data["head"] == "working tree"
    assert data["security_sensitive"] is False
    assert "SCHEMA001" in {f["rule"] for f in data["new_findings"]}
    assert "No security-sensitive changes" in run_cli("diff", base, expect=0).stdout


def test_diff_markdown_fits_one_comment(project: Project, run_cli) -> None:
    from smtpops.review import ConfigDiff, Review
    from smtpops.review.display import LIMIT, markdown
    from smtpops.review.fields import FieldChange

    many = tuple(
        ConfigDiff(
            environment="production",
            name=f"cfg{i}",
            path=f"configs/production/cfg{i}.yaml",
            kind="changed",
            activation=None,
            protected=True,
            fields=tuple(
                FieldChange(field=f"f{j}", old="x" * 100, new="y" * 100, security=True)
                for j in range(20)
            ),
        )
        for i in range(200)
    )
    text = markdown(Review(base="a", head="b", configs=many))
    assert len(text) < LIMIT
    assert "IT approval needed" in text
