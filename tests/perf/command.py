"""The ``smtpops`` command the benchmarks time: the console script pip installed beside this
interpreter, which is what a shell, a pre-commit hook or CI runs when it says ``smtpops``.

``python -m smtpops`` goes through ``runpy`` (and the ``importlib.util`` and ``contextlib``
it loads) before smtpops starts: about 7 ms that a user's ``smtpops`` does not pay. Each
benchmark's ``--module`` times that form instead, for a comparison with older figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--module",
        action="store_true",
        help="time `python -m smtpops` instead of the installed `smtpops` script",
    )


def smtpops(module: bool = False) -> list[str]:
    """The command line that starts smtpops; exits with a message when the script is missing
    (smtpops not installed into this interpreter's environment: `pip install -e .`)."""
    if module:
        return [sys.executable, "-m", "smtpops"]
    script = Path(sys.executable).parent / "smtpops"
    if not script.is_file():
        sys.exit(f"{script} is missing: install smtpops (pip install -e .) or pass --module")
    return [str(script)]


def describe(module: bool) -> str:
    return "python -m smtpops" if module else "the installed smtpops script"
