"""``render --format k8s-secret``: a Secret that stays SOPS-encrypted, decrypts with the real
sops to the config's values, and is a valid Kubernetes Secret.

No offline package ships the Kubernetes OpenAPI schema, so SECRET_SCHEMA below is a
minimal, faithful transcription of the core/v1 Secret definition (and the ObjectMeta
fields a manifest sets) with the API server's name and key validation rules.
"""

from __future__ import annotations

import json
import os
import subprocess

import jsonschema
import yaml

from tests.conftest import CANARY, assert_no_canary
from tests.delivery.conftest import Project
from tests.gitops.conftest import USER, git

DNS_SUBDOMAIN = r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DATA_KEY = r"^[-._a-zA-Z0-9]{1,253}$"  # IsConfigMapKey
QUALIFIED = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
SECRET_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "v1"},
        "kind": {"const": "Secret"},
        "type": {"type": "string"},
        "immutable": {"type": "boolean"},
        "metadata": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": DNS_SUBDOMAIN},
                "namespace": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                "labels": {**STRING_MAP, "propertyNames": {"pattern": QUALIFIED}},
                "annotations": {**STRING_MAP, "propertyNames": {"pattern": QUALIFIED}},
            },
        },
        "data": {
            "type": "object",
            "propertyNames": {"pattern": DATA_KEY},
            "additionalProperties": {"type": "string", "contentEncoding": "base64"},
        },
        "stringData": {**STRING_MAP, "propertyNames": {"pattern": DATA_KEY}},
    },
}


def sops(
    project: Project, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    from smtpops.encryption import sops_binary

    return subprocess.run(
        [sops_binary(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**project.subprocess_env(), "SOPS_DISABLE_VERSION_CHECK": "1"},
        cwd=project.root,
        check=False,
    )


def test_the_secret_decrypts_with_sops_and_matches_the_config(deployed: Project, run_cli) -> None:
    out = deployed.root / "deploy" / "smtp-secret.yaml"
    out.parent.mkdir()
    result = run_cli(
        "render", "development", "--format", "k8s-secret", "--output", str(out),
        "--option", "namespace=crm", expect=0,
    )  # fmt: skip
    assert_no_canary(result.output)
    text = out.read_text()
    assert_no_canary(text)  # encrypted: safe inside the repository (a folder Flux watches)
    stored = yaml.safe_load(text)
    assert stored["stringData"]["SMTP_PASSWORD"].startswith("ENC[AES256_GCM,")
    assert stored["stringData"]["SMTP_HOST"] == "127.0.0.1"  # reviewers read the rest
    assert stored["sops"]["encrypted_regex"] == "^SMTP_PASSWORD$"
    digest = json.loads(run_cli("render", "development", expect=0).stdout)["smtpops"]["digest"]
    assert stored["metadata"]["annotations"]["smtpops.io/digest"] == digest
    recipients = {r["recipient"] for r in stored["sops"]["age"]}
    from smtpops.encryption import sops_config

    rule = sops_config.for_file(str(deployed.root / "configs/development/main.yaml"))
    assert rule is not None
    expected = rule.rule_for(str(deployed.root / "configs/development/main.yaml"))
    assert expected is not None and recipients == set(expected.recipients)

    plain = sops(deployed, "decrypt", str(out))
    assert plain.returncode == 0, plain.stderr
    secret = yaml.safe_load(plain.stdout)
    jsonschema.validate(secret, SECRET_SCHEMA)
    assert secret["metadata"] == {
        "name": "smtp-development",
        "labels": {"app.kubernetes.io/managed-by": "smtpops"},
        "annotations": {"smtpops.io/digest": digest, "smtpops.io/config": "development/main"},
        "namespace": "crm",
    }
    data = secret["stringData"]
    assert data["SMTP_PASSWORD"] == CANARY and data["SMTP_USERNAME"] == USER
    assert data["SMTP_PORT"] == str(deployed.server.port)
    assert data["SMTP_CA_PEM"].startswith("-----BEGIN CERTIFICATE-----")
    assert "SMTP_CA_FILE" not in data  # a path on this machine means nothing in a pod


def test_the_schema_check_rejects_what_the_api_server_would(deployed: Project) -> None:
    import pytest

    bad = [
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "Bad_Name"}},
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "x"},
            "stringData": {"a b": "1"},
        },
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "stringData": {"a": 1}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "extra": {}},
    ]
    for doc in bad:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(doc, SECRET_SCHEMA)


def test_an_unchanged_config_keeps_the_file_byte_for_byte(deployed: Project, run_cli) -> None:
    out = deployed.root / "deploy.yaml"
    run_cli("render", "development", "--format", "k8s-secret", "-o", str(out), expect=0)
    first = out.read_bytes()
    again = run_cli("render", "development", "--format", "k8s-secret", "-o", str(out), expect=0)
    assert "unchanged (same digest)" in again.stderr
    assert out.read_bytes() == first
    assert os.stat(out).st_mode & 0o777 == 0o644
    path = deployed.root / "configs/development/main.yaml"
    path.write_text(path.read_text().replace("wait_timeout: 7", "wait_timeout: 9"))
    run_cli("render", "development", "--format", "k8s-secret", "-o", str(out), expect=0)
    assert out.read_bytes() != first
    git(deployed.root, "checkout", "--", str(path))


def test_a_bad_secret_name_is_a_usage_error(deployed: Project, run_cli) -> None:
    result = run_cli(
        "render", "development", "--format", "k8s-secret", "--option", "name=Not_Valid", expect=2
    )
    assert "not a valid Kubernetes name" in result.stderr
    result = run_cli("render", "development", "--format", "json", "--option", "x=1", expect=2)
    assert "takes no options" in result.stderr
