"""OAUTH: signing in with an OAuth2 access token (XOAUTH2, OAUTHBEARER).

The flows and the fields each needs come from :mod:`smtpops.oauth.flows`; which flows and
scopes a provider offers comes from its facts (``providers/<id>/provider.yaml``).
(OAUTH001, the shape of the block, is a schema rule in ``fields.py``.)
"""

from __future__ import annotations

from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.oauth.flows import FLOWS, SECRET_FIELDS
from smtpops.rules.context import ConfigContext
from smtpops.rules.examples import OAUTH_SECRET_LINE, oauth_example
from smtpops.rules.registry import Example, Hit, rule

_E, _W = Severity.ERROR, Severity.WARNING
_FLOW_LINE = "    flow: microsoft-app-only\n"
_SET = "smtpops secrets set-oauth"


def _flow(ctx: ConfigContext) -> str | None:
    oauth = ctx.config.oauth
    return oauth.flow if ctx.config.uses_token and oauth and oauth.flow in FLOWS else None


@rule(
    id="OAUTH002",
    name="oauth-needs-tls",
    severity=_E,
    security=True,
    message="the OAuth2 access token would be sent over an unencrypted or unverified connection",
    hint="Set 'tls: STARTTLS' (port 587) or 'tls: SSL/TLS' (port 465) and keep "
    "verify_certificate: true.",
    why="An access token is as good as the password for its lifetime (about an hour): whoever "
    "reads it on the network, or a server pretending to be yours, can send mail as this mailbox.",
    bad=Example(
        yaml=oauth_example({"tls: STARTTLS\n": "tls: None\n", "port: 587\n": "port: 25\n"}),
        whole_file=True,
    ),
    good=Example(yaml=oauth_example(), whole_file=True),
    references=(
        "https://learn.microsoft.com/exchange/client-developer/legacy-protocols/"
        "how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth",
    ),
)
def oauth_needs_tls(ctx: ConfigContext) -> Iterator[Hit]:
    """XOAUTH2/OAUTHBEARER only over TLS with the certificate checked."""
    if not ctx.config.uses_token:
        return
    if ctx.config.tls == "None":
        yield Hit(field=("tls",) if ctx.has("tls") else ("auth_protocol",))
    elif not ctx.config.verify_certificate:
        yield Hit(
            field=("verify_certificate",),
            message="the OAuth2 access token would go to a server whose certificate is not checked",
            hint="Set verify_certificate: true; for a private certificate authority set ca_file.",
        )


@rule(
    id="OAUTH003",
    name="oauth-flow-not-offered",
    severity=_E,
    message="the provider does not offer this OAuth2 flow",
    hint="Use a flow the provider offers (see `smtpops providers show ID`).",
    why="A token from a flow the provider does not accept is refused at sign-in, so no mail "
    "is sent.",
    bad=Example(
        yaml=oauth_example({_FLOW_LINE: "    flow: google-refresh-token\n"}), whole_file=True
    ),
    good=Example(yaml=oauth_example(), whole_file=True),
)
def oauth_flow_not_offered(ctx: ConfigContext) -> Iterator[Hit]:
    """The oauth flow is one of the provider's flows (custom, which has no OAuth facts, takes
    any flow: a sovereign cloud's Microsoft 365 host is a custom server)."""
    flow, provider = _flow(ctx), ctx.provider
    if flow is None or provider is None:
        return
    if provider.any_host and not provider.oauth_flows:
        return  # a custom server (e.g. a sovereign cloud's host): any flow, scope required
    offered = [f.id for f in provider.oauth_flows]
    if flow in offered:
        return
    if not offered:
        yield Hit(
            field=("oauth", "flow"),
            message=f"{provider.name} has no OAuth2 flow smtpops knows of",
            hint="Sign in with a password mechanism, or use provider: custom with flow: generic "
            "if your server accepts XOAUTH2.",
        )
        return
    yield Hit(
        field=("oauth", "flow"),
        message=f"{provider.name} does not offer the OAuth2 flow '{flow}'; it offers "
        f"{', '.join(offered)}",
        hint=f"Set flow: {offered[0]}.",
    )


@rule(
    id="OAUTH004",
    name="oauth-scope-mismatch",
    severity=_E,
    message="the OAuth2 scope is not the one the provider's SMTP server accepts",
    hint="Remove scope to use the provider's, or set the scope `smtpops providers show ID` "
    "lists for the flow.",
    why="A token for another scope (e.g. Microsoft Graph instead of Exchange Online) is valid "
    "but the SMTP server refuses it, which looks like a wrong password.",
    bad=Example(
        yaml=oauth_example(
            {
                "    client_id: 00000000-0000-0000-0000-000000000000\n": (
                    "    client_id: 00000000-0000-0000-0000-000000000000\n"
                    "    scope: https://graph.microsoft.com/.default\n"
                )
            }
        ),
        whole_file=True,
    ),
    good=Example(yaml=oauth_example(), whole_file=True),
)
def oauth_scope_mismatch(ctx: ConfigContext) -> Iterator[Hit]:
    """A scope set in the block must be among the provider's scopes for the flow."""
    flow, provider, oauth = _flow(ctx), ctx.provider, ctx.config.oauth
    if flow is None or provider is None or oauth is None or not oauth.scopes:
        return
    facts = provider.oauth_flow(flow)
    if facts is None or facts.accepts(oauth.scopes):
        return
    wrong = [s for s in oauth.scopes if s not in {*facts.scopes, *facts.accepted_scopes}]
    yield Hit(
        field=("oauth", "scope"),
        message=f"{provider.name} does not accept the scope {' '.join(wrong)} for "
        f"{flow}; it expects {' '.join(facts.scopes)}",
        hint=f"Remove scope (smtpops then asks for {' '.join(facts.scopes)}), or set it to that.",
    )


