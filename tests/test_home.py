"""The Home tab end to end: signed app_home_opened events and Home-tab clicks into the running
app, Homes read back from the Slack twin (which applies Slack's rules for a home view)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.home import MIN_INTERVAL
from storage.models import Review
from tests import history as known
from tests.conftest import LEE, MARIA, PAT, SAM, SIGNING_SECRET, TRIAGE
from tests.driver import Driver, block_text, review
from twin.interactions import (
    app_home_opened_event,
    block_actions_payload,
    button_action,
    event_callback,
    find_button,
    post_signed,
)


def open_home(driver: Driver, user: str, tab: str = "home") -> dict | None:
    before = len(driver.slack.calls_to("views.publish"))
    body = json.dumps(event_callback(app_home_opened_event(user, tab=tab)))
    status, _headers, _body = post_signed(f"{driver.base}/slack/events", SIGNING_SECRET, body,
                                          "application/json")
    assert status == 200
    driver.settle()
    if tab != "home":
        return None
    driver.slack.wait_for(lambda: [c for c in driver.slack.calls_to("views.publish")[before:]
                                   if c.params.get("user_id") == user])
    return driver.slack.home_view(user)


def click_home(driver: Driver, user: str, action_id: str, view: dict | None = None) -> int:
    """Click a button of `user`'s Home as Slack shows it now (or as `view` showed it)."""
    view = view or driver.slack.home_view(user)
    assert view is not None
    block, element = find_button(view["blocks"], action_id)
    payload = block_actions_payload(user_id=user, action=button_action(block, element),
                                    channel_id=None, message=None, container_type="view",
                                    view=view)
    status, _ = driver._post_interaction(payload)
    driver.settle()
    return status


def section_text(view: dict, heading: str) -> str:
    """The text of one list: from its heading to the next divider."""
    lines, inside = [], False
    for block in view["blocks"]:
        if block["type"] == "divider":
            inside = False
        text = block_text({"blocks": [block]})
        if heading in text:
            inside = True
        if inside:
            lines.append(text)
    assert lines, f"no list headed {heading!r}"
    return "\n".join(lines)


def publishes_for(driver: Driver, user: str) -> int:
    return len([c for c in driver.slack.calls_to("views.publish")
                if c.params.get("user_id") == user])


def test_opening_the_home_tab_publishes_the_desk_for_that_person(driver, clock):
    mine = driver.new_case(external_id="h-1")
    clock.advance(timedelta(minutes=1))
    free = driver.new_case(external_id="h-2", site="south")
    driver.click(MARIA, driver.card(mine, TRIAGE), "case_claim", TRIAGE)
    driver.card_showing(mine, TRIAGE, "Claimed by")

    view = open_home(driver, MARIA)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = block_text(view)
    assert ":warning: *Nobody is on call:*" in text  # the tests' rotation is empty
    assert "*This week* (since" in text and "2 negative reviews" in text
    assert f"*#{mine}*" in section_text(view, "*My cases*")
    assert f"*#{free}*" in section_text(view, "*Unclaimed*")
    assert f"*#{mine}*" not in section_text(view, "*Unclaimed*")  # each case shows once
    assert "Nothing is due soon." in section_text(view, "*Due soon*")
    assert "No open case is past a deadline." in section_text(view, "*Missed*")
    assert "Nothing waits for a look." in section_text(view, "*Needs a look*")
    assert "|Open card>" in section_text(view, "*Unclaimed*")
    # the same desk from Sam's side: Maria's case is hers, not his to list
    sams = open_home(driver, SAM)
    assert f"*#{mine}*" not in block_text(sams) and f"*#{free}*" in block_text(sams)


def test_the_messages_tab_is_not_ours_to_draw(driver):
    open_home(driver, SAM, tab="messages")
    assert driver.slack.home_view(SAM) is None


