"""``smtpops new``: create a config from a provider template (guided on a terminal)."""

from __future__ import annotations

import sys
from typing import Any

import click

from smtpops import discovery, scaffold, templating
from smtpops.cli import complete, new_oauth
from smtpops.cli.guided import Guide
from smtpops.cli.prompts import password
from smtpops.errors import CheckFailed, InputError, UsageError
from smtpops.providers import catalog, resolve, suggest
from smtpops.records import record
from smtpops.secret import Secret


@record(frozen=True)
class _SignIn:
    """How the new config signs in, as the options said (auth None: ask, or password)."""

    auth: str | None
    oauth_items: tuple[str, ...]
    secret_stdin: bool


def _interactive(guided: bool | None) -> bool:
    if guided is not None:
        return guided
    return sys.stdin.isatty() and sys.stdout.isatty()


def _missing_option(provider: Any, var: str) -> str:

    if var == "username":
        return f"--username ({provider.username or 'the account name'})"
    param = provider.parameter(var)
    about = f" ({param.description})" if param is not None else ""
    option = "--set" if var in scaffold.SETTABLE else "--param"
    return f"{option} {var}=…{about}"


def _show(report: Any, err: bool = False, only: tuple[Any, ...] | None = None) -> None:
    for d in report.diagnostics if only is None else only:
        click.echo(f"  {d.severity.value} {d.rule_id}: {d.message}", err=err)
        click.echo(f"      How to fix: {d.hint}", err=err)


def _storable(path: str, env: str, what: str, option: str, command: str) -> None:
    """Refuse a secret given on standard input that cannot be stored encrypted yet."""
    problem = scaffold.password_problem(path, env)
    if problem:
        raise UsageError(
            f"the {what} was not used: {problem}",
            hint=f"Leave out {option} to create the config without it, and set it later with "
            f"`{command}`.",
        )


def _read_password() -> Any:

    text = sys.stdin.readline().rstrip("\r\n")
    if not text:
        raise UsageError("--password-stdin: standard input held no password")
    return Secret(text)


@click.command()
@click.argument("name", required=False)
@click.option(
    "--env",
    "env",
    metavar="ENV",
    help="Environment (development, staging, production).",
    shell_complete=complete.environments,
)
@click.option(
    "--provider", "provider_id", metavar="ID", help="Provider ID from `smtpops providers`."
)
@click.option("--username", help="The account used to sign in.")
@click.option("--description", help="What this configuration is for.")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Set a field; always wins over the template (repeatable).",
)
@click.option(
    "--param",
    "param_items",
    multiple=True,
    metavar="NAME=VALUE",
    help="A provider parameter, e.g. region=eu-west-1 (repeatable).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input; it is stored encrypted.",
)
@click.option(
    "--auth",
    "auth",
    type=click.Choice(["password", "oauth"]),
    default=None,
    help="Sign in with a password, or with OAuth2 (XOAUTH2: Microsoft 365, Google). Default: "
    "password (guided setup asks when the provider offers OAuth2).",
)
@click.option(
    "--oauth",
    "oauth_items",
    multiple=True,
    metavar="FIELD=VALUE",
    help="An oauth block field with --auth oauth: flow, tenant, client_id, "
    "certificate_thumbprint, scope, token_url, authority, ca_file (repeatable).",
)
@click.option(
    "--secret-stdin",
    is_flag=True,
    help="With --auth oauth: read the secret part(s) from standard input (client secret, "
    "key, refresh token); stored encrypted.",
)
@click.option(
    "--guided/--no-guided",
    default=None,
    help="Ask for what is missing (default: when run in a terminal).",
)
@click.option("--dry-run", is_flag=True, help="Print the config instead of writing it.")
def new(
    name: str | None,
    env: str | None,
    provider_id: str | None,
    username: str | None,
    description: str | None,
    sets: tuple[str, ...],
    param_items: tuple[str, ...],
    password_stdin: bool,
    auth: str | None,
    oauth_items: tuple[str, ...],
    secret_stdin: bool,
    guided: bool | None,
    dry_run: bool,
) -> None:
    """Create configs/ENV/NAME.yaml from a provider's template.

    The new config is inactive, validated before it is written, and never overwrites an
    existing file. Values given with --set, --username or --description always win over
    the template. On a terminal, missing settings are asked for (guided setup).
    """

    configs_dir = discovery.find_configs_dir()
    if configs_dir is None:
        raise InputError(
            "there is no configs/ folder here or in a parent folder",
            hint="Run smtpops new from your repository (create configs/ first).",
        )
    interactive = _interactive(guided)
    if (password_stdin or secret_stdin) and interactive and guided is None:
        interactive = False
    if auth is None and (oauth_items or secret_stdin):
        auth = "oauth"
    if auth is None and password_stdin:
        auth = "password"
    if auth == "oauth" and password_stdin:
        raise UsageError(
            "--password-stdin does not go with --auth oauth",
            hint="Give the OAuth2 secret part with --secret-stdin.",
        )
    if (secret_stdin or oauth_items) and auth == "password":
        raise UsageError("--oauth and --secret-stdin need --auth oauth")
    sign_in = _SignIn(auth=auth, oauth_items=oauth_items, secret_stdin=secret_stdin)
    values: dict[str, Any] = dict(scaffold.parse_set(item) for item in sets)
    if username is not None:
        values["username"] = username
    if description is not None:
        values["description"] = description
    guide = None
    if interactive:
        guide = Guide(configs_dir=configs_dir, values=values)
        guide.offer_resume()
    try:
        _create(
            configs_dir,
            guide,
            values,
            env,
            provider_id,
            name,
            param_items,
            password_stdin,
            dry_run,
            sign_in,
        )
    except (click.exceptions.Abort, KeyboardInterrupt):
        if guide is None:
            raise
        guide.stopped()  # keeps the answers (never the password) for the next run
    if guide is not None:
        guide.finished()