@rule(
    id="OAUTH005",
    name="oauth-fields-missing",
    severity=_E,
    message="the oauth block lacks a field its flow needs",
    hint="Add the missing fields to the oauth block.",
    why="Without the tenant, the client ID or the app's secret no token can be requested, so "
    "every sign-in fails.",
    bad=Example(yaml=oauth_example({"    tenant: contoso.onmicrosoft.com\n": ""}), whole_file=True),
    good=Example(yaml=oauth_example(), whole_file=True),
)
def oauth_fields_missing(ctx: ConfigContext) -> Iterator[Hit]:
    """Every readable field of the flow is there (the certificate thumbprint when a private key
    is used); the scope too when the provider's facts have none for the flow. The secret
    parts are OAUTH007."""
    flow_id, oauth = _flow(ctx), ctx.config.oauth
    if flow_id is None or oauth is None:
        return
    flow = FLOWS[flow_id]
    present = {k for k, v in ctx.raw["oauth"].items() if isinstance(v, str) and v.strip()}
    missing = [f for f in flow.required if f not in present]
    facts = ctx.provider.oauth_flow(flow_id) if ctx.provider else None
    if facts is None and "scope" not in present:
        missing.append("scope")  # nothing to default it from
    missing += [
        f for f in flow.credential_fields(present) if f not in present and f not in SECRET_FIELDS
    ]
    if missing:
        yield Hit(
            field=("oauth",),
            at_key=True,
            message=f"the oauth block of flow {flow_id} lacks {', '.join(missing)}",
            hint=f"Add {', '.join(missing)} to the oauth block.",
        )


@rule(
    id="OAUTH006",
    name="oauth-mixed-sign-in",
    severity=_W,
    message="the file has settings for a sign-in method it does not use",
    hint="Remove the settings of the method not in use (the oauth block, or the password).",
    why="A leftover password or oauth block is a secret nobody rotates and reviewers cannot "
    "tell which sign-in is live.",
    bad=Example(yaml="oauth:\n  flow: microsoft-app-only\n"),
    good=Example(yaml="host: smtp.example.com\n"),
)
def oauth_mixed_sign_in(ctx: ConfigContext) -> Iterator[Hit]:
    """A password mechanism has no oauth block; a token mechanism has no password."""
    if ctx.config.uses_token and ctx.has("password"):
        yield Hit(
            field=("password",),
            at_key=True,
            message=f"auth_protocol is {ctx.config.auth_protocol}, so the password is not used",
            hint="Remove the password field (it stays in the git history; change it at the "
            "provider if it is no longer needed).",
        )
    elif not ctx.config.uses_token and ctx.has("oauth"):
        yield Hit(
            field=("oauth",),
            at_key=True,
            message=f"auth_protocol is {ctx.config.auth_protocol}, so the oauth block is not used",
            hint="Set auth_protocol: XOAUTH2 to sign in with OAuth2, or remove the oauth block.",
        )


@rule(
    id="OAUTH007",
    name="oauth-secret-missing",
    severity=_E,
    message="the oauth block has no client secret, key or refresh token yet",
    hint=f"Run `{_SET} <file>`: it asks for the secret part and stores it encrypted.",
    why="Without the app's secret part no token can be requested, so every sign-in fails.",
    bad=Example(yaml=oauth_example({OAUTH_SECRET_LINE: ""}), whole_file=True),
    good=Example(yaml=oauth_example(), whole_file=True),
)
def oauth_secret_missing(ctx: ConfigContext) -> Iterator[Hit]:
    """One complete set of the flow's secret parts is in the block (encrypted or not:
    plain text is CRED013)."""
    flow_id = _flow(ctx)
    if flow_id is None:
        return
    present = {k for k, v in ctx.raw["oauth"].items() if isinstance(v, str) and v.strip()}
    needed = [f for f in FLOWS[flow_id].credential_fields(present) if f in SECRET_FIELDS]
    absent = [f for f in needed if f not in present]
    if absent:
        yield Hit(
            field=("oauth",),
            at_key=True,
            message=f"the oauth block of flow {flow_id} has no {', '.join(absent)} yet",
            hint=f"Run `{_SET} {ctx.path}`: it asks for {', '.join(absent)} and stores "
            f"{'it' if len(absent) == 1 else 'them'} encrypted.",
        )
