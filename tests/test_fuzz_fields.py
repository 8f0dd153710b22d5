"""Every route, sent a valid payload of its documented shape with one field replaced by a value
of the wrong type, answers a 4xx naming that field, writes nothing and logs nothing at ERROR.

tests/test_fuzz.py sends bodies random at the top level; real senders (and forgers with a
valid signature) send payloads that are right everywhere but one field. Here each route starts
from a payload it accepts (the repo's own samples/ for the review sources, and the payloads
the Slack twin builds from the card and modal the bot really drew) and, for every field at
every depth (inside the base64 JSON of a Pub/Sub push and the JSON of a modal's
private_metadata too), sends it with that one field changed:

- to a value of another JSON type (an object, a list, a number, a boolean, deep nesting):
  the answer must be a 4xx whose error names the field, and nothing may be written;
- to an edge of its own type or to nothing (null, an empty or a 100,000-character string, the
  key removed): any answer but a 5xx; a 4xx must still say what is wrong and write nothing.

Either way nothing may be logged at ERROR. Inside the Block Kit of a clicked message or of a
submitted modal (`blocks`), which neither the desk nor Bolt reads, only "no 5xx, no ERROR" is
asked: the click goes on as it would have.

The normal run sends each field one replacement (the kinds taken in turn, so every kind and
every field is tried); `REVIEWDESK_FUZZ_FULL=1` sends every field every replacement.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import logging
import os
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId
from testing.driver import Driver, review
from testing.fakes.google_api import SAMPLE_LOCATION
from testing.sources import fake_sources
from testing.workspace import INTAKE_TOKEN, MARIA, SIGNING_SECRET, TRIAGE
from twin.interactions import (
    app_home_opened_event,
    block_actions_payload,
    button_action,
    event_callback,
    find_button,
    form_body_for_payload,
    plain_text_value,
    sign,
    slash_command_form,
    static_select_value,
    view_submission_payload,
)

FULL = os.environ.get("REVIEWDESK_FUZZ_FULL") == "1"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# Slack's Web API calls that change what people see (an ephemeral refusal is an answer).
QUIET_METHODS = frozenset({"chat.postEphemeral", "auth.test", "users.info",
                           "conversations.info"})

PathPart = str | int
FieldPath = tuple[PathPart, ...]


class _Missing:
    def __repr__(self) -> str:
        return "<removed>"


MISSING = _Missing()


def nested(depth: int) -> Any:
    """An object nested `depth` deep (well within the 32 levels parse_json allows, so it is
    the shape check, not the depth limit, that must refuse it)."""
    value: Any = 1
    for _ in range(depth):
        value = {"a": [value]}
    return value


# (kind, value, wrong type?) — a wrong type must be refused naming the field.
WRONG = [("object", {"x": 1}), ("list", [1, "x"]), ("number", 7), ("boolean", True),
         ("deep nesting", nested(6))]
EDGE = [("null", None), ("empty string", ""), ("huge string", "A" * 100_000),
        ("removed", MISSING)]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def replacements(valid: Any, also: tuple[str, ...] = ()) -> list[tuple[str, Any, bool]]:
    """What to put in place of `valid`: every kind, marked wrong when its JSON type differs
    (and is none of the types `also` documented for the field). A null says nothing of the
    field's type: whatever replaces it must only not break anything."""
    if valid is None:
        return [(kind, value, False) for kind, value in [*WRONG, *EDGE]]
    out = []
    for kind, value in WRONG:
        if json_type(value) != json_type(valid):
            out.append((kind, value, json_type(value) not in also))
    for kind, value in EDGE:
        if kind in ("empty string", "huge string") and not isinstance(valid, str):
            out.append((kind, value, True))
        else:
            out.append((kind, value, False))
    return out


# ---- documents with JSON inside strings ----------------------------------------------------


@dataclass
class Encoded:
    """A string field that holds JSON (a modal's private_metadata) or base64 JSON (a Pub/Sub
    message's data): fuzzed inside, encoded when sent."""

    value: Any
    base64: bool = False

    def encode(self) -> str:
        text = json.dumps(materialize(self.value))
        return base64.b64encode(text.encode()).decode() if self.base64 else text


def materialize(doc: Any) -> Any:
    if isinstance(doc, Encoded):
        return doc.encode()
    if isinstance(doc, dict):
        return {key: materialize(value) for key, value in doc.items()}
    if isinstance(doc, list):
        return [materialize(value) for value in doc]
    return doc


