"""TLS: encryption of the connection and certificate verification."""

import os
from collections.abc import Iterator

from smtpops import repopath
from smtpops.diagnostics import Severity
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule

SUBMISSION_PORTS = (465, 587)


@rule(
    id="TLS002",
    name="tls-off",
    severity=Severity.WARNING,
    security=True,
    escalate_when=("require_tls",),
    message="the connection is not encrypted (tls: None)",
    hint="Set 'tls: STARTTLS' with port 587 (or 'tls: SSL/TLS' with port 465).",
    why="Without TLS, messages and the sign-in travel readable by anyone on the network path. Production requires TLS.",
    bad=Example(yaml="tls: None\nport: 25\n", environment="production"),
    good=Example(yaml="tls: STARTTLS\n", environment="production"),
)
def tls_off(ctx: ConfigContext) -> Iterator[Hit]:
    """tls: None warns; an error where the environment requires TLS."""
    if ctx.config.tls == "None":
        yield Hit(field=("tls",))


@rule(
    id="TLS003",
    name="plaintext-on-submission-port",
    severity=Severity.ERROR,
    security=True,
    message="ports 465 and 587 are for encrypted submission, but tls is None",
    hint="Set 'tls: SSL/TLS' for port 465 or 'tls: STARTTLS' for port 587.",
    why="Servers on 465 and 587 expect encryption; an unencrypted session either fails or exposes the password.",
    bad=Example(yaml="tls: None\nport: 587\n"),
    good=Example(yaml="tls: STARTTLS\nport: 587\n"),
    references=("RFC 8314",),
)
def plaintext_on_submission_port(ctx: ConfigContext) -> Iterator[Hit]:
    """No unencrypted connection on 465 or 587."""
    if ctx.config.tls == "None" and ctx.config.port in SUBMISSION_PORTS:
        yield Hit(
            field=("tls",),
            message=f"port {ctx.config.port} is for encrypted submission, but tls is None",
        )


@rule(
    id="TLS004",
    name="certificate-verification-off",
    severity=Severity.WARNING,
    security=True,
    escalate_when=("require_certificate_verification",),
    message="the server's certificate is not verified (verify_certificate: false)",
    hint="Set 'verify_certificate: true'. If the server uses a private CA, give its certificate in 'ca_file' instead.",
    why="Without verification anyone able to intercept the connection can pose as the server and collect the password.",
    bad=Example(yaml="verify_certificate: false\n", environment="production"),
    good=Example(yaml="verify_certificate: true\n", environment="production"),
)
def certificate_verification_off(ctx: ConfigContext) -> Iterator[Hit]:
    """verify_certificate: false warns; an error where the environment requires verification."""
    if ctx.config.verify_certificate is False and ctx.config.tls != "None":
        yield Hit(field=("verify_certificate",))


@rule(
    id="TLS005",
    name="ca-file-unused",
    severity=Severity.WARNING,
    message="a CA file is set but is not used",
    hint="Remove 'ca_file', or set 'verify_certificate: true' and an encrypted 'tls' mode so that it is used.",
    why="A CA file only matters when certificates are verified over TLS; its presence suggests verification was meant to be on.",
    bad=Example(yaml="ca_file: certs/ca.pem\nverify_certificate: false\n"),
    good=Example(yaml="verify_certificate: true\n"),
)
def ca_file_unused(ctx: ConfigContext) -> Iterator[Hit]:
    """ca_file with verification off or without TLS does nothing."""
    if ctx.config.ca_file and (ctx.config.verify_certificate is False or ctx.config.tls == "None"):
        yield Hit(field=("ca_file",))


@rule(
    id="TLS006",
    name="ca-file-missing",
    severity=Severity.WARNING,
    message="the CA file does not exist in the repository",
    hint="Commit the CA certificate (PEM) at the path given, relative to the repository root, or correct the path.",
    why="The connection test and the CRM cannot verify the server without the CA file.",
    bad=Example(yaml="ca_file: certs/no-such-ca.pem\n"),
    good=Example(yaml="description: no private CA\n"),
)
def ca_file_missing(ctx: ConfigContext) -> Iterator[Hit]:
    """ca_file must exist relative to the repository root (one outside it is TLS007)."""
    ca_file = ctx.config.ca_file
    if not ca_file or ctx.repo_root is None or not repopath.is_inside(ctx.repo_root, ca_file):
        return
    if not ctx.exists(os.path.join(ctx.repo_root, ca_file)):
        yield Hit(field=("ca_file",), message=f"the CA file '{ca_file}' does not exist")


@rule(
    id="TLS007",
    name="ca-file-outside-repository",
    severity=Severity.ERROR,
    security=True,
    message="the CA file is outside the repository",
    hint="Commit the CA certificate (PEM) to the repository and give its path relative to the repository root (e.g. certs/ca.pem), with no '..' and no link out of the repository.",
    why="What the connection test and the CRM trust must be reviewed with the config; a path out of the repository (an absolute path, '..', or a symbolic link) makes smtpops read a file nobody reviewed.",
    bad=Example(yaml="ca_file: /etc/passwd\n"),
    good=Example(yaml="description: no private CA\n"),
)
def ca_file_outside_repository(ctx: ConfigContext) -> Iterator[Hit]:
    """ca_file, once resolved (links followed, '..' folded), lies inside the repository."""
    ca_file = ctx.config.ca_file
    if not ca_file:
        return
    root = ctx.repo_root or os.getcwd()
    if not repopath.is_inside(root, ca_file):
        yield Hit(
            field=("ca_file",),
            message=f"the CA file '{ca_file}' is outside the repository",
        )
