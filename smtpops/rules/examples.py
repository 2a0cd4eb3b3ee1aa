"""The valid base config that rule doc examples are laid over.

Its password, the password's binding (the server fields it is sealed to) and the ``sops``
block were written by ``smtpops secrets set-password`` with the real sops 3.11 for a
throw-away age key that was discarded: well-formed for every keyless check, decryptable by
nobody.
"""

BASE = """\
name: example
host: smtp.example.com
port: 587
tls: STARTTLS
auth_protocol: LOGIN
username: alerts@example.com
helo_hostname: crm.example.com
password: ENC[AES256_GCM,data:7TYJF4D4DHWBNLA8qa/XDq68B0yEcss0qbw=,iv:TWT4pORlgS4T4Mj+pDGauRnAdzdOjed/UMp2WcdejD0=,tag:tOoZ9TMzp6386kw9u843Pw==,type:str]
password_binding: ENC[AES256_GCM,data:45rToi6oT0hEXZDczQV33daDz6ISBK2Ft9rgnIZ1Vl9EgHH304QDK+BQkkmH+j+5QBo+/KFjsuCC18Jd5NJbJTN4wPlKBFVn6UC3oUxorDKcyHpB1Zx7DtBD6FrdPqZI62HLkVH+TTnxqW7RYR+gYPGGPyyunDqkUYaMDXS4JK+7TGZXgd1wa4esS8gRAD3gbU74FoPDMQ==,iv:ZonOtqlw/p4LT8Jr9Rd4im/3YivuRN9FH3K/zM/O06M=,tag:7quU6jfnvHhFaOnMsPnEHg==,type:str]
sops:
  age:
    - recipient: age1hyvvlqz6l4ay8hu20wzahkcyepnt3jtq6n9qh4rgk8du4gpqkacqkht4e6
      enc: |
        -----BEGIN AGE ENCRYPTED FILE-----
        YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBaekpHSlNLdUxOZ3JyaXFB
        UUZMaE9HS2xEWFhqaEhDOHVlcWN5WTZrcWxJCjZwcFNTajZxRXBjNFZ1dGpoYVBt
        RTNvS2FNN20rN29GeXVHbGhjdEcwSmcKLS0tIDBDOFZzcmdMdm1PT1hMVDcxUkxn
        R1V3YWNncFc2OEtwK2pEOEhva3E1aDQKTwJ6XzsxcSAtGm+uq1XrM7nd3EgVm62X
        EKp8B6FKq8AdbDDvNmtDQoHR7wM14IoeMwMM3+YqBmT7LOxIoKRSag==
        -----END AGE ENCRYPTED FILE-----
  lastmodified: "2026-12-01T23:59:41Z"
  mac: ENC[AES256_GCM,data:3kGkSt6ku1B5jzYkIdySClwF3inIKSR3astycL7IBMbBaKzje8VGGhsH18xMtgniB5TCyw4lustsTZRBnaU64gI5kQLD91Pe3MjdHV+hQ+gzVoQSdYz9ZfDDe/qLOx9Laz22ZWnfzuSgX7KKmZQQcIRz/g5GHx+6dr01E96RYhA=,iv:24Mj9TrD3+2KAYLe/aU9Qp+nmXVQH/qEGXIBR8iIWMQ=,tag:W5l5jDRPwoTqAzZzugEP9g==,type:str]
  encrypted_regex: ^(password|password_binding|client_secret|private_key|refresh_token|service_account_key)$
  mac_only_encrypted: true
  version: 3.11.0
"""

# A Microsoft 365 app-only OAuth2 config whose client secret was encrypted by a real sops 3.11
# for a throw-away age key (discarded), with the encrypted_regex smtpops writes.
OAUTH_BASE = """\
name: example
host: smtp.office365.com
port: 587
tls: STARTTLS
auth_protocol: XOAUTH2
username: alerts@example.com
helo_hostname: crm.example.com
max_connections: 3
oauth:
    flow: microsoft-app-only
    tenant: contoso.onmicrosoft.com
    client_id: 00000000-0000-0000-0000-000000000000
    client_secret: ENC[AES256_GCM,data:bmQzKWqZCO+x2CP6vNFVsFeQVU87DbYtiIw=,iv:/oOHcrzYzAWe1w5/PBc5RDILkylT4In40kkdlxlEg4o=,tag:dgfVAnDdsZ/mftj8aaqGog==,type:str]
sops:
    age:
        - recipient: age1hyvvlqz6l4ay8hu20wzahkcyepnt3jtq6n9qh4rgk8du4gpqkacqkht4e6
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBBSlg5dU83QmFiT3ovTGN1
            YjAzbW9SNGNrVUZZcUxoUElETDdFdGx1RmpBCkE0d0dnNDBma0U3ZGd0YUw1RHZW
            SnN1KzRpajZIV25xSDdqS3laM0haSG8KLS0tIEZYUUxKZWQwZGM3amlUblNKR2dM
            ck5jVWcxRDRUOStFNFE0ZE4ydmZxTzgKBcYxUsxn27O8C6WauenPZqRbuEKxG8wY
            xwjebzFHNwsE3PGIhr6+fohabwglbfWQyWH/hb8H4o9Pf+Lc4R7EMg==
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-12-01T23:59:41Z"
    mac: ENC[AES256_GCM,data:u2IlIA9mzb/Y6PTwaXK4C3GTGgjMFURCUW05OS8FGJx/0AlLOJ5mPPghpVKEY0g/biga2py8mGHrqundEZcvsdLaP2VujjPqqN8Decl7S5Bf56llfMldMXpmo5TVoZEuGPY+B+Y6QeZzvZCA3t4l5jnBcunbJTh/6Q80q4eAL1w=,iv:AFs/bEzq2l9RlKfoWE+/4rLx8aT8KZOBj1wPIjqnj+0=,tag:8inYXU/hZMGtZb40zI1Idw==,type:str]
    encrypted_regex: ^(password|password_binding|client_secret|private_key|refresh_token|service_account_key)$
    mac_only_encrypted: true
    version: 3.11.0
"""


def oauth_example(replace: dict[str, str] | None = None, **fields: str) -> str:
    """OAUTH_BASE with whole lines replaced (``replace``: old line -> new line) and top-level
    ``fields`` (name -> YAML value text) added before the sops block."""
    text = OAUTH_BASE
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    added = "".join(f"{name}: {value}\n" for name, value in fields.items())
    return text.replace("sops:\n", added + "sops:\n", 1)


OAUTH_SECRET_LINE = next(
    line + "\n" for line in OAUTH_BASE.splitlines() if line.startswith("    client_secret: ")
)
