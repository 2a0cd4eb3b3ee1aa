"""Hypothesis profiles for the fuzz tests: ``dev`` (default, quick) and ``ci`` (more examples).

Choose with ``HYPOTHESIS_PROFILE=ci``. No deadline: a shared 2-core machine makes single
examples slow now and then, and these tests are about crashes, not speed.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("dev", max_examples=60, **_COMMON)
settings.register_profile("ci", max_examples=400, print_blob=True, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
