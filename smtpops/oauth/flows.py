"""The OAuth2 flows a config can use, and what each needs in the ``oauth:`` block.

The one table the rules, ``smtpops new``, ``smtpops secrets set-oauth`` and token acquisition
read; no Python elsewhere names a flow's fields.
"""

from __future__ import annotations

from smtpops.model import OAUTH_SECRET_FIELDS
from smtpops.records import record


@record(frozen=True, kw_only=True)
class Flow:
    id: str
    title: str
    family: str  # microsoft | google | generic: which library gets the token
    required: tuple[str, ...]  # readable fields the flow needs
    # the ways to prove who the app is: each alternative is the fields it needs together
    credentials: tuple[tuple[str, ...], ...]
    optional_secrets: tuple[str, ...] = ()

    def credential_fields(self, present: set[str] | frozenset[str]) -> tuple[str, ...]:
        """The alternative the block chose (the first whose fields are all present), else the
        first one whose marker (a readable field) is there, else the first."""
        for choice in self.credentials:
            if all(f in present for f in choice):
                return choice
        for choice in self.credentials:
            if any(f in present and f not in SECRET_FIELDS for f in choice):
                return choice
        return self.credentials[0]

    def secrets_for(self, present: set[str] | frozenset[str]) -> tuple[str, ...]:
        """The secret parts ``set-oauth`` asks for, given the fields the block has."""
        chosen = self.credential_fields(present)
        extra = tuple(s for s in self.optional_secrets if s in present and s not in chosen)
        return tuple(f for f in chosen if f in SECRET_FIELDS) + extra


SECRET_FIELDS = OAUTH_SECRET_FIELDS  # from the schema (writeOnly)
SECRET_TITLES = {
    "client_secret": "Client secret",
    "private_key": "Certificate private key (PEM)",
    "refresh_token": "Refresh token",
    "service_account_key": "Service account JSON key",
}
FLOWS: dict[str, Flow] = {
    f.id: f
    for f in (
        Flow(
            id="microsoft-app-only",
            title="Microsoft 365 app-only (client credentials)",
            family="microsoft",
            required=("tenant", "client_id"),
            credentials=(("client_secret",), ("certificate_thumbprint", "private_key")),
        ),
        Flow(
            id="microsoft-delegated",
            title="Microsoft 365 delegated (refresh token)",
            family="microsoft",
            required=("tenant", "client_id"),
            credentials=(("refresh_token",),),
            optional_secrets=("client_secret",),
        ),
        Flow(
            id="google-refresh-token",
            title="Google refresh token",
            family="google",
            required=("client_id",),
            credentials=(("client_secret", "refresh_token"),),
        ),
        Flow(
            id="google-service-account",
            title="Google service account (domain-wide delegation)",
            family="google",
            required=(),
            credentials=(("service_account_key",),),
        ),
        Flow(
            id="generic",
            title="Any token endpoint (client credentials or refresh token)",
            family="generic",
            required=("token_url", "client_id"),
            credentials=(("client_secret",), ("refresh_token",)),
            optional_secrets=("client_secret",),
        ),
    )
}
