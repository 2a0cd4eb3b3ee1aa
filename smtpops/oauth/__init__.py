"""OAuth2 sign-in for SMTP (XOAUTH2 / OAUTHBEARER): the flows, the decrypted secret parts, and
getting access tokens with the libraries made for it (msal for Microsoft, google-auth for
Google, a plain HTTPS POST for any other token endpoint).

Nothing here is imported at CLI start-up: msal, google-auth and requests load only inside
:func:`smtpops.oauth.token.acquire`. Access tokens live in memory only (:mod:`.cache`).
"""
