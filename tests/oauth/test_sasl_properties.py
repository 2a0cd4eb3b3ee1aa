"""Properties of the OAuth2 parsers: the server's error challenge decoder never raises and
reads back what a server wrote; the SASL strings smtpops sends are what the sandbox (and
RFC 7628 / Google's XOAUTH2 format) accept; token endpoint errors always classify."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
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


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    _TEXT,
    st.lists(_TEXT, max_size=2),
    st.dictionaries(_TEXT, _TEXT, max_size=2),
)
_OAUTH_KEYS = st.sampled_from(
    [
        "flow",
        "tenant",
        "client_id",
        "client_secret",
        "certificate_thumbprint",
        "private_key",
        "refresh_token",
        "service_account_key",
        "scope",
        "token_url",
        "authority",
        "ca_file",
        "unknown",
    ]
)


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    block=st.one_of(_VALUES, st.dictionaries(_OAUTH_KEYS, _VALUES, max_size=6)),
    mechanism=st.sampled_from(["XOAUTH2", "OAUTHBEARER", "LOGIN"]),
    host=st.sampled_from(["smtp.office365.com", "smtp.gmail.com", "mail.example.com"]),
)
def test_validate_never_crashes_on_an_oauth_block(tmp_path_factory, block, mechanism, host) -> None:
    import yaml

    from smtpops import engine

    folder = tmp_path_factory.mktemp("cfg") / "configs" / "development"
    folder.mkdir(parents=True)
    path = folder / "example.yaml"
    data = {
        "name": "example",
        "host": host,
        "username": "a@example.com",
        "auth_protocol": mechanism,
        "oauth": block,
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    report = engine.validate((str(path),))
    assert not report.input_error
    secret_keys = ("client_secret", "private_key", "refresh_token", "service_account_key")
    entries = block.items() if isinstance(block, dict) else ()
    elsewhere = " ".join(f"{k} {v}" for k, v in entries if k not in secret_keys) + f" {host}"
    secrets = [
        v
        for k, v in entries
        if k in secret_keys and isinstance(v, str) and len(v) >= 6 and v not in elsewhere
    ]
    for diagnostic in report.diagnostics:
        assert diagnostic.message and diagnostic.hint is not None
        for value in secrets:
            assert value not in diagnostic.message + diagnostic.hint, "a secret was echoed"
