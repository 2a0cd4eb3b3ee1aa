"""What each consumer does with a token sign-in, as units: the refusals' words, and that a
password config passes every consumer unchanged."""

from __future__ import annotations

import dataclasses

import pytest

from smtpops.delivery import oauth_support
from smtpops.delivery.formats import FORMATS
from smtpops.delivery.targets import REGISTRY
from smtpops.delivery.values import Delivery, env_vars
from smtpops.errors import InputError

BASE = Delivery(
    environment="production", config="production/o365", digest="sha256:0",
    host="smtp.office365.com", port=587, tls="STARTTLS", verify_certificate=True,
    ca_file=None, ca_path=None, ca_pem=None, auth_protocol="XOAUTH2",
    username="crm@example.test", from_address=None, helo_hostname="crm.example.test",
    max_connections=3, retries=3, idle_timeout=30, wait_timeout=30, headers=(),
)  # fmt: skip
CONSUMERS = {f"format {n}": f.oauth for n, f in FORMATS.items()} | {
    f"target {n}": t.oauth for n, t in REGISTRY.items()
}


@pytest.mark.parametrize("name", sorted(CONSUMERS))
def test_a_password_config_passes_every_consumer(name: str) -> None:
    for auth in ("LOGIN", "PLAIN", "CRAM-MD5"):
        oauth_support.require(CONSUMERS[name], dataclasses.replace(BASE, auth_protocol=auth), name)


def test_oauthbearer_is_refused_where_only_xoauth2_is_spoken() -> None:
    bearer = dataclasses.replace(BASE, auth_protocol="OAUTHBEARER")
    for fmt in ("spring", "nodemailer"):
        with pytest.raises(InputError) as caught:
            oauth_support.require(FORMATS[fmt].oauth, bearer, f"the {fmt} format")
        assert (
            f"the {fmt} format signs in with a token only through XOAUTH2" in caught.value.message
        )
        assert "auth_protocol: XOAUTH2" in (caught.value.hint or "")
    for fmt in ("json", "env", "k8s-secret"):
        oauth_support.require(FORMATS[fmt].oauth, bearer, fmt)


def test_every_refusal_says_why_and_what_to_do() -> None:
    refusing = [s for s in CONSUMERS.values() if not s.mechanisms]
    assert oauth_support.DJANGO in refusing and oauth_support.POSTFIX in refusing
    for support in refusing:
        assert support.why_not and "smtpops exec" in support.instead


def test_the_env_names_never_fall_back_to_an_empty_password_for_a_token_config() -> None:
    with pytest.raises(InputError, match="needs an access token"):
        env_vars(BASE, None)
    plain = env_vars(dataclasses.replace(BASE, auth_protocol="LOGIN"), None)
    assert "SMTP_ACCESS_TOKEN" not in plain  # a password config's names are unchanged
