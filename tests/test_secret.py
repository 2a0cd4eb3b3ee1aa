"""``Secret`` never shows its value: not in str, repr, any format spec, %-formatting, the
repr of a container or an exception, a log record, JSON, a pickle or a copy."""

from __future__ import annotations

import copy
import json
import logging
import pickle
import traceback

import pytest

from smtpops.secret import MASK, Secret
from tests.conftest import CANARY, assert_no_canary


@pytest.fixture
def secret() -> Secret:
    return Secret(CANARY)


def test_str_repr_and_every_format_spec_are_masked(secret: Secret) -> None:
    assert str(secret) == MASK
    assert repr(secret) == f"Secret({MASK})"
    assert format(secret) == MASK
    for spec in ("", "s", ">40", "<40", "^40", ".3", "!r"):
        text = f"{{0:{spec}}}".format(secret) if not spec.startswith("!") else f"{secret!r}"
        assert_no_canary(text)
    assert f"{secret}" == MASK and f"{secret:>40}" == MASK and f"{secret!s}" == MASK
    assert "%s %r" % (secret, secret) == f"{MASK} Secret({MASK})"  # noqa: UP031 - the point
    assert "{}".format(secret) == MASK  # noqa: UP032 - str.format is its own path


def test_containers_exceptions_and_logs_are_masked(
    secret: Secret, caplog: pytest.LogCaptureFixture
) -> None:
    assert_no_canary(repr([secret]), repr({"password": secret}), str((secret,)))
    error = ValueError("login failed", secret)
    assert_no_canary(str(error), repr(error))
    try:
        raise error
    except ValueError:
        assert_no_canary(traceback.format_exc())
    with caplog.at_level(logging.INFO):
        logging.getLogger("smtpops.test").info("password is %s (%r)", secret, secret)
    assert_no_canary(caplog.text)
    assert MASK in caplog.text


def test_json_pickle_and_copies_refuse(secret: Secret) -> None:
    with pytest.raises(TypeError):
        json.dumps({"password": secret})
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(secret, protocol=protocol)
    with pytest.raises(TypeError, match="cannot be pickled"):
        secret.__reduce__()
    with pytest.raises(TypeError):
        copy.copy(secret)
    with pytest.raises(TypeError):
        copy.deepcopy({"password": secret})


def test_no_attribute_holds_the_value_in_the_open(secret: Secret) -> None:
    assert not hasattr(secret, "__dict__")  # __slots__: vars() and __dict__ dumps get nothing
    assert_no_canary(*(repr(getattr(secret, name, "")) for name in dir(secret) if name != "_value"))


def test_reveal_equality_truth_and_hash(secret: Secret) -> None:
    assert secret.reveal() == CANARY
    assert secret == Secret(CANARY) and secret != Secret("other") and secret != CANARY
    assert bool(secret) and not Secret("")
    assert hash(secret) == hash(Secret("x" * len(CANARY)))  # the hash says nothing of the value


def test_scrub_masks_the_value_and_its_base64(secret: Secret) -> None:
    import base64

    encoded = base64.b64encode(CANARY.encode()).decode()
    text = f"AUTH PLAIN {encoded} then {CANARY}!"
    assert secret.scrub(text) == f"AUTH PLAIN {MASK} then {MASK}!"
    assert Secret("").scrub("unchanged") == "unchanged"
