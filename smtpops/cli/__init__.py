"""The ``smtpops`` command line: a lazy click group; each command lives in its own module
and is imported only when it runs, so start-up stays light."""

from __future__ import annotations

import atexit
import importlib
import os
import sys
from typing import Any

import click

from smtpops import __version__
from smtpops.cli.boundary import guarded

# command name -> "module:function" (module relative to smtpops.cli)
COMMANDS: dict[str, str] = {
    "validate": "validate:validate",
    "rules": "rules_:rules",
    "providers": "providers_:providers",
    "new": "new:new",
    "keys": "keys:keys",
    "secrets": "secrets_:secrets",
    "test": "connection:test",
    "sandbox": "sandbox:sandbox",
    "deploy": "deploy:deploy",
    "promote": "promote:promote",
    "rollback": "rollback:rollback",
    "unpin": "rollback:unpin",
    "deactivate": "deactivate:deactivate",
    "remove": "deactivate:remove",
    "status": "status:status",
    "history": "history:history",
    "diff": "diff:diff",
    "token": "token_:token",
    "events": "events:events",
    "agent": "agent:agent",
    "init": "init:init",
    "render": "render:render",
    "exec": "exec_:exec_",
    "apply": "apply:apply",
    "ui": "ui:ui",
}

HELP = {
    "validate": "Check config files against the schema and every rule.",
    "rules": "List the rules, or explain one.",
    "providers": "List the email providers smtpops knows, or show one.",
    "new": "Create a config from a provider template.",
    "keys": "Manage the age keys of each environment.",
    "secrets": "Set, check, re-seal and re-encrypt SOPS-encrypted passwords and OAuth2 secrets.",
    "test": "Test the connection of a config against its real server.",
    "sandbox": "Run a local SMTP server for trying smtpops out.",
    "deploy": "Test a config and make it the active one of its environment.",
    "promote": "Carry a config to the next environment.",
    "rollback": "Re-activate the previous good config of an environment.",
    "unpin": "Allow deploys again after a rollback.",
    "deactivate": "Switch off the active config of an environment.",
    "remove": "Remove an inactive config.",
    "status": "Show what is active in each environment.",
    "history": "Show the audit trail of configs and deploys.",
    "diff": "Review the config changes between two revisions.",
    "token": "Print a fresh OAuth2 access token for a config (for scripts).",
    "events": "Print the tracking events (config, test, deploy, delivery).",
    "agent": "Keep relays in line with git, probe them and export metrics.",
    "init": "Lay out a new config repository (idempotent, never overwrites).",
    "render": "Render the active config for the CRM (json, env, k8s-secret, django, …).",
    "exec": "Run a command with the active config in its environment.",
    "apply": "Apply the active config to a runtime (a Postfix relay).",
    "ui": "Open the SMTP Settings page (a local web page that writes git).",
}


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # No command line can hold a NUL byte, but a caller in the same process can (the web
        # page, tests); click's Path type would raise ValueError on it: refuse it up front.
        if any("\0" in arg for arg in args):
            raise click.UsageError("an argument contains a NUL character (\\x00)", ctx=ctx)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """The command ``name``, its module imported now. A registered command whose module
        or function is missing is a bug and fails loudly (ImportError, AttributeError)."""
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"smtpops.cli.{module_name}")
        command: click.Command = getattr(module, attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:

        return guarded(ctx, lambda: super(LazyGroup, self).invoke(ctx))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smtpops")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """smtpops: SMTP settings as code, validated, encrypted, tested and deployed with git."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> Any:
    """The ``smtpops`` command (the console script and ``python -m smtpops``): the command
    runs, then the process ends at once (:func:`_end`)."""
    try:
        return cli.main(args=argv, prog_name="smtpops")
    except SystemExit as done:
        _end(done.code)
        raise


def _end(code: object) -> None:
    """End the process with exit status ``code`` without the interpreter's teardown, as mypy
    does: freeing every module and object one by one costs ~14 ms once the engine is loaded
    (more than a warm run's whole check), for memory the system takes back anyway. Everything that matters runs first: the output is flushed and the
    ``atexit`` functions run (temporary folders, log handlers). Returns, leaving the usual
    exit to the caller, where that would differ: another thread still runs (the interpreter
    would wait for it), the status is a message, or the output fails otherwise than by a
    reader that went away (which ends quietly with status 1, as :func:`guarded` does)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        return
    threads = sys.modules.get("threading")
    if threads is not None and threads.active_count() > 1:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`smtpops validate | head`): as guarded()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    except (OSError, ValueError):  # a closed or failing stream: the usual exit says so
        return
    atexit._run_exitfuncs()  # what the interpreter's own exit would run first
    try:  # an exit function may have written something
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(status & 0xFF)  # as the system takes any exit status
