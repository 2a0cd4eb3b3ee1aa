"""Asking one thing on a terminal, for guided ``smtpops new``: a prompt with a [default], a
choice in any case, findings shown in the rule's words, and the hidden password.

(Named ``prompts``, not after click; nothing here knows the questions themselves.)
"""

from __future__ import annotations

from typing import Any

import click

from smtpops import scaffold, schema
from smtpops.diagnostics import Diagnostic, Severity
from smtpops.secret import Secret


def say(text: str = "") -> None:
    click.echo(text)


def show(found: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
    for d in found:
        if d.severity is Severity.ERROR:
            say(f"  ✗ {d.rule_id}: {d.message}")
            if d.hint:
                say(f"    How to fix: {d.hint}")
        else:
            say(f"  Note ({d.severity.value} {d.rule_id}): {d.message}")


def required(name: str) -> bool:
    return name in (schema.schema().get("required") or ())


def prompt(label: str, default: Any = None) -> str:
    if default is None or default == "":
        return str(click.prompt(label, default="", show_default=False)).strip()
    return str(click.prompt(label, default=str(default))).strip()


def canonical(text: str, choices: tuple[str, ...]) -> str | None:
    """``text`` as one of ``choices``, whatever its case (``starttls`` → ``STARTTLS``)."""
    return next((c for c in choices if c.casefold() == text.casefold()), None)


def password(path: str, env: str) -> Secret | None:
    """The masked password prompt, or None (Enter skips, and is not asked to repeat)."""
    problem = scaffold.password_problem(path, env)
    if problem:
        say(f"\nPassword: not asked: {problem}.")
        return None
    say("\n  Password: the password, app password or API key; typing is hidden. Enter skips.")
    while True:
        text = click.prompt("Password", hide_input=True, default="", show_default=False)
        if not text:
            return None
        again = click.prompt(
            "Repeat for confirmation", hide_input=True, default="", show_default=False
        )
        if again == text:
            return Secret(text)
        say("  The two entries differ; type the password again (Enter skips).")
