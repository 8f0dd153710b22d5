"""Nobody let in, nothing injected: what a signed request claims is checked before any
listener runs (workspace, channel, the case its message is about), unverified requests make
the bot do nothing, intake senders are verified the way each can be (a header token; Google's
signed OIDC token on Pub/Sub pushes; the URL token and its verification GET for Yelp), and no
review field reaches Slack as markup."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError

import pytest

from bot.blocks.ids import ActionId
from bot.config import parse_config
from bot.core.reviews import CanonicalReview
from bot.intake.source_clients import clients_from_env
from bot.text import mention, web_url
from storage import repository
from testing.driver import Driver, review
from testing.fakes.google_api import SAMPLE_LOCATION, FakeGoogle
from testing.fakes.google_certs import PUSH_SERVICE_ACCOUNT, FakeGoogleCerts
from testing.fakes.json_api import sample
from testing.fakes.yelp_api import SAMPLE_BUSINESS_ID, FakeYelp
from testing.workspace import INTAKE_TOKEN, MARIA, SIGNING_SECRET, TRIAGE, config_data
from twin.interactions import (
    block_actions_payload,
    button_action,
    find_button,
    form_body_for_payload,
    sign,
)

AUDIENCE = "https://reviewdesk.test/intake/google/pubsub"
PUSHED_REVIEW = {
    "name": f"{SAMPLE_LOCATION}/reviews/AbFvOqk9", "reviewId": "AbFvOqk9",
    "reviewer": {"displayName": "Ash P.", "isAnonymous": False}, "starRating": "ONE",
    "comment": "The ER lost my mother's paperwork twice.",
    "createTime": "2026-11-23T11:59:00Z", "updateTime": "2026-11-23T11:59:00Z",
}


def post(driver: Driver, path: str, data: bytes, headers: dict[str, str],
         method: str = "POST") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"{driver.base}{path}", data=data, headers=headers,
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def signed_post(driver: Driver, payload: Any, **headers: str) -> tuple[int, dict[str, Any]]:
    body = form_body_for_payload(payload) if isinstance(payload, dict) else payload
    return post(driver, "/slack/events", body.encode(), {**sign(SIGNING_SECRET, body), **headers})


def click(driver: Driver, user: str, message: dict[str, Any], action_id: str, channel: str, *,
          team_id: str = "T0001", value: str | None = None) -> int:
    """A click as Slack sends it, with what it claims changed."""
    block, element = find_button(message["blocks"], action_id)
    action = button_action(block, element)
    if value is not None:
        action["value"] = value
    payload = block_actions_payload(user_id=user, action=action, channel_id=channel,
                                    message=message, team_id=team_id)
    status, _ = signed_post(driver, payload)
    return status


def mrkdwn_of(message: dict[str, Any]) -> str:
    """What Slack reads as markup in a message: its text and its mrkdwn text objects (a
    plain_text field shows `<!here>` as those characters)."""
    found = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node.get("text") or "")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(found)


def security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "reviewdesk.security"]


# ---- what a signed request claims ---------------------------------------------------------------


def test_a_click_from_another_workspace_is_refused_and_logged(driver, slack, caplog):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    caplog.set_level(logging.INFO)

    assert click(driver, MARIA, card, ActionId.CLAIM, TRIAGE, team_id="T0OTHER") == 200

    driver.ephemeral_for(MARIA, "outside the workspace")
    driver.settle()
    assert driver.events(case_id) == [("opened", "system")]
    (logged,) = security_lines(caplog)
    assert "other_workspace" in logged and "T0OTHER" in logged and MARIA in logged
    assert "Dana" not in logged and "Waited" not in logged  # ids only


def test_a_click_from_a_channel_the_desk_does_not_use_is_refused(driver, slack, caplog):
    slack.add_channel("C0RANDOM", "random")
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    caplog.set_level(logging.INFO)

    assert click(driver, MARIA, card, ActionId.CLAIM, "C0RANDOM") == 200

    refused = driver.ephemeral_for(MARIA, "only in its triage")
    assert refused["channel"] == "C0RANDOM"
    driver.settle()
    assert driver.events(case_id) == [("opened", "system")]
    assert any("channel=C0RANDOM" in line for line in security_lines(caplog))


def test_a_click_in_a_direct_message_with_the_bot_is_let_through(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)

    assert click(driver, MARIA, card, ActionId.CLAIM, "D0MARIA") == 200

    driver.card_showing(case_id, TRIAGE, "Claimed by")
    assert driver.events(case_id)[-1] == ("claimed", MARIA)


def test_a_button_naming_another_case_than_its_card_is_refused(driver, slack):
    first = driver.new_case(external_id="g-1")
    second = driver.new_case(external_id="g-2")
    card = driver.card(first, TRIAGE)

    assert click(driver, MARIA, card, ActionId.CLAIM, TRIAGE, value=str(second)) == 200

    driver.ephemeral_for(MARIA, "does not match the case")
    driver.settle()
    assert driver.events(first) == [("opened", "system")]
    assert driver.events(second) == [("opened", "system")]


def test_the_workspace_named_in_config_wins_over_the_tokens(start_bot, slack):
    config = parse_config(config_data(slack={"triage_channel": TRIAGE, "team_id": "T0ELSE"}))
    bot = start_bot(config=config)
    driver = Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)

    assert click(driver, MARIA, card, ActionId.CLAIM, TRIAGE) == 200  # T0001, the twin's

    driver.ephemeral_for(MARIA, "outside the workspace")
    assert click(driver, MARIA, card, ActionId.CLAIM, TRIAGE, team_id="T0ELSE") == 200
    driver.card_showing(case_id, TRIAGE, "Claimed by")


def test_a_button_whose_data_cannot_be_read_gets_a_clear_answer_not_an_error(driver, slack,
                                                                             caplog):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    caplog.set_level(logging.INFO)

    for value in ("not-a-case", "99999999999999999999999", "-4"):
        assert click(driver, MARIA, card, ActionId.CLAIM, TRIAGE, value=value) == 200

    slack.wait_for(lambda: len([e for e in slack.ephemerals_for(MARIA)
                                if "could not be read" in e["text"]]) == 3)
    driver.settle()
    assert driver.events(case_id) == [("opened", "system")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ---- before Bolt: verification and shape ---------------------------------------------------------


def test_an_unverifiable_timestamp_is_401_and_the_bot_does_nothing(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    driver.settle()
    before = len(slack.calls)
    payload = block_actions_payload(
        user_id=MARIA, action=button_action(*find_button(card["blocks"], ActionId.CLAIM)),
        channel_id=TRIAGE, message=card)
    body = form_body_for_payload(payload).encode()
    good = sign(SIGNING_SECRET, body.decode())

    fullwidth = "１２３".encode().decode("latin-1")  # as the bytes arrive
    for timestamp in ("abc", "", fullwidth, "1e9", "-5", str(int(time.time())) + "0" * 20):
        status, answer = post(driver, "/slack/events", body,
                              {**good, "X-Slack-Request-Timestamp": timestamp})
        assert status == 401 and "Timestamp" in answer["error"], timestamp
    status, _ = post(driver, "/slack/events", body, {**good, "X-Slack-Signature": "v0=é" * 10})
    assert status == 401

    driver.settle()
    assert len(slack.calls) == before  # not even auth.test, not even an ephemeral
    assert driver.events(case_id) == [("opened", "system")]


@pytest.mark.parametrize(("payload", "named"), [
    ({"type": "block_actions", "team": 5}, "team"),
    ({"type": "block_actions", "user": {"id": MARIA}, "actions": [{"action_id": 7}]},
     "actions[0].action_id"),
    ({"type": "block_actions", "user": {"id": MARIA}, "actions": []}, "actions"),
    ({"type": "view_submission", "user": {"id": MARIA}, "view": "v"}, "view"),
    ({"type": "event_callback", "event": {"type": "app_home_opened"}, "authorizations": [1]},
     "authorizations"),
    ({"type": "event_callback", "event": []}, "event"),
    # Issue 20: Bolt read view.type before any listener (KeyError, 500), and an
    # app_home_opened whose user is no string reached the database; a command sent as JSON
    # carried what no form can.
    ({"type": "view_submission", "user": {"id": MARIA},
      "view": {"id": "V1", "callback_id": "respond_modal"}}, "view.type"),
    ({"type": "event_callback", "event": {"type": "app_home_opened", "user": {"id": MARIA},
                                          "tab": "home"}}, "event.user"),
    ({"command": "/reviewdesk", "text": ["open"], "user_id": MARIA, "channel_id": "C0TRIAGE",
      "team_id": "T0001"}, "text"),
])
def test_a_signed_payload_shaped_unlike_slacks_is_400_naming_the_field(driver, slack, payload,
                                                                       named):
    status, answer = signed_post(driver, payload)
    assert status == 400 and named in answer["error"]


def test_signed_bodies_bolt_could_not_read_are_400(driver):
    for body in ("payload=" + "[" * 5000, "payload=%7Bnot json", "payload=[1,2]",
                 '{"type": "event_callback", "event": ' + '{"a": ' * 40 + "1" + "}" * 41):
        status, answer = signed_post(driver, body)
        assert status == 400, (body[:40], answer)


# ---- intake: who may send ------------------------------------------------------------------------


def test_intake_takes_its_token_from_the_header_only_in_any_case_of_bearer(driver):
    data = json.dumps(review()).encode()
    status, answer = post(driver, f"/intake/reviews?token={INTAKE_TOKEN}", data,
                          {"Content-Type": "application/json"})
    assert status == 401 and "Authorization header" in answer["error"]
    for scheme in ("bearer", "BEARER", "Bearer"):
        status, _ = post(driver, "/intake/reviews", data,
                         {"Authorization": f"{scheme}  {INTAKE_TOKEN}",
                          "Content-Type": "application/json"})
        assert status == 200, scheme
    status, _ = post(driver, "/intake/reviews", data, {"Authorization": f"Basic {INTAKE_TOKEN}"})
    assert status == 401


@pytest.fixture
def google_api() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture
def yelp_api() -> Iterator[FakeYelp]:
    with FakeYelp() as fake:
        fake.seed_samples()
        yield fake


@pytest.fixture
def google_certs() -> Iterator[FakeGoogleCerts]:
    with FakeGoogleCerts() as fake:
        yield fake


def sourced(start_bot, slack, google_api, yelp_api, *, pubsub: dict | None = None) -> Driver:
    config = parse_config(config_data(
        sources={
            "google": {"enabled": True, "base_url": google_api.api_url,
                       "locations": [{"name": SAMPLE_LOCATION, "site": "north"}]},
            "yelp": {"base_url": yelp_api.base_url, "businesses": {SAMPLE_BUSINESS_ID: "north"}},
        },
        intake={"pubsub": pubsub or {}},
    ))
    clients = clients_from_env(config, {**google_api.env(), "YELP_API_KEY": yelp_api.api_key})
    bot = start_bot(config=config, clients=clients)
    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def test_a_pubsub_push_needs_googles_signed_token_for_our_audience_and_account(
        start_bot, slack, google_api, yelp_api, google_certs):
    driver = sourced(start_bot, slack, google_api, yelp_api, pubsub={
        "audience": AUDIENCE, "service_account": PUSH_SERVICE_ACCOUNT,
        "certs_url": google_certs.certs_url})
    google_api.add_review(SAMPLE_LOCATION, PUSHED_REVIEW)
    push = json.dumps(sample("google_pubsub_push.json")).encode()

    def deliver(token: str | None, query: str = "") -> int:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return post(driver, f"/intake/google/pubsub{query}", push, headers)[0]

    forged = google_certs.stranger_key()
    refused = {
        "no token, the URL secret alone": deliver(None, f"?token={INTAKE_TOKEN}"),
        "the intake token": deliver(INTAKE_TOKEN),
        "another audience": deliver(google_certs.push_token(audience="https://elsewhere.test")),
        "another service account": deliver(google_certs.push_token(
            audience=AUDIENCE, email="someone@evil.iam.gserviceaccount.com")),
        "an unverified e-mail": deliver(google_certs.push_token(audience=AUDIENCE,
                                                                email_verified=False)),
        "another issuer": deliver(google_certs.push_token(audience=AUDIENCE,
                                                          issuer="https://evil.test")),
        "expired": deliver(google_certs.push_token(audience=AUDIENCE,
                                                   issued=time.time() - 7200, lifetime=600)),
        "signed by a key Google never published": deliver(
            google_certs.push_token(audience=AUDIENCE, key=forged)),
        "not a JWT": deliver("not.a.jwt"),
    }
    assert refused == dict.fromkeys(refused, 401)
    assert google_api.calls_to("get") == []  # nothing was fetched for any of them

    assert deliver(google_certs.push_token(audience=AUDIENCE)) == 200
    assert deliver(google_certs.push_token(audience=AUDIENCE)) == 200  # redelivery: unchanged
    with driver.bot.db.session() as session:
        assert repository.find_review(session, source="google", external_id="AbFvOqk9")
    # Google's certificates were fetched once and kept as their Cache-Control says, plus once
    # more for the forged key id (keys rotate), which did not help the forger.
    assert len(google_certs.calls_to("certs")) == 2


def test_a_rotated_google_key_is_fetched_once_and_then_accepted(start_bot, slack, google_api,
                                                                yelp_api, google_certs):
    driver = sourced(start_bot, slack, google_api, yelp_api, pubsub={
        "audience": AUDIENCE, "service_account": PUSH_SERVICE_ACCOUNT,
        "certs_url": google_certs.certs_url})
    push = json.dumps({"message": {"data": ""}}).encode()  # announces nothing
    headers = {"Content-Type": "application/json"}

    def deliver() -> int:
        token = google_certs.push_token(audience=AUDIENCE)
        return post(driver, "/intake/google/pubsub", push,
                    {**headers, "Authorization": f"Bearer {token}"})[0]

    assert deliver() == 200
    google_certs.rotate()
    assert deliver() == 200
    assert deliver() == 200
    assert len(google_certs.calls_to("certs")) == 2


def test_without_oidc_settings_pubsub_and_yelp_use_the_url_token(start_bot, slack, google_api,
                                                                 yelp_api):
    driver = sourced(start_bot, slack, google_api, yelp_api)
    google_api.add_review(SAMPLE_LOCATION, PUSHED_REVIEW)
    push = json.dumps(sample("google_pubsub_push.json")).encode()
    webhook = json.dumps(yelp_api.webhook()).encode()
    json_type = {"Content-Type": "application/json"}

    assert post(driver, "/intake/google/pubsub?token=wrong", push, json_type)[0] == 401
    assert post(driver, "/intake/yelp/webhook?token=wrong", webhook, json_type)[0] == 401
    assert post(driver, "/intake/yelp/webhook", webhook, json_type)[0] == 401
    assert post(driver, f"/intake/google/pubsub?token={INTAKE_TOKEN}", push,
                json_type) == (200, {"stored": 1, "missing": 0, **NOTHING_LEFT_OUT})
    assert post(driver, f"/intake/yelp/webhook?token={INTAKE_TOKEN}", webhook,
                json_type) == (200, {"stored": 1, "missing": 0, **NOTHING_LEFT_OUT})


# A notice's answer when nothing it named was rejected or skipped.
NOTHING_LEFT_OUT = {"rejected": 0, "errors": [], "skipped": []}


def test_yelps_verification_get_is_answered_with_its_string(start_bot, slack, google_api,
                                                           yelp_api):
    driver = sourced(start_bot, slack, google_api, yelp_api)
    ok = post(driver, f"/intake/yelp/webhook?token={INTAKE_TOKEN}&verification=Ab12cd",
              None, {}, method="GET")
    assert ok == (200, {"verification": "Ab12cd"})
    assert post(driver, "/intake/yelp/webhook?verification=Ab12cd", None, {},
                method="GET")[0] == 401
    assert post(driver, f"/intake/yelp/webhook?token={INTAKE_TOKEN}&verification=%3Cscript%3E",
                None, {}, method="GET")[0] == 400


def test_a_notice_for_a_review_the_source_does_not_have_is_acknowledged_and_counted(
        start_bot, slack, google_api, yelp_api, caplog):
    driver = sourced(start_bot, slack, google_api, yelp_api)
    caplog.set_level(logging.INFO)
    push = json.dumps(sample("google_pubsub_push.json")).encode()  # Google has no such review
    webhook = yelp_api.webhook()
    webhook["data"]["updates"].append({**webhook["data"]["updates"][0], "review_id": "gone1"})
    json_type = {"Content-Type": "application/json"}

    assert post(driver, f"/intake/google/pubsub?token={INTAKE_TOKEN}", push,
                json_type) == (200, {"stored": 0, "missing": 1, **NOTHING_LEFT_OUT})
    assert post(driver, f"/intake/yelp/webhook?token={INTAKE_TOKEN}",
                json.dumps(webhook).encode(), json_type) == (200, {"stored": 1, "missing": 1,
                                                                   **NOTHING_LEFT_OUT})

    status, health = driver.get("/healthz")
    assert status == 200 and health["notices"] == {"missing_review": {"google": 1, "yelp": 1}}
    said = [r.getMessage() for r in caplog.records if "does not exist" in r.getMessage()
            or "do not exist" in r.getMessage()]
    assert len(said) == 2
    yelp_api.fail("review", status=503)  # an outage still asks for redelivery
    assert post(driver, f"/intake/yelp/webhook?token={INTAKE_TOKEN}",
                json.dumps(webhook).encode(), json_type)[0] == 503


# ---- nothing a review says becomes markup ------------------------------------------------------


def test_site_and_source_reach_the_notification_text_escaped(driver, slack):
    # Intake now refuses a site the config does not know; a review stored before it did is
    # still shown, and its site escaped.
    (outcome,) = driver.bot.desk.ingestor.ingest([(0, CanonicalReview.model_validate(
        review(site="<!channel> ward", source="<!here>")))])
    case_id = outcome.case_id
    card = driver.card(case_id, TRIAGE)
    markup = mrkdwn_of(card)
    assert "<!channel>" not in markup and "<!here>" not in markup.lower()
    assert "&lt;!channel&gt; ward" in card["text"] and "&lt;!Here&gt;" in card["text"]


def test_open_cases_list_shows_a_title_cased_source_as_text(driver, slack):
    driver.new_case(source="<@u0maria>", external_id="x-1")
    driver.settle()
    assert driver.command(MARIA, "open", TRIAGE) == 200
    listed = driver.ephemeral_for(MARIA, "#")
    assert "<@U0" not in mrkdwn_of(listed) and "&lt;@U0Maria&gt;" in mrkdwn_of(listed)


@pytest.mark.parametrize("url", [
    "https://evil.example|Patient portal",
    "https://evil.example/<!channel>",
    "javascript:alert(1)",
    "https://ok.example/a b",
    "https://user@evil.example/",
    "https://x.example/" + "a" * 2000,
])
def test_an_unsafe_review_url_is_refused_at_intake_naming_the_field(driver, url):
    status, body = driver.post_reviews([review(url=url), review(external_id="fine")])
    assert status == 422
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(0, "url")]
    assert body["created"] == 1  # the valid rest is stored


def test_a_url_already_stored_is_made_safe_where_it_becomes_a_link():
    assert web_url("https://evil.example|Patient portal") == "https://evil.example%7CPatient%20portal"
    assert web_url("javascript:alert(1)") is None
    assert web_url("https://a.example/x?y=<b>") == "https://a.example/x?y=%3Cb%3E"
    assert web_url("https://user@evil.example/") is None


def test_mentions_are_made_only_of_slack_ids():
    assert mention("U0MARIA") == "<@U0MARIA>"
    assert mention("S0SOCIAL") == "<!subteam^S0SOCIAL>"
    assert mention("U0X>|<!channel") == "U0X&gt;|&lt;!channel"

