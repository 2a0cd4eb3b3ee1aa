"""The connection-test service as a library (what the web page and the agent call)."""

from __future__ import annotations

import json

import pytest

from smtpops.secret import Secret
from smtpops.services import repository
from smtpops.services.connection import (
    ConnectionTestOptions,
    ConnectionTestResult,
    ValidationFailed,
    run_test,
    run_tests,
)
from tests.conftest import CANARY


def test_one_config(sandbox, write_config, repo_dir):
    write_config(sandbox.config())
    target = repository.target("development/sandbox")
    assert target.label == "development/sandbox"
    assert target.environment is not None and target.environment.name == "development"
    report = run_test(target, ConnectionTestOptions(wait_timeout=2), password=Secret(CANARY))
    assert report.passed and report.config == "development/sandbox"
    log = (repo_dir / ".smtpops" / "test-log.jsonl").read_text()
    assert json.loads(log)["outcome"] == "passed"


def test_no_log_when_asked(sandbox, write_config, repo_dir):
    write_config(sandbox.config())
    options = ConnectionTestOptions(log=False)
    assert run_test(repository.target("development/sandbox"), options, password=Secret(CANARY))
    assert not (repo_dir / ".smtpops").exists()


def test_invalid_config_raises_with_every_error(sandbox, write_config, repo_dir):
    write_config(sandbox.config(), port=0, helo_hostname="bad host")
    with pytest.raises(ValidationFailed) as caught:
        run_test(repository.target("development/sandbox"), password=Secret(CANARY))
    assert {d.rule_id[:4] for d in caught.value.diagnostics} >= {"PORT", "HELO"}
    assert not (repo_dir / ".smtpops").exists()  # nothing was tried


def test_many_configs_in_order_with_progress(make_sandbox, write_config):
    box = make_sandbox()
    write_config(box.config(name="alpha"))
    write_config(box.config(name="beta"), port=0)
    write_config(box.config(name="gamma", tls="SSL/TLS"))
    seen: list[tuple[int, ConnectionTestResult]] = []
    results = run_tests(
        repository.environment_targets("development"),
        ConnectionTestOptions(concurrency=1),
        password=Secret(CANARY),
        on_done=lambda i, r: seen.append((i, r)),
    )
    assert [r.target.label for r in results] == [
        "development/alpha",
        "development/beta",
        "development/gamma",
    ]
    assert [r.passed for r in results] == [True, False, True]
    assert not results[1].tested and results[1].validation and results[1].problems
    assert results[1].to_dict()["tested"] is False
    assert sorted(i for i, _ in seen) == [0, 1, 2]


def test_a_password_that_cannot_be_decrypted_is_a_result_not_a_crash(sandbox, write_config):
    write_config(sandbox.config())  # encrypted for a key nobody here has
    (result,) = run_tests(repository.environment_targets("development"))
    assert not result.tested and result.error and not result.validation
