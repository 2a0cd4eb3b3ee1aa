"""Properties of the OAuth2 parsers: the server's error challenge decoder never raises and
reads back what a server wrote; the SASL strings smtpops sends are what the sandbox (and
RFC 7628 / Google's XOAUTH2 format) accept; token endpoint errors always classify."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from smtpops.oauth.failures import from_microsoft, from_oauth
from smtpops.probe.auth import decode_challenge, oauthbearer_response, xoauth2_response
from smtpops.probe.sandbox import _OAUTHBEARER, _XOAUTH2
from smtpops.secret import Secret

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_TOKEN = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=",
    min_size=1,
    max_size=200,
)
_USER = st.emails()
_QUICK = settings(deadline=None, max_examples=60)  # a shared machine: no per-example deadline


@_QUICK
@given(st.text(max_size=300))
def test_decode_challenge_never_raises(text: str) -> None:
    found = decode_challenge(text)
    assert found is None or all(isinstance(v, str) for v in found.values())


@_QUICK
@given(st.dictionaries(_TEXT, _TEXT, max_size=5))
def test_decode_challenge_reads_back_what_a_server_wrote(data: dict[str, str]) -> None:
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    assert decode_challenge(encoded) == data


@_QUICK
@given(_USER, _TOKEN)
def test_the_xoauth2_string_is_the_documented_one(user: str, token: str) -> None:
    sent = xoauth2_response(user, Secret(token))
    match = _XOAUTH2.match(sent)
    assert match is not None and match.group(1).decode() == user
    assert match.group(2).decode() == token


@_QUICK
@given(_USER, _TOKEN, st.integers(1, 65535))
def test_the_oauthbearer_string_has_a_gs2_header(user: str, token: str, port: int) -> None:
    sent = oauthbearer_response(user, Secret(token), "mail.example.com", port)
    match = _OAUTHBEARER.match(sent)
    assert match is not None and match.group(2).decode() == token


@_QUICK
@given(
    st.dictionaries(
        st.sampled_from(["error", "error_description", "error_codes"]),
        st.one_of(_TEXT, st.lists(st.integers(0, 10**8), max_size=3)),
    )
)
def test_any_microsoft_error_answer_classifies(result: dict) -> None:
    error = from_microsoft(result, "https://login.example/t")
    assert error.kind and len(error.description) <= 400


@_QUICK
@given(_TEXT, _TEXT)
def test_any_oauth_error_answer_classifies(code: str, text: str) -> None:
    assert from_oauth(code, text, "https://token.example").kind
