"""The Home tab end to end: signed app_home_opened events and Home-tab clicks into the running
app, Homes read back from the Slack twin (which applies Slack's rules for a home view)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.blocks.ids import BlockId, CallbackId, InputId
from bot.home.home import MIN_INTERVAL
from storage.models import Review
from testing.driver import Driver, block_text, review
from testing.workspace import LEE, MARIA, PAT, SAM, SIGNING_SECRET, TRIAGE
from tests import history as known
from twin.interactions import (
    app_home_opened_event,
    block_actions_payload,
    button_action,
    event_callback,
    find_button,
    post_signed,
    static_select_value,
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
    assert "*Unclaimed* (20) · 1–8 of 20" in block_text(view)
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


def test_the_week_s_figures_follow_every_change_and_every_deadline(driver, clock):
    on_site = "I'm sitting in your ER right now and nobody has seen my son."
    driver.new_case(external_id="w-1", rating=None, text=on_site)  # due in 2 h
    sams = block_text(open_home(driver, SAM))
    assert "1 negative review " in sams and "replies in time —" in sams
    assert "1 negative review " in block_text(open_home(driver, LEE))
    driver.new_case(external_id="w-2")  # the same minute: the figures are not reused
    known.move(driver, clock, clock.now() + MIN_INTERVAL)
    assert "2 negative reviews" in block_text(driver.slack.home_view(SAM))
    # a deadline passing changes them too, with no event: the Home is published then
    known.move(driver, clock, clock.now() + timedelta(hours=2) - MIN_INTERVAL)
    assert "replies in time 0% (0 of 1)" in block_text(driver.slack.home_view(SAM))


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


# ---- Patient Experience staff's Home -------------------------------------------------------

ROBIN = "U0ROBIN"  # PX staff of every site, no site's contact
FIRST_RESPONSE_DUE = "First response due"


def px_desk(start_bot, slack, **roles) -> Driver:
    """The tests' desk with roles set: Maria and Sam the social team, Pat (North campus's PX
    contact) and Robin PX staff."""
    from bot.config import parse_config
    from testing.workspace import INTAKE_TOKEN, config_data

    slack.add_user(ROBIN, "robin")
    data = config_data(roles={"social_team": [MARIA, SAM], "px_staff": [PAT, ROBIN], **roles})
    bot = start_bot(config=parse_config(data))
    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def px_case(driver: Driver, clock, external_id: str, urgency: str | None, site: str = "north",
            **review_fields) -> int:
    """A case, escalated to `site`'s PX with `urgency` by Maria (None: not escalated)."""
    clock.advance(timedelta(seconds=20))  # cards of their own, not a burst
    case_id = driver.new_case(external_id=external_id, site=site,
                              author=f"Reviewer {external_id}", **review_fields)
    if urgency:
        driver.bot.desk.escalate(case_id, MARIA, site_id=site, urgency=urgency, note=None)
    return case_id


def due_text(moment: datetime) -> str:
    return f"<!date^{int(moment.timestamp())}^"


