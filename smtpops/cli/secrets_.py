"""``smtpops secrets``: set, check and re-encrypt the SOPS-encrypted passwords."""

from __future__ import annotations

import json
import os
import sys

import click
import yaml

from smtpops import discovery, repopath, reporters
from smtpops.cli import complete
from smtpops.cli.options import format_option
from smtpops.encryption import keys, sops_config
from smtpops.encryption import reseal as resealing
from smtpops.encryption import set_oauth as encrypt_oauth
from smtpops.encryption import set_password as encrypt
from smtpops.encryption.rotate import reencrypt_all
from smtpops.errors import EXIT_FINDINGS, UsageError
from smtpops.oauth.flows import FLOWS, SECRET_TITLES
from smtpops.reporters import json_
from smtpops.reporters.safe import visible
from smtpops.secret import Secret
from smtpops.services import secret_check


@click.group()
def secrets() -> None:
    """Set, check, re-seal and re-encrypt SOPS-encrypted passwords and OAuth2 secrets."""


def _read_stdin_password() -> str:
    text = sys.stdin.read()
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def _encrypted(path: str, what: str) -> None:
    """Say for whose keys ``what`` of ``path`` was encrypted."""
    found = sops_config.for_file(path)
    rule = found.rule_for(path) if found else None
    count = len(rule.recipients) if rule else 0
    click.echo(
        f"✓ {path}: {what} encrypted for {count} key(s) of "
        f"{(rule.environment if rule else None) or 'this folder'}. Commit the file."
    )


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
    _encrypted(path, "password")


_MULTILINE = ("private_key", "service_account_key")


def _ask(config: str, name: str, title: str) -> str:
    if name in _MULTILINE:
        raise UsageError(
            f"the {title} spans several lines; give it on standard input",
            hint=f"smtpops secrets set-oauth {config} --stdin < the-file",
        )
    try:
        value: str = click.prompt(
            title, hide_input=True, confirmation_prompt=True, err=True, show_default=False
        )
    except click.exceptions.Abort:
        if sys.stdin.isatty():
            raise
        raise UsageError(
            f"the {title} could not be read: the input ended (it is redirected, not a terminal)",
            hint=f"Pipe it in with --stdin: ... | smtpops secrets set-oauth {config} --stdin",
        ) from None
    return value


def _from_stdin(names: tuple[str, ...]) -> dict[str, str]:
    text = sys.stdin.read()
    if len(names) == 1:
        return {names[0]: text.rstrip("\r\n") if names[0] not in _MULTILINE else text.strip()}
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if len(lines) < len(names) or any(not lines[i] for i in range(len(names))):
        raise UsageError(
            f"--stdin needs {len(names)} lines: {', then '.join(names)}",
            hint="Give one value per line, in that order.",
        )
    return dict(zip(names, lines, strict=False))


def _check_shape(name: str, value: str) -> str:
    """What to tell the user about a key (the service account's address), or a UsageError
    for a value that cannot be what it claims; never echoes the value."""
    if name == "service_account_key":
        try:
            info = json.loads(value)
        except ValueError:
            info = None
        if not isinstance(info, dict) or not {"client_email", "private_key"} <= set(info):
            raise UsageError(
                "the service account key is not a Google JSON key (client_email, private_key)",
                hint="Create a JSON key for the service account in the Google Cloud console "
                "(IAM → Service accounts → Keys) and give that file.",
            )
        return (
            f"service account {info['client_email']} (client ID {info.get('client_id', '?')}): "
            "your Workspace admin authorises that client ID for https://mail.google.com/ under "
            "Security → API controls → Domain-wide delegation."
        )
    if name == "private_key" and "PRIVATE KEY-----" not in value:
        raise UsageError(
            "the certificate private key is not a PEM private key (-----BEGIN PRIVATE KEY-----)",
            hint="Give the PEM file of the certificate's private key (unencrypted).",
        )
    return ""


