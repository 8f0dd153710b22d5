"""Where a reply to a review goes, and how: posted by reviewdesk through the source's API (when
the source has one and [sources.X] post_replies turns it on), or copied by a person (Healthgrades
and other sources without an API, Yelp without partner access, posting turned off). One place
calls each source's posting client, so the reply flow never needs to know a client's shape."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.config import Config
from bot.core.case_lists import source_name
from bot.intake.sources import build_clients
from bot.intake.sources.facebook import FacebookClient, comment_problem
from bot.intake.sources.google import GoogleClient
from bot.intake.sources.google import reply_problem as google_problem
from bot.intake.sources.posting import POST_TIMEOUT, LookupStatus, PostResult, ReplyLookup, failed
from bot.intake.sources.yelp import YelpReplyClient, response_problem
from bot.text import plain_line

# Sources with a reply API reviewdesk can use.
API_SOURCES = frozenset({"google", "facebook", "yelp"})
# Sources where a reply replaces the earlier one (Google keeps one owner reply per review), so
# posting again is never a second public reply.
REPLACING_SOURCES = frozenset({"google"})


class Mode(StrEnum):
    API = "api"  # reviewdesk posts it
    MANUAL = "manual"  # a person copies it to the source and marks it posted


class ByHand(StrEnum):
    """Why a reply to this review is posted by a person."""

    NO_API = "no_api"  # the source has no reply API (Healthgrades, imports, …)
    OFF = "off"  # [sources.<source>] post_replies is off
    NO_PARTNER = "no_partner"  # Yelp replies need partner access (post_replies for Yelp)
    NO_TARGET = "no_target"  # no single configured location, page or business for the site
    RECOMMENDATION = "recommendation"  # Facebook does not let pages hide recommendations


@dataclass(frozen=True)
class ReplyTarget:
    """The address of a reply on its source: Google's review name (accounts/…/reviews/…),
    Facebook's page and the object to comment on, Yelp's business and review."""

    source: str
    account: str  # Google location, Facebook page id, Yelp business id
    object_id: str  # Google review name, Facebook object id, Yelp review id


@dataclass(frozen=True)
class Posting:
    """How a reply to one review goes out."""

    source: str
    mode: Mode
    target: ReplyTarget | None
    by_hand: ByHand | None
    review_url: str | None

    @property
    def source_name(self) -> str:
        return source_name(self.source)

    @property
    def replaces(self) -> bool:
        return self.source in REPLACING_SOURCES


@dataclass(frozen=True)
class ReviewAddress:
    """What the reply flow knows of a review to find where its reply goes."""

    source: str
    external_id: str
    site: str | None
    url: str | None
    recommendation: str | None = None


@dataclass(frozen=True)
class ReplyClients:
    """The posting clients of the sources whose post_replies is on (None for the others), and
    how long a post may wait for its answer."""

    google: GoogleClient | None = None
    facebook: FacebookClient | None = None
    yelp: YelpReplyClient | None = None
    timeout: tuple[float, float] = POST_TIMEOUT


def reply_clients_from_env(config: Config, env: Mapping[str, str] | None = None) -> ReplyClients:
    """A posting client for each source whose post_replies is on, its secrets from the
    environment; ConfigError naming every missing secret at once."""
    env = os.environ if env is None else env
    sources = config.sources
    return ReplyClients(**build_clients({
        "google": (sources.google.post_replies,
                   lambda: GoogleClient.from_env(env, base_url=sources.google.base_url)),
        "facebook": (sources.facebook.post_replies,
                     lambda: FacebookClient.from_env(env, source=sources.facebook)),
        "yelp": (sources.yelp.post_replies,
                 lambda: YelpReplyClient.from_env(env, source=sources.yelp)),
    }))


def _one(values: list[str]) -> str | None:
    return values[0] if len(values) == 1 else None


def _target(config: Config, review: ReviewAddress) -> ReplyTarget | None:
    sources = config.sources
    if review.source == "google":
        if review.external_id.startswith("accounts/"):
            location = review.external_id.split("/reviews/", 1)[0]
            return ReplyTarget("google", location, review.external_id)
        location = _one([loc.name for loc in sources.google.locations if loc.site == review.site])
        return (ReplyTarget("google", location, f"{location}/reviews/{review.external_id}")
                if location else None)
    if review.source == "facebook":
        pages = {page.page_id: page.site for page in sources.facebook.pages}
        prefix = review.external_id.split("_", 1)[0]  # a page post is "<page id>_<post id>"
        page = prefix if prefix in pages else _one(
            [page_id for page_id, site in pages.items() if site == review.site])
        return ReplyTarget("facebook", page, review.external_id) if page else None
    if review.source == "yelp":
        business = _one([biz for biz, site in sources.yelp.businesses.items()
                         if site == review.site])
        return ReplyTarget("yelp", business, review.external_id) if business else None
    return None


def posting_for(config: Config, clients: ReplyClients, review: ReviewAddress) -> Posting:
    """How a reply to `review` goes out: by the source's API when it has one, config turns it
    on and the review's location (page, business) is known; otherwise by hand, saying why."""

    def by_hand(why: ByHand) -> Posting:
        return Posting(review.source, Mode.MANUAL, None, why, review.url)

    if review.source not in API_SOURCES:
        return by_hand(ByHand.NO_API)
    if getattr(clients, review.source) is None:
        return by_hand(ByHand.NO_PARTNER if review.source == "yelp" else ByHand.OFF)
    target = _target(config, review)
    if target is None:
        return by_hand(ByHand.NO_TARGET)
    return Posting(review.source, Mode.API, target, None, review.url)