def test_px_staff_see_their_own_follow_ups_then_those_to_take_at_their_sites(
        start_bot, slack, clock):
    """Pat, North campus's PX contact: her follow-up first, by its PX deadline (not the social
    response's, due sooner), with Mark contacted; then the ones nobody has taken at North, by
    deadline, with Claim; never South's, and no first response to claim (the tester's Home
    showed #10 by the social deadline with Take over, South's cases, and Claim buttons)."""
    driver = px_desk(start_bot, slack)
    start = clock.now()
    pats = px_case(driver, clock, "px-1", "routine")  # PX due in 72 h, first response in 24 h
    driver.bot.desk.px_claim(pats, PAT)
    soon = px_case(driver, clock, "px-2", "soon")  # 24 h
    urgent = px_case(driver, clock, "px-3", "urgent")  # 4 h: first to take
    south = px_case(driver, clock, "px-4", "urgent", site="south")
    social = px_case(driver, clock, "px-5", None)  # no PX follow-up: the social team's
    driver.settle()

    view = open_home(driver, PAT)
    text = block_text(view)
    assert len(view["blocks"]) <= 100
    for heading in ("*My cases*", "*Unclaimed*", "*Missed*", "*Due soon*", "*Needs a look*"):
        assert heading not in text
    mine = section_text(view, "*My PX follow-ups* (1)")
    assert f"*#{pats}*" in mine and due_text(start + timedelta(hours=72, seconds=20)) in mine
    assert FIRST_RESPONSE_DUE not in mine and f"PX: <@{PAT}>" in mine
    to_take = section_text(view, "*PX follow-ups to take* at North campus (2)")
    assert to_take.index(f"*#{urgent}*") < to_take.index(f"*#{soon}*")  # by PX deadline
    assert "PX: unclaimed" in to_take
    assert f"*#{south}*" not in text and f"*#{social}*" not in text
    buttons = json.dumps(view)
    assert f"home_px_contacted:{pats}" in buttons and f"home_px_claim:{urgent}" in buttons
    assert "home_claim:" not in buttons and "home_take_over:" not in buttons
    # North names no on-site contact: Pat is asked to find its reviewers on site now too.
    assert ("Reviewers on site now to find first, then your PX follow-ups, then those nobody "
            "has taken at your sites") in text
    assert "*On site now, to find* at North campus (0)" in text
    assert "escalated to Patient Experience · PX follow-ups in time" in text

    # Claim from the Home: hers now, by its deadline among hers.
    assert click_home(driver, PAT, f"home_px_claim:{urgent}") == 200
    assert ("px_claimed", PAT) in driver.events(urgent)
    mine = section_text(driver.slack.home_view(PAT), "*My PX follow-ups* (2)")
    assert mine.index(f"*#{urgent}*") < mine.index(f"*#{pats}*")
    # Mark contacted, then Resolve: the follow-up met, the case resolved and gone.
    assert click_home(driver, PAT, f"home_px_contacted:{urgent}") == 200
    view = driver.slack.home_view(PAT)
    line = next(part for part in section_text(view, "*My PX follow-ups*").split("\n")
                if f"*#{urgent}*" in part)
    assert "reviewer contacted, to resolve" in line
    assert f"home_resolve:{urgent}" in json.dumps(view)
    opened = len(driver.slack.opened_views())
    assert click_home(driver, PAT, f"home_resolve:{urgent}") == 200
    [view] = driver.slack.opened_views()[opened:]  # the PX card's Resolve: what came of it
    assert view["callback_id"] == CallbackId.RESOLVE
    status, body = driver.submit(PAT, view, {
        BlockId.OUTCOME: {InputId.OUTCOME: static_select_value("no_reply")}})
    assert status == 200 and body == {}
    driver.slack.wait_for(lambda: ("resolved", PAT) in driver.events(urgent))
    known.move(driver, clock, clock.now() + MIN_INTERVAL)  # the Home follows the change
    assert f"*#{urgent}*" not in block_text(driver.slack.home_view(PAT))


def test_px_staff_of_every_site_see_every_sites_follow_ups_to_take(start_bot, slack, clock):
    driver = px_desk(start_bot, slack)
    north = px_case(driver, clock, "all-1", "soon")
    south = px_case(driver, clock, "all-2", "soon", site="south")
    to_take = section_text(open_home(driver, ROBIN), "*PX follow-ups to take* (2)")
    assert f"*#{north}*" in to_take and f"*#{south}*" in to_take


