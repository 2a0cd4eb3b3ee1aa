"""SUPP: in-file suppressions (``# smtpops: ignore[ID] reason``). Raised by the engine."""

from smtpops.diagnostics import Severity
from smtpops.rules.examples import BASE
from smtpops.rules.registry import Example, declare

_REASONED = BASE.replace(
    "port: 587", "port: 25  # smtpops: ignore[PORT005] the on-site relay only listens on 25"
)


_GOOD = Example(yaml=_REASONED, whole_file=True)


def _example(line: str, environment: str = "development") -> Example:
    return Example(yaml=BASE.replace("port: 587", line), whole_file=True, environment=environment)


declare(
    id="SUPP001",
    name="suppression-without-reason",
    severity=Severity.ERROR,
    message="a suppression comment gives no reason",
    hint="Add why the finding does not apply after the bracket: '# smtpops: ignore[PORT005] relay only listens on 25'.",
    why="Reviewers and auditors need to know why a check was switched off.",
    bad=_example("port: 25  # smtpops: ignore[PORT005]"),
    good=_GOOD,
    kind="suppression",
)
declare(
    id="SUPP002",
    name="unused-suppression",
    severity=Severity.WARNING,
    message="a suppression comment suppresses nothing",
    hint="Remove the comment; the finding it was for is gone.",
    why="Stale suppressions would silently hide a future real problem on that line.",
    bad=_example("port: 587  # smtpops: ignore[PORT005] old relay"),
    good=_GOOD,
    kind="suppression",
)
declare(
    id="SUPP003",
    name="unknown-rule-in-suppression",
    severity=Severity.ERROR,
    message="a suppression comment names a rule that does not exist",
    hint="Use an ID from `smtpops rules` (e.g. PORT005).",
    why="A misspelt ID suppresses nothing and hides the intent.",
    bad=_example("port: 25  # smtpops: ignore[PORT05] relay"),
    good=_GOOD,
    kind="suppression",
)
declare(
    id="SUPP004",
    name="security-suppression-refused",
    severity=Severity.ERROR,
    message="a security error cannot be suppressed in a protected environment",
    hint="Fix the setting instead; security rules in production cannot be switched off.",
    why="Production must never run with unverified certificates, plaintext credentials or local hosts.",
    bad=_example(
        "port: 587\nverify_certificate: false  # smtpops: ignore[TLS004] self-signed",
        "production",
    ),
    good=_GOOD,
    kind="suppression",
)
