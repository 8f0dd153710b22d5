"""Who may knock on the intake routes, and how each sender is checked.

- Our own senders (an import job, a reputation platform's relay) set a header:
  `Authorization: Bearer <INTAKE_TOKEN>` (the scheme in any case). `?token=` is refused there.
- Google Pub/Sub push with authentication sends `Authorization: Bearer <OIDC token>`, a JWT
  Google signs for the push subscription's service account, with the audience the
  subscription names (cloud.google.com/pubsub/docs/authenticate-push-subscriptions). With
  `[intake.pubsub]` set, that token is verified with google-auth against Google's published
  certificates (cached as their Cache-Control allows), its audience, its issuer and the
  service account's verified e-mail; nothing else is let in. Without it, Pub/Sub can only
  carry a secret in the push URL (`?token=<INTAKE_TOKEN>`).
- Yelp's partner webhooks carry no signature: Yelp documents only a one-time GET
  `?verification=<string>` that the endpoint answers to prove it is ours
  (docs.developer.yelp.com/docs/webhooks, "Verification Flow"). The secret in the registered
  URL (`?token=`) is the only sender check Yelp leaves; a notice names ids only, and each review
  is then fetched from Yelp's API with our key, so a forged notice cannot bring in text.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import PubSubPush

if TYPE_CHECKING:  # google-auth loads when a push is first verified (10+ MB otherwise idle)
    from google.auth.transport.requests import Request as GoogleRequest

logger = logging.getLogger(__name__)

GOOGLE_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
# How often a token naming a key we do not hold may make us fetch Google's certificates again
# (keys rotate; a stream of forged key ids must not become a stream of fetches).
REFETCH_AT_MOST_EVERY = 60.0
_VERIFICATION = re.compile(r"^[A-Za-z0-9]{1,512}$")


def bearer(headers: Mapping[str, str]) -> str | None:
    """The credentials of an `Authorization: Bearer …` header (scheme in any case, RFC 7235),
    or None when there is none."""
    scheme, _, credentials = (headers.get("Authorization") or "").strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        return None
    return credentials


def same_secret(supplied: str | None, expected: str | None) -> bool:
    """A constant-time comparison; never true when nothing is expected."""
    if not supplied or not expected:
        return False
    return hmac.compare_digest(supplied.encode(), expected.encode())


def yelp_verification(value: str | None) -> str | None:
    """The string Yelp's verification GET asks us to send back, if it is one Yelp would send
    (alphanumeric, per its docs); None otherwise."""
    if value is not None and _VERIFICATION.match(value):
        return value
    return None


@dataclass(frozen=True)
class Refused:
    """Why a request was not let in: a sentence safe to answer and to log (no token in it)."""

    reason: str


class PubSubPushAuth:
    """Verifies the OIDC token Google Pub/Sub puts on an authenticated push."""

    def __init__(self, settings: PubSubPush):
        assert settings.audience and settings.service_account
        self.audience = settings.audience
        self.service_account = settings.service_account
        self.certs_url = settings.certs_url
        self._lock = threading.Lock()
        self._request: GoogleRequest | None = None  # made at the first push
        self._last_refetch = float("-inf")

    def _new_request(self) -> GoogleRequest:
        import cachecontrol
        import requests
        from google.auth.transport.requests import Request as GoogleRequest

        # CacheControl keeps the certificates for as long as Google's Cache-Control says
        # (google-auth's own docs recommend it for id_token verification).
        return GoogleRequest(session=cachecontrol.CacheControl(requests.Session()))

    def verify(self, headers: Mapping[str, str]) -> Refused | None:
        """None when the request carries a valid token for our audience and service account."""
        import google.auth.exceptions

        token = bearer(headers)
        if token is None:
            return Refused("a Pub/Sub push must carry Google's OIDC token "
                           "(Authorization: Bearer …); turn on authentication on the "
                           "push subscription")
        try:
            claims = self._verified_claims(token)
        except google.auth.exceptions.TransportError:
            logger.warning("pubsub push: Google's certificates could not be fetched")
            return Refused("Google's signing certificates could not be fetched; try again")
        except (ValueError, google.auth.exceptions.GoogleAuthError) as error:
            # Only the kind: some of google-auth's messages quote the token they were given.
            logger.info("pubsub push refused: the token did not verify (%s)",
                        type(error).__name__)
            return Refused("the OIDC token is not valid for this endpoint")
        if claims.get("iss") not in GOOGLE_ISSUERS:
            return Refused("the OIDC token was not issued by Google")
        if claims.get("email") != self.service_account or claims.get("email_verified") is not True:
            logger.info("pubsub push refused: token for another service account")
            return Refused("the OIDC token names another service account")
        return None

    def _verified_claims(self, token: str) -> Mapping[str, object]:
        with self._lock:
            if self._request is None:
                self._request = self._new_request()
            request = self._request
        try:
            return self._decode(token, request)
        except ValueError as error:
            if "not found" not in str(error).lower() or not self._may_refetch():
                raise
        # A key id we do not know: Google may have rotated its keys since we cached them.
        with self._lock:
            self._request = self._new_request()
            request = self._request
        return self._decode(token, request)

    def _decode(self, token: str, request: GoogleRequest) -> Mapping[str, object]:
        from google.oauth2 import id_token

        return id_token.verify_token(token, request, audience=self.audience,
                                     certs_url=self.certs_url, clock_skew_in_seconds=10)

    def _may_refetch(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._last_refetch < REFETCH_AT_MOST_EVERY:
                return False
            self._last_refetch = now
            return True
