"""Delivery: the active config of an environment as the artefacts its consumers read.

- :mod:`~smtpops.delivery.source` finds the active config (working tree or a revision);
- :mod:`~smtpops.delivery.digest` gives it a content digest (never over a plaintext);
- :mod:`~smtpops.delivery.values` is the one neutral reading of its settings;
- :mod:`~smtpops.delivery.formats` renders it (json, env, k8s-secret, django, spring,
  nodemailer, postfix), one module per format, chosen from one registry;
- :mod:`~smtpops.delivery.targets` applies it to a runtime (Postfix), with a typed result.

Nothing here imports click or prints; the use cases live in ``smtpops.services``.
"""

from __future__ import annotations

__all__ = ["digest", "formats", "source", "targets", "values"]
