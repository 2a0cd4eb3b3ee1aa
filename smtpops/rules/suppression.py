"""SUPP: in-file suppressions (``# smtpops: ignore[ID] reason``). Raised by the engine."""

from smtpops.diagnostics import Severity
from smtpops.rules.examples import BASE
from smtpops.rules.registry import Example, Rule, register

_REASONED = BASE.replace(
    "port: 587", "port: 25  # smtpops: ignore[PORT005] the on-site relay only listens on 25"
)


def _example(line: str, environment: str = "development") -> Example:
    return Example(yaml=BASE.replace("port: 587", line), whole_file=True, environment=environment)


for rid, name, severity, message, hint, why, bad in (
    (
        "SUPP001",
        "suppression-without-reason",
        Severity.ERROR,
        "a suppression comment gives no reason",
        "Add why the finding does not apply after the bracket: '# smtpops: ignore[PORT005] relay only listens on 25'.",
        "Reviewers and auditors need to know why a check was switched off.",
        _example("port: 25  # smtpops: ignore[PORT005]"),
    ),
    (
        "SUPP002",
        "unused-suppression",
        Severity.WARNING,
        "a suppression comment suppresses nothing",
        "Remove the comment; the finding it was for is gone.",
        "Stale suppressions would silently hide a future real problem on that line.",
        _example("port: 587  # smtpops: ignore[PORT005] old relay"),
    ),
    (
        "SUPP003",
        "unknown-rule-in-suppression",
        Severity.ERROR,
        "a suppression comment names a rule that does not exist",
        "Use an ID from `smtpops rules` (e.g. PORT005).",
        "A misspelt ID suppresses nothing and hides the intent.",
        _example("port: 25  # smtpops: ignore[PORT05] relay"),
    ),
    (
        "SUPP004",
        "security-suppression-refused",
        Severity.ERROR,
        "a security error cannot be suppressed in a protected environment",
        "Fix the setting instead; security rules in production cannot be switched off.",
        "Production must never run with unverified certificates, plaintext credentials or local hosts.",
        _example(
            "port: 587\nverify_certificate: false  # smtpops: ignore[TLS004] self-signed",
            "production",
        ),
    ),
):
    register(
        Rule(
            id=rid,
            name=name,
            severity=severity,
            message=message,
            hint=hint,
            why=why,
            bad=bad,
            good=Example(yaml=_REASONED, whole_file=True),
            kind="suppression",
        )
    )
