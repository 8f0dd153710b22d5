"""Random and hostile bodies at every route keep getting clear answers: never a 5xx, never a
listener failing on what it was sent, and a refused request changes nothing in the database.

Each route gets `max_examples` bodies from hypothesis: well-formed and broken JSON, deep
nesting, review-shaped objects with hostile fields (dates past what UTC holds, NUL, surrogate
escapes, markup, huge numbers), Slack payloads signed and unsigned with wrong shapes, foreign
teams and mismatched cases. The normal run is derandomized (the same examples every time, in
CI too); `REVIEWDESK_FUZZ=long .venv/bin/pytest tests/test_fuzz.py` runs 20 times as many,
randomly, for a local soak."""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.blocks.ids import ActionId, CallbackId
from testing.driver import Driver, review
from testing.sources import fake_sources
from testing.workspace import INTAKE_TOKEN, MARIA, PX_NORTH, SIGNING_SECRET, TRIAGE
from twin.interactions import sign

_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
           HealthCheck.data_too_large, HealthCheck.filter_too_much]
PROFILES = {
    "ci": settings(max_examples=100, derandomize=True, database=None, deadline=None,
                   suppress_health_check=_HEALTH),
    "long": settings(max_examples=2000, deadline=None, suppress_health_check=_HEALTH),
}
FUZZ = PROFILES[os.environ.get("REVIEWDESK_FUZZ", "ci")]


# ---- the world: one bot with its sources, shared by a test's examples ---------------------------


@pytest.fixture
def world(start_bot, slack, caplog) -> Iterator[Driver]:
    with fake_sources() as sources:
        bot = start_bot(config=sources.config, clients=sources.clients)
        driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
        driver.new_case(external_id="seed-1")  # case 1, for payloads that name it
        driver.new_case(external_id="seed-2", site="south")
        driver.settle()
        caplog.set_level(logging.WARNING)
        yield driver
        driver.settle()
        failures = [r for r in caplog.records if r.levelno >= logging.ERROR
                    and r.name.startswith(("reviewdesk", "bot", "handlers", "slack_bolt"))]
        assert not failures, [r.getMessage() for r in failures]


def send(driver: Driver, path: str, body: bytes | None, headers: dict[str, str],
         method: str = "POST") -> tuple[int, Any]:
    request = urllib.request.Request(f"{driver.base}{path}", data=body, headers=headers,
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw


def check(driver: Driver, status: int, answer: Any, before: tuple[int, ...]) -> None:
    assert status < 500, (status, answer)
    if 400 <= status < 500 and status != 422:
        assert driver.row_counts() == before, (status, answer)  # nothing half-written
        assert isinstance(answer, dict) and isinstance(answer.get("error"), str), answer


# ---- strategies ---------------------------------------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=10**18)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
json_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=5)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                           max_leaves=25)
hostile_text = st.sampled_from([
    "", " ", "\x00", "a\nb", "<!channel>", "<@U0MARIA>", "https://evil.example|x", "&amp;",
    "\u2028", "\ud800", "A" * 5000, "javascript:alert(1)", "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00", "NaN", "1e999", "2026-13-45T99:99:99Z", "Infinity",
]) | st.text(max_size=60)
anything = hostile_text | json_values


def deep(n: int) -> str:
    return "[" * n + "]" * n


depths = st.sampled_from([33, 999, 1000, 5000, 100_000]) | st.integers(1, 5000)
# What fuzzing found before (issue 13), kept as examples every run tries first.
OVERFLOW = json.dumps(review(created_at="9999-12-31T23:59:59-14:00"))
UNDERFLOW = json.dumps(review(created_at="0001-01-01T00:00:00+14:00"))
PODIUM_NUMBER_SITE = json.dumps({"uid": "p1", "createdAt": "2026-11-24T14:03:00Z",
                                 "locations": [{"uid": 7}],
                                 "review": {"siteName": "google", "siteReviewId": "g-7",
                                            "rating": 1, "body": "x"}})


review_like = st.fixed_dictionaries({
    "source": st.one_of(st.just("google"), anything),
    "external_id": st.one_of(st.integers(), anything),
    "created_at": st.one_of(st.just("2026-11-24T14:03:00Z"), anything,
                            st.datetimes().map(lambda d: d.isoformat())),
}, optional={
    "site": anything, "author": anything, "rating": anything, "text": anything,
    "url": st.one_of(st.just("https://maps.example/r/1"), anything),
    "recommendation": anything,
})
intake_bodies = st.one_of(
    json_values.map(json.dumps),
    review_like.map(json.dumps),
    st.lists(review_like, max_size=4).map(json.dumps),
    st.lists(review_like, max_size=3).map(lambda items: json.dumps({"reviews": items})),
    depths.map(deep),
    st.sampled_from([OVERFLOW, UNDERFLOW, PODIUM_NUMBER_SITE]),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.just('{"source": "google", "external_id": "\\ud800x", '
            '"created_at": "2026-01-01T00:00:00Z"}'),
)
podium_like = st.fixed_dictionaries({
    "uid": anything, "createdAt": anything,
    "locations": st.lists(st.fixed_dictionaries({"uid": anything}), max_size=2) | anything,
    "review": st.fixed_dictionaries({"siteName": anything, "siteReviewId": anything,
                                     "rating": anything, "body": anything, "url": anything})
    | anything,
    "author": st.fixed_dictionaries({"name": anything}) | anything,
})