def _create(
    configs_dir: str,
    guide: Guide | None,
    values: dict[str, Any],
    env: str | None,
    provider_id: str | None,
    name: str | None,
    param_items: tuple[str, ...],
    password_stdin: bool,
    dry_run: bool,
    sign_in: _SignIn,
) -> None:

    if guide is not None:
        env, provider, name = guide.basics(env, provider_id, name)
    else:
        absent = [
            o for o, v in (("NAME", name), ("--env", env), ("--provider", provider_id)) if not v
        ]
        if absent:
            raise UsageError(
                f"missing {', '.join(absent)}",
                hint="Run e.g. smtpops new gmail-alerts --env development "
                "--provider gmail --username you@gmail.com "
                "(or run it in a terminal for guided setup).",
            )
        assert env and name and provider_id
        found = resolve(provider_id, catalog())
        if found is None:
            guess = suggest(provider_id, catalog())
            raise UsageError(
                f"no provider '{provider_id}'",
                hint=(f"Did you mean '{guess}'? " if guess else "")
                + "`smtpops providers` lists them.",
            )
        provider = found
    params = dict(scaffold.parse_param(provider, item) for item in param_items)
    path = scaffold.target(configs_dir, env, name)
    secret = _read_password() if password_stdin else None
    oauth_parts: dict[str, Secret] | None = None
    secret_names: tuple[str, ...] = ()
    auth = sign_in.auth
    if auth is None:
        auth = new_oauth.ask_auth(provider) if guide is not None else "password"
    if auth == "oauth":
        given = new_oauth.parse(sign_in.oauth_items)
        readable = new_oauth.block(provider, given, guide is not None)
        new_oauth.values_for(readable, values)
        secret_names = new_oauth.secrets_needed(readable)
        if sign_in.secret_stdin:
            _storable(path, env, "secret", "--secret-stdin", "smtpops secrets set-oauth")
            oauth_parts = new_oauth.read_stdin(secret_names)
    if secret is not None:
        _storable(path, env, "password", "--password-stdin", "smtpops secrets set-password")
    if guide is not None:
        guide.params = params
        guide.fields()
    else:
        missing = templating.missing(provider, name, values, params)
        if missing:
            raise UsageError(
                f"{provider.name} needs: "
                + "; ".join(_missing_option(provider, v) for v in missing),
                hint=f"`smtpops providers show {provider.id}` explains each value.",
            )
    draft = scaffold.draft(
        configs_dir=configs_dir, env=env, name=name, provider=provider, values=values, params=params
    )
    while guide is not None and draft.report.errors:
        fixable = {(d.location.field or "").split(".")[0] for d in draft.report.errors} & set(
            scaffold.SETTABLE
        )
        if not fixable:
            break
        click.echo("That would not pass validation:")
        _show(draft.report, only=draft.report.errors)
        for field in sorted(fixable):
            guide.again(field)
        draft = scaffold.draft(
            configs_dir=configs_dir,
            env=env,
            name=name,
            provider=provider,
            values=values,
            params=params,
        )
    if draft.report.errors:
        click.echo(f"{draft.path} would not pass validation:", err=True)
        _show(draft.report, err=True, only=draft.report.errors)
        raise CheckFailed(
            "nothing was written",
            hint="Change the values named above (--set FIELD=VALUE) and run again.",
        )
    if dry_run:
        click.echo(draft.text, nl=False)
        return
    if guide is not None and auth == "oauth" and oauth_parts is None:
        if scaffold.password_problem(path, env) is None:
            oauth_parts = new_oauth.ask_secrets(secret_names)
    elif guide is not None and secret is None:
        secret = password(path, env)
    scaffold.write(draft)
    if secret is not None:
        scaffold.store_password(draft.path, secret)
    if oauth_parts:
        scaffold.store_oauth(draft.path, oauth_parts)
    click.echo(f"Created {draft.path} ({provider.name}, inactive).")
    if auth == "oauth":
        click.echo(
            f"OAuth2 secret ({', '.join(secret_names)}): stored encrypted."
            if oauth_parts
            else f"OAuth2 secret ({', '.join(secret_names)}): not set yet; add it with "
            f"`smtpops secrets set-oauth {draft.path}`."
        )
    elif secret is not None:
        click.echo("Password: stored encrypted.")
    else:
        click.echo(
            f"Password: not set yet; add it with `smtpops secrets set-password {draft.path}`."
        )
    if draft.report.diagnostics:
        click.echo("Please read:")
        _show(draft.report)
    click.echo(f"Next: smtpops validate {draft.path}, then smtpops test {env}/{name}.")
