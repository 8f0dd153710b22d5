"""The sections of reviewdesk.toml as pydantic models, down to `Config`, the desk's rules: what
each setting means, its default and how it is checked."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.config.values import (
    CLOCK_TIME,
    HERE,
    ChannelId,
    Duration,
    Fallback,
    LeadTime,
    MemberOrGroup,
    TimeZoneName,
    UsergroupId,
    UserId,
    Weekday,
    format_duration,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlackChannels(_Strict):
    triage_channel: ChannelId
    risk_channel: ChannelId | None = None
    # The workspace (T…) whose requests are accepted; by default the one the bot token
    # belongs to, as auth.test names it.
    team_id: str | None = Field(default=None, pattern=r"^[TE][A-Z0-9]{2,}$")


class WindowLengths(_Strict):
    """Per-site or per-label window lengths; what is left out keeps the default."""

    first_response: Duration | None = None
    px_followup: Duration | None = None
    urgent: Duration | None = None


class PxUrgency(_Strict):
    """How long PX has to follow up when an escalation says it is more pressing than routine
    (routine takes `px_followup`). Never longer than the routine window."""

    soon: Duration = timedelta(hours=24)
    urgent: Duration = timedelta(hours=4)


_REPEAT_CAP = timedelta(hours=8)  # repeat_every_max's default


class Windows(_Strict):
    first_response: Duration = timedelta(hours=24)
    px_followup: Duration = timedelta(hours=72)  # a "Routine" escalation
    urgent: Duration = timedelta(hours=2)
    px_urgency: PxUrgency = PxUrgency()
    # A new review by the author of a case done this recently (same source and site) brings
    # that case back instead of opening another; after it, the review is a case of its own.
    comes_back_within: Duration = timedelta(days=30)
    # Nudges before a deadline: a share of the window elapsed ("75%") or a time before ("1h").
    nudge_before: list[LeadTime] = ["75%", "1h"]
    # After a missed deadline: a reminder this often until the case is handled…
    repeat_every: Duration = timedelta(hours=1)
    # …and after this many reminders the rotation's lead is named too (and sent a DM, once a
    # case); from then on the gap between reminders doubles, up to repeat_every_max (by
    # default 8h, or repeat_every when that is longer), so a missed window is not repeated
    # hourly all night.
    lead_after_repeats: int = Field(default=3, ge=1)
    repeat_every_max: Duration | None = None
    sites: dict[str, WindowLengths] = {}
    labels: dict[str, WindowLengths] = {}

    @model_validator(mode="after")
    def _repeats_slow_down(self) -> Windows:
        if self.repeat_every_max is not None and self.repeat_every_max < self.repeat_every:
            raise ValueError(
                f"repeat_every_max ({format_duration(self.repeat_every_max)}) must be at least "
                f"repeat_every ({format_duration(self.repeat_every)})")
        return self

    def repeat_gap(self, number: int) -> timedelta:
        """How long after the one before the `number`th reminder past a deadline comes: every
        `repeat_every` until the lead is named, then twice the gap before, up to
        `repeat_every_max` (the first after the deadline counts as number 1)."""
        cap = self.repeat_every_max or max(self.repeat_every, _REPEAT_CAP)
        doublings = max(number - self.lead_after_repeats, 0)
        if doublings >= 32:  # far past any cap; 2 ** n would only grow
            return cap
        return min(self.repeat_every * 2 ** doublings, cap)

    def length(self, kind: str, *, site: str | None = None,
               labels: tuple[str, ...] | list[str] = ()) -> timedelta:
        """The window's length: a label's rule wins over the site's, the site's over the
        default; of several labels the shortest."""
        candidates = [
            getattr(self.labels[label], kind)
            for label in labels
            if label in self.labels and getattr(self.labels[label], kind) is not None
        ]
        if candidates:
            return min(candidates)
        site_rule = self.sites.get(site or "")
        if site_rule is not None and getattr(site_rule, kind) is not None:
            return getattr(site_rule, kind)
        return getattr(self, kind)

    def px_followup_for(self, urgency: str, *, site: str | None = None) -> timedelta:
        """The PX follow-up window an escalation of this urgency gets: routine is the site's
        `px_followup`; soon and urgent are shorter, never longer than routine."""
        routine = self.length("px_followup", site=site)
        if urgency == "routine":
            return routine
        return min(getattr(self.px_urgency, urgency), routine)


class BusinessHours(_Strict):
    """When set, windows count only working time."""

    enabled: bool = False
    timezone: TimeZoneName = "UTC"
    start: str = Field(default="08:00", pattern=CLOCK_TIME)
    end: str = Field(default="17:00", pattern=CLOCK_TIME)
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    holidays: str | None = None  # a country code for the holidays library, e.g. "US"
    holidays_subdivision: str | None = None  # e.g. "MN"

    @model_validator(mode="after")
    def _start_before_end(self) -> BusinessHours:
        if self.start >= self.end:
            raise ValueError(f"start {self.start} must be before end {self.end}")
        return self


class Rotation(_Strict):
    """Who is on call: seeded into the database at start-up, changed from Slack after."""

    members: list[UserId] = []
    admins: list[UserId] = []
    lead: UserId | None = None
    timezone: TimeZoneName = "UTC"
    handoff_weekday: Weekday = "mon"
    handoff_time: str = Field(default="09:00", pattern=CLOCK_TIME)
    channel: ChannelId | None = None  # where hand-offs are announced; default: triage channel
    # Told when a case has no claimant and there is nobody on call and no lead: "@here" in the
    # case's channel, or a Slack user group ("S0123ABCD") mentioned there.
    fallback: Fallback = HERE
    # A Slack user group kept to whoever is on call, so people can mention them by one name.
    usergroup: UsergroupId | None = None


class Roles(_Strict):
    """Who may do what, by Slack member id or user group id. A role left empty leaves its
    actions to anyone in the channel, as without roles."""

    # Hide and Ignore a case.
    social_team: list[MemberOrGroup] = []
    # Claim, take over, mark contacted and resolve a Patient Experience follow-up; with this
    # set, a site's px_contacts may also act on that site's follow-ups.
    px_staff: list[MemberOrGroup] = []
    # Change the on-call rotation (with [rotation] admins) and, where reviewdesk offers it in
    # Slack, the reply guard's rules.
    admins: list[MemberOrGroup] = []
    # How long a user group's members are remembered before Slack is asked again.
    group_cache: Duration = timedelta(minutes=1)

    @property
    def configured(self) -> bool:
        return bool(self.social_team or self.px_staff or self.admins)


_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class PubSubPush(_Strict):
    """Google Pub/Sub push with authentication: the push subscription's audience and service
    account. With both set, /intake/google/pubsub lets in only pushes carrying Google's signed
    OIDC token for them; without, only the secret in the push URL guards it."""

    audience: str | None = Field(default=None, min_length=1)
    service_account: str | None = Field(default=None, pattern=_EMAIL)
    certs_url: str = Field(default="https://www.googleapis.com/oauth2/v1/certs",
                           pattern=r"^https?://")

    @model_validator(mode="after")
    def _both_or_neither(self) -> PubSubPush:
        if bool(self.audience) != bool(self.service_account):
            raise ValueError("set both audience and service_account (or neither)")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.audience and self.service_account)


class Intake(_Strict):
    pubsub: PubSubPush = PubSubPush()


class Triage(_Strict):
    negative_max_rating: int = Field(default=2, ge=1, le=5)
    # Per source ("yelp" = 3): a source whose reviewers rate harshly or kindly.
    negative_max_rating_by_source: dict[str, Annotated[int, Field(ge=1, le=5)]] = {}
    # Unrated text: the complaint model's probability (0 … 1) that it is a complaint opens a
    # case at or over complaint_threshold; at or over unsure_threshold it is listed under
    # "Needs a look" instead. Defaults: the shipped model's (bench/README.md).
    complaint_threshold: float = Field(default=0.7221, ge=0, le=1)
    unsure_threshold: float = Field(default=0.2739, ge=0, le=1)
    # No longer used (the model replaced the VADER score); still read so older files load.
    sentiment_threshold: float = Field(default=-0.05, ge=-1, le=1)
    post_unrated: bool = True
    # Clinicians' surnames (or full names); "Dr. Lastname" is recognised without a list.
    staff_names: list[str] = []
    # Theme name -> keywords; extends (or, with the same name, replaces) the built-in themes.
    themes: dict[str, list[str]] = {}
    # "On site now" only for a review written this recently before it reached us: one written
    # days earlier (a first poll's backlog, an import) was on site then, not now.
    on_site_within: Duration = timedelta(hours=24)

    @model_validator(mode="after")
    def _bands_in_order(self) -> Triage:
        if self.unsure_threshold > self.complaint_threshold:
            raise ValueError("triage.unsure_threshold must be at or under "
                             "triage.complaint_threshold")
        return self

    def max_rating_for(self, source: str) -> int:
        return self.negative_max_rating_by_source.get(source, self.negative_max_rating)


class Bursts(_Strict):
    # More new negative reviews than this from one source and site within `window` become
    # one summary card, with the cases in its thread.
    max_cards: int = Field(default=10, ge=2)  # the summary card counts within it
    window: Duration = timedelta(minutes=1)


# What a reply in Spanish signs off with when `signature` is set and `signatures` gives none
# for Spanish: an English sign-off under a Spanish reply reads as a form letter.
SPANISH_SIGNATURE = "— El equipo de Experiencia del Paciente"


class Replies(_Strict):
    default_template: str = "apology_offline"
    contact_phone: str = ""
    signature: str = ""  # the sign-off of replies in English
    # The sign-off per language of the reply template, by language code ("es"); "" for none.
    # Spanish without one here gets SPANISH_SIGNATURE while `signature` is set.
    signatures: dict[str, str] = {}

    @field_validator("signatures")
    @classmethod
    def _language_codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if not (code.isascii() and code.isalpha() and code.islower() and 2 <= len(code) <= 3):
                raise ValueError(f"{code!r} is not a language code; write it as a template's "
                                 "language is written, e.g. es = \"— El equipo de …\"")
        return value

    def signature_for(self, language: str) -> str:
        """The sign-off of a reply written in `language` (a template's `language`)."""
        if language in self.signatures:
            return self.signatures[language]
        if language == "es" and self.signature:
            return SPANISH_SIGNATURE
        return self.signature


class Guard(_Strict):
    # A TOML file of extra reply-guard rules (same format as bot/replies/guard_rules.toml): a
    # rule with a shipped rule's id replaces it, a new id adds one, vocab lists extend.
    rules_file: str | None = None

    @field_validator("rules_file")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_file():
            raise ValueError(f"{value!r} is not a file; give the path of your guard rules "
                             "(absolute, or relative to where reviewdesk runs)")
        return value


class Digest(_Strict):
    """The weekly digest for Patient Experience: when it goes out, where, and to whom."""

    # At `time` on `weekday` in the organisation's time zone (`timezone`, at the top), about
    # the week before: weeks run Monday 00:00 to Monday 00:00 there.
    enabled: bool = True
    weekday: Weekday = "mon"
    time: str = Field(default="08:00", pattern=CLOCK_TIME)
    # Where the digest is posted; left empty: every site's PX channel.
    channels: list[ChannelId] = []
    # People who also get it by direct message.
    subscribers: list[UserId] = []
    # How many weeks the chart of negative reviews and windows met shows.
    chart_weeks: int = Field(default=8, ge=2, le=52)


class Lists(_Strict):
    """The lists people work from (/reviewdesk open, mine, due, missed and the Home tab)."""

    # "Due soon" holds every open case whose next deadline is within this, and any whose window
    # is in its last quarter (at least its last hour), as its card warns.
    due_soon_within: Duration = timedelta(hours=4)


class GoogleLocation(_Strict):
    name: str = Field(pattern=r"^accounts/[^/]+/locations/[^/]+$")  # accounts/1/locations/2
    site: str


class GoogleSource(_Strict):
    enabled: bool = False
    interval: Duration = timedelta(minutes=15)
    base_url: str = "https://mybusiness.googleapis.com/v4/"
    post_replies: bool = False  # Respond also posts the reply to Google (updateReply)
    locations: list[GoogleLocation] = []


class FacebookPage(_Strict):
    page_id: str = Field(min_length=1)
    site: str


class FacebookSource(_Strict):
    enabled: bool = False
    interval: Duration = timedelta(minutes=10)
    base_url: str = "https://graph.facebook.com/"
    graph_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    ratings: bool = True  # page recommendations, where the Graph version still serves them
    post_replies: bool = False  # Respond comments on the post; Hide hides a comment
    pages: list[FacebookPage] = []


class YelpSource(_Strict):
    base_url: str = "https://partner-api.yelp.com/"
    # Respond posts through Yelp's partner Respond-to-Reviews API (needs partner access and
    # YELP_CLIENT_ID, YELP_CLIENT_SECRET and a business user's refresh token in the environment).
    post_replies: bool = False
    token_url: str = "https://api.yelp.com/oauth2/token"
    businesses: dict[str, str] = {}  # Yelp business id -> site id


class Sources(_Strict):
    google: GoogleSource = GoogleSource()
    facebook: FacebookSource = FacebookSource()
    yelp: YelpSource = YelpSource()
    max_backoff: Duration = timedelta(minutes=30)


class Site(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    name: str = Field(min_length=1, max_length=60)
    px_channel: ChannelId
    px_contacts: list[UserId] = []
    px_phone: str = ""
    on_site_contact: UserId | None = None
    aliases: list[str] = []


class Config(_Strict):
    """The desk's rules, as written in reviewdesk.toml."""

    organization: str = "our hospital"
    # The organisation's time zone: what "today" means for the daily "Needs a look" list, and
    # where reports count days and weeks (the digest, /reviewdesk stats, reviewdesk report).
    timezone: TimeZoneName = "UTC"
    slack: SlackChannels
    windows: Windows = Windows()
    triage: Triage = Triage()
    bursts: Bursts = Bursts()
    replies: Replies = Replies()
    guard: Guard = Guard()
    sources: Sources = Sources()
    business_hours: BusinessHours = BusinessHours()
    rotation: Rotation = Rotation()
    digest: Digest = Digest()
    roles: Roles = Roles()
    intake: Intake = Intake()
    lists: Lists = Lists()
    sites: list[Site] = Field(min_length=1)

    @field_validator("sites")
    @classmethod
    def _unique_sites(cls, sites: list[Site]) -> list[Site]:
        seen: set[str] = set()
        owner: dict[str, str] = {}
        for number, site in enumerate(sites, start=1):
            if site.id in seen:
                raise ValueError(f"site id {site.id!r} is used twice")
            seen.add(site.id)
            for name in (site.id, site.name, *site.aliases):
                key = name.casefold()
                if owner.setdefault(key, site.id) != site.id:
                    raise ValueError(
                        f"sites[{number}].aliases: {name!r} names both {owner[key]!r} "
                        f"and {site.id!r}"
                    )
        return sites

    @model_validator(mode="after")
    def _sources_name_known_sites(self) -> Config:
        named = [(f"sources.google location {loc.name}", loc.site)
                 for loc in self.sources.google.locations]
        named += [(f"sources.facebook page {page.page_id}", page.site)
                  for page in self.sources.facebook.pages]
        named += [(f"sources.yelp business {biz}", site)
                  for biz, site in self.sources.yelp.businesses.items()]
        for where, site_id in named:
            if self.site(site_id) is None:
                raise ValueError(f"{where} names site {site_id!r}, which is not in [[sites]]")
        return self

    def today(self, moment: datetime) -> str:
        """The organisation's date at `moment`, as YYYY-MM-DD."""
        return moment.astimezone(ZoneInfo(self.timezone)).date().isoformat()

    def digest_channels(self) -> list[str]:
        """Where the weekly digest goes: [digest] channels, else every site's PX channel."""
        return list(dict.fromkeys(self.digest.channels or
                                  [site.px_channel for site in self.sites]))

    def px_sites_of(self, user: str) -> list[Site]:
        """The sites whose PX contacts list `user`."""
        return [site for site in self.sites if user in site.px_contacts]

    def site(self, site_id: str | None) -> Site | None:
        """The site with this id, or the one whose name or alias matches (case-insensitive);
        None for anything else, a number or a list from a source's JSON included."""
        if not isinstance(site_id, str) or not site_id:
            return None
        key = site_id.strip().casefold()
        for site in self.sites:
            if key in {site.id, site.name.casefold(), *(a.casefold() for a in site.aliases)}:
                return site
        return None