def test_claiming_from_home_moves_the_case_to_my_cases(driver):
    case_id = driver.new_case()
    open_home(driver, SAM)
    assert click_home(driver, SAM, f"home_claim:{case_id}") == 200
    assert ("claimed", SAM) in driver.events(case_id)
    view = driver.slack.home_view(SAM)
    assert f"*#{case_id}*" in section_text(view, "*My cases*")
    assert f"home_release:{case_id}" in json.dumps(view)
    driver.card_showing(case_id, TRIAGE, "Claimed by")  # the card in the channel follows


def test_a_click_on_an_out_of_date_home_is_refused_at_the_top_of_it(driver):
    case_id = driver.new_case()
    open_home(driver, SAM)
    driver.bot.desk.claim(case_id, MARIA)
    driver.settle()
    assert click_home(driver, SAM, f"home_claim:{case_id}") == 200
    view = driver.slack.home_view(SAM)
    assert f":information_source: This case is already claimed by <@{MARIA}>." in \
        block_text(view)
    assert ("claimed", SAM) not in driver.events(case_id)


def test_a_change_refreshes_the_homes_of_people_who_opened_it_once_per_interval(driver, clock):
    first = driver.new_case(external_id="r-1")
    second = driver.new_case(external_id="r-2")
    open_home(driver, LEE)
    published = publishes_for(driver, LEE)
    driver.bot.desk.claim(first, MARIA)
    driver.bot.desk.claim(second, SAM)
    driver.settle()
    assert publishes_for(driver, LEE) == published  # not yet: within the interval
    clock.advance(MIN_INTERVAL)
    driver.bot.scheduler.replan("home")
    driver.slack.wait_for(lambda: publishes_for(driver, LEE) == published + 1)
    driver.settle()
    assert publishes_for(driver, LEE) == published + 1  # two changes, one refresh
    unclaimed = section_text(driver.slack.home_view(LEE), "*Unclaimed*")
    assert f"*#{first}*" not in unclaimed and "Every open case is claimed." in unclaimed


def test_time_alone_moves_a_case_to_due_soon_and_then_missed(driver, clock):
    case_id = driver.new_case()
    open_home(driver, LEE)
    published = publishes_for(driver, LEE)
    known.move(driver, clock, clock.now() + timedelta(hours=17, minutes=59))
    assert publishes_for(driver, LEE) == published  # nothing changed yet
    known.move(driver, clock, clock.now() + timedelta(minutes=1))  # 24 h: due soon at 18 h
    assert f"*#{case_id}*" in section_text(driver.slack.home_view(LEE), "*Due soon*")
    known.move(driver, clock, clock.now() + timedelta(hours=6))
    assert f"*#{case_id}*" in section_text(driver.slack.home_view(LEE), "*Missed*")


def test_long_lists_page_with_show_more_within_a_hundred_blocks(driver, clock):
    for n in range(20):
        clock.advance(timedelta(seconds=20))
        driver.new_case(external_id=f"p-{n}")
    view = open_home(driver, SAM)
    assert "*Unclaimed*, oldest first (20) · 1–8 of 20" in block_text(view)
    assert click_home(driver, SAM, "home_page:unclaimed:1") == 200
    view = driver.slack.home_view(SAM)
    assert "· 9–16 of 20" in block_text(view)
    assert click_home(driver, SAM, "home_page:unclaimed:2") == 200
    view = driver.slack.home_view(SAM)
    assert "· 17–20 of 20" in block_text(view)
    assert "home_page:unclaimed:3" not in json.dumps(view)  # no more to show
    assert click_home(driver, SAM, "home_page:unclaimed:0") == 200
    assert "· 1–8 of 20" in block_text(driver.slack.home_view(SAM))
    assert all(len(v["blocks"]) <= 100 for v in [driver.slack.home_view(SAM)])


def test_px_staff_see_their_sites_figures(driver):
    driver.new_case(external_id="s-1", site="north")
    driver.new_case(external_id="s-2", site="south")
    pat = block_text(open_home(driver, PAT))  # a PX contact of North campus
    assert "*This week* at North campus (since" in pat and "1 negative review " in pat
    assert "2 negative reviews" in block_text(open_home(driver, SAM))


