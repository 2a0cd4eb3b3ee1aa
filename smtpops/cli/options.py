"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def format_option(*choices: str) -> Callable[[Any], Any]:
    """``--format`` with the given choices (default: the first), stored as ``fmt``."""
    choices = choices or ("text", "json")
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )
