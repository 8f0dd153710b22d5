"""A fake Google Business Profile API (v4 reviews) and OAuth token endpoint on 127.0.0.1, for
tests; and `FakeApi`, the JSON-over-HTTP scaffold the Facebook and Yelp fakes share.

`FakeGoogle` answers in Google's shapes, seeded from the shared samples: reviews.list (newest
update first, paged by pageSize/pageToken/nextPageToken), reviews.get, and the token endpoint
google-auth refreshes against. Failures can be injected: expired access tokens (401), 429 with
Retry-After, 5xx. Standard library only."""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SAMPLES = Path("/work/shared/samples")


def sample(name: str) -> Any:
    """A shared sample file, parsed."""
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


# ---- the scaffold ----------------------------------------------------------------------------


@dataclass
class Request:
    """One request a fake received; `route` is the name of the route that answered it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    route: str = ""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Failure:
    route: str
    status: int
    retry_after: int | None
    remaining: int
    skip: int  # requests to let through first


Handler = Callable[[Request, re.Match[str]], Answer]


def encode_offset(offset: int) -> str:
    """An opaque page token / cursor, as APIs hand out."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_offset(token: str | None) -> int | None:
    """The offset in a token from `encode_offset` (0 for none); None for a token it never made."""
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except ValueError:
        return None


class FakeApi:
    """Serves the routes a subclass lists on 127.0.0.1 (a free port) in a daemon thread and
    records every request. `fail()` queues injected failures per route name."""

    def __init__(self) -> None:
        self.calls: list[Request] = []
        self._failures: list[_Failure] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- for subclasses ---------------------------------------------------------------

    def routes(self) -> list[tuple[str, str, str, Handler]]:
        """(route name, HTTP method, path regex, handler), tried in order."""
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        """The provider's error JSON for `status`."""
        raise NotImplementedError

    # ---- lifecycle --------------------------------------------------------------------

    def start(self) -> FakeApi:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = fake._handle(method, self.path, dict(self.headers.items()), body)
                payload = json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>/, with the trailing slash."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    # ---- failures and records ---------------------------------------------------------

    def fail(self, route: str = "*", *, status: int, retry_after: int | None = None,
             times: int = 1, after: int = 0) -> None:
        """Answer `times` requests to `route` ("*": any), after letting `after` through, with
        `status` and the provider's error body (and Retry-After, when given)."""
        with self._lock:
            self._failures.append(_Failure(route, status, retry_after, times, after))

    def calls_to(self, route: str) -> list[Request]:
        with self._lock:
            return [call for call in self.calls if call.route == route]

    def _take_failure(self, route: str) -> Answer | None:
        with self._lock:
            for failure in self._failures:
                if failure.route in ("*", route) and failure.skip:
                    failure.skip -= 1
                    return None
                if failure.route in ("*", route):
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                    headers = ({"Retry-After": str(failure.retry_after)}
                               if failure.retry_after is not None else {})
                    return Answer(failure.status, self.error_body(failure.status, "injected"),
                                  headers)
        return None

    def _handle(self, method: str, raw_path: str, headers: dict[str, str],
                body: bytes) -> Answer:
        parts = urlsplit(raw_path)
        form = dict(parse_qsl(body.decode())) if body else {}
        request = Request(method, parts.path, dict(parse_qsl(parts.query)), headers, form)
        for name, verb, pattern, handler in self.routes():
            match = re.fullmatch(pattern, parts.path)
            if match is None or verb != method:
                continue
            request.route = name
            with self._lock:
                self.calls.append(request)
                return self._take_failure(name) or handler(request, match)
        return Answer(404, self.error_body(404, f"no route for {method} {parts.path}"))


def bearer(request: Request) -> str | None:
    """The token of an "Authorization: Bearer …" header (header names are case-insensitive)."""
    for name, value in request.headers.items():
        if name.lower() == "authorization" and value.startswith("Bearer "):
            return value.removeprefix("Bearer ")
    return None


# ---- Google ----------------------------------------------------------------------------------

SAMPLE_LOCATION = "accounts/108/locations/2201"
_STARS = ("ONE", "TWO", "THREE", "FOUR", "FIVE")
_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                  404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                  502: "UNAVAILABLE", 503: "UNAVAILABLE"}


