"""Triage on the desk: labels on the card, shorter windows, the risk copy, suggestions, bursts."""

from __future__ import annotations

from datetime import timedelta

from bot.blocks.ids import ActionId, BlockId, CallbackId
from bot.config import parse_config
from testing.driver import Driver, action_ids, block_text, review
from testing.workspace import MARIA, TRIAGE, config_data

RISK = "C0RISK"
ONSITE = "U0ONSITE"


def _driver(bot, slack) -> Driver:
    from testing.workspace import INTAKE_TOKEN, SIGNING_SECRET

    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def _start(start_bot, slack, **overrides) -> Driver:
    data = config_data(**overrides)
    data["slack"] = {"triage_channel": TRIAGE, "risk_channel": RISK}
    data["sites"][0]["on_site_contact"] = ONSITE
    slack.add_channel(RISK, "review-risk")
    bot = start_bot(config=parse_config(data))
    return _driver(bot, slack)


def test_on_site_now_gets_the_urgent_window_and_names_the_site_contact(start_bot, slack, clock):
    driver = _start(start_bot, slack)
    case_id = driver.new_case(
        rating=None, text="I'm sitting in your ER right now, 4 hours and nobody has seen my son.")
    text = block_text(driver.card(case_id, TRIAGE))
    assert f"*On site now* — <@{ONSITE}>, please find the reviewer" in text
    due = clock.now() + timedelta(hours=2)  # the urgent window, not 24 h
    assert f"<!date^{int(due.timestamp())}^" in text


def test_a_review_written_days_before_it_arrived_is_not_someone_on_site_now(
        start_bot, slack, clock):
    """The same words written 13 days before they reach us (the samples the tester loaded, a
    first poll's backlog): the usual 24 h window, no On site now, nobody sent to find them."""
    driver = _start(start_bot, slack)
    text = "I'm sitting in your ER right now, 4 hours and nobody has seen my son."
    old = driver.new_case(external_id="g-old", text=text,
                          created_at=(clock.now() - timedelta(days=13)).isoformat())
    card = block_text(driver.card(old, TRIAGE))
    assert "On site now" not in card and f"<@{ONSITE}>" not in card
    assert "wait time" in card  # still a wait
    due = clock.now() + timedelta(hours=24)
    assert f"<!date^{int(due.timestamp())}^" in card
    fresh = driver.new_case(external_id="g-new", text=text,
                            created_at=(clock.now() - timedelta(hours=3)).isoformat())
    assert "*On site now*" in block_text(driver.card(fresh, TRIAGE))


GURNEY = ("My mother has been on a gurney in your hallway since last night. "
          "Is anyone going to help her?")


def test_someone_on_site_in_their_own_words_gets_a_case_now_not_needs_a_look(
        start_bot, slack, clock):
    """Issue 17: no keyword of the old list, an unsure complaint model, no rating."""
    driver = _start(start_bot, slack)
    status, body = driver.post_reviews(review(external_id="g-gurney", rating=None, text=GURNEY))
    assert status == 200 and body["created"] == 1
    case_id = body["items"][0]["case_id"]
    assert case_id is not None
    card = driver.card(case_id, TRIAGE)
    text = block_text(card)
    assert f"*On site now* — <@{ONSITE}>, please find the reviewer" in text
    assert "Themes: wait time" in text and "staff courtesy" not in text
    due = clock.now() + timedelta(hours=2)  # the urgent window, not the 24 h first response
    assert f"<!date^{int(due.timestamp())}^" in text
    view = driver.open_view(MARIA, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)
    draft = next(b for b in view["blocks"] if b.get("block_id") == f"{BlockId.REPLY}:on_site_now")
    assert "If you are at one of our locations now" in draft["element"]["initial_value"]
    driver.settle()
    assert not [m for m in slack.messages(TRIAGE) if "Needs a look" in block_text(m)]


def test_on_site_now_opens_a_case_even_in_a_five_star_review(start_bot, slack):
    driver = _start(start_bot, slack)
    status, body = driver.post_reviews(review(
        external_id="g-five", rating=5,
        text="The nurses are kind, but we are still in the ER waiting room with my dad, "
             "5 hours so far. He needs a bed."))
    assert status == 200 and body["items"][0]["case_id"] is not None
    text = block_text(driver.card(body["items"][0]["case_id"], TRIAGE))
    assert f"*On site now* — <@{ONSITE}>" in text
    status, body = driver.post_reviews(review(
        external_id="g-five-past", rating=5,
        text="The nurses were kind when we were in the ER waiting room last spring."))
    assert status == 200 and body["items"][0]["case_id"] is None


def test_risk_language_copies_the_case_to_the_risk_channel(start_bot, slack):
    driver = _start(start_bot, slack)
    case_id = driver.new_case(text="They gave my mother the wrong medication. Calling a lawyer.")
    card = driver.card(case_id, TRIAGE)
    assert "*Risk*" in block_text(card)
    notice = slack.wait_for(lambda: slack.messages(RISK))[0]
    assert f"case #{case_id}" in block_text(notice) and f"<#{TRIAGE}>" in block_text(notice)
    assert ">They gave my mother the wrong medication." in block_text(notice)


