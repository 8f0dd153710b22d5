"""A fake Facebook Graph API for one page, on 127.0.0.1, for tests.

Answers /{page}/feed (posts newest first, each with its first comments inline, newest first,
`since` applied to a post's latest activity), /{post}/comments and /{page}/ratings in Graph's
shapes, seeded from the shared samples, with cursor paging whose `next` URLs carry an
access_token as Graph's do; and the page's own writes: POST /{object}/comments (a comment as
the page) and POST /{comment} with is_hidden. Modes and failures: ratings deprecated (error code
12, as Graph v22+ answers), an expired token (code 190), a token without the engagement
permission (code 200), 429 (code 4), 5xx (code 2) and silences."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from testing.fakes.json_api import (
    Answer,
    FakeApi,
    Handler,
    Request,
    bearer,
    decode_offset,
    encode_offset,
    sample,
)

SAMPLE_PAGE_ID = "1122334455"
_ERROR_CODES = {400: 100, 401: 190, 403: 200, 429: 4}


def _time(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["created_time"])


class FakeFacebook(FakeApi):
    """One page's posts, their comments and its ratings."""

    def __init__(self, *, page_id: str = SAMPLE_PAGE_ID, page_token: str = "fake-page-token",
                 page_size: int = 25, comments_page_size: int = 50) -> None:
        super().__init__()
        self.page_id = page_id
        self.page_token = page_token
        self.page_size = page_size
        self.comments_page_size = comments_page_size
        self.posts: list[dict[str, Any]] = []
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.ratings: list[dict[str, Any]] = []
        self.ratings_deprecated = False
        self.token_expired = False
        self.can_engage = True  # False: the token lacks pages_manage_engagement
        self._comment_numbers = itertools.count(1)

    # ---- set-up -----------------------------------------------------------------------

    def seed_samples(self) -> None:
        """The posts and comments of facebook_feed.json, the ratings of facebook_ratings.json."""
        for post in sample("facebook_feed.json")["data"]:
            comments = post.pop("comments", {}).get("data", [])
            self.add_post(post)
            for comment in comments:
                self.add_comment(post["id"], comment)
        for rating in sample("facebook_ratings.json")["data"]:
            self.add_rating(rating)

    def add_post(self, post: dict[str, Any]) -> None:
        with self._lock:
            self.posts.append(post)
            self.comments.setdefault(post["id"], [])

    def add_comment(self, post_id: str, comment: dict[str, Any]) -> None:
        with self._lock:
            self.comments.setdefault(post_id, []).append(comment)

    def add_rating(self, rating: dict[str, Any]) -> None:
        with self._lock:
            self.ratings.append(rating)

    # ---- the API ----------------------------------------------------------------------

    def routes(self) -> list[tuple[str, str, str, Handler]]:
        version = r"/(?P<version>v\d+\.\d+)"
        return [
            ("feed", "GET", rf"{version}/(?P<page>[^/_]+)/feed", self._feed),
            ("comments", "GET", rf"{version}/(?P<post>[^/]+_[^/]+)/comments", self._comments),
            ("ratings", "GET", rf"{version}/(?P<page>[^/_]+)/ratings", self._ratings),
            ("object_comments", "GET", rf"{version}/(?P<post>[^/]+)/comments", self._comments),
            ("comment_post", "POST", rf"{version}/(?P<object>[^/]+)/comments", self._comment_post),
            ("comment_update", "POST", rf"{version}/(?P<comment>[^/]+)", self._comment_update),
        ]

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"message": message, "type": "OAuthException",
                          "code": _ERROR_CODES.get(status, 2), "is_transient": status >= 500,
                          "fbtrace_id": "FakeTrace"}}

    def _refused(self, request: Request, page: str | None) -> Answer | None:
        token = bearer(request) or request.query.get("access_token")
        if token != self.page_token:
            return Answer(400, {"error": {
                "message": "Invalid OAuth access token - Cannot parse access token",
                "type": "OAuthException", "code": 190, "fbtrace_id": "FakeTrace"}})
        if self.token_expired:
            return Answer(400, {"error": {
                "message": "Error validating access token: Session has expired.",
                "type": "OAuthException", "code": 190, "error_subcode": 463,
                "fbtrace_id": "FakeTrace"}})
        if page is not None and page != self.page_id:
            return Answer(400, {"error": {
                "message": f"(#100) Unknown page {page}", "type": "OAuthException",
                "code": 100, "fbtrace_id": "FakeTrace"}})
        return None

    def _slice(self, path: str, query: dict[str, str], items: list[dict[str, Any]], offset: int,
               size: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Items offset…offset+size and their `paging` object, as Graph answers."""
        chosen = copy.deepcopy(items[offset:offset + size])
        paging: dict[str, Any] = {"cursors": {"before": encode_offset(offset),
                                              "after": encode_offset(offset + len(chosen))}}
        if offset + size < len(items):
            following = {**query, "access_token": self.page_token,
                         "after": encode_offset(offset + size)}
            paging["next"] = f"{self.base_url}{path.lstrip('/')}?{urlencode(following)}"
        return chosen, paging

    def _listing(self, request: Request, items: list[dict[str, Any]], cap: int,
                 render: Callable[[dict[str, Any]], dict[str, Any]] = copy.deepcopy) -> Answer:
        """A page of `items` chosen by the request's limit and after cursor."""
        offset = decode_offset(request.query.get("after"))
        if offset is None:
            return Answer(400, self.error_body(400, "(#100) Invalid cursor"))
        size = min(int(request.query.get("limit") or 25), cap)
        chosen, paging = self._slice(request.path, request.query, items, offset, size)
        return Answer(200, {"data": [render(item) for item in chosen], "paging": paging})

    def _comments_newest_first(self, post_id: str) -> list[dict[str, Any]]:
        return sorted(self.comments.get(post_id, []), key=_time, reverse=True)

    def _latest_activity(self, post: dict[str, Any]) -> datetime:
        return max([_time(post), *(_time(c) for c in self.comments.get(post["id"], []))])

    def _with_comments(self, post: dict[str, Any], version: str) -> dict[str, Any]:
        """A post with its first page of comments inline (no "comments" when it has none)."""
        comments = self._comments_newest_first(post["id"])
        if not comments:
            return post
        size = self.comments_page_size
        chosen, paging = self._slice(f"/{version}/{post['id']}/comments", {"limit": str(size)},
                                     comments, 0, size)
        return {**post, "comments": {"data": chosen, "paging": paging}}

    def _feed(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._refused(request, match["page"])
        if refused:
            return refused
        posts = sorted(self.posts, key=_time, reverse=True)
        since = request.query.get("since")
        if since:
            posts = [p for p in posts if self._latest_activity(p).timestamp() >= int(since)]
        return self._listing(request, posts, self.page_size,
                             lambda post: self._with_comments(post, match["version"]))

    def _comments(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._refused(request, None)
        if refused:
            return refused
        return self._listing(request, self._comments_newest_first(match["post"]),
                             self.comments_page_size)

    def _ratings(self, request: Request, match: re.Match[str]) -> Answer:
        if self.ratings_deprecated:
            return Answer(400, sample("facebook_error_code12.json"))
        refused = self._refused(request, match["page"])
        if refused:
            return refused
        return self._listing(request, sorted(self.ratings, key=_time, reverse=True),
                             self.page_size)

    # ---- the page's own writes --------------------------------------------------------

    def comment(self, comment_id: str) -> dict[str, Any] | None:
        with self._lock:
            return next((c for comments in self.comments.values() for c in comments
                         if c.get("id") == comment_id), None)

    def _known_object(self, object_id: str) -> bool:
        return (object_id in self.comments or self.comment(object_id) is not None
                or any(obj_id == object_id for obj_id in
                       (r.get("open_graph_story", {}).get("id") for r in self.ratings)))

    def _no_engagement(self) -> Answer:
        return Answer(403, {"error": {
            "message": "(#200) The user hasn't authorized the application to perform this "
                       "action", "type": "OAuthException", "code": 200,
            "fbtrace_id": "FakeTrace"}})

    def _comment_post(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._refused(request, None)
        if refused:
            return refused
        if not self.can_engage:
            return self._no_engagement()
        object_id = match["object"]
        if not self._known_object(object_id):
            return Answer(400, {"error": {
                "message": f"Unsupported post request. Object with ID '{object_id}' does not "
                           "exist, cannot be loaded due to missing permissions, or does not "
                           "support this operation.", "type": "GraphMethodException",
                "code": 100, "error_subcode": 33, "fbtrace_id": "FakeTrace"}})
        message = request.form.get("message", "")
        if not message.strip():
            return Answer(400, self.error_body(400, "(#100) The parameter message is required"))
        comment_id = f"{object_id.split('_')[-1]}_{900000 + next(self._comment_numbers)}"
        created = datetime(2026, 11, 22, 18, 0).isoformat() + "+0000"
        with self._lock:
            self.comments.setdefault(object_id, []).append({
                "id": comment_id, "message": message, "created_time": created,
                "from": {"id": self.page_id, "name": "Example Health"}})
        return Answer(200, {"id": comment_id})

    def _comment_update(self, request: Request, match: re.Match[str]) -> Answer:
        refused = self._refused(request, None)
        if refused:
            return refused
        if not self.can_engage:
            return self._no_engagement()
        comment = self.comment(match["comment"])
        if comment is None:
            return Answer(400, self.error_body(
                400, f"Unsupported post request. Object with ID '{match['comment']}' does not "
                     "exist"))
        hidden = request.form.get("is_hidden")
        if hidden not in ("true", "false"):
            return Answer(400, self.error_body(400, "(#100) is_hidden must be a boolean"))
        with self._lock:
            comment["is_hidden"] = hidden == "true"
        return Answer(200, {"success": True})
