"""Malformed YAML and random field values through the engine (in-process) and the CLI:
always a report with exit code 0, 1 or 2, and every reporter renders it."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from smtpops import engine, reporters
from smtpops.diagnostics import Report
from tests.fuzz.conftest import examples
from tests.fuzz.strategies import configs, mutated, yaml_text
from tests.fuzz.yaml_trees import documents

ENVIRONMENTS = st.sampled_from(["development", "production", "qa"])


@pytest.fixture(scope="module")
def tree() -> Iterator[Path]:
    """A configs/ tree reused by every example (hypothesis forbids function-scoped tmp_path)."""
    root = Path(tempfile.mkdtemp(prefix="smtpops-fuzz-"))
    (root / "configs").mkdir()
    yield root
    shutil.rmtree(root)


def place(tree: Path, env: str, text: str | bytes) -> Path:
    configs = tree / "configs"
    for old in configs.glob("*/*"):
        old.unlink()
    folder = configs / env
    folder.mkdir(exist_ok=True)
    path = folder / "example.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def render_all(report: Report) -> None:
    """Every reporter writes the report; each output is well-formed and UTF-8 encodable."""
    for name in reporters.REPORTERS:
        out = io.StringIO()
        reporters.get(name)(report, out)
        text = out.getvalue()
        text.encode("utf-8")
        if name in ("json", "sarif"):
            json.loads(text)
        elif name == "junit":
            ET.fromstring(text.encode("utf-8"))
        elif name == "github":
            for line in text.splitlines():
                assert line.startswith(("::error ", "::warning ", "::notice ", "smtpops: ")), line


def check(path: Path) -> Report:
    report = engine.validate((str(path),))
    assert report.exit_code in (0, 1, 2)
    assert report.files == (str(path),)
    for d in report.diagnostics:
        assert d.message and d.hint and d.rule_id
    render_all(report)
    event(f"exit {report.exit_code}")
    return report


@given(text=yaml_text, env=ENVIRONMENTS)
def test_malformed_yaml(tree: Path, text: str, env: str) -> None:
    check(place(tree, env, text))


@given(text=documents(), env=ENVIRONMENTS)
def test_random_yaml_trees(tree: Path, text: str, env: str) -> None:
    check(place(tree, env, text))


@given(text=mutated(), env=ENVIRONMENTS)
def test_mutated_config(tree: Path, text: str, env: str) -> None:
    check(place(tree, env, text))


@given(data=st.binary(max_size=600), env=ENVIRONMENTS)
def test_random_bytes(tree: Path, data: bytes, env: str) -> None:
    report = check(place(tree, env, data))
    if report.exit_code == 0:
        assert yaml.safe_load(data.decode("utf-8")) is not None


@given(data=configs(), env=ENVIRONMENTS)
def test_random_field_values(tree: Path, data: dict, env: str) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    check(place(tree, env, text))


@given(data=configs(), env=ENVIRONMENTS, flow=st.booleans())
def test_random_field_values_in_flow_style(tree: Path, data: dict, env: str, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=False, width=60)
    check(place(tree, env, text))


@examples(dev=12, slow=300)
@given(data=configs(), text=yaml_text, fmt=st.sampled_from(sorted(reporters.REPORTERS)))
def test_through_the_cli(tree: Path, run_cli, monkeypatch, data: dict, text: str, fmt: str) -> None:
    monkeypatch.chdir(tree)
    place(tree, "production", yaml.safe_dump(data, allow_unicode=True))
    (tree / "configs" / "development").mkdir(exist_ok=True)
    (tree / "configs" / "development" / "other.yaml").write_text(text, encoding="utf-8")
    result = run_cli("validate", "--format", fmt, "--output", "json:report.json")
    assert result.exit_code in (0, 1, 2), repr(result)
    assert "internal error" not in result.stderr and "Traceback" not in result.output
    summary = json.loads((tree / "report.json").read_text())["summary"]
    assert summary["exit_code"] == result.exit_code
    (tree / "configs" / "development" / "other.yaml").unlink()
