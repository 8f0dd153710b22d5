"""Facebook Pages: the Graph API client (page access tokens) and the parsers that turn visitor
posts, comments and page recommendations (/ratings) into canonical review dicts.

What the page itself writes is not a review: a post or comment whose `from.id` is the page is
skipped, and so is a post without `from` (Graph returns `from` for visitors' posts read with a
page token; the page's own posts may lack it). A comment without `from` is kept, unattributed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import requests

from bot.config import Config, ConfigError, FacebookSource
from bot.sources import (
    ErrorKind,
    SourceError,
    env_value,
    get,
    items_of,
    json_of,
    obj,
    present,
    retry_after_seconds,
    status_error,
    whole_number,
)

SOURCE = "facebook"
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


# ---- parsing ---------------------------------------------------------------------------------


def post_url(post: dict[str, Any]) -> str | None:
    post_id = post.get("id")
    fallback = f"https://www.facebook.com/{post_id}" if isinstance(post_id, str) else None
    return post.get("permalink_url") or fallback


def _message_to_canonical(item: dict[str, Any], *, site: str | None,
                          url: str | None) -> dict[str, Any]:
    return present({
        "source": SOURCE,
        "external_id": item.get("id"),
        "site": site,
        "author": obj(item.get("from")).get("name"),
        "text": item.get("message"),
        "url": item.get("permalink_url") or url,
        "created_at": item.get("created_time"),
    })


def _by_visitor(item: dict[str, Any], page_id: str | None, *, default: bool) -> bool:
    author = obj(item.get("from"))
    return author.get("id") != page_id if author else default


def comments_of(post: dict[str, Any]) -> list[Any]:
    """The comments that came inline with a feed post (its first page of them)."""
    return items_of(obj(post.get("comments")), "data")


def feed_items(post: Any, *, page_id: str | None, site: str | None,
               comments: list[Any] | None = None) -> list[Any]:
    """A feed post as review items: the post when a visitor wrote it, then each comment not
    written by the page. `comments` replaces the inline ones (when more pages were read)."""
    if not isinstance(post, dict):
        return [post]
    url = post_url(post)
    items: list[Any] = []
    if _by_visitor(post, page_id, default=False):
        items.append(_message_to_canonical(post, site=site, url=url))
    for comment in comments_of(post) if comments is None else comments:
        if not isinstance(comment, dict):
            items.append(comment)
        elif _by_visitor(comment, page_id, default=True):
            items.append(_message_to_canonical(comment, site=site, url=url))
    return items


def rating_to_canonical(rating: Any, *, page_id: str | None, site: str | None) -> Any:
    """A page recommendation: positive or negative, sometimes with the old 1–5 stars."""
    if not isinstance(rating, dict):
        return rating
    return present({
        "source": SOURCE,
        "external_id": obj(rating.get("open_graph_story")).get("id"),
        "site": site,
        "author": obj(rating.get("reviewer")).get("name"),
        "rating": whole_number(rating.get("rating")),
        "text": rating.get("review_text"),
        # A recommendation has no address of its own; the page's reviews tab shows it.
        "url": f"https://www.facebook.com/{page_id}/reviews" if page_id else None,
        "created_at": rating.get("created_time"),
        "recommendation": rating.get("recommendation_type"),
    })


def _is_rating(item: Any) -> bool:
    return isinstance(item, dict) and ("recommendation_type" in item
                                       or "open_graph_story" in item)


def site_of(page_id: str | None, config: Config) -> str | None:
    for page in config.sources.facebook.pages:
        if page.page_id == page_id:
            return page.site
    return None


def canonical_items(body: Any, config: Config) -> list[Any]:
    """A Graph answer ({"data": [...]}, from /feed or /ratings), a list, or one post or rating.
    The page is the answer's "page_id" when given, else the prefix of each post id
    ("{page-id}_{post-id}"); ratings carry no page id, so without "page_id" they get no site."""
    if isinstance(body, dict) and "data" in body:
        entries = items_of(body, "data")
    else:
        entries = body if isinstance(body, list) else [body]
    given = obj(body).get("page_id")
    given = str(given) if isinstance(given, str | int) else None
    out: list[Any] = []
    for entry in entries:
        if _is_rating(entry):
            out.append(rating_to_canonical(entry, page_id=given,
                                           site=site_of(given, config)))
            continue
        post_id = obj(entry).get("id")
        page_id = given or (post_id.split("_", 1)[0]
                            if isinstance(post_id, str) and "_" in post_id else None)
        out.extend(feed_items(entry, page_id=page_id, site=site_of(page_id, config)))
    return out


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


# ---- the API ---------------------------------------------------------------------------------


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
