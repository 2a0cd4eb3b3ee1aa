"""``smtpops secrets``: set, check and re-encrypt the SOPS-encrypted passwords."""

from __future__ import annotations

import json
import os
import sys

import click

from smtpops import discovery, repopath, reporters
from smtpops.cli import complete
from smtpops.cli.options import format_option
from smtpops.encryption import reseal as resealing
from smtpops.encryption import set_password as encrypt
from smtpops.encryption import sops_config
from smtpops.encryption.rotate import reencrypt_all
from smtpops.errors import EXIT_FINDINGS, UsageError
from smtpops.reporters import json_
from smtpops.secret import Secret
from smtpops.services import secret_check


@click.group()
def secrets() -> None:
    """Set, check, re-seal and re-encrypt SOPS-encrypted passwords."""


def _read_stdin_password() -> str:
    text = sys.stdin.read()
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


@secrets.command("set-password")
@click.argument("config", shell_complete=complete.configs)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(config: str, password_stdin: bool) -> None:
    """Encrypt a new password into CONFIG (a path or ENV/NAME).

    Asks for the password twice without showing it. Only the password line and the sops
    section of the file change. Needs no private key: it encrypts for the public keys that
    .sops.yaml lists for the file's folder.
    """

    path = discovery.resolve_name(config)
    if password_stdin:
        value = _read_stdin_password()
    else:
        try:
            value = click.prompt(
                "Password", hide_input=True, confirmation_prompt=True, err=True, show_default=False
            )
        except click.exceptions.Abort:
            if sys.stdin.isatty():
                raise
            raise UsageError(
                "the password could not be read: the input ended (it is redirected, not a terminal)",
                hint=f"Pipe it in once with --password-stdin: ... | smtpops secrets set-password {config} --password-stdin",
            ) from None
    secret = Secret(value)
    del value
    if not secret:
        raise UsageError("the password is empty", hint="Enter the password your provider gave you.")
    encrypt(path, secret)
    found = sops_config.for_file(path)
    rule = found.rule_for(path) if found else None
    count = len(rule.recipients) if rule else 0
    click.echo(
        f"✓ {path}: password encrypted for {count} key(s) of "
        f"{(rule.environment if rule else None) or 'this folder'}. Commit the file."
    )


@secrets.command("reseal")
@click.argument("config")
@click.option("--yes", is_flag=True, help="Seal without asking (after reading the change).")
def reseal(config: str, yes: bool) -> None:
    """Seal the password of CONFIG (a path or ENV/NAME) to its current server settings.

    smtpops sends a password only to the host, port, TLS mode, CA and username it was sealed
    for. After a reviewed change of those fields, a key holder runs this: it decrypts the
    password (needs this environment's key), shows what changed since it was sealed, asks,
    and re-encrypts the password with the new settings. Commit the file afterwards.
    """
    path = discovery.resolve_name(config)
    plan = resealing.plan(path)
    if not plan.changes and plan.sealed:
        click.echo(f"✓ {path}: the password is already sealed to these settings.")
        return
    if plan.sealed:
        click.echo(f"{path}: the server settings changed since the password was sealed:")
        for change in plan.changes:
            click.echo(f"  - {change.describe()}")
    else:
        click.echo(f"{path}: the password is not sealed to a server yet; it will be sealed to:")
    for line in resealing.describe(plan.now):
        click.echo(f"  {line}")
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                "reseal asks before sealing, but standard input is not a terminal",
                hint=f"Read the change above, then run `smtpops secrets reseal {config} --yes`.",
            )
        if not click.confirm("Send the password to these settings from now on?", default=False):
            click.echo("Nothing was changed.")
            sys.exit(EXIT_FINDINGS)
    resealing.apply(path)
    click.echo(f"✓ {path}: password sealed to these settings. Commit the file.")


