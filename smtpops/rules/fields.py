"""Field constraints checked by the JSON Schema (``schemas/smtp-config.schema.json``).

These records give each schema failure a stable ID, a plain message and a fix; the
constraints themselves live only in the schema (tests/test_fields.py checks that every field
of the schema is covered by exactly one of these rules).
"""

from smtpops import schema
from smtpops.diagnostics import Severity
from smtpops.model import FIELDS
from smtpops.rules.registry import Example, declare

_E = Severity.ERROR


declare(
    id="SCHEMA001",
    name="unknown-field",
    severity=_E,
    message="a field smtpops does not know",
    hint="Check the spelling; `smtpops rules SCHEMA001` lists the fields.",
    why="A misspelt field (e.g. 'hots') is silently ignored by most tools, so the default is used instead of your value.",
    bad=Example(yaml="hots: smtp.example.com\n"),
    good=Example(yaml="host: smtp.example.com\n"),
    kind="schema",
    references=("Fields: " + ", ".join(FIELDS),),
)
declare(
    id="SCHEMA002",
    name="invalid-value",
    fields=(
        "description",
        "active",
        "verify_certificate",
        "ca_file",
        "from_address",
        "password_binding",
        "sops",
    ),
    message="a field has a value of the wrong kind",
    hint="Use the kind of value the field takes: true/false for switches, text in quotes for descriptions.",
    why="A wrong kind of value is read differently by different tools.",
    bad=Example(yaml="active: yes please\n"),
    good=Example(yaml="active: false\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="NAME001",
    name="name-invalid",
    fields=("name",),
    message="the configuration name is missing or not in the expected form",
    hint="Use letters, digits, '-', '_' or '.', up to 64 characters, starting with a letter or digit (e.g. gmail-primary).",
    why="The name identifies the configuration in reviews, deploys and the audit trail, and names its file.",
    bad=Example(yaml="name: 'my config!'\n"),
    good=Example(yaml="name: example\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="HOST001",
    name="host-required",
    fields=("host",),
    message="the SMTP server (host) is missing, empty or longer than 253 characters",
    hint="Enter the server name from your provider, e.g. smtp.gmail.com or smtp.office365.com.",
    why="Without a server there is nothing to send through.",
    bad=Example(yaml="host: ''\n"),
    good=Example(yaml="host: smtp.example.com\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="PORT001",
    name="port-invalid",
    fields=("port",),
    message="the port must be a whole number from 1 to 65535",
    hint="Use 587 (with STARTTLS) unless your provider says otherwise; write it without quotes or decimals.",
    why="Ports outside 1–65535, decimals or text cannot be connected to.",
    bad=Example(yaml="port: '587'\n"),
    good=Example(yaml="port: 587\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="TLS001",
    name="tls-mode-invalid",
    fields=("tls",),
    message="the encryption setting (tls) is not one of STARTTLS, SSL/TLS or None",
    hint="Use STARTTLS for port 587 or SSL/TLS for port 465, spelt exactly like that.",
    why="An unknown encryption mode cannot be applied; guessing could send the password unencrypted.",
    bad=Example(yaml="tls: TLS\n"),
    good=Example(yaml="tls: STARTTLS\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="AUTH001",
    name="auth-protocol-invalid",
    fields=("auth_protocol",),
    message="the authentication protocol is not one of LOGIN, PLAIN, CRAM-MD5, XOAUTH2 or "
    "OAUTHBEARER",
    hint="Use LOGIN with a password unless your provider asks for another one; XOAUTH2 for "
    "OAuth2 (Microsoft 365, Google).",
    why="Only these mechanisms are implemented and tested by the CRM.",
    bad=Example(yaml="auth_protocol: NTLM\n"),
    good=Example(yaml="auth_protocol: LOGIN\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="USER001",
    name="username-required",
    fields=("username",),
    message="the username is missing, empty or longer than 320 characters",
    hint="Enter the account used to sign in, usually the full email address.",
    why="Authenticated sending needs an account name.",
    bad=Example(yaml="username: ''\n"),
    good=Example(yaml="username: alerts@example.com\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="CRED001",
    name="password-required",
    fields=("password",),
    message="the password is missing",
    hint="Run `smtpops secrets set-password <file>` to enter it; it is stored encrypted. (A "
    "config that signs in with OAuth2 sets auth_protocol: XOAUTH2 and an oauth block instead.)",
    why="Authenticated sending needs a password (or app password), unless it uses OAuth2.",
    bad=Example(yaml="password: ''\n"),
    good=Example(
        yaml="password: ENC[AES256_GCM,data:dZf8VX7o3A==,iv:T3LFtxT+3+MHwLxHtuQbZU6vKfA/60HlziK6RbdZnzs=,tag:vRXuVSQbm52+RPVZ1vQ26w==,type:str]\n"
    ),
    severity=_E,
    kind="schema",
)
declare(
    id="HELO001",
    name="helo-length",
    fields=("helo_hostname",),
    message="the HELO hostname is empty or longer than 255 characters",
    hint="Use the domain name of the sending system, e.g. crm.example-utility.com.",
    why="Servers refuse over-long or empty EHLO names.",
    bad=Example(yaml="helo_hostname: ''\n"),
    good=Example(yaml="helo_hostname: crm.example.com\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="LIMIT001",
    name="max-connections-range",
    fields=("max_connections",),
    message="maximum connections must be a whole number from 1 to 100",
    hint="Use 10 unless your provider documents another limit.",
    why="Zero connections cannot send; very many connections get the sender blocked.",
    bad=Example(yaml="max_connections: 0\n"),
    good=Example(yaml="max_connections: 10\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="LIMIT002",
    name="retries-range",
    fields=("retries",),
    message="retries must be a whole number from 0 to 10",
    hint="Use 3.",
    why="Too many retries delay error reports and can trigger provider rate limits.",
    bad=Example(yaml="retries: 11\n"),
    good=Example(yaml="retries: 3\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="LIMIT003",
    name="idle-timeout-range",
    fields=("idle_timeout",),
    message="the idle timeout must be 10 to 300 seconds",
    hint='Use 30 (or "30s").',
    why="Too short drops connections between messages; too long keeps server slots busy.",
    bad=Example(yaml="idle_timeout: 5\n"),
    good=Example(yaml="idle_timeout: 30s\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="LIMIT004",
    name="wait-timeout-range",
    fields=("wait_timeout",),
    message="the wait timeout must be 5 to 120 seconds",
    hint='Use 30 (or "30s").',
    why="Too short fails on slow servers; too long hangs the CRM when a server does not answer.",
    bad=Example(yaml="wait_timeout: 600\n"),
    good=Example(yaml="wait_timeout: 30\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="HDR001",
    name="headers-shape",
    fields=("custom_headers",),
    message="custom headers must be text (one 'Name: value' per line) or a mapping of names to values",
    hint="Write one header per line, e.g. 'X-Company: Example Utility'.",
    why="Other shapes cannot be turned into message headers.",
    bad=Example(yaml="custom_headers: [X-One]\n"),
    good=Example(yaml="custom_headers: 'X-Company: Example Utility'\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="PROV001",
    name="provider-id-form",
    fields=("provider",),
    message="the provider is not written as a provider ID",
    hint="Use an ID from `smtpops providers`, in lower case (e.g. gmail, office365, custom).",
    why="Provider IDs select the rules and defaults for that provider.",
    bad=Example(yaml="provider: Gmail Personal\n"),
    good=Example(yaml="provider: custom\n"),
    severity=_E,
    kind="schema",
)
declare(
    id="OAUTH001",
    name="oauth-block-invalid",
    fields=("oauth",),
    message="the oauth block is missing or not in the expected form",
    hint="With auth_protocol: XOAUTH2 or OAUTHBEARER, add an oauth block with its flow and fields "
    "(`smtpops new --auth oauth` writes one; `smtpops rules OAUTH001` shows the fields).",
    why="Without a complete oauth block smtpops cannot get the access token the server asks for.",
    bad=Example(yaml="auth_protocol: XOAUTH2\noauth:\n  flow: magic\n"),
    good=Example(yaml="host: smtp.example.com\n"),
    references=("Fields: " + ", ".join(schema.properties()["oauth"]["properties"]),),
    severity=_E,
    kind="schema",
)
declare(
    id="AUTH006",
    name="basic-auth-reason-form",
    fields=("basic_auth_reenabled",),
    message="basic_auth_reenabled must say, in 10 to 500 characters, why basic authentication "
    "still works",
    hint="Write who re-enabled it, when, and the change reference, e.g. 'Re-enabled by IT on "
    "2027-01-04, change CHG-1234'.",
    why="The exception is reviewed and audited like any other setting; 'yes' tells a reviewer "
    "nothing.",
    bad=Example(yaml="basic_auth_reenabled: yes\n"),
    good=Example(yaml="host: smtp.example.com\n"),
    severity=_E,
    kind="schema",
)