def test_someone_in_both_roles_sees_both_each_line_by_its_own_deadline(start_bot, slack, clock):
    """Sam is on the social team and North campus's PX contact: his cases and his PX
    follow-ups, then the team's lists. A case he holds both ways is two pieces of work: in My
    cases by its first response, in My PX follow-ups by the PX deadline."""
    from bot.config import parse_config
    from testing.workspace import INTAKE_TOKEN, config_data

    data = config_data(roles={"social_team": [MARIA, SAM], "px_staff": [PAT]})
    data["sites"][0]["px_contacts"] = [PAT, SAM]
    driver = Driver(start_bot(config=parse_config(data)), slack,
                    signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    start = clock.now()
    both = px_case(driver, clock, "both-1", "routine")
    driver.bot.desk.claim(both, SAM)
    driver.bot.desk.px_claim(both, SAM)
    claimed = px_case(driver, clock, "both-2", None)
    driver.bot.desk.claim(claimed, SAM)
    waiting = px_case(driver, clock, "both-3", "soon")
    driver.settle()

    view = open_home(driver, SAM)
    text = block_text(view)
    order = [text.index(heading) for heading in (
        "*On site now, to find*", "*My cases*", "*My PX follow-ups*", "*Missed*", "*Due soon*",
        "*Unclaimed*", "*PX follow-ups to take* at North campus", "*Needs a look*")]
    assert order == sorted(order)
    cases = section_text(view, "*My cases*")
    assert f"*#{claimed}*" in cases
    assert f"*#{both}*" in cases and due_text(start + timedelta(hours=24, seconds=20)) in cases
    mine = section_text(view, "*My PX follow-ups*")
    assert f"*#{both}*" in mine and due_text(start + timedelta(hours=72, seconds=20)) in mine
    assert "Reviewers on site now to find first, then your cases and your PX follow-ups" in text
    assert f"*#{waiting}*" in section_text(view, "*PX follow-ups to take*")
    assert f"*#{waiting}*" in section_text(view, "*Unclaimed*")  # its first response too
    assert len(view["blocks"]) <= 100


def test_a_line_whose_px_follow_up_the_reader_holds_shows_the_px_window(driver, clock):
    """Anyone may take PX follow-ups where [roles] names nobody: Maria's `/reviewdesk mine`
    shows the follow-up she holds by its PX deadline, not the first response's."""
    from tests.test_commands import answer

    start = clock.now()
    case_id = driver.new_case()
    driver.bot.desk.escalate(case_id, SAM, site_id="north", urgency="routine", note=None)
    driver.bot.desk.px_claim(case_id, MARIA)
    driver.settle()
    listing = block_text(answer(driver, MARIA, "mine", "open case"))
    assert f":alarm_clock: PX follow-up due {due_text(start + timedelta(hours=72))}" in listing
    assert FIRST_RESPONSE_DUE not in listing and f"PX: <@{MARIA}>" in listing
    # Someone who does not hold it sees the case by its next deadline, as before.
    assert FIRST_RESPONSE_DUE in block_text(answer(driver, SAM, "open", "open case"))


def test_a_px_home_follows_the_px_deadline_by_time_alone(start_bot, slack, clock):
    """A routine escalation whose first response was missed: the case's next deadline is past,
    but PX's list still changes when the follow-up enters its last quarter (54 h of 72) and
    when it is missed, with no event: the Home is planned to refresh then."""
    driver = px_desk(start_bot, slack)
    start = clock.now()
    case_id = px_case(driver, clock, "t-1", "routine")
    escalated = start + timedelta(seconds=20)
    open_home(driver, PAT)
    known.move(driver, clock, start + timedelta(hours=25))  # the first response is missed
    lists = driver.bot.home.lists
    assert lists.next_change(clock.now()) == escalated + timedelta(hours=54)
    known.move(driver, clock, escalated + timedelta(hours=72) + MIN_INTERVAL)
    line = section_text(driver.slack.home_view(PAT), "*PX follow-ups to take*")
    assert f"*#{case_id}*" in line and ":red_circle: *PX follow-up missed*" in line


# ---- reviewers on site now, to find ----------------------------------------------------------

ON_SITE_NOW = "My dad has chest pain and we are in your ER waiting room right now. Nobody comes."
GURNEY = ("My mother has been on a gurney in your hallway since last night. "
          "Is anyone going to help her?")


def test_who_finds_reviewers_on_site_sees_those_not_yet_reached_until_an_outcome(driver, clock):
    """A first morning: the card and every reminder asked Pat (North campus names no on-site
    contact) to find the reviewer, while her Home said "Every PX follow-up at North campus has
    someone on it" with two on-site reviewers waiting there, one past its urgent window. Her
    Home lists them first, missed first, each with Log outcome, until someone reaches them."""
    start = clock.now()
    early = driver.new_case(external_id="os-1", rating=None, text=GURNEY)
    known.move(driver, clock, start + timedelta(hours=2, minutes=30))  # its 2 h window missed
    later = driver.new_case(external_id="os-2", rating=None, text=ON_SITE_NOW)
    plain = driver.new_case(external_id="os-3", text="The parking fees are far too high.")
    south = driver.new_case(external_id="os-4", site="south", rating=None, text=ON_SITE_NOW)
    driver.settle()

    view = open_home(driver, PAT)
    text = block_text(view)
    assert len(view["blocks"]) <= 100
    to_find = section_text(view, "*On site now, to find* at North campus (2)")
    assert to_find.index(f"*#{early}*") < to_find.index(f"*#{later}*")  # missed first
    assert ":red_circle: *Urgent response missed*" in to_find
    assert f"*#{plain}*" not in to_find and f"*#{south}*" not in text
    assert text.index("*On site now, to find*") < text.index("*My PX follow-ups*")
    # Nothing at North is said to be covered while they wait.
    assert "has someone on it" not in text
    assert ("No PX follow-up waits to be taken at North campus, but 2 reviewers on site now "
            "wait to be found (above).") in text
    assert "Reviewers on site now to find first" in text
    buttons = json.dumps(view)
    assert f"home_outcome:{early}" in buttons and f"home_outcome:{later}" in buttons
    # The social team's Home has no such list: the card asks Pat, not them.
    assert "*On site now, to find*" not in block_text(open_home(driver, MARIA))

    # A public reply alone does not reach them: still listed.
    driver.reply_by_hand(MARIA, later, "Please call 555-0101 so we can talk privately.", TRIAGE,
                         done=False)
    known.move(driver, clock, clock.now() + MIN_INTERVAL)
    assert f"*#{later}*" in section_text(driver.slack.home_view(PAT), "*On site now, to find*")

    # Log outcome from the Home: the card's modal; once logged, the case leaves the list.
    opened = len(driver.slack.opened_views())
    assert click_home(driver, PAT, f"home_outcome:{early}") == 200
    [modal] = driver.slack.opened_views()[opened:]
    assert modal["callback_id"] == CallbackId.OUTCOME
    status, body = driver.submit(PAT, modal, {
        BlockId.OUTCOME: {InputId.OUTCOME: static_select_value("patient_contacted")}})
    assert status == 200 and body == {}
    driver.slack.wait_for(lambda: any(a == "outcome_logged" and u == PAT
                                      for a, u in driver.events(early)))
    known.move(driver, clock, clock.now() + MIN_INTERVAL)
    to_find = section_text(driver.slack.home_view(PAT), "*On site now, to find* at North "
                                                         "campus (1)")
    assert f"*#{early}*" not in to_find and f"*#{later}*" in to_find

    # The answered one, once reached, is done: it leaves too, and the list says so.
    driver.bot.desk.log_outcome(later, PAT, outcome="declined", note=None)
    driver.slack.wait_for(lambda: ("done", PAT) in driver.events(later))
    known.move(driver, clock, clock.now() + MIN_INTERVAL)
    text = block_text(driver.slack.home_view(PAT))
    assert "*On site now, to find* at North campus (0)" in text
    assert "Nobody on site now waits to be found at North campus." in text
    assert "Every PX follow-up at North campus has someone on it." in text


def test_a_site_s_on_site_contact_finds_its_reviewers_not_its_px_contacts(start_bot, slack,
                                                                          clock):
    """Where a site names an on-site contact, the card asks them alone: their Home lists the
    reviewers to find, whatever their role, and its PX contacts' does not. A reviewer who
    comes back with new words from the site after the case was reached is to find again."""
    from bot.config import parse_config
    from testing.workspace import INTAKE_TOKEN, config_data

    onsite = "U0ONSITE"
    slack.add_user(onsite, "onsite")
    data = config_data(roles={"social_team": [MARIA, SAM], "px_staff": [PAT]})
    data["sites"][0]["on_site_contact"] = onsite
    driver = Driver(start_bot(config=parse_config(data)), slack,
                    signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    case_id = driver.new_case(rating=None, text=ON_SITE_NOW)
    escalated = driver.new_case(external_id="os-esc", rating=None, text=GURNEY)
    driver.bot.desk.escalate(escalated, MARIA, site_id="north", urgency="urgent", note=None)
    driver.settle()

    view = open_home(driver, onsite)
    to_find = section_text(view, "*On site now, to find* at North campus (2)")
    assert f"*#{case_id}*" in to_find and f"*#{escalated}*" in to_find
    assert len(view["blocks"]) <= 100
    assert "*On site now, to find*" not in block_text(open_home(driver, PAT))

    # PX marks the escalated one's reviewer contacted: reached.
    driver.bot.desk.px_claim(escalated, PAT)
    driver.bot.desk.px_contacted(escalated, PAT)
    driver.settle()
    known.move(driver, clock, clock.now() + MIN_INTERVAL)
    to_find = section_text(driver.slack.home_view(onsite), "*On site now, to find* at North "
                                                           "campus (1)")
    assert f"*#{escalated}*" not in to_find


def test_every_list_full_for_someone_in_both_roles_who_finds_stays_within_100_blocks(
        start_bot, slack, clock):
    """Sam: social team, North campus's PX contact (so asked to find its reviewers on site),
    with a notice and every list holding more than a page: within Slack's 100 blocks (the
    twin refuses more), each list with Show more."""
    from bot.config import parse_config
    from testing.workspace import INTAKE_TOKEN, config_data

    data = config_data(roles={"social_team": [MARIA, SAM], "px_staff": [PAT]})
    data["sites"][0]["px_contacts"] = [PAT, SAM]
    driver = Driver(start_bot(config=parse_config(data)), slack,
                    signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)
    start = clock.now()

    def batch(name: str, count: int, **fields) -> list[int]:
        status, body = driver.post_reviews({"reviews": [
            review(external_id=f"{name}-{n}", author=f"{name} {n}", **fields)
            for n in range(count)]})
        assert status == 200, body
        return [item["case_id"] for item in body["items"]]

    batch("missed", 9)  # first responses missed by the end
    known.move(driver, clock, start + timedelta(hours=4))
    batch("soon", 9)  # due soon by the end
    known.move(driver, clock, start + timedelta(hours=24))
    for case_id in batch("mine", 9):
        driver.bot.desk.claim(case_id, SAM)
    for case_id in batch("px-mine", 9):
        driver.bot.desk.escalate(case_id, MARIA, site_id="north", urgency="routine", note=None)
        driver.bot.desk.px_claim(case_id, SAM)
    for case_id in batch("px-take", 9):
        driver.bot.desk.escalate(case_id, MARIA, site_id="north", urgency="routine", note=None)
    batch("unclaimed", 9)
    batch("on-site", 9, rating=None, text=ON_SITE_NOW, created_at=clock.now().isoformat())
    for number in range(9):
        status, body = driver.post_reviews(review(
            source="facebook", external_id=f"fb-unsure-{number}", author=f"Unsure {number}",
            rating=None, text="Billed twice for the same visit and nobody calls back."))
        assert status == 200 and body["items"][0]["case_id"] is None, body
    known.move(driver, clock, start + timedelta(hours=25))
    driver.settle()

    open_home(driver, SAM)
    driver.bot.home.tell(SAM, "A notice at the top.")
    view = driver.slack.home_view(SAM)
    text = block_text(view)
    for heading in ("*On site now, to find* at North campus (9) · 1–5 of 9",
                    "*My cases* (9) · 1–8", "*My PX follow-ups* (9) · 1–8", "*Missed*",
                    "*Due soon*", "*Unclaimed*", "*PX follow-ups to take* at North campus",
                    "*Needs a look*: reviews triage was unsure about (no case yet) (9)",
                    "A notice at the top."):
        assert heading in text, heading
    assert 95 <= len(view["blocks"]) <= 100, len(view["blocks"])  # every list full
    assert "home_page:to_find:1" in json.dumps(view)
    assert click_home(driver, SAM, "home_page:to_find:1") == 200
    assert "*On site now, to find* at North campus (9) · 6–9 of 9" in block_text(
        driver.slack.home_view(SAM))
