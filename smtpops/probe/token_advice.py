"""OAuth2 failures in plain words: the Token step's (what the token endpoint said) and the
AUTH step's with a token (what the SMTP server said, including its XOAUTH2 error challenge).
Written for the Utility Administrator; each hint is the change to make and where."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Ctx = Mapping[str, Any]
_SET = "smtpops secrets set-oauth"
_ENTRA = "Microsoft Entra admin center → App registrations → your app"


def _ms(c: Ctx) -> bool:
    return str(c.get("flow", "")).startswith("microsoft")


def _said(c: Ctx) -> str:
    code, text = c.get("code") or "", c.get("description") or ""
    said = text if code and text.startswith(code) else f"{code} {text}".strip()
    return f" (the endpoint said: {said})" if said else ""


def _bad_secret(c: Ctx) -> tuple[str, str]:
    if _ms(c):
        return (
            f"Microsoft refused the app's client secret{_said(c)}.",
            f"In {_ENTRA} → Certificates & secrets, copy the secret's Value (not its Secret ID; "
            f"the value is shown only once, so make a new secret if needed) and store it with "
            f"`{_SET} <config>`.",
        )
    return (
        f"The token endpoint refused the client ID or secret{_said(c)}.",
        "Check oauth.client_id and store the client secret again with "
        f"`{_SET} <config>` (copy it from the provider's console of the OAuth client).",
    )


def _consent(c: Ctx) -> tuple[str, str]:
    if _ms(c):
        return (
            f"An administrator has not granted consent for the app's permissions{_said(c)}.",
            f"In {_ENTRA} → API permissions: add Office 365 Exchange Online → Application "
            "permissions → SMTP.SendAsApp (delegated flow: SMTP.Send), then click 'Grant admin "
            "consent'. A Global or Privileged Role Administrator must do this.",
        )
    return (
        f"The service account or OAuth client is not allowed the Gmail scope{_said(c)}.",
        "A Google Workspace super admin must authorise it: Admin console → Security → Access "
        "and data control → API controls → Manage domain-wide delegation → Add new, with the "
        "service account's client ID and the scope https://mail.google.com/.",
    )


TOKEN: dict[str, Callable[[Ctx], tuple[str, str]]] = {
    "token.no_credentials": lambda c: (
        "There are no OAuth2 secrets to get a token with.",
        "Decrypt access is needed (your age key), and the secret parts must be set with "
        f"`{_SET} <config>`.",
    ),
    "token.not_configured": lambda c: (
        "The oauth block lacks what its flow needs to ask for a token.",
        "Run `smtpops validate` on the config: it names the missing fields.",
    ),
    "token.wrong_tenant": lambda c: (
        f"Microsoft does not know the tenant '{c.get('tenant')}'{_said(c)}.",
        "Set oauth.tenant to your tenant ID (Entra admin center → Overview → Tenant ID) or "
        "its primary domain (name.onmicrosoft.com); for a sovereign cloud also set "
        "oauth.authority.",
    ),
    "token.unknown_client": lambda c: (
        f"No app with client ID {c.get('client_id')} is registered in this tenant{_said(c)}.",
        "Copy the 'Application (client) ID' from the app registration's Overview into "
        "oauth.client_id, and check that oauth.tenant is the tenant the app lives in.",
    ),
    "token.bad_secret": _bad_secret,
    "token.expired_secret": lambda c: (
        f"The app's client secret has expired{_said(c)}.",
        f"In {_ENTRA} → Certificates & secrets → New client secret, create one, store it with "
        f"`{_SET} <config>`, and note its expiry date (at most 24 months) to renew it in time.",
    ),
    "token.consent_missing": _consent,
    "token.bad_certificate": lambda c: (
        f"Microsoft refused the certificate sign-in{_said(c)}.",
        f"Upload the certificate (public part) in {_ENTRA} → Certificates & secrets, set "
        "oauth.certificate_thumbprint to its thumbprint and store its private key with "
        f"`{_SET} <config> --stdin < key.pem`.",
    ),
    "token.invalid_scope": lambda c: (
        f"The token endpoint refused the scope{_said(c)}.",
        "Remove oauth.scope to use the provider's scope (Microsoft 365 app-only: "
        "https://outlook.office365.com/.default), or check the Exchange Online service is part "
        "of the tenant.",
    ),
    "token.refresh_expired": lambda c: (
        f"The refresh token has expired or was revoked{_said(c)}.",
        "Sign in again to get a new refresh token for this mailbox (a password change, an "
        "admin revoking sessions, or months without use end it) and store it with "
        f"`{_SET} <config>`.",
    ),
    "token.bad_key": lambda c: (
        f"The service account key was refused or cannot be read{_said(c)}.",
        "Create a new JSON key for the service account (Google Cloud console → IAM → Service "
        f"accounts → Keys) and store it with `{_SET} <config> --stdin < key.json`; delete the "
        "old key there.",
    ),
    "token.policy_blocked": lambda c: (
        f"A sign-in policy (MFA or Conditional Access) blocked the token{_said(c)}.",
        "Ask your Microsoft 365 administrator to exclude this app or mailbox from the policy, or "
        "use the app-only flow.",
    ),
    "token.app_disabled": lambda c: (
        f"The app registration is disabled{_said(c)}.",
        "Ask your administrator to enable it (Enterprise applications → the app → Properties).",
    ),
    "token.missing_permission": lambda c: (
        f"The token does not carry the {c.get('permission')} permission the SMTP server needs "
        f"(it has: {c.get('granted')}).",
        f"In {_ENTRA} → API permissions: add Office 365 Exchange Online → "
        f"{c.get('permission')} and click 'Grant admin consent'; then test again.",
    ),
    "token.certificate": lambda c: (
        f"The token endpoint's certificate is not trusted ({c.get('description')}).",
        "If it uses a private certificate authority, set oauth.ca_file to its PEM file; never "
        "switch verification off.",
    ),
    "token.unreachable": lambda c: (
        f"The token endpoint {c.get('endpoint')} could not be reached ({c.get('description')}).",
        "Check this machine's network and proxy settings, and oauth.authority / "
        "oauth.token_url if you set them.",
    ),
    "token.timeout": lambda c: (
        f"The token endpoint {c.get('endpoint')} did not answer in time.",
        "Try again; if it persists, check the network path to the token endpoint.",
    ),
    "token.rejected": lambda c: (
        f"The token endpoint refused the request{_said(c)}.",
        "Check the oauth block against the provider's app settings; `smtpops token` shows "
        "the same answer.",
    ),
    "auth.basic_disabled": lambda c: (
        f"Microsoft 365 no longer accepts a password for SMTP on this tenant: {c.get('reply')}.",
        "Move this config to OAuth2: auth_protocol: XOAUTH2 with an oauth block (README section "
        "'Move Microsoft 365 to OAuth2'; `smtpops new --provider office365 --auth oauth` writes "
        "one). Until then an administrator can re-enable basic authentication for the tenant.",
    ),
    "auth.no_token": lambda c: (
        "There is no OAuth2 token to sign in with.",
        "The Token step did not run; check the oauth block.",
    ),
    "auth.token_invalid": lambda c: (
        f"The server refused the access token as invalid or expired (XOAUTH2 status "
        f"{c.get('status')}): {c.get('reply')}.",
        "Check that username is the mailbox the token was issued for; test again to get a "
        "fresh token.",
    ),
    "auth.token_scope": lambda c: (
        f"The server says the token lacks the scope it needs ({c.get('scope') or 'not named'}).",
        "Remove oauth.scope to use the provider's, or set it to the scope the server names, "
        "and grant that permission to the app.",
    ),
    "auth.token_refused": lambda c: (
        f"The server refused the token for {c.get('username')} (XOAUTH2 status "
        f"{c.get('status')}): {c.get('reply')}.",
        "The token is for another account, or the mailbox may not be used this way: check "
        "username and, for a service account, that its subject is this mailbox.",
    ),
    "auth.oauth_exchange": lambda c: (
        f"Exchange Online refused the token for {c.get('username')}: {c.get('reply')}.",
        "The token itself is fine, so one of these is missing: (1) the app's service principal "
        "in Exchange Online (New-ServicePrincipal -AppId <client ID> -ObjectId <enterprise app "
        "object ID>); (2) its permission on the mailbox (Add-MailboxPermission -Identity "
        f"{c.get('username')} -User <service principal ID> -AccessRights FullAccess); (3) SMTP "
        "AUTH for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false).",
    ),
}


def explain(error: str, context: Ctx) -> tuple[str, str] | None:
    advice = TOKEN.get(error)
    return advice(context) if advice else None