def test_a_named_clinician_suggests_hide_and_prefills_the_reason(start_bot, slack):
    driver = _start(start_bot, slack)
    case_id = driver.new_case(text="Dr. Morrison was dismissive and rushed. Felt like a number.")
    card = driver.card(case_id, TRIAGE)
    text = block_text(card)
    assert "Names a clinician" in text and "Suggested: *Hide* — names a clinician" in text
    view = driver.open_view(MARIA, card, ActionId.HIDE, TRIAGE, CallbackId.HIDE)
    reason = next(b for b in view["blocks"] if b.get("block_id") == BlockId.REASON)
    assert reason["element"]["initial_option"]["value"] == "names_clinician"



def test_someone_on_site_naming_a_clinician_is_not_suggested_for_hiding(start_bot, slack):
    """The family of someone in a room now needs a person, whatever names they write."""
    driver = _start(start_bot, slack)
    case_id = driver.new_case(text="My dad is in room 4B at North since Tuesday and Dr. Patel "
                                   "never calls back. Nobody tells us anything.")
    card = driver.card(case_id, TRIAGE)
    text = block_text(card)
    assert "On site now" in text and "Names a clinician" in text
    assert "Suggested:" not in text
    view = driver.open_view(MARIA, card, ActionId.HIDE, TRIAGE, CallbackId.HIDE)
    reason = next(b for b in view["blocks"] if b.get("block_id") == BlockId.REASON)
    assert "initial_option" not in reason["element"]

def test_themes_show_and_pick_the_reply_template(start_bot, slack):
    driver = _start(start_bot, slack)
    case_id = driver.new_case(rating=2, text="Billed twice for the same visit and nobody in "
                                              "billing calls back.")
    card = driver.card(case_id, TRIAGE)
    assert "Themes: billing" in block_text(card)
    view = driver.open_view(MARIA, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)
    assert any(b["block_id"] == f"{BlockId.REPLY}:billing" for b in view["blocks"])


def test_positive_reviews_keep_their_triage_but_open_nothing(start_bot, slack):
    driver = _start(start_bot, slack)
    status, body = driver.post_reviews(review(rating=None, text="Lovely nurses, short wait."))
    assert status == 200 and body["items"][0]["case_id"] is None


def test_a_burst_becomes_one_summary_card_with_the_cases_in_its_thread(start_bot, slack):
    driver = _start(start_bot, slack, bursts={"max_cards": 3, "window": "1m"})
    batch = [review(external_id=f"old-{n}", text=f"Terrible visit number {n}.")
             for n in range(8)]
    status, body = driver.post_reviews(batch)
    assert status == 200 and body["created"] == 8
    case_ids = [item["case_id"] for item in body["items"]]
    assert all(case_ids)

    def settled():
        top = slack.messages(TRIAGE)
        summaries = [m for m in top if "imported from Google" in block_text(m)]
        if len(top) == 3 and summaries and "*6 negative reviews*" in block_text(summaries[0]):
            return summaries[0]
        return None

    # at most max_cards top-level messages: two cards of their own, then the summary
    summary = slack.wait_for(settled)
    assert "North campus" in block_text(summary)
    in_thread = slack.wait_for(lambda: len(slack.thread(TRIAGE, summary["ts"])) == 6
                               and slack.thread(TRIAGE, summary["ts"]))
    card = in_thread[0]
    assert ActionId.CLAIM in action_ids(card)

    driver.settle()
    assert len(slack.messages(TRIAGE)) == 3

    # a card inside the burst works like any other; its history joins the burst's thread
    driver.click(MARIA, card, ActionId.CLAIM, TRIAGE)
    slack.wait_for(lambda: f"Claimed by <@{MARIA}>" in block_text(
        slack.message(TRIAGE, card["ts"])))
    slack.wait_for(lambda: any("claimed this case" in (m.get("text") or "")
                               for m in slack.thread(TRIAGE, summary["ts"])))


def test_a_burst_of_43_yields_max_cards_top_level_messages(start_bot, slack):
    driver = _start(start_bot, slack)  # the default cap: 10
    status, body = driver.post_reviews([review(external_id=f"flood-{n}",
                                               text=f"Awful visit, number {n}.")
                                        for n in range(43)])
    assert status == 200 and body["created"] == 43
    slack.wait_for(lambda: any("*34 negative reviews*" in block_text(m)
                               for m in slack.messages(TRIAGE)), timeout=10)
    driver.settle(timeout=10)
    assert len(slack.messages(TRIAGE)) == 10


def test_a_burst_counts_only_its_own_source_and_site_across_batches(start_bot, slack):
    # Two cases from another source are within the window: the same number as the cap
    # allows cards of their own, so Google's count must not include them.
    driver = _start(start_bot, slack, bursts={"max_cards": 3, "window": "1m"})
    others = [review(source="yelp", external_id=f"yelp-{n}", text=f"Bad visit number {n}.")
              for n in range(2)]
    ours = [review(external_id=f"g-{n}", text=f"Terrible visit number {n}.") for n in range(3)]
    for batch in (others, ours[:2]):
        status, body = driver.post_reviews(batch)
        assert status == 200 and body["created"] == len(batch)
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 4  # four cards of their own, no summary
    # Google's third case within the window reaches its cap: a summary, holding it
    status, body = driver.post_reviews(ours[2:])
    assert status == 200 and body["created"] == 1
    summary = slack.wait_for(lambda: next((m for m in slack.messages(TRIAGE)
                                           if "imported from Google" in block_text(m)), None))
    assert "*1 negative review" in block_text(summary)
    driver.settle()
    assert len(slack.messages(TRIAGE)) == 5
