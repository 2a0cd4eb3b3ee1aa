"""The valid base config that rule doc examples are laid over.

Its password and ``sops`` block were written by a real sops 3.11 for a throw-away age key
that was discarded: well-formed for every keyless check, decryptable by nobody.
"""

BASE = """\
name: example
host: smtp.example.com
port: 587
tls: STARTTLS
auth_protocol: LOGIN
username: alerts@example.com
helo_hostname: crm.example.com
password: ENC[AES256_GCM,data:dZf8VX7o3A==,iv:T3LFtxT+3+MHwLxHtuQbZU6vKfA/60HlziK6RbdZnzs=,tag:vRXuVSQbm52+RPVZ1vQ26w==,type:str]
sops:
  age:
    - recipient: age1eqg033hpgxtfk482wxhcx07e6wtf2a55fytvjrezjwglfgzvd5qq92nqdq
      enc: |
        -----BEGIN AGE ENCRYPTED FILE-----
        YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBwNlhLTVFGOWNQNzNsekZq
        N2xraWNVazdaY1pva3JMZWRIZWhFT05WNW5BCnIzMmZqU1Y0cHF1eWl4c2JjQXZv
        bmFjQm9wU0lhUjA3VTVJVlBZNnM4N3cKLS0tIEdkblhqdlJ4UmVNWmEwemtsbDBG
        dkVpaCtTczJLcG9DV0dubzN5MS9hdWcKXMAipnWAQKo8AomYBToHcCMbfNoLsHMl
        YDic91Jzy4nO2FzyeYiG3d9GTcp35kX8NPPc7nWlSRdO6lDhPp2P5g==
        -----END AGE ENCRYPTED FILE-----
  lastmodified: "2026-11-21T22:41:03Z"
  mac: ENC[AES256_GCM,data:Ax/hrQTESz7yX2/UWsNRU9ASuCZ12gj3tSLFvVkMUu1m6KqJRX2JLBWNev2KOFbFHmBCYuAOIOJn8quDUCPwqkvWOq2JzcOmacs9+NBa29uKdNcHzSCnVfeGxWMyjGrap3h67AEQG8kskf+NfENk3fIIuyXcl+kqYQnUYbS+jWM=,iv:NouwDSFMHFXdvhUKkOjZj+ySQJnY8dZRHkM17t/jwfA=,tag:sQ39dS5dpnPMDx8QnlMuKw==,type:str]
  encrypted_regex: ^password$
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
    client_secret: ENC[AES256_GCM,data:iEVt5lX4v2EznHTb/BHL7Po=,iv:KjKRgxAq7XFoAzzFxPHD4O0JS+quTDgV9nVDhol+JuQ=,tag:xavNwkkNC0U8/t1zg/H/ZQ==,type:str]
sops:
    age:
        - recipient: age132vxkzjvpzs7jfe8hsh7h48u33zwdl33jswl6q8x6uv7e7dcz9tsr3rw2z
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSA2blVhY1VsbnUzaVJsQmIy
            ZzBPOXloTFZZWWZjZFhEZlpUbjcyRzZrTzNFCmFrbG9hckVJbjhxcFVnaG41WDNK
            RTc1MDBxS2tMd2xxMnFMQnlkaEhQcUkKLS0tIDhFOUJSMktwaUhRUXQ5RlJWVXF5
            TGFKVGIrUDRBT0lab212RFhER0pKUkEKWliYvsv0KMCoElySb3hpq6ZncRMXW094
            MmFiGchC+3BCktOkGWmNwk4Pp8CfKaRFZm0rlGYfs3s0ZIB/etJseA==
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-12-01T21:57:00Z"
    mac: ENC[AES256_GCM,data:ukIpd5TnNJHByiJ8juPV//Flmm//W+3NYgyCWh36BTGFzp8hyIodcvySROmXtyrP4AUWxIrpNE1tjmbXn4G6ZrxStzKysPJimEhTZGT/DBYqBHB0LQm3RJE8EVFZ/VE0bg8XeDclVhtGK5O1eeJ3MR27Zt04YFxjwRDL5vxMFVQ=,iv:FpJ0We99nQtdrpVWpCIT283ClEWbqbPSqkXzkbuwb7M=,tag:kkyNsXD21qy+B16i4BOy6g==,type:str]
    encrypted_regex: ^(password|client_secret|private_key|refresh_token|service_account_key)$
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
