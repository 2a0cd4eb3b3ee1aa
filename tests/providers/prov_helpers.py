"""Helpers shared by the provider tests (imported by name; conftest only holds fixtures)."""

from __future__ import annotations

from pathlib import Path

from smtpops.rules.examples import BASE

#: the `password:` line and `sops:` block of the rule-doc base config (real sops output for a
#: discarded key): what a config looks like once its password has been set
ENCRYPTED_PASSWORD = BASE[BASE.index("password:") :]

#: sample values for every template variable a provider may need
SAMPLE_PARAMS = {
    "amazon-ses": {"region": "eu-west-1"},
    "exchange": {"host": "mail.contoso.com"},
    "custom": {"host": "smtp.example.net"},
}


def sample_username(provider) -> dict[str, str]:
    if provider.username_format == "fixed":
        return {}
    return {"username": "alerts@example-utility.com"}


def write_config(root: Path, text: str, env: str = "development", name: str = "example") -> Path:
    path = root / "configs" / env / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