def field_paths(doc: Any, prefix: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """Every (path, value) in `doc`, parents before children."""
    if isinstance(doc, Encoded):
        yield from field_paths(doc.value, prefix)
    elif isinstance(doc, dict):
        for key, value in doc.items():
            yield (*prefix, key), (value.encode() if isinstance(value, Encoded) else value)
            yield from field_paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield (*prefix, index), value
            yield from field_paths(value, (*prefix, index))


def replaced(doc: Any, path: FieldPath, value: Any) -> Any:
    """A copy of `doc` with the field at `path` set to `value` (MISSING: removed)."""
    doc = copy.deepcopy(doc)
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
        if isinstance(parent, Encoded):
            parent = parent.value
    if isinstance(parent, Encoded):
        parent = parent.value
    if value is MISSING:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def dotted(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def field_name(path: FieldPath) -> str:
    """What an error must mention: the field's own name, or its list's for an item."""
    return next(str(part) for part in reversed(path) if isinstance(part, str))


# ---- the world ------------------------------------------------------------------------------

PUSHED_REVIEW = {
    "name": f"{SAMPLE_LOCATION}/reviews/AbFvOqk9", "reviewId": "AbFvOqk9",
    "reviewer": {"displayName": "Ash P.", "isAnonymous": False}, "starRating": "ONE",
    "comment": "The ER lost my mother's paperwork twice.",
    "createTime": "2026-11-23T11:59:00Z", "updateTime": "2026-11-23T11:59:00Z",
}


@pytest.fixture
def world(start_bot, slack, caplog) -> Iterator[Driver]:
    with fake_sources() as sources:
        sources.google.add_review(SAMPLE_LOCATION, PUSHED_REVIEW)
        bot = start_bot(config=sources.config, clients=sources.clients)
        caplog.set_level(logging.INFO)
        yield Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def post(driver: Driver, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(f"{driver.base}{path}", data=body, headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def intake(path: str) -> Callable[[Driver, Any], tuple[int, Any]]:
    def send(driver: Driver, doc: Any) -> tuple[int, Any]:
        return post(driver, path, json.dumps(materialize(doc)).encode(), {
            "Authorization": f"Bearer {INTAKE_TOKEN}", "Content-Type": "application/json"})
    return send


def notice(path: str) -> Callable[[Driver, Any], tuple[int, Any]]:
    def send(driver: Driver, doc: Any) -> tuple[int, Any]:
        return post(driver, f"{path}?token={INTAKE_TOKEN}", json.dumps(materialize(doc)).encode(),
                    {"Content-Type": "application/json"})
    return send


def slack_send(encoding: str) -> Callable[[Driver, Any], tuple[int, Any]]:
    """Signed, as Slack sends it: an interaction as a form with a JSON payload, an event as
    JSON, a slash command as a form (or, to carry other types than strings, as JSON)."""

    def send(driver: Driver, doc: Any) -> tuple[int, Any]:
        doc = materialize(doc)
        if encoding == "payload":
            body, content_type = form_body_for_payload(doc), "application/x-www-form-urlencoded"
        elif encoding == "form":
            body = urllib.parse.urlencode(doc)
            content_type = "application/x-www-form-urlencoded"
        else:
            body, content_type = json.dumps(doc), "application/json"
        headers = sign(SIGNING_SECRET, body, int(time.time()), content_type=content_type)
        return post(driver, "/slack/events", body.encode(), headers)

    return send


# ---- the payloads each route accepts ------------------------------------------------------


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def canonical_batch() -> Any:
    first = json.loads((SAMPLES / "canonical_reviews.jsonl").read_text().splitlines()[0])
    return {"reviews": [first]}


def google_page() -> Any:
    page = sample("google_reviews_page1.json")
    return {**page, "reviews": page["reviews"][:1]}


def facebook_ratings() -> Any:
    ratings = sample("facebook_ratings.json")
    return {**ratings, "data": ratings["data"][:1], "page_id": "1122334455"}


def facebook_feed() -> Any:
    feed = sample("facebook_feed.json")
    post_ = feed["data"][0]
    post_["comments"]["data"] = post_["comments"]["data"][:1]
    return {**feed, "data": [post_]}


def pubsub_push() -> Any:
    push = sample("google_pubsub_push.json")
    push["message"]["data"] = Encoded(json.loads(base64.b64decode(push["message"]["data"])),
                                      base64=True)
    return push


def with_metadata(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "private_metadata": Encoded(json.loads(view["private_metadata"]))}


def slack_payloads(driver: Driver) -> dict[str, Any]:
    """The payloads Slack sends for what people do here, built from what the bot drew: Claim
    on a case card, the Escalate modal submitted (and closed), `/reviewdesk open`, the Home
    tab opened."""
    case_id = driver.new_case(external_id="fuzz-card")
    card = driver.card(case_id, TRIAGE)
    block, element = find_button(card["blocks"], ActionId.CLAIM)
    click = block_actions_payload(
        user_id=MARIA, action=button_action(block, element), channel_id=TRIAGE, message=card,
        response_url=driver.slack.response_url(user=MARIA, channel=TRIAGE, message=card,
                                               ephemeral=False))
    view = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    submission = view_submission_payload(user_id=MARIA, view=view, values={
        BlockId.SITE: {InputId.SITE: static_select_value("north", "North campus")},
        BlockId.URGENCY: {InputId.URGENCY: static_select_value("urgent")},
        BlockId.NOTE: {InputId.NOTE: plain_text_value("Father of the patient")},
    })
    # The twin's own bookkeeping, not in the view Slack sends.
    submission["view"] = with_metadata({key: value for key, value in submission["view"].items()
                                        if key not in ("trigger_id", "user")})
    closed = {**submission, "type": "view_closed", "is_cleared": False}
    closed.pop("trigger_id")
    command = slash_command_form(command="/reviewdesk", text="open", user_id=MARIA,
                                 channel_id=TRIAGE)
    home = event_callback(app_home_opened_event(MARIA))
    driver.settle()
    return {"block_actions": click, "view_submission": submission, "view_closed": closed,
            "command": command, "app_home_opened": home}


@dataclass(frozen=True)
class Route:
    name: str
    send: Callable[[Driver, Any], tuple[int, Any]]
    base: Callable[[Driver], Any]
    # Inside these fields only "no 5xx, no ERROR" is asked (see the module's docstring).
    opaque: tuple[str, ...] = ()
    # A form carries strings only: no other type can be sent in it.
    strings_only: bool = False
    # What the route answers the valid payload (no listener takes a closed modal: Bolt's 404).
    accepts: int = 200
    # A click or a form may be refused as Slack wants it: 200, and a private message saying so.
    slack: bool = False
    # Other JSON types a field (by its name) is documented to take.
    also: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _slack(kind: str) -> Callable[[Driver], Any]:
    return lambda driver: slack_payloads(driver)[kind]


# Numeric ids are common in exports (bot/core/reviews.py); Graph page ids come as numbers too.
NUMERIC_ID = (("external_id", ("number",)),)

ROUTES = [
    Route("canonical", intake("/intake/reviews"), lambda _: canonical_batch(), also=NUMERIC_ID),
    Route("canonical one", intake("/intake/reviews"),
          lambda _: review(external_id="g-one", created_at="2026-11-24T14:03:00Z"),
          also=NUMERIC_ID),
    Route("google", intake("/intake/google"), lambda _: google_page()),
    Route("facebook ratings", intake("/intake/facebook"), lambda _: facebook_ratings(),
          also=(("page_id", ("number",)),)),
    Route("facebook feed", intake("/intake/facebook"), lambda _: facebook_feed()),
    Route("podium", intake("/intake/podium"), lambda _: sample("podium_review.json")),
    Route("pubsub", notice("/intake/google/pubsub"), lambda _: pubsub_push()),
    Route("yelp webhook", notice("/intake/yelp/webhook"), lambda _: sample("yelp_webhook.json")),
    Route("block_actions", slack_send("payload"), _slack("block_actions"),
          opaque=("message.blocks",), slack=True),
    Route("view_submission", slack_send("payload"), _slack("view_submission"),
          opaque=("view.blocks",), slack=True),
    Route("view_closed", slack_send("payload"), _slack("view_closed"), opaque=("view.blocks",),
          accepts=404, slack=True),
    Route("command form", slack_send("form"), _slack("command"), strings_only=True, slack=True),
    Route("command json", slack_send("json"), _slack("command"), slack=True),
    Route("app_home_opened", slack_send("json"), _slack("app_home_opened"), slack=True),
]


@dataclass(frozen=True)
class Replacement:
    path: FieldPath
    kind: str
    value: Any
    wrong: bool
    opaque: bool


def cases(route: Route, base: Any) -> list[Replacement]:
    """Every field's replacements (all with FULL, else one a field, the kinds in turn)."""
    out: list[Replacement] = []
    turn = itertools.count()
    for path, valid in field_paths(base):
        where = dotted(path)
        opaque = any(where.startswith(prefix) and where != prefix for prefix in route.opaque)
        options = replacements(valid, dict(route.also).get(field_name(path), ()))
        if route.strings_only:
            options = [o for o in options if o[1] is MISSING or isinstance(o[1], str)]
        if not FULL:
            options = [options[next(turn) % len(options)]]
        out.extend(Replacement(path, kind, value, wrong and not opaque, opaque)
                   for kind, value, wrong in options)
    return out


def error_text(answer: Any) -> str:
    """What a refusal says: its `error`, and each item's error ("[index] field message")."""
    if not isinstance(answer, dict):
        return ""
    said = [answer.get("error")] if isinstance(answer.get("error"), str) else []
    for error in answer.get("errors") or []:
        if isinstance(error, dict):
            said.append(f"[{error.get('index')}] {error.get('field')} {error.get('message')}")
    return " | ".join(said)


def names(path: FieldPath, said: str) -> bool:
    """Whether a refusal names the field at `path`: its name, or, for an item of a list, its
    path ("reviews[0]"), or the item's own error in a batch ("[0] (item) …")."""
    if not isinstance(path[-1], int):
        return field_name(path) in said
    return dotted(path) in said or f"[{path[-1]}] (item)" in said


def quiet_calls(driver: Driver) -> int:
    return sum(1 for call in driver.slack.calls if call.method not in QUIET_METHODS)


def ephemerals(driver: Driver) -> int:
    return len(driver.slack.calls_to("chat.postEphemeral"))


@dataclass(frozen=True)
class Before:
    rows: tuple[int, ...]
    calls: int
    ephemerals: int


def verdict(driver: Driver, route: Route, case: Replacement, status: int, answer: Any,
            before: Before, errors: list[str]) -> str | None:
    """What is wrong with the route's answer to `case`, or None."""
    if errors:
        return f"logged at ERROR: {errors[0][:200]}"
    if status >= 500:
        return f"answered {status}: {str(answer)[:200]}"
    if case.opaque:
        return None
    unchanged = driver.row_counts() == before.rows and quiet_calls(driver) == before.calls
    if (route.slack and status == 200 and unchanged
            and ephemerals(driver) > before.ephemerals):
        return None  # refused in private, as Slack wants a click answered
    refused = 400 <= status < 500 and status != route.accepts
    if case.wrong and not refused:
        return f"accepted ({status}: {str(answer)[:160]})"
    if refused:
        said = error_text(answer)
        if not said:
            return f"refused ({status}) without saying why: {str(answer)[:160]}"
        if case.wrong and not names(case.path, said):
            return f"refused ({status}) without naming {dotted(case.path)!r}: {said[:200]}"
        if driver.row_counts() != before.rows:
            return f"refused ({status}) but wrote rows: {said[:160]}"
        if quiet_calls(driver) != before.calls:
            return f"refused ({status}) but changed what Slack shows: {said[:160]}"
    return None


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_one_wrong_field_is_refused_by_name_and_changes_nothing(world, caplog, route):
    base = route.base(world)
    status, answer = route.send(world, base)
    assert status == route.accepts, (status, answer)  # the payload is one the route takes
    world.settle()
    failures: list[str] = []
    sent = cases(route, base)
    for case in sent:
        before = Before(world.row_counts(), quiet_calls(world), ephemerals(world))
        first_record = len(caplog.records)
        status, answer = route.send(world, replaced(base, case.path, case.value))
        world.settle()
        errors = [record.getMessage() for record in caplog.records[first_record:]
                  if record.levelno >= logging.ERROR]
        problem = verdict(world, route, case, status, answer, before, errors)
        if problem:
            failures.append(f"{dotted(case.path)} = {case.kind}: {problem}")
    print(f"{route.name}: {len(sent)} payloads")
    assert not failures, f"{len(failures)} of {len(sent)} payloads:\n" + "\n".join(failures)


def test_a_notice_about_something_else_is_acknowledged_saying_what_it_skipped(world):
    """Pub/Sub and Yelp deliver again until they get a 2xx: what is not a review is
    acknowledged, and the answer says what was skipped and why."""
    question = base64.b64encode(json.dumps({"type": "NEW_QUESTION"}).encode()).decode()
    push = {**sample("google_pubsub_push.json"), "message": {"data": question}}
    status, answer = notice("/intake/google/pubsub")(world, push)
    assert status == 200 and answer["stored"] == 0
    assert [s["field"] for s in answer["skipped"]] == ["message.data.type"]

    webhook = sample("yelp_webhook.json")
    update = webhook["data"]["updates"][0]
    webhook["data"]["updates"] = [{**update, "event_type": "NEW_PHOTO_EVENT"},
                                  {**update, "review_id": None}, update]
    status, answer = notice("/intake/yelp/webhook")(world, webhook)
    assert status == 200 and answer["stored"] == 1
    assert [(s["index"], s["field"]) for s in answer["skipped"]] == [
        (0, "data.updates[0].event_type"), (1, "data.updates[1].review_id")]
