"""Output formats for a Report, chosen by name. Reporters depend only on diagnostics."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import IO

from smtpops.diagnostics import Report

Reporter = Callable[[Report, IO[str]], None]

# name -> "module:function" (relative to smtpops.reporters)
REPORTERS: dict[str, str] = {
    "text": "text:write",
    "json": "json_:write",
    "github": "github:write",
    "sarif": "sarif:write",
    "junit": "junit:write",
}


def get(name: str) -> Reporter:
    module_name, attr = REPORTERS[name].split(":")
    module = importlib.import_module(f"smtpops.reporters.{module_name}")
    reporter: Reporter = getattr(module, attr)
    return reporter
