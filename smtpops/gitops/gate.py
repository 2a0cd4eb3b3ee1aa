"""The gate every activation passes, as gitops sees it.

"A configuration cannot be activated until it passes the connection test": a gated change
calls its :data:`Gate` on the file as it will be committed, inside the same transaction as the
commit. gitops does not know how a config is validated and tested; the service layer supplies
the gate (:func:`smtpops.services.connection.gate`), so that sequence is written once.
"""

from __future__ import annotations

from collections.abc import Callable

from smtpops.probe.result import ProbeReport
from smtpops.settings import Environment

Gate = Callable[[str, str, str, Environment], ProbeReport]
"""``(repository root, absolute path, label ENV/NAME, environment)`` → the passed test's report; raises a
CheckFailed (or another SmtpopsError) when the config may not become active."""