def test_reviews_triage_was_unsure_about_need_a_look_and_can_be_decided_from_home(driver):
    unsure = ["Billed twice for the same visit and nobody calls back.",
              "Nobody returned my call about the appointment."]
    for number, text in enumerate(unsure):
        status, body = driver.post_reviews(review(
            source="facebook", external_id=f"fb-unsure-{number}", rating=None, text=text,
            url=f"https://facebook.example/{number}"))
        assert status == 200 and body["items"][0]["case_id"] is None, body
    looks = section_text(open_home(driver, SAM), "*Needs a look*")
    assert "(2)" in looks and "Billed twice for the same visit" in looks
    first, second = (r.id for r in _reviews(driver))

    lees = open_home(driver, LEE)
    assert click_home(driver, SAM, f"home_not_complaint:{first}") == 200
    mine = section_text(driver.slack.home_view(SAM), "*Needs a look*")
    assert "(1)" in mine and "Billed twice" not in mine
    assert click_home(driver, SAM, f"home_make_case:{second}") == 200
    assert "Nothing waits for a look." in section_text(driver.slack.home_view(SAM),
                                                        "*Needs a look*")
    assert "(1)" in section_text(driver.slack.home_view(SAM), "*Unclaimed*")
    # Lee's Home, opened before the decisions, is out of date: it is refreshed…
    known.move(driver, driver.bot.clock, driver.bot.clock.now() + MIN_INTERVAL)
    assert "Nothing waits for a look." in section_text(driver.slack.home_view(LEE),
                                                        "*Needs a look*")
    # …and a click on what it showed before is answered at the top of Lee's Home
    assert click_home(driver, LEE, f"home_make_case:{first}", view=lees) == 200
    assert f"<@{SAM}> already decided this one: not a complaint." in block_text(
        driver.slack.home_view(LEE))


def _reviews(driver: Driver) -> list[Review]:
    from sqlmodel import select

    with driver.bot.db.session() as session:
        return list(session.exec(select(Review).order_by(Review.id)))


def test_a_rate_limit_pauses_refreshes_and_they_resume(driver, clock):
    case_id = driver.new_case()
    open_home(driver, LEE)
    driver.slack.fail("views.publish", status=429, retry_after=30)
    driver.bot.desk.claim(case_id, MARIA)
    clock.advance(MIN_INTERVAL)
    driver.bot.scheduler.replan("home")
    driver.slack.wait_for(lambda: driver.slack.calls_to("views.publish")[-1].status == 429)
    driver.settle()
    assert driver.bot.home.next_due() >= clock.now() + timedelta(seconds=29)
    clock.advance(timedelta(seconds=31))
    driver.bot.scheduler.replan("home")
    driver.slack.wait_for(lambda: "Every open case is claimed." in block_text(
        driver.slack.home_view(LEE)))


def test_a_home_tab_slack_will_not_show_is_not_retried_in_a_loop(driver, clock):
    driver.new_case()
    driver.slack.fail("views.publish", error="not_enabled")
    body = json.dumps(event_callback(app_home_opened_event(SAM)))
    post_signed(f"{driver.base}/slack/events", SIGNING_SECRET, body, "application/json")
    driver.slack.wait_for(lambda: driver.slack.calls_to("views.publish"))
    driver.settle()
    assert driver.bot.home.next_due() is None or driver.bot.home.next_due() > clock.now()


def test_opened_long_ago_is_not_refreshed(driver, clock):
    open_home(driver, LEE)
    published = publishes_for(driver, LEE)
    clock.set(datetime(2027, 6, 1, tzinfo=UTC))
    driver.new_case(external_id="late")
    driver.bot.scheduler.replan("home")
    driver.settle()
    assert publishes_for(driver, LEE) == published


def test_the_manifest_turns_on_the_home_tab_and_subscribes_to_app_home_opened():
    from pathlib import Path

    import yaml

    manifest = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert {"files:write", "files:read", "im:write", "chat:write"} <= set(scopes)
