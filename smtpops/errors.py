"""One error hierarchy. Each class carries its exit code and a hint for the user.

The CLI boundary (``smtpops.cli.boundary``) turns these into a short message; nothing
below the CLI prints.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class SmtpopsError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(SmtpopsError):
    """Wrong arguments or options."""


class InputError(SmtpopsError):
    """A file is missing, unreadable or not what was expected."""


class ConfigNotFound(InputError):
    """A config named on the command line does not exist."""


class CheckFailed(SmtpopsError):
    """A check (validation, connection test, deploy gate) found problems."""

    exit_code = EXIT_FINDINGS


class EncryptionError(SmtpopsError):
    """sops or age failed; the text has already been scrubbed of secrets."""

    exit_code = EXIT_FINDINGS


class GitOpsError(SmtpopsError):
    """A git operation was refused or failed; the repository was left as it was."""

    exit_code = EXIT_FINDINGS
