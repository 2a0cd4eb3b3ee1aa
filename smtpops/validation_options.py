"""What the caller of a validation run chose on top of the project settings.

Apart from :mod:`smtpops.engine` so that a caller (the CLI, the validation cache) can name
the options without loading the engine and every rule.
"""

from __future__ import annotations

from smtpops.records import record


@record(frozen=True, kw_only=True)
class Options:
    """What the caller chose on top of the project settings."""

    ignore: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    strict: bool = False
    providers_dir: str | None = None
    base: str | None = None  # compare with this revision (the merge gate, REPO006)
    # files named one by one still get the repository rules about them (validate does;
    # test and deploy check one config, whose activation the deploy itself switches)
    neighbours: bool = False
