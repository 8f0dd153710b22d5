"""Facebook Pages: the Graph API client (page access tokens): a page's feed, a post's further
comments and a page's recommendations (/ratings) read a page at a time, and the page's replies
posted, hidden and looked up. What it reads becomes canonical review dicts in
bot.intake.sources.facebook_items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import requests

from bot.config import ConfigError, FacebookSource
from bot.intake.sources import (
    ErrorKind,
    SourceError,
    env_value,
    get,
    items_of,
    json_of,
    obj,
    retry_after_seconds,
    status_error,
)
from bot.intake.sources.facebook_items import SOURCE
from bot.intake.sources.posting import (
    POST_TIMEOUT,
    LookupStatus,
    NoAnswer,
    NotSent,
    PostResult,
    PostStatus,
    ReplyLookup,
    answer_json,
    failed,
    same_text,
    send,
)

PAGE_SIZE = 25
COMMENTS_PAGE_SIZE = 50
_COMMENT_FIELDS = "id,message,from,created_time,permalink_url"
# filter(stream): replies too, not only top-level comments; newest first, so paging can stop.
FEED_FIELDS = (
    "id,message,from,created_time,permalink_url,"
    f"comments.filter(stream).order(reverse_chronological).limit({COMMENTS_PAGE_SIZE})"
    f"{{{_COMMENT_FIELDS}}}"
)
RATING_FIELDS = ("created_time,recommendation_type,review_text,reviewer{id,name},"
                 "open_graph_story{id},rating,has_rating,has_review")

DEPRECATED_CODE = 12
_AUTH_CODES = frozenset({102, 190})
_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})


def next_page_params(answer: Any) -> dict[str, str] | None:
    """The query of the next page, read from `paging.next` (cursor- and time-based paging
    alike), or None on the last page. The request goes to our own base URL, never to the
    address in the answer, and the access_token in it is dropped: ours goes in a header."""
    next_url = obj(obj(answer).get("paging")).get("next")
    if not isinstance(next_url, str):
        return None
    params = dict(parse_qsl(urlsplit(next_url).query))
    params.pop("access_token", None)
    return params or None


def graph_error(response: requests.Response) -> SourceError:
    """Graph reports most errors as HTTP 400 with a code in the body: read the code."""
    try:
        code = obj(obj(response.json()).get("error")).get("code")
    except ValueError:
        code = None
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    status = response.status_code
    if code == DEPRECATED_CODE:
        return SourceError(ErrorKind.DEPRECATED, status=status, code=code)
    if code in _AUTH_CODES:
        return SourceError(ErrorKind.AUTH, status=status, code=code)
    if code in _RATE_LIMIT_CODES:
        return SourceError(ErrorKind.RATE_LIMITED, status=status, code=code,
                           retry_after=retry_after)
    return status_error(response, code if isinstance(code, int) else None)


def page_token_env_name(page_id: str) -> str:
    return f"FACEBOOK_PAGE_TOKEN_{page_id}"


class FacebookClient:
    """Reads a page's feed, a post's further comments and a page's ratings, with that page's
    access token in the Authorization header (never in a URL)."""

    def __init__(self, page_tokens: Mapping[str, str], *, base_url: str, graph_version: str,
                 session: requests.Session | None = None):
        self._page_tokens = dict(page_tokens)
        root = base_url if base_url.endswith("/") else base_url + "/"
        self._base_url = f"{root}{graph_version}/"
        self._session = session or requests.Session()

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, source: FacebookSource) -> FacebookClient:
        """FACEBOOK_PAGE_TOKEN_<page id> for a page, else FACEBOOK_PAGE_TOKEN (a token that can
        read every configured page, such as a system user's)."""
        shared = env_value(env, "FACEBOOK_PAGE_TOKEN")
        tokens = {page.page_id: env_value(env, page_token_env_name(page.page_id)) or shared
                  for page in source.pages}
        missing = [page_id for page_id, token in tokens.items() if not token]
        if missing:
            raise ConfigError(
                f"sources.facebook is enabled but there is no page access token for page "
                f"{', '.join(missing)}: put FACEBOOK_PAGE_TOKEN (or "
                f"{page_token_env_name(missing[0])}) in the environment or .env."
            )
        return cls({page_id: token for page_id, token in tokens.items() if token},
                   base_url=source.base_url, graph_version=source.graph_version)

    def feed_page(self, page_id: str, *, since: int | None,
                  paging: Mapping[str, str] | None = None) -> dict[str, Any]:
        """A page of the page's feed (posts with their first comments); `since` is a Unix time."""
        params: dict[str, Any] = {"fields": FEED_FIELDS, "limit": PAGE_SIZE}
        if since is not None:
            params["since"] = since
        return self._get(page_id, f"{page_id}/feed", params, paging)

    def comments_page(self, page_id: str, post_id: str, *,
                      paging: Mapping[str, str] | None = None) -> dict[str, Any]:
        params = {"fields": _COMMENT_FIELDS, "filter": "stream",
                  "order": "reverse_chronological", "limit": COMMENTS_PAGE_SIZE}
        return self._get(page_id, f"{post_id}/comments", params, paging)

    def ratings_page(self, page_id: str, *,
                     paging: Mapping[str, str] | None = None) -> dict[str, Any]:
        params = {"fields": RATING_FIELDS, "limit": PAGE_SIZE}
        return self._get(page_id, f"{page_id}/ratings", params, paging)

    def _get(self, page_id: str, path: str, params: dict[str, Any],
             paging: Mapping[str, str] | None) -> dict[str, Any]:
        token = self._page_tokens.get(page_id)
        if token is None:
            raise SourceError(ErrorKind.AUTH, code="no token for this page")
        response = get(self._session, self._base_url + quote(path, safe="/"),
                       params={**params, **(paging or {})},
                       headers={"Authorization": f"Bearer {token}"})
        if not response.ok:
            raise graph_error(response)
        return obj(json_of(response))

    # ---- posting: a comment as the page, and hiding a comment -------------------------------

    def post_comment(self, page_id: str, object_id: str, message: str, *,
                     timeout: tuple[float, float] = POST_TIMEOUT) -> PostResult:
        """Comment as the page on a post, a comment (a reply in its thread) or a
        recommendation's story: POST /{object-id}/comments with `message`
        (developers.facebook.com/docs/graph-api/reference/object/comments, "Publishing"; needs
        the page token's pages_manage_engagement). Graph answers {"id": "<comment id>"}. A
        POST is not idempotent: a timeout or a 5xx is an unknown outcome, settled by
        fetch_reply before posting again."""
        problem = comment_problem(message)
        if problem:
            return failed(SOURCE, problem)
        return self._post(page_id, f"{object_id}/comments", {"message": message}, timeout,
                          idempotent=False)

    def hide_comment(self, page_id: str, comment_id: str, *, hidden: bool = True,
                     timeout: tuple[float, float] = POST_TIMEOUT) -> PostResult:
        """Hide (or show again) a visitor's comment: POST /{comment-id} with is_hidden
        (developers.facebook.com/docs/graph-api/reference/comment, "Updating"); Graph answers
        {"success": true}. Hiding twice does no harm, so a lost answer is simply retryable."""
        return self._post(page_id, comment_id, {"is_hidden": "true" if hidden else "false"},
                          timeout, idempotent=True)

    def fetch_reply(self, page_id: str, object_id: str, message: str, *, pages: int = 4,
                    timeout: tuple[float, float] = POST_TIMEOUT) -> ReplyLookup:
        """Whether the page has already commented `message` on the object (newest comments
        first, up to `pages` pages): the check before posting again after an unknown
        outcome."""
        token = self._page_tokens.get(page_id)
        if token is None:
            return ReplyLookup(LookupStatus.CANNOT_TELL, reason="No access token for this page.")
        params: dict[str, Any] = {"fields": "id,message,from", "filter": "stream",
                                  "order": "reverse_chronological", "limit": COMMENTS_PAGE_SIZE}
        for _ in range(pages):
            try:
                response = send(self._session, "GET",
                                self._base_url + quote(f"{object_id}/comments", safe="/"),
                                params=params, headers={"Authorization": f"Bearer {token}"},
                                timeout=timeout)
            except (NotSent, NoAnswer):
                return ReplyLookup(LookupStatus.CANNOT_TELL, reason="Facebook did not answer.")
            if not response.ok:
                failure = _graph_failure(response, idempotent=True)
                return ReplyLookup(LookupStatus.CANNOT_TELL, result=failure,
                                   reason=failure.reason)
            answer = answer_json(response)
            for comment in map(obj, items_of(answer, "data")):
                if (obj(comment.get("from")).get("id") == page_id
                        and same_text(comment.get("message"), message)):
                    return ReplyLookup(LookupStatus.FOUND, result=PostResult(
                        PostStatus.POSTED, SOURCE, reply_id=comment.get("id")))
            following = next_page_params(answer)
            if not following:
                break
            params = following
        return ReplyLookup(LookupStatus.ABSENT)

    def _post(self, page_id: str, path: str, form: dict[str, str],
              timeout: tuple[float, float], *, idempotent: bool) -> PostResult:
        token = self._page_tokens.get(page_id)
        if token is None:
            return failed(SOURCE, f"There is no access token for page {page_id}: set "
                          f"{page_token_env_name(page_id)} or FACEBOOK_PAGE_TOKEN.")
        try:
            response = send(self._session, "POST", self._base_url + quote(path, safe="/"),
                            data=form, headers={"Authorization": f"Bearer {token}"},
                            timeout=timeout)
        except NotSent:
            return failed(SOURCE, "Facebook could not be reached; nothing was posted.",
                          retryable=True)
        except NoAnswer:
            if idempotent:
                return failed(SOURCE, "Facebook did not answer in time; trying again is safe.",
                              retryable=True)
            return PostResult(PostStatus.UNKNOWN, SOURCE,
                              reason="Facebook did not answer in time; the comment may be up.")
        if not response.ok:
            return _graph_failure(response, idempotent=idempotent)
        answer = answer_json(response)
        if "id" in answer:
            return PostResult(PostStatus.POSTED, SOURCE, reply_id=str(answer["id"]))
        if answer.get("success") is True:
            return PostResult(PostStatus.POSTED, SOURCE, reply_id=path)
        return PostResult(PostStatus.UNKNOWN, SOURCE, http_status=response.status_code,
                          reason="Facebook's answer did not say whether it worked.")


MAX_COMMENT_CHARS = 8000
# Graph error codes: permissions (10, 200–299), an expired or invalid token (102, 190), the
# object is gone or cannot take comments (100), the page is blocked from commenting (368),
# throttling (4, 17, 32, 613), and transient (1, 2).
_PERMISSION_CODES = frozenset({10, *range(200, 300)})
_TRANSIENT_CODES = frozenset({1, 2})


def comment_problem(message: str) -> str | None:
    if not message.strip():
        return "The reply is empty."
    if len(message) > MAX_COMMENT_CHARS:
        return (f"Facebook takes comments up to {MAX_COMMENT_CHARS} characters; this one is "
                f"{len(message)}. Shorten it.")
    return None


def _graph_failure(response: requests.Response, *, idempotent: bool) -> PostResult:
    error = obj(answer_json(response).get("error"))
    code = error.get("code") if isinstance(error.get("code"), int) else None
    text = error.get("message") if isinstance(error.get("message"), str) else None
    reason = f"Facebook says: {text or f'HTTP {response.status_code}'}"
    status = response.status_code
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if code in _AUTH_CODES:
        reason += " (the page access token has expired or was revoked: renew it)"
    elif code in _PERMISSION_CODES:
        reason += " (the page token lacks the permission to do this)"
    if code in _RATE_LIMIT_CODES or status == 429:
        return failed(SOURCE, reason, retryable=True, http_status=status, error_code=code,
                      retry_after=retry_after)
    transient = code in _TRANSIENT_CODES or error.get("is_transient") is True or status >= 500
    if transient and not idempotent:
        return PostResult(PostStatus.UNKNOWN, SOURCE, reason=reason, http_status=status,
                          error_code=code)
    return failed(SOURCE, reason, retryable=transient, http_status=status, error_code=code,
                  retry_after=retry_after)