class FakeGoogle(FakeApi):
    """Reviews by location, an OAuth client, and the access tokens it has issued."""

    def __init__(self, *, client_id: str = "fake-client.apps.googleusercontent.com",
                 client_secret: str = "fake-client-secret",
                 refresh_token: str = "fake-refresh-token", max_page_size: int = 50) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.max_page_size = max_page_size
        self.reviews: dict[str, list[dict[str, Any]]] = {}
        self._tokens: set[str] = set()
        self._token_numbers = itertools.count(1)

    # ---- set-up -----------------------------------------------------------------------

    def seed_samples(self, location: str = SAMPLE_LOCATION) -> None:
        """The reviews of google_reviews_page1.json and google_reviews_page2.json."""
        for name in ("google_reviews_page1.json", "google_reviews_page2.json"):
            for review in sample(name)["reviews"]:
                self.add_review(location, review)

    def add_review(self, location: str, review: dict[str, Any]) -> None:
        """Add a review, or replace the one with the same reviewId (an edit)."""
        with self._lock:
            reviews = self.reviews.setdefault(location, [])
            reviews[:] = [r for r in reviews if r["reviewId"] != review["reviewId"]]
            reviews.append(review)

    def expire_tokens(self) -> None:
        """Every access token issued so far now answers 401, as after its hour is up."""
        with self._lock:
            self._tokens.clear()

    @property
    def api_url(self) -> str:
        return self.base_url + "v4/"

    @property
    def token_uri(self) -> str:
        return self.base_url + "token"

    def env(self) -> dict[str, str]:
        """The environment GoogleClient.from_env reads, pointing at this fake."""
        return {"GOOGLE_CLIENT_ID": self.client_id, "GOOGLE_CLIENT_SECRET": self.client_secret,
                "GOOGLE_REFRESH_TOKEN": self.refresh_token, "GOOGLE_TOKEN_URI": self.token_uri}

    # ---- the API ----------------------------------------------------------------------

    def routes(self) -> list[tuple[str, str, str, Handler]]:
        location = r"accounts/[^/]+/locations/[^/]+"
        return [
            ("token", "POST", r"/token", self._token),
            ("list", "GET", rf"/v4/(?P<location>{location})/reviews", self._list),
            ("get", "GET", rf"/v4/(?P<name>(?P<location>{location})/reviews/[^/]+)", self._get),
        ]

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"code": status, "message": message,
                          "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}}

    def _token(self, request: Request, match: re.Match[str]) -> Answer:
        form = request.form
        if (form.get("grant_type") != "refresh_token"
                or form.get("refresh_token") != self.refresh_token
                or form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret):
            return Answer(400, {"error": "invalid_grant", "error_description": "Bad Request"})
        token = f"ya29.fake-{next(self._token_numbers)}"
        self._tokens.add(token)
        return Answer(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def _unauthenticated(self, request: Request) -> Answer | None:
        if bearer(request) in self._tokens:
            return None
        return Answer(401, self.error_body(
            401, "Request had invalid authentication credentials. Expected OAuth 2 access "
                 "token, login cookie or other valid authentication credential."),
            {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})

    def _list(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._unauthenticated(request)
        if refused:
            return refused
        reviews = list(self.reviews.get(match["location"], []))
        if request.query.get("orderBy", "updateTime desc") == "updateTime desc":
            reviews.sort(key=lambda review: review["updateTime"], reverse=True)
        offset = decode_offset(request.query.get("pageToken"))
        if offset is None:
            return Answer(400, self.error_body(400, "Request contains an invalid argument."))
        size = min(int(request.query.get("pageSize") or 50), self.max_page_size, 50)
        answer: dict[str, Any] = {}
        if reviews[offset:offset + size]:
            answer["reviews"] = reviews[offset:offset + size]
        if reviews:
            stars = [_STARS.index(r["starRating"]) + 1
                     for r in reviews if r.get("starRating") in _STARS]
            answer["averageRating"] = round(sum(stars) / len(stars), 1) if stars else 0
            answer["totalReviewCount"] = len(reviews)
        if offset + size < len(reviews):
            answer["nextPageToken"] = encode_offset(offset + size)
        return Answer(200, answer)

    def _get(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._unauthenticated(request)
        if refused:
            return refused
        for review in self.reviews.get(match["location"], []):
            if review.get("name") == match["name"]:
                return Answer(200, review)
        return Answer(404, self.error_body(404, "Requested entity was not found."))
