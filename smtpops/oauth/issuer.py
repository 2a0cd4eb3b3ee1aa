"""A local OAuth2 token endpoint on loopback (HTTPS, certificate from a given trustme CA) that
answers like Microsoft Entra and Google: the sandbox signs its XOAUTH2 users in with it, and
the tests reach it through msal and google-auth themselves.

Microsoft side: ``GET /<tenant>/v2.0/.well-known/openid-configuration`` (what msal reads with
instance discovery off) and ``POST /<tenant>/oauth2/v2.0/token`` (client credentials with a
secret or a certificate assertion, refresh tokens), errors as AADSTS numbers. Google side:
``POST /token`` (refresh tokens; service-account JWTs, signature checked). Tokens are random,
shaped as JWTs whose claims say what was granted; :meth:`TokenIssuer.check` is what an SMTP
server asks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import threading
import time
import urllib.parse
from dataclasses import field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from smtpops.records import record

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SEND_AS_APP = "SMTP.SendAsApp"
GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@record(kw_only=True)
class Client:
    """An app registration (Microsoft) or OAuth client (Google, generic)."""

    client_id: str
    secret: str | None = None
    secret_expired: bool = False
    tenant: str = "sandbox"
    roles: tuple[str, ...] = (SEND_AS_APP,)  # application permissions with admin consent
    consented: bool = True
    certificate_pem: bytes | None = None  # public certificate for client assertions
    refresh_tokens: set[str] = field(default_factory=set)
    mailboxes: tuple[str, ...] | None = None  # app-only: None = may send as any mailbox
    user: str | None = None  # refresh tokens: the mailbox whose user signed in (None: any)


@record(kw_only=True)
class ServiceAccount:
    email: str
    public_key_pem: bytes
    delegated_scopes: tuple[str, ...] = ("https://mail.google.com/",)  # domain-wide delegation


@record(frozen=True)
class Issued:
    subject: str | None  # the mailbox (delegated, service account); None for app-only
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float


class TokenIssuer:
    def __init__(
        self, ca: Any, *, names: tuple[str, ...] = ("localhost", "127.0.0.1"), lifetime: int = 3599
    ) -> None:
        self.ca = ca
        self.names = names
        self.lifetime = lifetime
        self.clients: dict[str, Client] = {}
        self.service_accounts: dict[str, ServiceAccount] = {}
        self.tenants: set[str] = set()
        self.issued: dict[str, Issued] = {}
        self.requests: list[str] = []  # "METHOD path grant_type" (never a secret)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- set-up ----------------------------------------------------------------------------
    def add_client(self, client: Client) -> Client:
        self.clients[client.client_id] = client
        self.tenants.add(client.tenant)
        return client

    def add_service_account(self, account: ServiceAccount) -> ServiceAccount:
        self.service_accounts[account.email] = account
        return account

    def new_refresh_token(self, client_id: str) -> str:
        token = "rt-" + secrets.token_urlsafe(24)
        self.clients[client_id].refresh_tokens.add(token)
        return token

    @property
    def base_url(self) -> str:
        return f"https://{self.names[0]}:{self.port}"

    def authority(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}"

    @property
    def google_token_url(self) -> str:
        return f"{self.base_url}/token"

    def token_url(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}/oauth2/v2.0/token"

    # -- what an SMTP server asks ------------------------------------------------------------
    def check(self, user: str, token: str, scope: str | None = None) -> dict[str, str] | None:
        """None when ``token`` lets ``user`` send; else the XOAUTH2 error (status, schemes,
        scope) the server returns in its 334 challenge."""
        issued = self.issued.get(token)
        if issued is None or issued.expires_at < time.time():
            return {"status": "401", "schemes": "Bearer", "scope": scope or ""}
        if scope and scope not in issued.scopes:
            return {"status": "403", "schemes": "Bearer", "scope": scope}
        client = self.clients.get(issued.client_id)
        if issued.subject is None:  # app-only: the app must have a role and the mailbox
            if client is None or SEND_AS_APP not in client.roles:
                return {"status": "403", "schemes": "Bearer", "scope": scope or ""}
            if client.mailboxes is not None and user not in client.mailboxes:
                return {"status": "mailbox", "schemes": "Bearer", "scope": scope or ""}
        elif issued.subject not in ("*", user):
            return {"status": "400", "schemes": "Bearer", "scope": scope or ""}
        return None

    # -- the HTTPS server --------------------------------------------------------------------
    def start(self) -> TokenIssuer:
        leaf = self.ca.issue_cert(*self.names)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        leaf.configure_cert(context)
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: tests read issuer.requests

            def do_GET(self) -> None:
                issuer._get(self)

            def do_POST(self) -> None:
                issuer._post(self)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="smtpops-issuer"
        )  # a short poll: stop() returns at once
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> TokenIssuer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- requests ----------------------------------------------------------------------------
    def _reply(self, handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        path = urllib.parse.urlsplit(handler.path).path
        self.requests.append(f"GET {path}")
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            tenant = parts[0]
            if tenant not in self.tenants:
                self._reply(
                    handler,
                    400,
                    _aad(
                        "invalid_tenant",
                        90002,
                        f"Tenant '{tenant}' "
                        "not found. Check to make sure you have the correct tenant ID "
                        "and are signing into the correct cloud.",
                    ),
                )
                return
            base = self.authority(tenant)
            self._reply(
                handler,
                200,
                {
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "issuer": f"{base}/v2.0",
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_post",
                        "private_key_jwt",
                    ],
                },
            )
            return
        self._reply(handler, 404, {"error": "not_found"})

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        path = urllib.parse.urlsplit(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        form = {
            k: v[0]
            for k, v in urllib.parse.parse_qs(
                handler.rfile.read(length).decode("utf-8", "replace")
            ).items()
        }
        self.requests.append(f"POST {path} {form.get('grant_type', '')}")
        parts = path.strip("/").split("/")
        if path == "/token":
            status, body = self._google(form)
        elif len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            status, body = self._microsoft(parts[0], form)
        else:
            status, body = 404, {"error": "not_found"}
        self._reply(handler, status, body)

    def _grant(
        self, client_id: str, subject: str | None, scopes: tuple[str, ...], claims: dict[str, Any]
    ) -> dict[str, Any]:
        now = int(time.time())
        payload = {"iat": now, "exp": now + self.lifetime, "appid": client_id, **claims}
        header = _b64url(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
        body = _b64url(json.dumps(payload).encode())
        signature = _b64url(secrets.token_bytes(32))
        token = f"{header}.{body}.{signature}"
        self.issued[token] = Issued(subject, client_id, scopes, now + self.lifetime)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "scope": " ".join(scopes),
        }

    def _client_auth(
        self, client: Client, form: dict[str, str], aad: bool
    ) -> tuple[int, dict[str, Any]] | None:
        assertion = form.get("client_assertion")
        if assertion and form.get("client_assertion_type") == ASSERTION:
            if client.certificate_pem is None or not _verify_assertion(
                assertion, client.certificate_pem
            ):
                return 401, _aad(
                    "invalid_client", 700027, "Client assertion failed signature validation."
                )
            return None
        secret = form.get("client_secret")
        if (
            client.secret is None
            or secret is None
            or not secrets.compare_digest(secret, client.secret)
        ):
            if aad:
                return 401, _aad(
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. "
                    "Ensure the secret being sent in the request is the client "
                    "secret value, not the client secret ID, for a secret added to "
                    f"app '{client.client_id}'.",
                )
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        if client.secret_expired:
            if aad:
                return 401, _aad(
                    "invalid_client",
                    7000222,
                    f"The provided client secret keys for app '{client.client_id}' are expired.",
                )
            return 401, {
                "error": "invalid_client",
                "error_description": "The provided client secret has expired.",
            }
        return None

    def _microsoft(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if tenant not in self.tenants:
            return 400, _aad("invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        client = self.clients.get(form.get("client_id", ""))
        if client is None or client.tenant != tenant:
            return 400, _aad(
                "unauthorized_client",
                700016,
                "Application with identifier "
                f"'{form.get('client_id', '')}' was not found in the directory "
                f"'{tenant}'.",
            )
        grant = form.get("grant_type")
        scopes = tuple(form.get("scope", "").split())
        if grant == "refresh_token":
            if client.secret is not None and "client_secret" in form:
                refused = self._client_auth(client, form, aad=True)
                if refused:
                    return refused
            if form.get("refresh_token") not in client.refresh_tokens:
                return 400, _aad(
                    "invalid_grant", 700082, "The refresh token has expired due to inactivity."
                )
            wanted = tuple(s for s in scopes if s not in ("offline_access", "openid", "profile"))
            if not client.consented:
                return 400, _aad(
                    "invalid_grant",
                    65001,
                    "The user or administrator has not "
                    f"consented to use the application with ID '{client.client_id}'.",
                )
            body = self._grant(
                client.client_id,
                client.user or "*",
                wanted,
                {"scp": " ".join(s.rsplit("/", 1)[-1] for s in wanted), "tid": tenant},
            )
            body["refresh_token"] = form["refresh_token"]
            return 200, body
        if grant != "client_credentials":
            return 400, _aad(
                "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        refused = self._client_auth(client, form, aad=True)
        if refused:
            return refused
        if not any(s.endswith("/.default") for s in scopes):
            return 400, _aad(
                "invalid_scope",
                1002012,
                "The provided value for scope is not "
                "valid. Client credential flows must have a scope value with "
                "/.default suffixed to the resource identifier.",
            )
        if not client.consented:
            return 400, _aad(
                "invalid_client",
                65001,
                "The user or administrator has not "
                f"consented to use the application with ID '{client.client_id}'.",
            )
        return 200, self._grant(
            client.client_id, None, scopes, {"roles": list(client.roles), "tid": tenant}
        )

    def _google(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type")
        if grant == JWT_BEARER:
            return self._service_account(form.get("assertion", ""))
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            return 401, {
                "error": "invalid_client",
                "error_description": "The OAuth client was not found.",
            }
        refused = self._client_auth(client, form, aad=False)
        if refused:
            return refused
        if grant != "refresh_token" or form.get("refresh_token") not in client.refresh_tokens:
            return 400, {
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            }
        scopes = tuple(form.get("scope", "https://mail.google.com/").split())
        if not client.consented:
            return 400, {"error": "invalid_scope", "error_description": "Bad Request"}
        return 200, self._grant(client.client_id, client.user or "*", scopes, {})

    def _service_account(self, assertion: str) -> tuple[int, dict[str, Any]]:
        try:
            _, payload_b64, _ = assertion.split(".")
            claims = json.loads(_unb64url(payload_b64))
        except ValueError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT."}
        account = self.service_accounts.get(str(claims.get("iss")))
        if account is None or not _verify_rs256(assertion, account.public_key_pem):
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        audiences = (self.google_token_url, GOOGLE_AUDIENCE)  # google-auth always names Google's
        if claims.get("aud") not in audiences or int(claims.get("exp", 0)) < time.time():
            return 400, {
                "error": "invalid_grant",
                "error_description": "Invalid JWT: Token "
                "must be a short-lived token (60 minutes) and in a reasonable timeframe.",
            }
        scopes = tuple(str(claims.get("scope", "")).split())
        if not scopes or not set(scopes) <= set(account.delegated_scopes):
            return 401, {
                "error": "unauthorized_client",
                "error_description": "Client is "
                "unauthorized to retrieve access tokens using this method, or client "
                "not authorized for any of the scopes requested.",
            }
        body = self._grant(account.email, str(claims.get("sub") or account.email), scopes, {})
        body.pop("scope")  # Google does not echo the scope here
        return 200, body


def _aad(error: str, code: int, text: str) -> dict[str, Any]:
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {text} Trace ID: {secrets.token_hex(8)} "
        f"Correlation ID: {secrets.token_hex(8)} Timestamp: 2026-12-01 00:00:00Z",
        "error_codes": [code],
        "timestamp": "2026-12-01 00:00:00Z",
        "trace_id": secrets.token_hex(8),
        "correlation_id": secrets.token_hex(8),
    }


def _verify_rs256(jwt: str, public_pem: bytes) -> bool:
    # lazy: cryptography loads only when a signed assertion is checked
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    head, body, signature = jwt.split(".")
    key = serialization.load_pem_public_key(public_pem)
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(
            _unb64url(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _verify_assertion(jwt: str, certificate_pem: bytes) -> bool:
    """A Microsoft client assertion: signed by the certificate's key, x5t its SHA-1 thumbprint."""
    # lazy: cryptography loads only when a signed assertion is checked
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(certificate_pem)
    try:
        header = json.loads(_unb64url(jwt.split(".")[0]))
    except ValueError:
        return False
    thumbprint = hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).digest()
    if str(header.get("x5t", "")).rstrip("=") != _b64url(thumbprint):
        return False
    public = cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _verify_rs256(jwt, public)
