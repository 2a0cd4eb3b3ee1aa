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
password: ENC[AES256_GCM,data:JFhdq82seo4x5wQjmQfRfg==,iv:DpTVgfyaHn4zQWQ58cQw9pUA9BhSjCfNdf5VXMxrLC0=,tag:R534aNHfa5c4dto3ByNnEg==,type:str]
password_binding: ENC[AES256_GCM,data:G9W+1WPd+SjLagIwfPzdNxUWgj4riW8TXvMDisONgXjmYv5P/mDs2OCTbvGT6HGCZNPfdQVD+ucTMANeGlOfIb2wJghbxYCB+Gmadgt3HqewFnLlVkXwtsIreZbIL0Tb/jP8oafTAu8hG66b2r5A0ZY3zLfL0MqLSb0C5FLxtpvp7sHi8QXpUL0roGyNN8KOXrFypoKEcw==,iv:3BMmmyZlIag6LnVwezhIRWyjmRAcSmacazTuyMesb/g=,tag:7ncqf94j955agov1Gfc8Aw==,type:str]
sops:
  age:
    - recipient: age16kh9tfzk5m35dxn0p73c82w7csjhp5vwprwwnvvu7w2eznlasvkqtufduc
      enc: |
        -----BEGIN AGE ENCRYPTED FILE-----
        YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBYeGhiZTByczh1QzkwNFpQ
        L2QxUHRVbWgzMGE3VEU4WkxJRElIM1lqWFhjClFBUEZWenEvVEdoOGVJZ05TbnBM
        SXJMQnFrTjBIODhmcGk3dFpyQ3VCS0UKLS0tIE4xdytYUkllZUx1Vi9EMGFtNXh3
        bWdiaS9vY3UwQVhIOG9SMmxtT0kwbEkKiUjg5j6m8JWiFp6fbEaekhvRaRhotb15
        9VCSHdR1G5f4U9/uNLGbfRevFYbLp8POVADLlp5WCqMKh3IZmI05yg==
        -----END AGE ENCRYPTED FILE-----
  lastmodified: "2026-12-01T22:10:41Z"
  mac: ENC[AES256_GCM,data:kpYtYbVnpqhAmRUWsDFoepYS4kRTKOAMwsqExO7P+S3LxafGTW+af5sDTyeNZXZTeFeLnSIw5i+qW3OMqdOaEE1w4VaIxRaY2NaKJBAHyZ4pXb6fmFmFuCYEF7wlXKrENydUXazk7MOaBiPXWwX5AnRAPCx6KtL1i7x0pREl+LY=,iv:mml4er/Xi+S2gqAHG5tEelyFBad8JM8SXfP7TKOQLQo=,tag:l/Z6CYUNklD+tm28u4X30w==,type:str]
  encrypted_regex: ^(password|password_binding)$
  mac_only_encrypted: true
  version: 3.11.0
"""
