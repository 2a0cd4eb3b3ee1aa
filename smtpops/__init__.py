"""smtpops: SMTP settings as code."""

from smtpops.diagnostics import Diagnostic, Location, Report, Severity

__version__ = "0.1.0"

__all__ = ["Diagnostic", "Location", "Report", "Severity", "__version__"]
