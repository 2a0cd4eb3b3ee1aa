"""Where a test needs something outside Python (a system component or a tool of the
``test`` extra): skip with a clear reason on a machine without it, fail under CI.

``.ci/run`` installs every such tool and sets ``SMTPOPS_REQUIRE_TOOLS=1``; under it a
missing tool is a test failure, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

STRICT_VARIABLE = "SMTPOPS_REQUIRE_TOOLS"


def strict() -> bool:
    """True where every tool must be present (CI)."""
    return os.environ.get(STRICT_VARIABLE, "") not in ("", "0")


def missing(reason: str) -> None:
    """Skip the test with *reason*, or fail it under ``SMTPOPS_REQUIRE_TOOLS``."""
    if strict():
        pytest.fail(f"{reason} ({STRICT_VARIABLE} is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def find_tool(name: str, *, hint: str, extra_dirs: tuple[str, ...] = ()) -> str:
    """The path of command *name* (the venv's bin first), or skip/fail naming *hint*."""
    search = os.pathsep.join(
        [str(Path(sys.executable).parent), *extra_dirs, os.environ.get("PATH", "")]
    )
    found = shutil.which(name, path=search)
    if found is None:
        missing(f"{name} is not installed ({hint})")
        raise AssertionError("unreachable")  # pragma: no cover
    return found


def require_module(name: str, *, hint: str) -> None:
    """Skip (or fail under ``SMTPOPS_REQUIRE_TOOLS``) when Python module *name* is missing."""
    import importlib.util

    if importlib.util.find_spec(name) is None:
        missing(f"the Python module {name} is not installed ({hint})")
