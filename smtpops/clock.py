"""Today's date for rules that depend on it (provider deadlines), injectable for tests.

``SMTPOPS_TODAY=YYYY-MM-DD`` fixes the date a run sees, so a test (or a reviewer asking "what
will this say in January?") gets the answer for that day.
"""

from __future__ import annotations

import datetime
import os

from smtpops.errors import UsageError

ENV = "SMTPOPS_TODAY"


def today() -> datetime.date:
    override = os.environ.get(ENV)
    if not override:
        return datetime.datetime.now(datetime.UTC).date()
    try:
        return datetime.date.fromisoformat(override)
    except ValueError:
        raise UsageError(
            f"{ENV}='{override[:20]}' is not a date",
            hint=f"Write it as YYYY-MM-DD, or unset {ENV}.",
        ) from None
