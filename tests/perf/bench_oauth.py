"""Benchmark: what OAuth2 adds to a connection test, against the same test with a password.

    .venv/bin/python tests/perf/bench_oauth.py [--rounds 15]

Starts the sandbox with its token endpoint (aiosmtpd, STARTTLS, trustme CA) and times, in the
same process and interleaved:

- the connection test with AUTH LOGIN and a password (the baseline);
- the connection test with XOAUTH2, a fresh token from msal each time (token cache cleared:
  OpenID configuration + token request over HTTPS);
- the same with the token from the in-memory cache (what repeated sends see);

and prints the medians and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from smtpops.model import Config  # noqa: E402
from smtpops.oauth import token as tokens  # noqa: E402
from smtpops.oauth.credentials import OAuthCredentials  # noqa: E402
from smtpops.probe import ProbeOptions, run_probe  # noqa: E402
from smtpops.probe.sandbox import Sandbox  # noqa: E402
from smtpops.secret import Secret  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    options = ProbeOptions(wait_timeout=5)
    with Sandbox(oauth=True, password="bench-password") as box:
        login = Config.from_raw(box.config())
        oauth = Config.from_raw(box.config(auth_protocol="XOAUTH2"))
        assert oauth.oauth is not None
        creds = OAuthCredentials(
            settings=oauth.oauth, parts={"client_secret": Secret(box.client_secret)}
        )
        timings: dict[str, list[float]] = {"password": [], "oauth fresh": [], "oauth cached": []}
        for _ in range(rounds):
            for name, config, secret, clear in (
                ("password", login, Secret(box.password), False),
                ("oauth fresh", oauth, creds, True),
                ("oauth cached", oauth, creds, False),
            ):
                if clear:
                    tokens.forget()
                started = time.perf_counter()
                report = run_probe(config, secret, options=options)  # type: ignore[arg-type]
                timings[name].append((time.perf_counter() - started) * 1000)
                assert report.passed, report.summary
    base = statistics.median(timings["password"])
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:<14} median {median:7.1f} ms   ratio {median / base:4.2f}x")


if __name__ == "__main__":
    main()
