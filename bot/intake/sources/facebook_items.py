"""Facebook Pages' Graph answers read as canonical review dicts: visitor posts, comments and
page recommendations (/ratings), each checked against the shape Graph documents for it
first. bot.intake.sources.facebook holds the Graph API client that fetches them.

What the page itself writes is not a review: a post or comment whose `from.id` is the page is
skipped, and so is a post without `from` (Graph returns `from` for visitors' posts read with a
page token; the page's own posts may lack it). A comment without `from` is kept, unattributed.
Each skipped entry stays in the list as `Skipped`, naming its field and why, so that the
answer and the log say what was left out.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.config import Config
from bot.core.reviews import Skipped
from bot.intake.shapes import Shape, check, list_at, shaped_item
from bot.intake.sources import items_of, obj, present, whole_number

SOURCE = "facebook"


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


def _page_wrote(item: dict[str, Any], where: str, what: str) -> Skipped:
    """Why a post or comment of the page's own is not a review."""
    if obj(item.get("from")):
        return Skipped(f"{where}.from.id" if where else "from.id",
                       f"is the page's own id: the page's {what} is not a review")
    return Skipped(f"{where}.from" if where else "from",
                   f"is missing: a {what} without an author is the page's own (Graph names "
                   "the visitor who wrote one), not a review")


def comments_of(post: dict[str, Any]) -> list[Any]:
    """The comments that came inline with a feed post (its first page of them)."""
    return items_of(obj(post.get("comments")), "data")


def feed_items(post: Any, *, page_id: str | None, site: str | None,
               comments: list[Any] | None = None, where: str = "") -> list[Any]:
    """A feed post as review items: the post when a visitor wrote it, then each comment not
    written by the page; what the page wrote stays as Skipped. `comments` replaces the inline
    ones (when more pages were read); `where` is the post's path in the body."""
    if not isinstance(post, dict):
        return [post]
    url = post_url(post)
    items: list[Any] = []
    if _by_visitor(post, page_id, default=False):
        items.append(_message_to_canonical(post, site=site, url=url))
    else:
        items.append(_page_wrote(post, where, "post"))
    prefix = f"{where}.comments.data" if where else "comments.data"
    for number, comment in enumerate(comments_of(post) if comments is None else comments):
        if not isinstance(comment, dict):
            items.append(comment)
        elif _by_visitor(comment, page_id, default=True):
            items.append(_message_to_canonical(comment, site=site, url=url))
        else:
            items.append(_page_wrote(comment, f"{prefix}[{number}]", "comment"))
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


# ---- the documented shapes (Graph API Page Feed, Comment and Recommendation) --------------


class _Who(Shape):
    id: str | None = None
    name: str | None = None


class _Story(Shape):
    id: str | None = None


class _Cursors(Shape):
    before: str | None = None
    after: str | None = None


class _Paging(Shape):
    cursors: _Cursors | None = None
    next: str | None = None
    previous: str | None = None


class RatingShape(Shape):
    created_time: str | None = None
    recommendation_type: str | None = None
    review_text: str | None = None
    reviewer: _Who | None = None
    open_graph_story: _Story | None = None
    rating: float | None = None
    has_rating: bool | None = None
    has_review: bool | None = None


class CommentShape(Shape):
    id: str | None = None
    message: str | None = None
    author: _Who | None = Field(default=None, alias="from")
    created_time: str | None = None
    permalink_url: str | None = None


class _Comments(Shape):
    data: list[CommentShape] | None = None
    paging: _Paging | None = None


class PostShape(CommentShape):
    comments: _Comments | None = None


class _Answer(Shape):  # its "data" is checked entry by entry
    paging: _Paging | None = None
    page_id: str | int | None = None


def site_of(page_id: str | None, config: Config) -> str | None:
    for page in config.sources.facebook.pages:
        if page.page_id == page_id:
            return page.site
    return None


def canonical_items(body: Any, config: Config) -> list[Any]:
    """A Graph answer ({"data": [...]}, from /feed or /ratings), a list, or one post or rating.
    The page is the answer's "page_id" when given, else the prefix of each post id
    ("{page-id}_{post-id}"); ratings carry no page id, so without "page_id" they get no site.
    Unshaped when the answer's own fields are of the wrong type; an entry whose are stays as
    Unreadable, for validation to reject by name."""
    if isinstance(body, dict) and "object" in body and "entry" in body:
        # A webhook notification names what changed but carries no review in Graph's shape.
        return [Skipped("entry", "is a Facebook webhook notification, which this route does "
                                 "not read: post the Graph API's answer ({\"data\": [...]}) "
                                 "from /{page-id}/feed or /ratings")]
    if isinstance(body, dict) and "data" in body:
        check(_Answer, body)
        entries, prefix = list_at(body, "data") or [], "data"
    elif isinstance(body, list):
        entries, prefix = body, ""
    else:
        entries, prefix = [body], None
    given = obj(body).get("page_id")
    given = str(given) if isinstance(given, str | int) else None
    out: list[Any] = []
    for index, entry in enumerate(entries):
        where = "" if prefix is None else f"{prefix}[{index}]"
        entry = shaped_item(RatingShape if _is_rating(entry) else PostShape, entry, where)
        if not isinstance(entry, dict):
            out.append(entry)
            continue
        if _is_rating(entry):
            out.append(rating_to_canonical(entry, page_id=given,
                                           site=site_of(given, config)))
            continue
        post_id = obj(entry).get("id")
        page_id = given or (post_id.split("_", 1)[0]
                            if isinstance(post_id, str) and "_" in post_id else None)
        out.extend(feed_items(entry, page_id=page_id, site=site_of(page_id, config),
                              where=where))
    return out
