"""What the caller of a validation run chose on top of the project settings.

Apart from :mod:`smtpops.engine` so that a caller (the CLI, the validation cache) can name
the options without loading the engine and every rule.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """What the caller chose on top of the project settings."""

    ignore: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    strict: bool = False
    providers_dir: str | None = None
