"""One way to declare a rule: typed keyword metadata through ``@rule`` or ``declare``."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from smtpops.diagnostics import Severity
from smtpops.rules import registry


def test_one_way_to_declare_a_rule() -> None:
    """``RuleMeta`` (the keywords of ``rule``/``declare``) is the Rule record minus its check,
    and every rule module declares through them (no positional helpers, no bare register)."""
    record = {f.name for f in dataclasses.fields(registry.Rule)} - {"check"}
    assert set(registry.RuleMeta.__annotations__) == record
    folder = Path(registry.__file__).parent
    for path in sorted(folder.glob("*.py")):
        if path.name == "registry.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bregister\(|Rule\(|type: ignore", text), path.name
    assert inspect.signature(registry.declare).parameters.keys() == {"meta"}


def test_a_rule_with_a_check_cannot_be_declared_without_one() -> None:
    example = registry.Example(yaml="port: 587\n")
    with pytest.raises(ValueError, match="needs a check"):
        registry.declare(
            id="ZZZ999",
            name="x",
            severity=Severity.ERROR,
            message="m",
            hint="h",
            why="w",
            bad=example,
            good=example,
        )
    assert "ZZZ999" not in registry.RULES
