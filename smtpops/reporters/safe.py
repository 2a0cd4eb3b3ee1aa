"""The output escaper lives in :mod:`smtpops.escaping` (every formatter uses it, not only the
reporters); imported here under its old name."""

from smtpops.escaping import visible

__all__ = ["visible"]