@secrets.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@format_option("text", "json")
@click.option(
    "--require-key",
    is_flag=True,
    help="Fail when a file cannot be decrypted here for lack of a key, or when a file git "
    "tracks holds a decrypted password (CI on main).",
)
def check(paths: tuple[str, ...], fmt: str, require_key: bool) -> None:
    """Check the encrypted passwords, with or without a key.

    Without a key: every password is a well-formed sops value, the sops section is intact,
    its keys match .sops.yaml, no credential sits elsewhere, and no private key or decrypted
    file is anywhere in the repository. With a key (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or sops'
    default key file): each file it opens is decrypted in memory, its checksum verified and
    its password's seal compared with the file's server fields; with --require-key, no file
    git tracks may hold one of those passwords.
    """
    result = secret_check.check(paths, require_key=require_key)
    report, keyed, code = result.report, result.keyed, result.exit_code
    failed, missing = result.failed, result.missing
    if fmt == "json":
        document = json_.document(report, exit_code=code)
        document["decryption"] = [
            {"path": r.path, "status": r.status, "message": r.message, "hint": r.hint}
            for r in keyed
        ]
        click.echo(json.dumps(document, indent=2))
        sys.exit(code)
    reporters.get("text")(report, sys.stdout)
    for r in keyed:
        if r.status == "verified":
            click.echo(
                f"{r.path}: decrypted with your key, checksum verified, sealed to its server"
            )
        elif r.status == "failed":
            click.echo(f"{r.path}: error {r.message}\n    How to fix: {r.hint}")
        else:
            label = "error" if require_key else "skipped"
            click.echo(f"{r.path}: {label}, no key for this environment on this machine")
    if keyed:
        verified = len(keyed) - len(failed) - len(missing)
        click.echo(
            f"{'✗' if code else '✓'} with keys: {verified} verified, {len(failed)} failed, "
            f"{len(missing)} without a key here"
        )
    sys.exit(code)


def _targets(paths: tuple[str, ...], env: str | None) -> list[str]:

    if paths and env:
        raise UsageError(
            "give either files or --env, not both",
            hint="e.g. `smtpops secrets rotate --env production`.",
        )
    if env:
        repopath.check_segment(env, "environment")
        configs_dir = discovery.find_configs_dir()
        folder = os.path.join(configs_dir, env) if configs_dir else ""
        if not os.path.isdir(folder):
            raise UsageError(
                f"there is no configs/{env}/ folder", hint="Use an environment name from configs/."
            )
        paths = (folder,)
    items, _ = discovery.discover(paths)
    return [i.path for i in items]


def _reencrypt(paths: tuple[str, ...], env: str | None, rotate: bool) -> None:

    results = reencrypt_all(_targets(paths, env), rotate=rotate)
    for r in results:
        if r.status == "failed":
            click.echo(f"{r.path}: error {r.message}\n    How to fix: {r.hint}")
        elif r.status != "skipped":
            click.echo(f"{r.path}: {r.status}")
    done = sum(r.status in ("updated", "rotated") for r in results)
    failed = sum(r.status == "failed" for r in results)
    click.echo(
        f"{'✗' if failed else '✓'} {done} file(s) re-encrypted, {failed} failed, "
        f"{sum(r.status == 'unchanged' for r in results)} already up to date"
    )
    sys.exit(EXIT_FINDINGS if failed else 0)


@secrets.command("updatekeys")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--env",
    help="Only the configs of this environment.",
    shell_complete=complete.environments,
)
def updatekeys(paths: tuple[str, ...], env: str | None) -> None:
    """Give every encrypted file the keys .sops.yaml lists for its folder.

    Run after `smtpops keys add`; needs a key of each environment concerned. The password
    itself is not re-encrypted (use `rotate` after a key was removed).
    """
    _reencrypt(paths, env, rotate=False)


@secrets.command("rotate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--env",
    help="Only the configs of this environment.",
    shell_complete=complete.environments,
)
def rotate(paths: tuple[str, ...], env: str | None) -> None:
    """Update the keys, then re-encrypt every password with a new data key.

    Run after `smtpops keys remove` (someone left): the removed key opens nothing new.
    If that person could read a password, also change it at the provider.
    """
    _reencrypt(paths, env, rotate=True)
