"""The shipped Prometheus alert rules: valid for promtool, and each alert proven to fire by
promtool's own rule unit tests (examples/prometheus/smtpops-alerts.test.yml)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.tooling import find_tool

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "prometheus"
HINT = "Debian package prometheus; .ci/run installs it"


def test_promtool_checks_the_rules() -> None:
    promtool = find_tool("promtool", hint=HINT)
    out = subprocess.run(
        [promtool, "check", "rules", "smtpops-alerts.yml"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_promtool_unit_tests_fire_every_alert() -> None:
    promtool = find_tool("promtool", hint=HINT)
    rules = yaml.safe_load((EXAMPLES / "smtpops-alerts.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    tests = yaml.safe_load((EXAMPLES / "smtpops-alerts.test.yml").read_text())
    fired = {
        case["alertname"]
        for t in tests["tests"]
        for case in t["alert_rule_test"]
        if case.get("exp_alerts")
    }
    assert fired == alerts  # every alert has a test in which it fires
    out = subprocess.run(
        [promtool, "test", "rules", "smtpops-alerts.test.yml"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
