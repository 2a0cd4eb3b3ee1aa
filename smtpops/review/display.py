"""A review as text, as one Markdown PR comment (within GitHub's 65,536 characters), or
as JSON. Values from the pull request are put in code spans, never as live Markdown."""

from __future__ import annotations

from typing import Any

from smtpops.reporters.safe import visible
from smtpops.review import ConfigDiff, Review


def unsealed_line(c: ConfigDiff) -> str:
    """Why this change will not deploy as it is: the password (or the OAuth2 secrets) is
    still sealed to the old settings."""
    what = ", ".join(c.unsealed)
    many = c.sealed_secret.endswith("s")
    if c.unsealed == ("password_binding",):
        said = f"the seal that binds {c.sealed_secret} to {'their' if many else 'its'} server was removed"
    else:
        said = f"{what} changed, but {c.sealed_secret} {'were' if many else 'was'} not re-sealed for it"
    return (
        f"{said}: test and deploy will refuse to send {'them' if many else 'it'} until a key "
        f"holder runs `smtpops secrets reseal {c.environment}/{c.name}` (and commits)"
    )


MARKER = "<!-- smtpops-diff -->"
LIMIT = 65_536
BUDGET = 60_000  # leave room for GitHub's own wrapping


def _code(text: str) -> str:
    text = visible(text.replace("\n", " "))
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _headline(c: ConfigDiff) -> str:
    bits = [c.kind]
    if c.activation:
        bits.append(c.activation)
    return ", ".join(bits)


def _untested(c: ConfigDiff) -> str:
    if c.untested == "removed":
        return (
            "REPO006: the active config was deleted by hand; switch the environment off "
            f"with `smtpops deactivate {c.environment}` first, then `smtpops remove`"
        )
    return (
        f"REPO006: {c.untested} by hand, not by `smtpops deploy`; merge it only after "
        f"`smtpops deploy {c.environment}/{c.name}` has tested it"
    )


def text(review: Review) -> str:
    """The review for a terminal; every value from the repository is escaped (``visible``)."""
    v = visible
    lines = [f"Review of {v(review.base)} → {v(review.head)}"]
    if not review.configs and not review.files:
        lines.append("No config changes.")
    for env in sorted({c.environment for c in review.configs}):
        lines.append(f"\n{v(env)}{' (protected)' if env in review.protected else ''}:")
        for c in (c for c in review.configs if c.environment == env):
            mark = "  [needs IT approval]" if c.security else ""
            lines.append(f"  {v(c.name)}: {_headline(c)}{mark}")
            if c.untested:
                lines.append(f"    ! {v(_untested(c))}")
            for change in c.fields:
                lines.append(f"    {'!' if change.security else ' '} {v(change.describe())}")
            if c.unsealed:
                lines.append(f"    ! {v(unsealed_line(c))}")
    for f in review.files:
        lines.append(f"\n{v(f.path)}: {f.kind} ({v(f.about)})  [needs IT approval]")
    if review.new_findings:
        lines.append(f"\nNew validation findings ({len(review.new_findings)}):")
        for d in review.new_findings:
            lines.append(f"  {v(str(d.location))} {d.severity.value} {d.rule_id}: {v(d.message)}")
    if review.fixed_findings:
        lines.append(f"\nFindings fixed by this change: {review.fixed_findings}")
    verdict = (
        "Security-sensitive changes: IT approval needed."
        if review.security_sensitive
        else "No security-sensitive changes."
    )
    return "\n".join([*lines, "", verdict]) + "\n"


def _config_md(c: ConfigDiff, detail: bool) -> list[str]:
    lock = " 🔒" if c.security else ""
    out = [f"- **{_code(c.name)}** — {_headline(c)}{lock}"]
    if c.security:
        out[0] += f" (needs IT approval: {', '.join(_code(r) for r in c.reasons)})"
    if c.untested:
        out.append(f"  - ⛔ {visible(_untested(c))}")
    if detail:
        for change in c.fields:
            out.append(f"  - {'🔒 ' if change.security else ''}{_code(change.describe())}")
    if c.unsealed:
        out.append(f"  - 🔒 {_code(unsealed_line(c))}")
    return out


def markdown(review: Review) -> str:
    for detail, findings in ((True, True), (True, False), (False, False)):
        body = _markdown(review, detail=detail, findings=findings)
        if len(body) <= BUDGET:
            return body
    return _markdown(review, detail=False, findings=False)[: BUDGET - 200] + (
        "\n\n…the list was cut to fit one comment; run `smtpops diff` locally for all of it.\n"
    )


def _markdown(review: Review, *, detail: bool, findings: bool) -> str:
    head = [MARKER, f"## smtpops review: {_code(review.base)} → {_code(review.head)}", ""]
    if review.security_sensitive:
        head.append("**🔒 Security-sensitive changes: IT approval needed.**")
    else:
        head.append("No security-sensitive changes.")
    lines = [*head, ""]
    if not review.configs and not review.files:
        lines.append("No config changes.")
    for env in sorted({c.environment for c in review.configs}):
        lines.append(f"### {_code(env)}{' (protected)' if env in review.protected else ''}")
        for c in (c for c in review.configs if c.environment == env):
            lines += _config_md(c, detail)
        lines.append("")
    if review.files:
        lines.append("### Repository")
        lines += [f"- 🔒 {_code(f.path)} {f.kind}: {_code(f.about)}" for f in review.files]
        lines.append("")
    n = len(review.new_findings)
    if n:
        lines.append(f"### New validation findings ({n})")
        if findings:
            lines += ["| Where | Severity | Rule | Problem |", "|---|---|---|---|"]
            for d in review.new_findings:
                problem = _code(d.message).replace("|", "\\|")
                lines.append(
                    f"| {_code(str(d.location))} | {d.severity.value} | {d.rule_id} | {problem} |"
                )
        else:
            lines.append("Too many to list here: run `smtpops validate` for all of them.")
        lines.append("")
    if review.fixed_findings:
        lines.append(f"Findings fixed by this change: {review.fixed_findings}.")
    if not detail:
        lines.append("_Field details left out to fit one comment; run `smtpops diff` locally._")
    return "\n".join(lines).rstrip() + "\n"


def data(review: Review) -> dict[str, Any]:
    return {
        "base": review.base,
        "head": review.head,
        "security_sensitive": review.security_sensitive,
        "configs": [
            {
                "environment": c.environment,
                "name": c.name,
                "path": c.path,
                "kind": c.kind,
                "activation": c.activation,
                "protected": c.protected,
                "security": c.security,
                "reasons": list(c.reasons),
                "untested_activation": c.untested is not None,
                "untested": c.untested,
                "fields": [f.to_dict() for f in c.fields],
                "unsealed": list(c.unsealed),
            }
            for c in review.configs
        ],
        "files": [
            {"path": f.path, "kind": f.kind, "about": f.about, "security": True}
            for f in review.files
        ],
        "new_findings": [
            {
                "rule": d.rule_id,
                "severity": d.severity.value,
                "message": d.message,
                "hint": d.hint,
                "path": d.location.path,
                "line": d.location.line,
                "field": d.location.field,
            }
            for d in review.new_findings
        ],
        "fixed_findings": review.fixed_findings,
    }
