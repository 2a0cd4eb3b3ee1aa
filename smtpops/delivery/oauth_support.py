"""Which consumers can sign in with an OAuth2 access token (XOAUTH2, OAUTHBEARER), and what
each gets. One record per render format (``Format.oauth``) and apply target (``Target.oauth``),
declared in their registries and read by render, exec, apply and the agent before a token is
asked for, so a consumer that cannot use one is refused first, in plain words.

- ``carries="token"``: a fresh access token (short-lived, about an hour) with its expiry;
- ``carries="credentials"``: the oauth block's secret parts, still encrypted (``k8s-secret``),
  for a consumer that gets its own tokens;
- no ``mechanisms``: this consumer cannot sign in with a token at all (``why_not``, ``instead``).
"""

from __future__ import annotations

from smtpops.delivery.values import Delivery
from smtpops.errors import InputError
from smtpops.model import TOKEN_MECHANISMS
from smtpops.records import record

__all__ = [
    "ANY_TOKEN",
    "DJANGO",
    "POSTFIX",
    "XOAUTH2_TOKEN",
    "OAuthSupport",
    "require",
    "wants_credentials",
    "wants_token",
]


@record(frozen=True, kw_only=True)
class OAuthSupport:
    mechanisms: tuple[str, ...]  # the token mechanisms it signs in with; () for none
    carries: str = "token"  # "token" | "credentials"
    why_not: str = ""  # plain words: why it cannot (when ``mechanisms`` is empty)
    instead: str = ""  # what to do instead


ANY_TOKEN = OAuthSupport(mechanisms=TOKEN_MECHANISMS)
XOAUTH2_TOKEN = OAuthSupport(mechanisms=("XOAUTH2",))
ENCRYPTED_CREDENTIALS = OAuthSupport(mechanisms=TOKEN_MECHANISMS, carries="credentials")
_ELSEWHERE = (
    "`smtpops exec ENV -- COMMAND` hands a fresh token to the program it starts "
    "(SMTP_ACCESS_TOKEN); the env, json, spring and nodemailer formats carry one too"
)
DJANGO = OAuthSupport(
    mechanisms=(),
    why_not="Django's SMTP email backend signs in with smtplib's login(), which sends a "
    "password (LOGIN, PLAIN, CRAM-MD5) and has no XOAUTH2",
    instead=f"Give Django an email backend that signs in with a token: {_ELSEWHERE}.",
)
POSTFIX = OAuthSupport(
    mechanisms=(),
    why_not="Postfix signs in through Cyrus SASL, which needs a XOAUTH2 plugin (sasl-xoauth2) "
    "that Debian does not package",
    instead=f"Let the CRM send directly: {_ELSEWHERE}.",
)


def wants_token(support: OAuthSupport, d: Delivery) -> bool:
    return d.auth_protocol in TOKEN_MECHANISMS and support.carries == "token"


def wants_credentials(support: OAuthSupport, d: Delivery) -> bool:
    return d.auth_protocol in TOKEN_MECHANISMS and support.carries == "credentials"


def require(support: OAuthSupport, d: Delivery, consumer: str) -> None:
    """Refuse, before anything is asked for or written, a token sign-in ``consumer`` (e.g.
    "the django format") cannot use."""
    auth = d.auth_protocol
    if auth not in TOKEN_MECHANISMS or auth in support.mechanisms:
        return
    if not support.mechanisms:
        raise InputError(
            f"{d.config} signs in with {auth} (an OAuth2 access token), and {consumer} cannot: "
            f"{support.why_not}",
            hint=support.instead,
        )
    raise InputError(
        f"{d.config} signs in with {auth}, and {consumer} signs in with a token only through "
        f"{', '.join(support.mechanisms)}",
        hint="Set auth_protocol: XOAUTH2 if the server offers it (Microsoft 365 and Google do), "
        "or use the env or json format, which carry the token for any mechanism.",
    )
