"""The parsing helpers behind the host, username, HELO, header and duration rules never raise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from smtpops.hostnames import host_problem, is_domain, non_public_reason, parse_address
from smtpops.model import parse_duration, parse_headers
from smtpops.rules.username import email_problem
from tests.fuzz.strategies import values

_hosty = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.:[]abcdef-%@/", max_size=45),
    st.from_regex(r"\[[0-9a-fA-F:.%a-z]{0,40}\]", fullmatch=True),
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
)


@given(_hosty)
def test_host_helpers(host: str) -> None:
    problem = host_problem(host)
    assert problem is None or isinstance(problem, str)
    assert non_public_reason(host) is None or isinstance(non_public_reason(host), str)
    assert isinstance(is_domain(host), bool)
    parse_address(host)


@given(st.one_of(st.text(), st.emails(), st.text(alphabet="@.a-_+", max_size=20)))
def test_email_problem(address: str) -> None:
    problem = email_problem(address)
    assert problem is None or isinstance(problem, str)


@given(values)
def test_headers_and_durations_take_any_value(value: object) -> None:
    for index, line in parse_headers(value):
        assert isinstance(index, int) and isinstance(line, str)
    seconds = parse_duration(value)
    assert seconds is None or isinstance(seconds, int)


def test_duration_with_more_digits_than_int_accepts():
    """Regression: int() refuses strings of more than 4300 digits; the schema reports the value."""
    assert parse_duration("9" * 5000) is None
    assert parse_duration("9" * 5000 + "s") is None
    assert parse_duration(" 45 s") == 45


def test_huge_duration_through_the_cli(repo_dir, run_cli):
    import json

    import yaml

    from tests.fuzz.strategies import base

    data = base() | {"idle_timeout": "9" * 5000 + "s"}
    (repo_dir / "configs" / "development").mkdir()
    (repo_dir / "configs" / "development" / "example.yaml").write_text(yaml.safe_dump(data))
    result = run_cli("validate", "--format", "json", expect=1)
    rules = {d["rule"] for d in json.loads(result.stdout)["diagnostics"]}
    assert rules == {"LIMIT003"}