def hide_target(config: Config, clients: ReplyClients,
                review: ReviewAddress) -> tuple[ReplyTarget | None, ByHand | None]:
    """Where Hide can also hide the review on its source (a Facebook comment or visitor post,
    with Facebook posting on), or why it cannot."""
    if review.source != "facebook":
        return None, ByHand.NO_API
    if clients.facebook is None:
        return None, ByHand.OFF
    if review.recommendation:
        return None, ByHand.RECOMMENDATION
    target = _target(config, review)
    return (target, None) if target else (None, ByHand.NO_TARGET)


# ---- the calls -----------------------------------------------------------------------------


def reply_problem(posting: Posting, text: str) -> str | None:
    """Why the source would refuse these words before they are sent (too long for it, emoji
    on Yelp), so the person hears it on the text box rather than after posting."""
    if posting.mode is not Mode.API:
        return None
    check = {"google": google_problem, "facebook": comment_problem,
             "yelp": response_problem}.get(posting.source)
    return check(text) if check else None


def post(clients: ReplyClients, target: ReplyTarget, text: str) -> PostResult:
    """Post `text` as the reply; every outcome comes back as a PostResult."""
    if target.source == "google" and clients.google:
        return clients.google.update_reply(target.object_id, text, timeout=clients.timeout)
    if target.source == "facebook" and clients.facebook:
        return clients.facebook.post_comment(target.account, target.object_id, text,
                                             timeout=clients.timeout)
    if target.source == "yelp" and clients.yelp:
        return clients.yelp.post_reply(target.account, target.object_id, text,
                                       timeout=clients.timeout)
    return failed(target.source, plain_line("reply_not_set_up",
                                            source=source_name(target.source), hide=False))


def lookup(clients: ReplyClients, target: ReplyTarget, text: str | None) -> ReplyLookup:
    """Whether the reply is on the source: `text` for ours, None for whatever reply is there
    (Google's moderation of a reply only)."""
    if target.source == "google" and clients.google:
        return clients.google.fetch_reply(target.object_id, text, timeout=clients.timeout)
    if target.source == "facebook" and clients.facebook and text is not None:
        return clients.facebook.fetch_reply(target.account, target.object_id, text,
                                            timeout=clients.timeout)
    if target.source == "yelp" and clients.yelp and text is not None:
        return clients.yelp.fetch_reply(target.account, target.object_id, text)
    return ReplyLookup(LookupStatus.CANNOT_TELL,
                       reason=plain_line("reply_cannot_ask", source=source_name(target.source)))


def hide(clients: ReplyClients, target: ReplyTarget) -> PostResult:
    if target.source == "facebook" and clients.facebook:
        return clients.facebook.hide_comment(target.account, target.object_id,
                                             timeout=clients.timeout)
    return failed(target.source, plain_line("reply_not_set_up",
                                            source=source_name(target.source), hide=True))
