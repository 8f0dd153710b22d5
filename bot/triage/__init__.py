"""Which reviews become cases, and what their cards flag: a pure, fast function of the review and
the config (no network, no database, no clock), so reports and backfills can run it again.

A rating decides when there is one (≤ negative_max_rating), then a Facebook recommendation,
except that someone on site now opens a case whatever the rating.
Unrated text is read by the complaint model (bot.triage.model, trained on labelled NHS patient
feedback): its probability puts the review in one of three bands, complaint (a case), unsure
(no case; "Needs a look") or not, with the thresholds in [triage]. Some labels move the band
(OVERRIDES): a troll needs a card to be hidden or ignored, someone on site now needs a person
at once. Labels and themes are read from the text whatever the rating. Modules:
- model: the features and the shipped model file; train: how it is fitted; nhs: its data;
- flags: urgent, risk, clinician, past experience and troll patterns; profanity: the matcher;
- themes: keyword themes (the model adds those it learned); result: TriageResult.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.config import Config
from bot.triage import flags, presence, presence_es, profanity
from bot.triage.model import Lazy, ModelReading, shipped_model, vader_analyzer
from bot.triage.result import BANDS, LABELS, TriageResult
from bot.triage.themes import keyword_themes, replaced_by_config, theme_key

__all__ = ["BANDS", "LABELS", "OVERRIDES", "ReviewLike", "TriageResult", "triage", "warm_up",
           "warm_up_grammar"]

# Label -> the band a review with it reaches at least, whatever the model says; each earns its
# place in bench/triage_bench.py. Risk language ("wrong medication", "lawyer") goes to risk
# management the same day, so it opens a case even when the model is unsure.
OVERRIDES: Mapping[str, str] = {"troll": "complaint", "urgent": "complaint", "risk": "complaint"}
_NEUTRAL = 0.05  # VADER's own neutral band is -0.05 … 0.05
_WAIT = "wait_time"


class ReviewLike(Protocol):
    """CanonicalReview or the stored Review row; `created_at`, when present, dates old visits."""

    source: str
    rating: int | None
    text: str
    recommendation: str | None


def warm_up() -> None:
    """Load the model, VADER and the profanity list, and compile the on-site grammar, now
    rather than on the first review."""
    shipped_model.get()
    vader_analyzer.get()
    _profanity.get()
    warm_up_grammar()


def warm_up_grammar() -> None:
    """Compile the on-site grammars (about 65 ms of CPU, the Spanish one a few more), which
    are otherwise compiled by the first review: a service does it as it starts, so that the
    first review after a restart, perhaps someone on site now, does not wait for them."""
    presence.warm_up()
    presence_es.warm_up()


def triage(review: ReviewLike, config: Config, *, received_at: datetime | None = None
           ) -> TriageResult:
    """`received_at`: when the review reached us. Someone who writes that they are here now is
    on site now only when the review was written within [triage] on_site_within of that (a
    review written 13 days before it arrived was on site then); without it, as written."""
    rules = config.triage
    text = review.text or ""
    reasons: dict[str, str] = {}
    by_rating = _negative_by_rating(review, rules.max_rating_for(review.source), reasons)
    if not text.strip():
        return TriageResult(negative=bool(by_rating), reasons=reasons)

    sentiment = vader_analyzer.get().polarity_scores(text)
    reading = shipped_model.get().read(text, sentiment)
    labels, themes = _read(text, reading, sentiment["compound"], review, config, reasons,
                           recent=written_recently(review, received_at, rules.on_site_within))

    if by_rating is not None:
        band = "complaint" if by_rating else "not"
        if band == "not" and "urgent" in labels:
            # Someone on site now needs a person at once, even in a five-star review.
            band = "complaint"
            reasons["negative"] = (f"{_OVERRIDE_REASONS['urgent']} "
                                   f"({_rated(review)}, a case all the same)")
    elif not rules.post_unrated:
        band = "not"
    else:
        band = band_for(reading.probability, labels, rules.complaint_threshold,
                        rules.unsure_threshold, reasons=reasons)
        if band == "not" and _no_words(text) and sentiment["compound"] < CLEARLY_POSITIVE:
            # "😡😡👎💀": nothing the model reads, so a person decides; nothing dropped unseen.
            band = "unsure"
            reasons["unsure"] = "no words to read, only emoji or symbols: a person should decide"
    return TriageResult(
        negative=band == "complaint",
        sentiment=sentiment["compound"],
        labels=labels,
        themes=themes,
        reasons=reasons,
        band=band,
        probability=round(reading.probability, 4),
    )


# VADER's compound from which a text of emoji alone reads as praise ("😊😊👍" is 0.90); it knows
# few angry ones ("😡👎💀" is 0.0), so below this a person looks.
CLEARLY_POSITIVE = 0.5


def _no_words(text: str) -> bool:
    """Nothing but emoji, symbols, digits and punctuation: no letter of any script."""
    return not any(character.isalpha() for character in text)


def band_for(probability: float, labels: tuple[str, ...], complaint_at: float,
             unsure_at: float, *, overrides: Mapping[str, str] = OVERRIDES,
             reasons: dict[str, str] | None = None) -> str:
    """The band of an unrated text: the model's probability, raised by OVERRIDES."""
    why = {} if reasons is None else reasons
    band = "not"
    if probability >= complaint_at:
        band = "complaint"
        why["negative"] = (f"reads as a complaint: {probability:.0%} "
                           f"(a case from {complaint_at:.0%})")
    elif probability >= unsure_at:
        band = "unsure"
        why["unsure"] = (f"may be a complaint: {probability:.0%} (unsure from {unsure_at:.0%}, "
                         f"a case from {complaint_at:.0%})")
    for label in labels:
        floor = overrides.get(label)
        if floor and BANDS.index(floor) < BANDS.index(band):
            band = floor
            if floor == "complaint":
                why.pop("unsure", None)
                why["negative"] = _OVERRIDE_REASONS.get(label, f"flagged {label}")
            else:
                why["unsure"] = f"flagged {label}: a person should decide"
    return band