action_ids = st.sampled_from([*ActionId, "something_else"]) | st.text(max_size=10)
case_values = (st.sampled_from(["1", "2", "1:first_response", "2:px_followup", "0", "-1",
                                "99999999999999999999", "1:", "abc"]) | st.text(max_size=10))
channels = st.sampled_from([TRIAGE, PX_NORTH, "C0RANDOM", "D0MARIA", ""]) | st.text(max_size=8)
teams = st.sampled_from(["T0001", "T0OTHER"]) | anything
users = st.sampled_from([MARIA, "U0NOBODY"]) | anything
metadata = st.one_of(
    st.none(),
    st.fixed_dictionaries({"event_type": st.just("reviewdesk_message") | anything,
                           "event_payload": st.fixed_dictionaries(
                               {"case_id": st.integers(-2, 3) | anything}) | anything}),
    anything,
)
block_actions = st.fixed_dictionaries({
    "type": st.just("block_actions"),
    "team": st.one_of(teams.map(lambda t: {"id": t, "domain": "x"}), teams),
    "user": st.one_of(st.builds(lambda u, t: {"id": u, "team_id": t}, users, teams), users),
    "actions": st.lists(st.fixed_dictionaries(
        {"action_id": action_ids, "value": case_values, "action_ts": st.just("1.0")},
        optional={"block_id": anything, "selected_option": anything}), max_size=2) | anything,
    "container": st.one_of(
        st.builds(lambda c: {"type": "message", "channel_id": c, "message_ts": "1.0"},
                  channels),
        st.just({"type": "view", "view_id": "V1"}), anything),
    "trigger_id": st.just("t-1") | anything,
}, optional={
    "channel": st.one_of(channels.map(lambda c: {"id": c}), anything),
    "message": st.one_of(metadata.map(lambda m: {"ts": "1.0", "metadata": m}), anything),
    "view": st.one_of(st.fixed_dictionaries({
        "id": st.just("V1"), "type": st.sampled_from(["modal", "home", "workflow_step"]),
        "callback_id": st.sampled_from([*CallbackId, "other"]),
        "private_metadata": st.one_of(
            st.builds(lambda c, ch: json.dumps({"case_id": c, "channel_id": ch}),
                      st.integers(-1, 3) | anything, channels | anything), anything)}),
        anything),
})
view_submissions = st.fixed_dictionaries({
    "type": st.just("view_submission"),
    "team": teams.map(lambda t: {"id": t}),
    "user": users.map(lambda u: {"id": u, "team_id": "T0001"}),
    "view": st.fixed_dictionaries({
        "id": st.just("V1") | anything, "type": st.just("modal"),
        "callback_id": st.sampled_from([*CallbackId, "other"]) | anything,
        "private_metadata": st.builds(lambda c: json.dumps({"case_id": c,
                                                            "channel_id": TRIAGE}),
                                      st.integers(-1, 3) | anything) | anything,
        "state": st.fixed_dictionaries({"values": st.dictionaries(
            st.text(max_size=10), st.dictionaries(st.text(max_size=10), json_values,
                                                  max_size=2), max_size=3) | anything})
        | anything,
    }) | anything,
})
events = st.fixed_dictionaries({
    "type": st.just("event_callback"), "team_id": teams,
    "event": st.fixed_dictionaries({"type": st.sampled_from(["app_home_opened", "message",
                                                             "other"]) | anything,
                                    "user": users, "channel": channels}) | anything,
    "authorizations": st.lists(st.fixed_dictionaries({"team_id": teams,
                                                      "is_bot": st.booleans()}), max_size=1)
    | anything,
})
commands = st.fixed_dictionaries({
    "command": st.just("/reviewdesk"),
    "text": st.sampled_from(["open", "oncall", "oncall add <@U0LEE>", "help", ""])
    | st.text(max_size=40),
    "user_id": users.map(str), "channel_id": channels, "team_id": teams.map(str),
    "trigger_id": st.just("t-1"),
})


def slack_body(kind: str, payload: Any) -> tuple[str, str]:
    if kind == "form":
        return urllib.parse.urlencode({"payload": json.dumps(payload)}), \
            "application/x-www-form-urlencoded"
    if kind == "command":  # a lone surrogate goes as the bytes it would be (invalid UTF-8)
        return (urllib.parse.urlencode(payload, encoding="utf-8", errors="surrogatepass"),
                "application/x-www-form-urlencoded")
    return json.dumps(payload), "application/json"


