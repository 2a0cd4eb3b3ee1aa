"""Field constraints checked by the JSON Schema (``schemas/smtp-config.schema.json``).

These records give each schema failure a stable ID, a plain message and a fix; the
constraints themselves live only in the schema.
"""

from smtpops.diagnostics import Severity
from smtpops.rules.registry import Example, Rule, register

_E = Severity.ERROR


def _schema(
    rid: str,
    name: str,
    fields: tuple[str, ...],
    message: str,
    hint: str,
    why: str,
    bad: str,
    good: str,
    **kw: object,
) -> None:
    register(
        Rule(
            id=rid,
            name=name,
            severity=_E,
            message=message,
            hint=hint,
            why=why,
            bad=Example(yaml=bad),
            good=Example(yaml=good),
            kind="schema",
            fields=fields,
            **kw,  # type: ignore[arg-type]
        )
    )


register(
    Rule(
        id="SCHEMA001",
        name="unknown-field",
        severity=_E,
        message="a field smtpops does not know",
        hint="Check the spelling; `smtpops rules SCHEMA001` lists the fields.",
        why="A misspelt field (e.g. 'hots') is silently ignored by most tools, so the default is used instead of your value.",
        bad=Example(yaml="hots: smtp.example.com\n"),
        good=Example(yaml="host: smtp.example.com\n"),
        kind="schema",
        references=(
            "Fields: name, description, active, provider, host, port, tls, verify_certificate, "
            "ca_file, auth_protocol, username, password, oauth, basic_auth_reenabled, "
            "from_address, helo_hostname, "
            "max_connections, retries, idle_timeout, wait_timeout, custom_headers",
        ),
    )
)
_schema(
    "SCHEMA002",
    "invalid-value",
    ("description", "active", "verify_certificate", "ca_file", "from_address", "sops"),
    "a field has a value of the wrong kind",
    "Use the kind of value the field takes: true/false for switches, text in quotes for descriptions.",
    "A wrong kind of value is read differently by different tools.",
    "active: yes please\n",
    "active: false\n",
)
_schema(
    "NAME001",
    "name-invalid",
    ("name",),
    "the configuration name is missing or not in the expected form",
    "Use letters, digits, '-', '_' or '.', up to 64 characters, starting with a letter or digit (e.g. gmail-primary).",
    "The name identifies the configuration in reviews, deploys and the audit trail, and names its file.",
    "name: 'my config!'\n",
    "name: example\n",
)
_schema(
    "HOST001",
    "host-required",
    ("host",),
    "the SMTP server (host) is missing, empty or longer than 253 characters",
    "Enter the server name from your provider, e.g. smtp.gmail.com or smtp.office365.com.",
    "Without a server there is nothing to send through.",
    "host: ''\n",
    "host: smtp.example.com\n",
)
_schema(
    "PORT001",
    "port-invalid",
    ("port",),
    "the port must be a whole number from 1 to 65535",
    "Use 587 (with STARTTLS) unless your provider says otherwise; write it without quotes or decimals.",
    "Ports outside 1–65535, decimals or text cannot be connected to.",
    "port: '587'\n",
    "port: 587\n",
)
_schema(
    "TLS001",
    "tls-mode-invalid",
    ("tls",),
    "the encryption setting (tls) is not one of STARTTLS, SSL/TLS or None",
    "Use STARTTLS for port 587 or SSL/TLS for port 465, spelt exactly like that.",
    "An unknown encryption mode cannot be applied; guessing could send the password unencrypted.",
    "tls: TLS\n",
    "tls: STARTTLS\n",
)
_schema(
    "AUTH001",
    "auth-protocol-invalid",
    ("auth_protocol",),
    "the authentication protocol is not one of LOGIN, PLAIN, CRAM-MD5, XOAUTH2 or OAUTHBEARER",
    "Use LOGIN with a password unless your provider asks for another one; XOAUTH2 for OAuth2 "
    "(Microsoft 365, Google).",
    "Only these mechanisms are implemented and tested by the CRM.",
    "auth_protocol: NTLM\n",
    "auth_protocol: LOGIN\n",
)
_schema(
    "USER001",
    "username-required",
    ("username",),
    "the username is missing, empty or longer than 320 characters",
    "Enter the account used to sign in, usually the full email address.",
    "Authenticated sending needs an account name.",
    "username: ''\n",
    "username: alerts@example.com\n",
)
_schema(
    "CRED001",
    "password-required",
    ("password",),
    "the password is missing",
    "Run `smtpops secrets set-password <file>` to enter it; it is stored encrypted. (A config "
    "that signs in with OAuth2 sets auth_protocol: XOAUTH2 and an oauth block instead.)",
    "Authenticated sending needs a password (or app password), unless it uses OAuth2.",
    "password: ''\n",
    "password: ENC[AES256_GCM,data:dZf8VX7o3A==,iv:T3LFtxT+3+MHwLxHtuQbZU6vKfA/60HlziK6RbdZnzs=,tag:vRXuVSQbm52+RPVZ1vQ26w==,type:str]\n",
)
_schema(
    "HELO001",
    "helo-length",
    ("helo_hostname",),
    "the HELO hostname is empty or longer than 255 characters",
    "Use the domain name of the sending system, e.g. crm.example-utility.com.",
    "Servers refuse over-long or empty EHLO names.",
    "helo_hostname: ''\n",
    "helo_hostname: crm.example.com\n",
)
_schema(
    "LIMIT001",
    "max-connections-range",
    ("max_connections",),
    "maximum connections must be a whole number from 1 to 100",
    "Use 10 unless your provider documents another limit.",
    "Zero connections cannot send; very many connections get the sender blocked.",
    "max_connections: 0\n",
    "max_connections: 10\n",
)
_schema(
    "LIMIT002",
    "retries-range",
    ("retries",),
    "retries must be a whole number from 0 to 10",
    "Use 3.",
    "Too many retries delay error reports and can trigger provider rate limits.",
    "retries: 11\n",
    "retries: 3\n",
)
_schema(
    "LIMIT003",
    "idle-timeout-range",
    ("idle_timeout",),
    "the idle timeout must be 10 to 300 seconds",
    'Use 30 (or "30s").',
    "Too short drops connections between messages; too long keeps server slots busy.",
    "idle_timeout: 5\n",
    "idle_timeout: 30s\n",
)
_schema(
    "LIMIT004",
    "wait-timeout-range",
    ("wait_timeout",),
    "the wait timeout must be 5 to 120 seconds",
    'Use 30 (or "30s").',
    "Too short fails on slow servers; too long hangs the CRM when a server does not answer.",
    "wait_timeout: 600\n",
    "wait_timeout: 30\n",
)
_schema(
    "HDR001",
    "headers-shape",
    ("custom_headers",),
    "custom headers must be text (one 'Name: value' per line) or a mapping of names to values",
    "Write one header per line, e.g. 'X-Company: Example Utility'.",
    "Other shapes cannot be turned into message headers.",
    "custom_headers: [X-One]\n",
    "custom_headers: 'X-Company: Example Utility'\n",
)
_schema(
    "PROV001",
    "provider-id-form",
    ("provider",),
    "the provider is not written as a provider ID",
    "Use an ID from `smtpops providers`, in lower case (e.g. gmail, office365, custom).",
    "Provider IDs select the rules and defaults for that provider.",
    "provider: Gmail Personal\n",
    "provider: custom\n",
)
_schema(
    "OAUTH001",
    "oauth-block-invalid",
    ("oauth",),
    "the oauth block is missing or not in the expected form",
    "With auth_protocol: XOAUTH2 or OAUTHBEARER, add an oauth block with its flow and fields "
    "(`smtpops new --auth oauth` writes one; `smtpops rules OAUTH001` shows the fields).",
    "Without a complete oauth block smtpops cannot get the access token the server asks for.",
    "auth_protocol: XOAUTH2\noauth:\n  flow: magic\n",
    "host: smtp.example.com\n",
    references=(
        "Fields: flow, tenant, client_id, client_secret, certificate_thumbprint, private_key, "
        "refresh_token, service_account_key, scope, token_url, authority, ca_file",
    ),
)
_schema(
    "AUTH006",
    "basic-auth-reason-form",
    ("basic_auth_reenabled",),
    "basic_auth_reenabled must say, in 10 to 500 characters, why basic authentication still works",
    "Write who re-enabled it, when, and the change reference, e.g. 'Re-enabled by IT on "
    "2027-01-04, change CHG-1234'.",
    "The exception is reviewed and audited like any other setting; 'yes' tells a reviewer nothing.",
    "basic_auth_reenabled: yes\n",
    "host: smtp.example.com\n",
)
