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