_OVERRIDE_REASONS = {
    "troll": "a troll post: it needs a card to be hidden or ignored",
    "urgent": "the reviewer is on site now",
    "risk": "risk language: legal or patient-safety",
}


def _rated(review: ReviewLike) -> str:
    if review.rating is not None:
        return f"rated {review.rating}★"
    return "recommends us"


def _negative_by_rating(review: ReviewLike, max_rating: int, reasons: dict[str, str]
                        ) -> bool | None:
    """The rating's verdict, then the recommendation's; None when the text must decide."""
    if review.rating is not None:
        if review.rating <= max_rating:
            reasons["negative"] = f"rated {review.rating}★ (at or under {max_rating}★)"
            return True
        return False
    if review.recommendation == "negative":
        reasons["negative"] = "does not recommend"
        return True
    if review.recommendation == "positive":
        return False
    return None


def written_recently(review: ReviewLike, received_at: datetime | None,
                     within: timedelta) -> bool:
    """Was the review written within `within` before it reached us (at `received_at`)? True
    when either moment is unknown, or it is dated after it arrived (a clock ahead)."""
    written = getattr(review, "created_at", None)
    if received_at is None or not isinstance(written, datetime):
        return True
    if written.tzinfo is None:
        written = written.replace(tzinfo=UTC)
    return received_at - written <= within


def _read(text: str, reading: ModelReading, sentiment: float, review: ReviewLike,
          config: Config, reasons: dict[str, str], *, recent: bool = True
          ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(labels, themes) of the text; each label's reason goes into `reasons`. Not `recent`:
    what reads as someone on site now is not labelled so (their wait is still a theme)."""
    rules = config.triage
    lower = flags.normalise(text)
    config_themes = theme_key(rules.themes)
    keyword_found = keyword_themes(lower, config_themes)
    themes = keyword_found | (reading.themes - replaced_by_config(config_themes))
    found: set[str] = set()

    presence = flags.on_site_now(lower, _site_names(config))
    if presence and recent:
        found.add("urgent")
        reasons["urgent"] = f"on site now: {flags.quote(flags.snippet(presence))}"
    # Someone who has been on site for hours, or since last night, is waiting: that is the
    # theme, whatever words they use ("on a gurney in your hallway since last night").
    if presence and flags.has_lasted(presence) and _WAIT not in replaced_by_config(config_themes):
        themes = themes | {_WAIT}
    risk = flags.first_risk(lower)
    if risk:
        found.add("risk")
        reasons["risk"] = f"mentions {flags.quote(flags.snippet(risk, 40))}"
    names = flags.clinicians(text, tuple(rules.staff_names))
    if names:
        found.add("clinician")
        reasons["clinician"] = "names " + flags.join(names)
    swear = _profanity.get().find(lower)
    if swear:
        found.add("profanity")
        reasons["profanity"] = f"profanity ({flags.quote(flags.masked(swear))})"
    old_visit = flags.long_ago(lower, flags.year_of(getattr(review, "created_at", None)))
    if old_visit:
        found.add("past_experience")
        reasons["past_experience"] = f"an old visit: {flags.quote(old_visit)}"
    # A troll is spam, or harassment or bait with nothing concrete to follow up: no keyword
    # theme (the model's themes guess too freely on a short post), no risk, no one on site.
    # "lol" reads as positive to VADER, so the model's reading counts too.
    concrete = bool(keyword_found or risk or presence)
    hostile = sentiment <= _NEUTRAL or reading.probability >= rules.unsure_threshold
    troll = flags.troll(text, lower, hostile=hostile, swear=swear, concrete=concrete)
    if troll:
        found.add("troll")
        reasons["troll"] = troll
    return tuple(label for label in LABELS if label in found), tuple(sorted(themes))


def _site_names(config: Config) -> tuple[str, ...]:
    """The sites' names and aliases: "at the Mercy West lobby" names a place of ours."""
    return tuple(name for site in config.sites for name in (site.name, *site.aliases))


_profanity: Lazy[Any] = Lazy(profanity.load)
