"""Hypothesis strategies: YAML-ish text, and config documents with random field values."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from smtpops.rules.examples import BASE

FIELDS = (
    "name", "description", "active", "provider", "host", "port", "tls", "verify_certificate",
    "ca_file", "auth_protocol", "username", "password", "from_address", "helo_hostname",
    "max_connections", "retries", "idle_timeout", "wait_timeout", "custom_headers",
)  # fmt: skip

# Characters that carry meaning in YAML, plus the ones that break naive code.
_YAML_BITS = st.sampled_from(
    [":", " ", "\n", "  ", "- ", "#", "&a", "*a", "!!", "!!str", "!!binary", "!!python/object",
     "<<", "---", "...", "|", ">", "'", '"', "[", "]", "{", "}", ",", "?", "%YAML 1.1", "@",
     "`", "\t", "\r\n", "\x00", "\x85", "\u2028", "\ufeff", "\\x01", "\\ud800", "0x", "1e9",
     ".inf", ".nan", "~", "null", "yes", "no", "on", "2024-01-01", "12:30:00",
     "# smtpops: ignore[HOST003] test", "# smtpops: ignore[", "# smtpops: ignore[PORT,XYZ]",
     "custom_headers: |\n  X-A: 1\n  From: b\n"]
)  # fmt: skip
FIELD_NAMES = st.sampled_from(FIELDS) | st.text(min_size=1, max_size=12)

yaml_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_YAML_BITS, FIELD_NAMES, st.text(max_size=8)), max_size=60).map("".join),
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        ["STARTTLS", "SSL/TLS", "None", "LOGIN", "PLAIN", "CRAM-MD5", "30s", " 30 s ", "0s",
         "gmail", "office365", "custom", "smtp.gmail.com", "smtp.office365.com", "[::1]",
         "127.0.0.1", "localhost", "a@b.c", "X-Dept: Billing\nFrom: x", "ENC[AES256_GCM,data:]",
         "9" * 5000, "9" * 5000 + "s", "<script>alert(1)</script>", "http://x", "a" * 400]
    ),
)  # fmt: skip
values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10) | st.sampled_from(FIELDS), inner, max_size=4)
    ),
    max_leaves=10,
)


def base() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(BASE)  # type: ignore[no-any-return]


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    """The valid base config with some fields replaced, removed or added."""
    data = base()
    for name in draw(st.lists(FIELD_NAMES, max_size=6, unique=True)):
        if draw(st.booleans()) and name in data:
            del data[name]
        else:
            data[name] = draw(values)
    return data


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The valid base file with a few characters inserted, deleted or replaced: text that is
    mostly a config, so the rules behind the loader get exercised too."""
    text = BASE
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        cut = draw(st.integers(min_value=0, max_value=8))
        insert = draw(st.one_of(_YAML_BITS, st.text(max_size=6)))
        text = text[:at] + insert + text[at + cut :]
    return text
