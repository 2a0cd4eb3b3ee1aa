"""Tests skip only through tests/tooling.py (which fails under SMTPOPS_REQUIRE_TOOLS in CI);
the one other allowed skip is for the optional shared vectors outside the repository."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SKIPS = {"skip", "importorskip", "skipif"}


def _bare_skips(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    calls = {id(n.func): n for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in SKIPS:
            continue
        if ast.unparse(node.value) not in ("pytest", "pytest.mark"):
            continue
        text = ast.get_source_segment(source, calls.get(id(node), node)) or ""
        if "SHARED" in source and ("VECTORS" in text or "optional" in text):
            continue  # what comes from ../shared is optional: a newcomer's clone has none
        found.append((node.lineno, f"{path.name}:{node.lineno}: {text.splitlines()[0]}"))
    return [text for _, text in sorted(found)]


def test_no_test_skips_except_through_tooling() -> None:
    offenders = [
        hit
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != "tooling.py"
        for hit in _bare_skips(path)
    ]
    assert offenders == [], "use tests.tooling.missing()/find_tool() instead:\n" + "\n".join(
        offenders
    )


def test_the_check_sees_a_bare_skip(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\n\n"
        "@pytest.mark.skipif(True, reason='no tool')\n"
        "def test_x():\n    pytest.skip('no tool')\n    pytest.importorskip('ruff')\n"
        "\nneeds = pytest.mark.skipif(not VECTORS.is_dir(), reason='optional')\n"
        "SHARED = None\n"
    )
    assert _bare_skips(sample) == [
        "test_sample.py:3: pytest.mark.skipif(True, reason='no tool')",
        "test_sample.py:5: pytest.skip('no tool')",
        "test_sample.py:6: pytest.importorskip('ruff')",
    ]
