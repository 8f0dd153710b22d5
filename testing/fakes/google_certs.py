"""A fake of Google's OAuth2 certificate endpoint on 127.0.0.1, and the OIDC tokens Google
Pub/Sub would put on an authenticated push, signed with a local RSA key: a token is checked
the way a real one is, without the internet.

Google serves {key id: X.509 certificate (PEM)} at https://www.googleapis.com/oauth2/v1/certs
with a Cache-Control max-age; a push token is a JWT (RS256) with iss accounts.google.com, the
subscription's audience, and the service account's e-mail (email_verified true)
(cloud.google.com/pubsub/docs/authenticate-push-subscriptions)."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

from testing.fakes.json_api import Answer, FakeApi, Handler, Request

PUSH_SERVICE_ACCOUNT = "reviewdesk-push@example-project.iam.gserviceaccount.com"


class _Key:
    def __init__(self, kid: str):
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-google-oauth2")])
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.private.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=7))
            .sign(self.private, hashes.SHA256())
        ).public_bytes(serialization.Encoding.PEM).decode()
        pem = self.private.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        self.signer = crypt.RSASigner.from_string(pem, key_id=kid)


class FakeGoogleCerts(FakeApi):
    """Google's certificates (one key at a time; `rotate()` replaces it) and its push tokens."""

    def __init__(self, *, max_age: int = 3600) -> None:
        super().__init__()
        self.max_age = max_age
        self._kids = (f"fake-kid-{n}" for n in itertools.count(1))
        self.key = _Key(next(self._kids))

    def routes(self) -> list[tuple[str, str, str, Handler]]:
        return [("certs", "GET", r"/oauth2/v1/certs", self._certs)]

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"code": status, "message": message}}

    @property
    def certs_url(self) -> str:
        return f"{self.base_url}oauth2/v1/certs"

    def rotate(self) -> None:
        self.key = _Key(next(self._kids))

    def _certs(self, request: Request, match: re.Match[str]) -> Answer:
        return Answer(200, {self.key.kid: self.key.certificate},
                      {"Cache-Control": f"public, max-age={self.max_age}, must-revalidate"})

    def push_token(self, *, audience: str, email: str = PUSH_SERVICE_ACCOUNT,
                   issuer: str = "https://accounts.google.com", email_verified: bool = True,
                   lifetime: int = 3600, issued: float | None = None,
                   key: _Key | None = None) -> str:
        """The OIDC token Pub/Sub sends as `Authorization: Bearer …`."""
        now = int(time.time() if issued is None else issued)
        claims = {"aud": audience, "azp": "113774264463038321964", "email": email,
                  "email_verified": email_verified, "iat": now, "exp": now + lifetime,
                  "iss": issuer, "sub": "113774264463038321964"}
        return jwt.encode((key or self.key).signer, claims).decode()

    def stranger_key(self) -> _Key:
        """A key Google never published (a forger's)."""
        return _Key("fake-kid-forged")
