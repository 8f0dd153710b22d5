"""Tests of the Slack twin's Web API (twin/webapi.py) driven by the real slack_sdk WebClient."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from twin.interactions import (
    block_actions_payload,
    button_action,
    escape_command_text,
    find_button,
    form_body_for_payload,
    plain_text_value,
    post_signed,
    sign,
    view_submission_payload,
)
from twin.webapi import (
    C_PX_NORTH,
    C_RISK,
    C_TRIAGE,
    U_MARIA,
    SlackTwin,
    add_problem_listener,
    live_twins,
    new_trigger_id,
    remove_problem_listener,
)

BUTTONS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*New 1-star review*"}},
    {
        "type": "actions",
        "block_id": "case_actions",
        "elements": [
            {
                "type": "button",
                "action_id": "claim",
                "text": {"type": "plain_text", "text": "Claim"},
                "value": "case-1",
            },
        ],
    },
]
MODAL = {
    "type": "modal",
    "callback_id": "close_case",
    "title": {"type": "plain_text", "text": "Close case"},
    "submit": {"type": "plain_text", "text": "Close"},
    "private_metadata": "case-1",
    "blocks": [
        {
            "type": "input",
            "block_id": "note",
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "note_input"},
        }
    ],
}
METADATA = {"event_type": "case_opened", "event_payload": {"case_id": 1}}


@pytest.fixture
def slack() -> Iterator[SlackTwin]:
    with SlackTwin() as fake:
        yield fake


@pytest.fixture
def client(slack: SlackTwin) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.base_url)


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return excinfo.value.response["error"]


def test_auth_test_identifies_the_bot(slack: SlackTwin, client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == "UBOT"
    assert answer["team_id"] == "T0001"
    assert slack.calls_to("auth.test")[0].status == 200


def test_post_update_thread_and_ephemeral_round_trip(slack: SlackTwin, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=C_TRIAGE, text="New review", blocks=BUTTONS)
    ts = posted["ts"]
    assert posted["message"]["blocks"][0]["block_id"]  # Slack assigns missing block_ids

    client.chat_update(channel=C_TRIAGE, ts=ts, text="Claimed by Maria", blocks=BUTTONS[:1])
    reply = client.chat_postMessage(channel=C_TRIAGE, thread_ts=ts, text="Follow-up due Friday")
    client.chat_postEphemeral(channel=C_TRIAGE, user=U_MARIA, text="Only you can see this")
    link = client.chat_getPermalink(channel=C_TRIAGE, message_ts=ts)

    [parent] = slack.messages(C_TRIAGE)
    assert parent["text"] == "Claimed by Maria"
    assert len(parent["blocks"]) == 1
    assert "edited" in parent
    assert parent["reply_count"] == 1
    assert [m["ts"] for m in slack.thread(C_TRIAGE, ts)] == [reply["ts"]]
    assert slack.message(C_TRIAGE, reply["ts"])["thread_ts"] == ts
    assert slack.ephemerals_for(U_MARIA, C_TRIAGE)[0]["text"] == "Only you can see this"
    assert link["permalink"].endswith(f"/archives/{C_TRIAGE}/p{ts.replace('.', '')}")
    assert float(reply["ts"]) > float(ts)


def test_wrong_token_is_invalid_auth(slack: SlackTwin) -> None:
    client = WebClient(token="xoxb-wrong", base_url=slack.base_url)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="hi")
    assert api_error(excinfo) == "invalid_auth"
    assert slack.messages(C_TRIAGE) == []


def test_unknown_channel_and_thread(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C_NOPE", text="hi")
    assert api_error(excinfo) == "channel_not_found"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="hi", thread_ts="1.000001")
    assert api_error(excinfo) == "thread_not_found"


def test_not_in_channel_until_joined(slack: SlackTwin, client: WebClient) -> None:
    slack.add_channel("C_NEW", "px-east", is_member=False)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C_NEW", text="hi")
    assert api_error(excinfo) == "not_in_channel"

    assert client.conversations_join(channel="C_NEW")["channel"]["is_member"] is True
    client.chat_postMessage(channel="C_NEW", text="hi")
    assert [m["text"] for m in slack.messages("C_NEW")] == ["hi"]


def test_rate_limit_answers_429_with_retry_after(slack: SlackTwin) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.base_url, retry_handlers=[])
    slack.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="hi")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "7"
    assert api_error(excinfo) == "ratelimited"
    assert slack.messages(C_TRIAGE) == []
    client.chat_postMessage(channel=C_TRIAGE, text="hi")  # only one failure was queued
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


def test_server_error_has_no_side_effect(slack: SlackTwin, client: WebClient) -> None:
    slack.fail("*", status=500)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="hi")
    assert excinfo.value.response.status_code == 500
    assert slack.messages(C_TRIAGE) == []
    assert slack.calls_to("chat.postMessage")[0].response is None  # an HTML error page


def test_outage_spares_allowed_methods(slack: SlackTwin, client: WebClient) -> None:
    slack.outage(True, allow=["auth.test"])
    client.auth_test()
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="hi")
    assert excinfo.value.response.status_code == 503
    slack.outage(False)
    client.chat_postMessage(channel=C_TRIAGE, text="hi")
    assert len(slack.messages(C_TRIAGE)) == 1


def test_slow_success_takes_effect_although_the_client_timed_out(slack: SlackTwin) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.base_url, timeout=0.5)
    slack.fail("chat.postMessage", delay=1.0)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel=C_TRIAGE, text="posted anyway")
    assert time.monotonic() - started < 1.0
    assert [m["text"] for m in slack.messages(C_TRIAGE)] == ["posted anyway"]
    assert len(slack.calls_to("chat.postMessage")) == 1  # timeouts are not retried


def test_views_open_update_trigger_reuse_and_hash_conflict(
    slack: SlackTwin, client: WebClient
) -> None:
    trigger_id = new_trigger_id(U_MARIA)
    view = client.views_open(trigger_id=trigger_id, view=MODAL)["view"]
    assert view["id"].startswith("V")
    assert view["state"] == {"values": {}}
    assert slack.view(view["id"])["user"] == U_MARIA

    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=trigger_id, view=MODAL)
    assert api_error(excinfo) == "invalid_trigger_id"

    updated = {**MODAL, "private_metadata": "case-2"}
    fresh = client.views_update(view_id=view["id"], hash=view["hash"], view=updated)["view"]
    assert fresh["hash"] != view["hash"]
    assert slack.view(view["id"])["private_metadata"] == "case-2"
    with pytest.raises(SlackApiError) as excinfo:
        client.views_update(view_id=view["id"], hash=view["hash"], view=updated)
    assert api_error(excinfo) == "hash_conflict"
    assert [v["id"] for v in slack.opened_views()] == [view["id"]]


def test_expired_trigger_id_when_expiry_is_on() -> None:
    with SlackTwin(expire_trigger_ids=True) as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.base_url)
        old_trigger = new_trigger_id(U_MARIA, issued_at=time.time() - 10)
        with pytest.raises(SlackApiError) as excinfo:
            client.views_open(trigger_id=old_trigger, view=MODAL)
        assert api_error(excinfo) == "expired_trigger_id"


@pytest.mark.slack_rejects
def test_invalid_view_is_invalid_arguments(client: WebClient) -> None:
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "A title that is far too long"}}
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=new_trigger_id(U_MARIA), view=long_title)
    assert api_error(excinfo) == "invalid_arguments"
    [message] = excinfo.value.response["response_metadata"]["messages"]
    assert "[json-pointer:/view/title/text]" in message


def test_history_and_replies_with_and_without_metadata(slack: SlackTwin, client: WebClient) -> None:
    first = client.chat_postMessage(channel=C_RISK, text="case 1", metadata=METADATA)["ts"]
    client.chat_postMessage(channel=C_RISK, thread_ts=first, text="reply", metadata=METADATA)
    second = client.chat_postMessage(channel=C_RISK, text="case 2")["ts"]

    history = client.conversations_history(channel=C_RISK)
    assert [m["ts"] for m in history["messages"]] == [second, first]  # newest first
    assert "metadata" not in history["messages"][1]
    with_metadata = client.conversations_history(channel=C_RISK, include_all_metadata=True)
    assert with_metadata["messages"][1]["metadata"] == METADATA
    assert client.conversations_history(channel=C_RISK, oldest=first)["messages"][0]["ts"] == (
        second
    )

    page = client.conversations_history(channel=C_RISK, limit=1)
    assert page["has_more"] is True
    cursor = page["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel=C_RISK, limit=1, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == [first]

    replies = client.conversations_replies(channel=C_RISK, ts=first, include_all_metadata=True)
    assert [m["text"] for m in replies["messages"]] == ["case 1", "reply"]
    assert all(m["metadata"] == METADATA for m in replies["messages"])
    plain = client.conversations_replies(channel=C_RISK, ts=first)
    assert all("metadata" not in m for m in plain["messages"])


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
            "/blocks/0/text/text",
        ),
        ([BUTTONS[0], {**BUTTONS[1], "elements": BUTTONS[1]["elements"] * 2}],
         "/blocks/1/elements/1/action_id"),
    ],
    ids=["header-too-long", "duplicate-action-id"],
)
@pytest.mark.slack_rejects
def test_invalid_blocks_are_rejected(
    slack: SlackTwin, client: WebClient, blocks: list[dict], pointer: str
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="fallback", blocks=blocks)
    assert api_error(excinfo) == "invalid_blocks"
    [error] = excinfo.value.response["errors"]
    assert f"[json-pointer:{pointer}]" in error
    assert slack.messages(C_TRIAGE) == []


def test_form_and_query_requests_are_accepted(slack: SlackTwin) -> None:
    form = urlencode(
        {
            "token": slack.bot_token,
            "channel": C_PX_NORTH,
            "text": "hi",
            "blocks": json.dumps(BUTTONS),
        }
    )
    request = urllib.request.Request(slack.base_url + "chat.postMessage", data=form.encode())
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["ok"] is True
    assert slack.messages(C_PX_NORTH)[0]["blocks"][1]["block_id"] == "case_actions"

    query = urlencode({"token": slack.bot_token, "user": U_MARIA})
    with urllib.request.urlopen(f"{slack.base_url}users.info?{query}", timeout=5) as response:
        user = json.load(response)["user"]
    assert (user["name"], user["tz"]) == ("maria", "America/Chicago")


def test_apps_connections_open_needs_the_app_token(slack: SlackTwin, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.apps_connections_open(app_token=slack.bot_token)
    assert api_error(excinfo) == "invalid_auth"
    assert client.apps_connections_open(app_token=slack.app_token)["url"].startswith("ws://")


def test_wait_for_reports_recent_calls_on_timeout(slack: SlackTwin, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test→ok"):
        slack.wait_for_calls("chat.postMessage", timeout=0.1)


def test_sign_is_accepted_by_slack_sdk_verifier() -> None:
    body = form_body_for_payload({"type": "block_actions"})
    headers = sign("s3cret", body)
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    stale = sign("s3cret", body, timestamp=int(time.time()) - 3600)
    assert not verifier.is_valid_request(body, stale)


def test_post_signed_returns_error_statuses(slack: SlackTwin) -> None:
    status, _, body = post_signed(slack.base_url + "auth.test", "s3cret", "", "text/plain")
    assert (status, json.loads(body)["error"]) == (200, "invalid_auth")
    status, headers, _ = post_signed(slack.base_url.removesuffix("api/"), "s3cret", "", "x/y")
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")


def test_payloads_built_from_what_the_fake_stored(slack: SlackTwin, client: WebClient) -> None:
    ts = client.chat_postMessage(channel=C_TRIAGE, text="New review", blocks=BUTTONS)["ts"]
    message = slack.message(C_TRIAGE, ts)
    block, element = find_button(message["blocks"], "claim")
    payload = block_actions_payload(
        user_id=U_MARIA, action=button_action(block, element), channel_id=C_TRIAGE, message=message
    )
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": C_TRIAGE,
        "is_ephemeral": False,
    }
    assert payload["actions"][0]["value"] == "case-1"
    assert payload["channel"]["name"] == "review-triage"
    with pytest.raises(AssertionError, match="present: \\['claim'\\]"):
        find_button(message["blocks"], "unclaim")

    view = client.views_open(trigger_id=payload["trigger_id"], view=MODAL)["view"]
    assert slack.view(view["id"])["user"] == U_MARIA  # the minted trigger names its user
    submission = view_submission_payload(
        user_id=U_MARIA, view=view, values={"note": {"note_input": plain_text_value("done")}}
    )
    assert submission["view"]["state"]["values"]["note"]["note_input"]["value"] == "done"
    assert submission["view"]["private_metadata"] == "case-1"


# ---- Slack's rules (twin/rules/) as the Web API applies them --------------------------------

TOO_LONG_INPUT = {
    **MODAL,
    "blocks": [{**MODAL["blocks"][0], "element": {**MODAL["blocks"][0]["element"],
                                                  "max_length": 4000}}],
}
PURPLE = [{"type": "actions", "elements": [{**BUTTONS[1]["elements"][0], "style": "purple"}]}]


@pytest.mark.slack_rejects
def test_rejected_blocks_answer_in_slacks_shape_and_are_recorded(
    slack: SlackTwin, client: WebClient
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="fallback", blocks=PURPLE)
    body = excinfo.value.response.data
    reason = "must be one of primary, danger [json-pointer:/blocks/0/elements/0/style]"
    assert body == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": [reason],
        "response_metadata": {"messages": [f"[ERROR] {reason}"]},
    }
    [call] = slack.calls_to("chat.postMessage")
    [problem] = call.problems
    assert problem.startswith(f"rejected invalid_blocks: {reason} (rule button.style")
    assert "docs.slack.dev/reference/block-kit/block-elements/button-element" in problem
    assert slack.problems() == [("chat.postMessage", [problem])]
    assert slack.messages(C_TRIAGE) == []


@pytest.mark.slack_rejects
@pytest.mark.parametrize("method", ["views.open", "views.push"])
def test_modal_methods_reject_an_input_longer_than_slack_allows(
    slack: SlackTwin, client: WebClient, method: str
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call(method, json={"trigger_id": new_trigger_id(U_MARIA),
                                      "view": TOO_LONG_INPUT})
    assert excinfo.value.response.data == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": [
            "[ERROR] must be no more than 3000 [json-pointer:/view/blocks/0/element/max_length]"
        ]},
    }
    assert [m for m, _ in slack.problems()] == [method]
    assert slack.opened_views() == []


@pytest.mark.slack_rejects
def test_update_ephemeral_and_home_go_through_the_same_rules(
    slack: SlackTwin, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel=C_TRIAGE, text="New review", blocks=BUTTONS)["ts"]
    view = client.views_open(trigger_id=new_trigger_id(U_MARIA), view=MODAL)["view"]
    assert slack.problems() == []

    attempts = {
        "chat.update": lambda: client.chat_update(channel=C_TRIAGE, ts=ts, text="x",
                                                  blocks=PURPLE),
        "chat.postEphemeral": lambda: client.chat_postEphemeral(
            channel=C_TRIAGE, user=U_MARIA, text="x", blocks=PURPLE),
        "views.update": lambda: client.views_update(view_id=view["id"], view=TOO_LONG_INPUT),
        "views.publish": lambda: client.views_publish(
            user_id=U_MARIA, view={"type": "home", "blocks": PURPLE}),
    }
    for method, attempt in attempts.items():
        with pytest.raises(SlackApiError) as excinfo:
            attempt()
        expected = "invalid_arguments" if method.startswith("views.") else "invalid_blocks"
        assert excinfo.value.response["error"] == expected, method
    assert [method for method, _ in slack.problems()] == list(attempts)
    assert slack.message(C_TRIAGE, ts)["text"] == "New review"
    assert slack.ephemerals_for(U_MARIA) == [] and slack.home_view(U_MARIA) is None


@pytest.mark.slack_rejects
def test_payload_that_renders_wrongly_is_accepted_but_recorded(
    slack: SlackTwin, client: WebClient
) -> None:
    cut = "Due <!date^1764000000^{date_short_pretty} at {ti"
    answer = client.chat_postMessage(
        channel=C_TRIAGE, text="Due soon",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": cut}}],
    )
    assert answer["ok"] is True
    [(method, [problem])] = slack.problems()
    assert method == "chat.postMessage"
    assert problem.startswith("renders wrongly: <!date token cut before its closing '>'")
    assert "[json-pointer:/blocks/0/text/text]" in problem


@pytest.mark.slack_rejects
def test_text_over_40000_is_truncated_with_slacks_warning(
    slack: SlackTwin, client: WebClient
) -> None:
    answer = client.chat_postMessage(channel=C_TRIAGE, text="x" * 40_001)
    assert answer["response_metadata"]["warnings"] == ["message_truncated"]
    assert len(slack.messages(C_TRIAGE)[0]["text"]) == 40_000
    assert "message.text_truncated" in slack.problems()[0][1][0]


@pytest.mark.slack_rejects
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_no_text_and_bad_metadata_use_slacks_error_names(
    slack: SlackTwin, client: WebClient
) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="")
    assert excinfo.value.response["error"] == "no_text"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=C_TRIAGE, text="hi", metadata={"event_type": "x"})
    assert excinfo.value.response["error"] == "invalid_metadata_format"
    assert [len(problems) for _, problems in slack.problems()] == [1, 1]


def test_a_clean_conversation_records_no_problems(slack: SlackTwin, client: WebClient) -> None:
    client.chat_postMessage(channel=C_TRIAGE, text="Due <!date^1764000000^{time}|9:00>",
                            blocks=BUTTONS, metadata=METADATA)
    client.views_open(trigger_id=new_trigger_id(U_MARIA), view=MODAL)
    client.views_publish(user_id=U_MARIA, view={"type": "home", "blocks": BUTTONS})
    assert slack.problems() == []


@pytest.mark.slack_rejects
def test_listeners_hear_problems_from_any_twin(slack: SlackTwin) -> None:
    heard: list[tuple[SlackTwin, str, list[str]]] = []

    def listen(twin: SlackTwin, method: str, problems: list[str]) -> None:
        heard.append((twin, method, problems))

    add_problem_listener(listen)
    try:
        with SlackTwin() as other:
            assert other in live_twins()
            client = WebClient(token=other.bot_token, base_url=other.base_url)
            with pytest.raises(SlackApiError):
                client.chat_postMessage(channel=C_TRIAGE, text="t", blocks=PURPLE)
            other.record_problems("view_submission", ["bad ack"])
    finally:
        remove_problem_listener(listen)
    assert [(twin is other, method) for twin, method, _ in heard] == [
        (True, "chat.postMessage"), (True, "view_submission")
    ]
    assert other.problems()[-1] == ("view_submission", ["bad ack"])
    assert slack.problems() == []


def _hook(url: str, body: dict) -> tuple[int, dict]:
    """POST to a response_url as slack_sdk's WebhookClient (and Bolt's `respond`) does."""
    answer = WebhookClient(url).send_dict(body)
    return answer.status_code, json.loads(answer.body)


def test_response_url_replaces_answers_and_deletes_the_ephemeral_clicked(
    slack: SlackTwin, client: WebClient
) -> None:
    client.chat_postEphemeral(channel=C_TRIAGE, user=U_MARIA, text="An offer", blocks=BUTTONS)
    [offer] = slack.ephemerals_for(U_MARIA)
    url = slack.response_url(user=U_MARIA, channel=C_TRIAGE, message=offer, ephemeral=True)

    assert _hook(url, {"replace_original": True, "text": "Replaced"}) == (200, {"ok": True})
    [replaced] = slack.ephemerals_for(U_MARIA)
    assert replaced["text"] == "Replaced" and replaced["blocks"] is None
    assert replaced["message_ts"] == offer["message_ts"]
    assert _hook(url, {"text": "Another, for Maria only"}) == (200, {"ok": True})
    assert [e["text"] for e in slack.ephemerals_for(U_MARIA)] == [
        "Replaced", "Another, for Maria only"]
    assert slack.messages(C_TRIAGE) == []  # ephemeral unless in_channel is asked for

    assert _hook(url, {"delete_original": True}) == (200, {"ok": True})
    assert [e["text"] for e in slack.ephemerals_for(U_MARIA)] == ["Another, for Maria only"]
    assert _hook(url, {"delete_original": True}) == (
        404, {"ok": False, "error": "message_not_found"})
    # Five uses in all, then the address is spent.
    assert _hook(url, {"text": "Fifth"})[0] == 200
    assert _hook(url, {"text": "Sixth"}) == (404, {"ok": False, "error": "used_url"})
    assert [call.params.get("delete_original") for call in slack.calls_to("response_url")
            ] == [None, None, True, True, None, None]


def test_response_url_of_a_channel_message_posts_in_channel_and_deletes_it(
    slack: SlackTwin, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel=C_TRIAGE, text="A card", blocks=BUTTONS)
    card = slack.message(C_TRIAGE, posted["ts"])
    url = slack.response_url(user=U_MARIA, channel=C_TRIAGE, message=card)

    assert _hook(url, {"response_type": "in_channel", "text": "For everyone",
                       "thread_ts": card["ts"]})[0] == 200
    assert [m["text"] for m in slack.thread(C_TRIAGE, card["ts"])] == ["For everyone"]
    assert _hook(url, {"replace_original": True, "text": "Changed"})[0] == 200
    assert slack.message(C_TRIAGE, card["ts"])["text"] == "Changed"
    assert _hook(url, {"delete_original": "true"})[0] == 200
    assert slack.messages(C_TRIAGE) == []


@pytest.mark.slack_rejects
def test_response_url_holds_content_to_slacks_rules_and_expires_after_30_minutes() -> None:
    now = [1_800_000_000.0]
    with SlackTwin(clock=lambda: now[0]) as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.base_url)
        client.chat_postEphemeral(channel=C_TRIAGE, user=U_MARIA, text="An offer")
        [offer] = slack.ephemerals_for(U_MARIA)
        url = slack.response_url(user=U_MARIA, channel=C_TRIAGE, message=offer,
                                 ephemeral=True)

        status, body = _hook(url, {"replace_original": True, "text": "x", "blocks": PURPLE})
        assert (status, body["error"]) == (400, "invalid_blocks")
        [call] = slack.calls_to("response_url")
        assert call.problems and call.problems[0].startswith("rejected invalid_blocks")
        assert slack.ephemerals_for(U_MARIA)[0]["text"] == "An offer"  # unchanged

        now[0] += 30 * 60 + 1
        assert _hook(url, {"delete_original": True}) == (
            404, {"ok": False, "error": "expired_url"})
        assert len(slack.ephemerals_for(U_MARIA)) == 1


# A slash command's text with should_escape: true (manifest.yml), as Slack hands it to the app.
PEOPLE = [{"id": "U0SAM", "name": "sam", "real_name": "Sam"},
          {"id": "U0MARIA", "name": "maria", "real_name": "Maria Lopez"}]
ROOMS = [{"id": "C0PXNORTH", "name": "px-north"}]
GROUPS = [{"id": "S0ONCALL", "handle": "reviewdesk-oncall"},
          {"id": "S0OLD", "handle": "old-team", "date_delete": 1_700_000_500}]


@pytest.mark.parametrize(("typed", "sent"), [
    ("oncall override @Sam until fri 17:00", "oncall override <@U0SAM|sam> until fri 17:00"),
    ("swap @sam @Maria Lopez", "swap <@U0SAM|sam> <@U0MARIA|maria>"),  # longest name wins
    ("add @maria,", "add <@U0MARIA|maria>,"),
    ("#px-north and @here", "<#C0PXNORTH|px-north> and <!here>"),
    ("@reviewdesk-oncall", "<!subteam^S0ONCALL|@reviewdesk-oncall>"),
    ("find fish & chips <3 >", "find fish &amp; chips &lt;3 &gt;"),
    ("see https://x.example/r?a=1&b=2", "see <https://x.example/r?a=1&amp;b=2>"),
    ("@samuel @old-team #nowhere", "@samuel @old-team #nowhere"),  # nobody by those names
    ("sam@example.org", "sam@example.org"),  # not a mention: no @ at a word's start
])
def test_a_slash_commands_text_is_escaped_as_slack_sends_it(typed: str, sent: str) -> None:
    assert escape_command_text(typed, users=PEOPLE, channels=ROOMS, usergroups=GROUPS) == sent
