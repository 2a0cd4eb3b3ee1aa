"""``k8s-secret``: a Kubernetes Secret manifest that stays SOPS-encrypted.

Encrypted by the real sops for the environment's recipients (``.sops.yaml``), only the
``SMTP_PASSWORD`` value: Flux's ``decryption.provider: sops`` decrypts it in the cluster,
reviewers read the rest. The ``smtpops.io/digest`` annotation changes exactly when the
config does, so a rollout (or stakater/Reloader) restarts the CRM on a change. sops
encrypts with a fresh data key every time; ``render --output`` therefore keeps an existing
file whose digest is unchanged, so the folder Flux watches sees no churn.

An OAuth2 config carries no access token here (one would expire within the hour while the
file is kept by digest): it carries what a consumer needs to get its own tokens, the
``SMTP_OAUTH_*`` settings (flow, token endpoint, client ID, scopes) and the oauth block's
secret parts (``SMTP_OAUTH_CLIENT_SECRET``, ``…_PRIVATE_KEY``, ``…_REFRESH_TOKEN``,
``…_SERVICE_ACCOUNT_KEY``), SOPS-encrypted like the password.
"""

from __future__ import annotations

import os
import re

import yaml

from smtpops.delivery.formats.base import Context, Format, Rendered, option, single
from smtpops.delivery.oauth_support import ENCRYPTED_CREDENTIALS
from smtpops.delivery.values import env_vars, oauth_name, oauth_vars, settings_vars
from smtpops.encryption import failures, runner, sops_config
from smtpops.errors import EncryptionError, InputError, UsageError
from smtpops.model import OAUTH_SECRET_FIELDS
from smtpops.secret import Secret

ANNOTATION = "smtpops.io/digest"
CONFIG_ANNOTATION = "smtpops.io/config"
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DIGEST_LINE = re.compile(rb"^\s*smtpops\.io/digest:\s*['\"]?(sha256:[0-9a-f]{64})", re.M)


def _name(ctx: Context, key: str, default: str) -> str:
    value = option(ctx, key, default)
    if len(value) > 253 or not _DNS_SUBDOMAIN.match(value):
        raise UsageError(
            f"--option {key}={value}: not a valid Kubernetes name",
            hint="Use lower-case letters, digits, '-' and '.', e.g. smtp-production.",
        )
    return value


def manifest(ctx: Context) -> dict[str, object]:
    d = ctx.delivery
    if d.uses_token:
        if ctx.credentials is None:
            raise InputError(f"{d.config}: its OAuth2 secret parts were not decrypted to render")
        data = settings_vars(d, None) | oauth_vars(ctx.source.config, ctx.credentials)
    else:
        data = env_vars(d, ctx.password)
    data.pop("SMTP_CA_FILE")
    if d.ca_pem:
        data["SMTP_CA_PEM"] = d.ca_pem.decode("ascii", "replace")
    metadata: dict[str, object] = {
        "name": _name(ctx, "name", f"smtp-{d.environment}".lower()),
        "labels": {"app.kubernetes.io/managed-by": "smtpops"},
        "annotations": {ANNOTATION: d.digest, CONFIG_ANNOTATION: d.config},
    }
    if ctx.options.get("namespace"):
        metadata["namespace"] = _name(ctx, "namespace", "")
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "type": "Opaque",
        "stringData": data,
    }


def recipients(ctx: Context) -> tuple[str, ...]:
    path = os.path.join(ctx.source.root, ctx.source.rel)
    config = sops_config.for_file(path)
    rule = config.rule_for(path) if config else None
    if rule is None or not rule.recipients:
        raise EncryptionError(
            f"{ctx.source.rel}: .sops.yaml lists no age keys for {ctx.delivery.environment}",
            hint=f"Add one: `smtpops keys init --env {ctx.delivery.environment}`.",
        )
    return rule.recipients


def _secrets(ctx: Context) -> tuple[tuple[str, ...], list[Secret]]:
    """The variables sops encrypts, and the plaintexts to scrub from its errors."""
    if ctx.credentials is None:
        return ("SMTP_PASSWORD",), [ctx.password] if ctx.password else []
    parts = [p for p in OAUTH_SECRET_FIELDS if ctx.credentials.part(p) is not None]
    found = [s for s in (ctx.credentials.part(p) for p in parts) if s is not None]
    return ("SMTP_PASSWORD", *(oauth_name(p) for p in parts)), found


def render(ctx: Context) -> Rendered:
    names, plaintexts = _secrets(ctx)
    plain = yaml.safe_dump(manifest(ctx), sort_keys=False, allow_unicode=True)
    result = runner.run(
        [
            "--config",
            os.devnull,
            "encrypt",
            "--input-type",
            "yaml",
            "--output-type",
            "yaml",
            "--age",
            ",".join(recipients(ctx)),
            "--encrypted-regex",
            f"^({'|'.join(names)})$" if len(names) > 1 else f"^{names[0]}$",
            "--filename-override",
            "secret.yaml",
        ],
        stdin=plain.encode("utf-8"),
        secret=plaintexts[0] if plaintexts else None,
        forms=tuple(s.reveal() for s in plaintexts[1:]),
    )
    del plain
    if result.returncode != 0:
        raise failures.explain(result, ctx.source.rel)
    head = (
        f"# Kubernetes Secret of {ctx.delivery.config}, rendered by `smtpops render "
        f"{ctx.delivery.environment} --format k8s-secret`; SOPS-encrypted, safe to commit.\n"
    )
    return single("smtp-secret.yaml", head + result.stdout.decode("utf-8"), plaintext=False)


def digest_of(data: bytes) -> str | None:
    match = _DIGEST_LINE.search(data)
    return match.group(1).decode() if match else None


FORMAT = Format(
    name="k8s-secret",
    summary="Kubernetes Secret, SOPS-encrypted for the environment's keys (for Flux)",
    render=render,
    plaintext=False,
    options=("name", "namespace"),
    digest_of=digest_of,
    oauth=ENCRYPTED_CREDENTIALS,
)
