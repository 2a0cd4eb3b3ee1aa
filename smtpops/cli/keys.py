"""``smtpops keys``: the age keys of each environment and the rules in ``.sops.yaml``."""

from __future__ import annotations

import os

import click

from smtpops import discovery
from smtpops.cli import complete
from smtpops.encryption import keys as age_keys
from smtpops.encryption import sops_config
from smtpops.encryption.keys import available_recipients
from smtpops.errors import InputError, UsageError


@click.group()
def keys() -> None:
    """Manage the age keys of each environment."""


def _repo_root() -> str:

    found = sops_config.find(os.getcwd())
    if found:
        return os.path.dirname(found)
    configs_dir = discovery.find_configs_dir()
    if configs_dir is None:
        raise InputError(
            "there is no configs/ folder here or in a parent folder",
            hint="Run `smtpops keys` in your repository (the folder that holds configs/), or lay one out with `smtpops init`.",
        )
    return os.path.dirname(configs_dir)


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([path, folder]) == folder


@keys.command("init")
@click.option(
    "--env",
    required=True,
    help="The environment (folder under configs/).",
    shell_complete=complete.environments,
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    help="Where to save the private key (default: where sops looks for it).",
)
@click.option(
    "--identity",
    type=click.Path(dir_okay=False),
    help="Use the age key already in this file instead of making a new one.",
)
def init(env: str, key_file: str | None, identity: str | None) -> None:
    """Make an age key for ENV (or use yours, --identity) and let it read ENV's passwords.

    The private key is appended to your key file (readable only by you); its public key is
    added to the .sops.yaml rule for configs/ENV/ (created when missing). If your key file
    already holds a key of ENV, nothing changes: one person needs one key per environment.
    """

    age_keys.check_environment(env)
    if identity and key_file:
        raise UsageError(
            "--identity and --key-file do not go together",
            hint="--identity uses the key you have; --key-file says where a new key goes.",
        )
    root = _repo_root()
    sops_path = os.path.join(root, sops_config.FILE_NAME)
    target = identity or key_file or os.environ.get("SOPS_AGE_KEY_FILE")
    target = target or age_keys.default_key_file()
    if _inside(target, root):
        raise UsageError(
            f"{target} is inside the repository; a private key must never be there",
            hint="Choose a path outside the repository, e.g. ~/ci-production.key.",
        )
    listed = set(_recipients_of(sops_path, env))
    mine = age_keys.identity_recipient(target) if identity else None
    held = {mine} if mine else age_keys.file_recipients(target)
    if not (identity or key_file):
        held |= age_keys.identities_recipients([os.environ.get("SOPS_AGE_KEY", "")])
    already = sorted(held & listed)
    if already:
        raise UsageError(
            f"your key {already[0]} already reads {env}'s passwords; nothing was changed",
            hint=f"One key per person and environment is enough: `smtpops keys list --env {env}` "
            "shows them. For CI, make its key in a file of its own (--key-file).",
        )
    if mine:
        recipient, saved = mine, None
    else:
        made = age_keys.generate(target, comment=f"smtpops key for {env}")
        recipient, saved = made.recipient, made.key_file
    recipients = age_keys.change_recipients(sops_path, env, add=recipient)
    click.echo(f"✓ {'Your age key' if mine else 'New age key'} for {env}.")
    click.echo(f"  Public key (safe to share): {recipient}")
    if saved:
        click.echo(
            f"  Private key saved in: {saved} (only you can read it; back it up; never commit it)"
        )
    click.echo(f"  .sops.yaml: {env} now has {len(recipients)} key(s).")
    if len(recipients) > 1:
        click.echo(
            f"  Next: someone with a {env} key runs `smtpops secrets updatekeys --env {env}`."
        )


def _recipients_of(sops_path: str, env: str) -> list[str]:
    if not os.path.isfile(sops_path):
        return []
    rule = next((r for r in sops_config.load(sops_path).rules if r.environment == env), None)
    return list(rule.recipients) if rule else []


def _change_recipients(env: str, **change: str) -> list[str]:
    """Add or remove one public key in ENV's .sops.yaml rule; the keys it then has."""

    age_keys.check_environment(env)
    for public_key in change.values():
        age_keys.check_recipient(public_key)
    path = os.path.join(_repo_root(), sops_config.FILE_NAME)
    recipients: list[str] = age_keys.change_recipients(path, env, **change)
    return recipients


@keys.command("add")
@click.option("--env", required=True, help="The environment.", shell_complete=complete.environments)
@click.argument("public_key")
def add(env: str, public_key: str) -> None:
    """Let another person's or CI's PUBLIC_KEY (age1…) read ENV's passwords."""
    recipients = _change_recipients(env, add=public_key)
    click.echo(
        f"✓ {env} now has {len(recipients)} key(s). Next: someone with a {env} key runs "
        f"`smtpops secrets updatekeys --env {env}`, then commit."
    )


@keys.command("remove")
@click.option("--env", required=True, help="The environment.", shell_complete=complete.environments)
@click.argument("public_key")
def remove(env: str, public_key: str) -> None:
    """Stop PUBLIC_KEY from reading ENV's passwords (someone left)."""
    recipients = _change_recipients(env, remove=public_key)
    click.echo(
        f"✓ {env} now has {len(recipients)} key(s). Next: someone with a {env} key runs "
        f"`smtpops secrets rotate --env {env}`; if the person could read a password, "
        "change it at the provider and run `smtpops secrets set-password`."
    )


@keys.command("list")
@click.option("--env", help="Only this environment.", shell_complete=complete.environments)
def list_(env: str | None) -> None:
    """Show which public keys can read each environment's passwords."""

    path = os.path.join(_repo_root(), sops_config.FILE_NAME)
    if not os.path.isfile(path):
        raise InputError(
            "this repository has no .sops.yaml yet",
            hint="Make the first key: `smtpops keys init --env ENV`.",
        )
    mine = available_recipients()
    for rule in sops_config.load(path).rules:
        name = rule.environment or rule.path_regex or "(every other file)"
        if env and rule.environment != env:
            continue
        click.echo(f"{name}:")
        for recipient in rule.recipients:
            click.echo(f"  {recipient}{'  (yours)' if recipient in mine else ''}")
