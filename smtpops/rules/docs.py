"""Rule documentation in a fixed shape: what it checks, why, examples, fix, references."""

from __future__ import annotations

from typing import Any

from smtpops.rules.registry import Rule

_POLICY_WORDS = {
    "require_tls": "where the environment requires TLS (production)",
    "require_certificate_verification": "where the environment requires certificate checks (production)",
    "protected": "where the environment's policy is strict (production)",
}


def severity_text(rule: Rule) -> str:
    text = rule.severity.value
    for flag in rule.escalate_when:
        text += f"; error {_POLICY_WORDS.get(flag, 'where the policy ' + flag)}"
    if rule.security:
        text += "; security rule: cannot be silenced in production"
    return text


def as_dict(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "area": rule.area,
        "severity": rule.severity.value,
        "escalate_when": list(rule.escalate_when),
        "security": rule.security,
        "checks": rule.message,
        "why": rule.why,
        "failing_example": {
            "yaml": rule.bad.yaml,
            "environment": rule.bad.environment,
            **({"base": rule.bad.base} if rule.bad.base is not None else {}),
        },
        "passing_example": {
            "yaml": rule.good.yaml,
            "environment": rule.good.environment,
            **({"base": rule.good.base} if rule.good.base is not None else {}),
        },
        "fix": rule.hint,
        "references": list(rule.references),
    }


def _indent(text: str, limit: int = 20) -> str:
    lines = text.rstrip("\n").splitlines()
    shown = [(line if len(line) <= 120 else line[:117] + "...") for line in lines[:limit]]
    if len(lines) > limit:
        shown.append("...")
    return "\n".join("    " + line for line in shown)


def _base(base: str | None) -> list[str]:
    if base is None:
        return []
    return ["  at the base (validate --base REV):", _indent(base), "  now:"]


def explain(rule: Rule) -> str:
    parts = [
        f"{rule.id} {rule.name} ({severity_text(rule)})",
        "",
        f"What it reports: {rule.message}.",
        f"Why it matters: {rule.why}",
        "",
        f"Failing example ({rule.bad.environment or 'configs/'}):",
        *_base(rule.bad.base),
        _indent(rule.bad.yaml),
        "",
        f"Passing example ({rule.good.environment}):",
        *_base(rule.good.base),
        _indent(rule.good.yaml),
        "",
        f"How to fix: {rule.hint}",
    ]
    if rule.references:
        parts += ["", "References:", *(f"  - {ref}" for ref in rule.references)]
    parts += ["", f"Silence it on one line with: # smtpops: ignore[{rule.id}] <reason>"]
    return "\n".join(parts) + "\n"
