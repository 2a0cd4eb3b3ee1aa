"""The one exception the probe's steps raise: a failure class plus the facts advice needs."""

from __future__ import annotations

from typing import Any


class Failure(Exception):
    """A step failed. ``error`` is its class (``<step>.<kind>``, e.g. ``connect.refused``);
    ``context`` holds the facts that :mod:`smtpops.probe.advice` words into message and hint."""

    def __init__(self, error: str, detail: str = "", **context: Any) -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail
        self.context = context

    @property
    def kind(self) -> str:
        return self.error.partition(".")[2]