@secrets.command("set-oauth")
@click.argument("config", shell_complete=complete.configs)
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read the secret parts from standard input (several parts: one per line, in the "
    "order the command names).",
)
def set_oauth(config: str, from_stdin: bool) -> None:
    """Encrypt the OAuth2 secret parts of CONFIG's oauth block (a path or ENV/NAME).

    Asks for what the block's flow needs, without showing it: the client secret (Microsoft
    app-only), the certificate's private key (with certificate_thumbprint set), the refresh
    token (delegated flows, with the client secret for Google) or the service account's JSON
    key (--stdin < key.json). Only the oauth and sops sections of the file change; no private
    key is needed.
    """
    path = discovery.resolve_name(config)
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    block = data.get("oauth") if isinstance(data, dict) else None
    flow = FLOWS.get(str(block.get("flow"))) if isinstance(block, dict) else None
    if flow is None or not isinstance(block, dict):
        raise UsageError(
            f"{path}: there is no oauth block with a known flow ({', '.join(FLOWS)})",
            hint="Add the block first: `smtpops new --auth oauth`, or see `smtpops rules OAUTH001`.",
        )
    names = flow.secrets_for({k for k, v in block.items() if v})
    if from_stdin:
        values = _from_stdin(names)
    else:
        values = {n: _ask(config, n, SECRET_TITLES[n]) for n in names}
    notes = [_check_shape(n, v) for n, v in values.items()]
    parts = {n: Secret(v) for n, v in values.items()}
    values.clear()
    empty = [n for n, v in parts.items() if not v]
    if empty:
        raise UsageError(f"the {', '.join(empty)} is empty", hint="Paste the value again.")
    encrypt_oauth(path, parts)
    _encrypted(path, ", ".join(parts))
    for note in filter(None, notes):
        click.echo(f"  {note}")


@secrets.command("reseal")
@click.argument("config")
@click.option("--yes", is_flag=True, help="Seal without asking (after reading the change).")
def reseal(config: str, yes: bool) -> None:
    """Seal the password (or OAuth2 secrets) of CONFIG (a path or ENV/NAME) to its settings.

    smtpops sends a password only to the host, port, TLS mode, CA and username it was sealed
    for, and an OAuth2 config's secrets only to those and the token endpoint, authority,
    tenant, app (client_id), flow, scope and token-endpoint CA they were sealed for. After a
    reviewed change of those fields, a key holder runs this: it decrypts the secret (needs this
    environment's key), shows what changed since it was sealed, asks, and re-encrypts it with
    the new settings. Commit the file afterwards.
    """
    path = discovery.resolve_name(config)
    plan = resealing.plan(path)
    what, many = plan.what, plan.what.endswith("s")
    if not plan.changes and plan.sealed:
        click.echo(f"✓ {path}: {what} {'are' if many else 'is'} already sealed to these settings.")
        return
    if plan.sealed:
        click.echo(f"{path}: the settings changed since {what} {'were' if many else 'was'} sealed:")
        for change in plan.changes:
            click.echo(f"  - {visible(change.describe())}")
    else:
        click.echo(
            f"{path}: {what} {'are' if many else 'is'} not sealed to a server yet; "
            f"{'they' if many else 'it'} will be sealed to:"
        )
    for line in resealing.describe(plan.now):
        click.echo(f"  {visible(line)}")
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(
                "reseal asks before sealing, but standard input is not a terminal",
                hint=f"Read the change above, then run `smtpops secrets reseal {config} --yes`.",
            )
        if not click.confirm(f"Send {what} to these settings from now on?", default=False):
            click.echo("Nothing was changed.")
            sys.exit(EXIT_FINDINGS)
    resealing.apply(path)
    click.echo(f"✓ {path}: {what.removeprefix('the ')} sealed to these settings. Commit the file.")


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
                f"{visible(r.path)}: decrypted with your key, checksum verified, sealed to its server"
            )
        elif r.status == "failed":
            click.echo(
                visible(f"{r.path}: error {r.message}\n    How to fix: {r.hint}", keep_lines=True)
            )
        else:
            label = "error" if require_key else "skipped"
            click.echo(f"{visible(r.path)}: {label}, no key for this environment on this machine")
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


def _migrate_rules() -> None:
    """Bring .sops.yaml's encrypted_regex up to date (the OAuth2 secret parts)."""
    configs_dir = discovery.find_configs_dir()
    found = sops_config.find(configs_dir or os.getcwd())
    changed = keys.migrate_encrypted_regex(found) if found else []
    if found and changed:
        click.echo(
            f"{os.path.relpath(found)}: encrypted_regex updated for {', '.join(changed)} "
            "(the oauth block's secret parts are encrypted too). Commit it."
        )


def _reencrypt(paths: tuple[str, ...], env: str | None, rotate: bool) -> None:

    _migrate_rules()
    results = reencrypt_all(_targets(paths, env), rotate=rotate)
    for r in results:
        if r.status == "failed":
            click.echo(
                visible(f"{r.path}: error {r.message}\n    How to fix: {r.hint}", keep_lines=True)
            )
        elif r.status != "skipped":
            click.echo(f"{visible(r.path)}: {r.status}")
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
    itself is not re-encrypted (use `rotate` after a key was removed). Also brings the
    encrypted_regex of .sops.yaml up to date (earlier versions did not name the OAuth2
    secret parts).
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