slack_requests = st.one_of(
    st.tuples(st.just("form"), block_actions),
    st.tuples(st.just("form"), view_submissions),
    st.tuples(st.just("form"), json_values),
    st.tuples(st.just("json"), events),
    st.tuples(st.just("json"), json_values),
    st.tuples(st.just("command"), commands.map(lambda f: {k: str(v) for k, v in f.items()})),
).map(lambda pair: slack_body(*pair)) | st.one_of(
    depths.map(lambda n: ("payload=" + deep(n), "application/x-www-form-urlencoded")),
    st.text(max_size=200).map(lambda t: (t, "application/x-www-form-urlencoded")),
)


# ---- the routes ---------------------------------------------------------------------------------


@FUZZ
@given(body=intake_bodies, path=st.sampled_from(["/intake/reviews", "/intake/google",
                                                "/intake/facebook", "/intake/podium",
                                                "/intake/nope"]))
@example(body=deep(5000), path="/intake/reviews")
@example(body=OVERFLOW, path="/intake/reviews")
@example(body=UNDERFLOW, path="/intake/reviews")
@example(body=PODIUM_NUMBER_SITE, path="/intake/podium")
def test_intake_never_answers_5xx_and_writes_nothing_it_refuses(world, body, path):
    before = world.row_counts()
    status, answer = send(world, path, body.encode("utf-8", "surrogatepass"), {
        "Authorization": f"Bearer {INTAKE_TOKEN}", "Content-Type": "application/json"})
    check(world, status, answer, before)
    if status in (200, 422):
        stored = world.row_counts()[0] - before[0]
        assert stored == answer["created"], answer  # exactly the valid items, no more


@FUZZ
@given(body=st.one_of(podium_like.map(json.dumps), st.lists(podium_like, max_size=3)
                      .map(lambda items: json.dumps({"reviews": items}))))
def test_native_formats_never_answer_5xx(world, body):
    before = world.row_counts()
    status, answer = send(world, "/intake/podium", body.encode("utf-8", "surrogatepass"),
                          {"Authorization": f"Bearer {INTAKE_TOKEN}"})
    check(world, status, answer, before)


@FUZZ
@given(body=intake_bodies | st.builds(lambda d: json.dumps({"message": {"data": d}}), anything),
       route=st.sampled_from(["/intake/google/pubsub", "/intake/yelp/webhook"]),
       token=st.sampled_from([f"?token={INTAKE_TOKEN}", "?token=wrong", ""]))
def test_notice_routes_never_answer_5xx(world, body, route, token):
    before = world.row_counts()
    status, answer = send(world, route + token, body.encode("utf-8", "surrogatepass"),
                          {"Content-Type": "application/json"})
    check(world, status, answer, before)
    if token != f"?token={INTAKE_TOKEN}":
        assert status == 401


@FUZZ
@given(request=slack_requests, signed=st.booleans(),
       headers=st.dictionaries(st.sampled_from(["X-Slack-Request-Timestamp",
                                                "X-Slack-Signature", "Content-Type"]),
                               st.text(alphabet=st.characters(min_codepoint=32,
                                                              max_codepoint=126),
                                       max_size=20), max_size=2))
@example(request=("payload=" + deep(5000), "application/x-www-form-urlencoded"), signed=True,
         headers={})
@example(request=(urllib.parse.urlencode({"payload": json.dumps(
             {"type": "block_actions", "team": 5, "user": {"id": MARIA}})}),
             "application/x-www-form-urlencoded"), signed=True, headers={})
@example(request=(urllib.parse.urlencode({"payload": json.dumps(
             {"type": "block_actions", "user": {"id": MARIA}, "team": {"id": "T0001"},
              "container": {"type": "message", "channel_id": TRIAGE},
              "actions": [{"action_id": ActionId.CLAIM, "value": "not-a-case"}]})}),
             "application/x-www-form-urlencoded"), signed=True, headers={})
@example(request=("payload=%7B%7D", "application/x-www-form-urlencoded"), signed=False,
         headers={"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=0"})
def test_slack_events_never_answer_5xx_and_unsigned_requests_do_nothing(world, slack, request,
                                                                        signed, headers):
    body, content_type = request
    world.settle()  # the previous example's listeners have finished
    calls_before, before = len(slack.calls), world.row_counts()
    sent = {"Content-Type": content_type}
    if signed:
        sent.update(sign(SIGNING_SECRET, body, int(time.time()), content_type=content_type))
    else:
        sent.update(headers)
    status, answer = send(world, "/slack/events", body.encode("utf-8", "surrogatepass"), sent)
    check(world, status, answer, before)
    if not signed:
        assert status == 401
        world.settle()
        assert len(slack.calls) == calls_before and world.row_counts() == before


@FUZZ
@given(query=st.text(max_size=30), method=st.sampled_from(["GET", "POST"]))
def test_healthz_and_unknown_routes_never_answer_5xx(world, query, method):
    for path in ("/healthz", "/intake/yelp/webhook"):
        status, _ = send(world, f"{path}?{urllib.parse.quote(query)}",
                         b"{}" if method == "POST" else None, {}, method=method)
        assert status < 500

