"""The render formats, one module each, in one registry (``smtpops render --format``)."""

from __future__ import annotations

from smtpops.delivery.formats import django, dotenv, json_, k8s_secret, nodemailer, postfix_, spring
from smtpops.delivery.formats.base import Context, Format, OutputFile, Rendered

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        json_.FORMAT,
        dotenv.FORMAT,
        k8s_secret.FORMAT,
        django.FORMAT,
        spring.FORMAT,
        nodemailer.FORMAT,
        postfix_.FORMAT,
    )
}

__all__ = ["FORMATS", "Context", "Format", "OutputFile", "Rendered"]
