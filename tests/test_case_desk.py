"""End to end: reviews arrive over HTTP, cards appear in the fake Slack, people click them."""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId
from testing.driver import action_ids, block_text, review
from testing.workspace import LEE, MARIA, PAT, PX_NORTH, SAM, TRIAGE
from twin.interactions import plain_text_value, static_select_value


def test_a_negative_review_becomes_a_case_card(driver, slack):
    # how fast is measured in bench/ (intake to card), not asserted here
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)

    text = block_text(card)
    assert card["blocks"][0]["type"] == "header"
    assert "Google · ★☆☆☆☆" in card["blocks"][0]["text"]["text"]
    assert "*North campus* · Dana K. · posted <!date^" in text
    assert "^{ago}|" in text
    assert ">Waited five hours in the ER" in text
    assert ":alarm_clock: Respond by <!date^" in text  # each reader sees their own zone
    # the first-response deadline is 24 h after arrival (the injected clock's now)
    due = driver.bot.desk.clock.now().timestamp() + 24 * 3600
    assert f"<!date^{int(due)}^" in text
    assert action_ids(card) == [
        ActionId.CLAIM, ActionId.RESPOND, ActionId.ESCALATE, ActionId.HIDE, ActionId.IGNORE,
        ActionId.OPEN_REVIEW, ActionId.CASE_MORE,
    ]
    assert "New Google review (1★) for North campus" in card["text"]
    assert driver.events(case_id) == [("opened", "system")]


def test_positive_reviews_are_stored_but_not_posted(driver, slack):
    status, body = driver.post_reviews(review(external_id="g-2", rating=5, text="Wonderful"))
    assert status == 200
    assert body["items"][0] == {"index": 0, "external_id": "g-2", "outcome": "created",
                                "case_id": None}
    driver.settle()
    assert slack.messages(TRIAGE) == []


def test_review_text_cannot_ping_or_format_the_channel(driver):
    case_id = driver.new_case(text="<!channel> call me <@U0SAM> & <https://x.example|here>",
                              author="<!here>")
    text = block_text(driver.card(case_id, TRIAGE))
    assert ">&lt;!channel&gt; call me &lt;@U0SAM&gt; &amp; &lt;https://x.example|here&gt;" in text
    assert "&lt;!here&gt;" in text and "<!here>" not in text


def test_long_review_text_is_cut_with_a_link_to_the_original(driver):
    long_text = "The wait was endless. " * 400  # 8,800 characters
    case_id = driver.new_case(external_id="g-long", text=long_text)
    text = block_text(driver.card(case_id, TRIAGE))
    assert "…" in text
    assert "<https://maps.example/review/g-1001|Read the full review>" in text
    assert all(len(block_text({"blocks": [b]})) <= 3000 for b in driver.card(
        case_id, TRIAGE)["blocks"])


def test_a_review_full_of_markup_characters_keeps_its_link_within_the_limit(driver):
    # Escaping turns each of these into 4–5 characters: cut before escaping, the section
    # went over 3,000 characters and the link was lost.
    case_id = driver.new_case(external_id="g-amp", text="<&> " * 1500)
    card = driver.card(case_id, TRIAGE)
    quote = next(b["text"]["text"] for b in card["blocks"]
                 if b["type"] == "section" and b["text"]["text"].startswith(">"))
    assert len(quote) <= 3000
    assert quote.endswith("<https://maps.example/review/g-1001|Read the full review>")
    body = quote.rsplit("\n", 1)[0]
    assert body.endswith("…") and "&lt;&amp;&gt;" in body
    assert not body.removesuffix("…").rstrip().endswith(("&", "&a", "&am", "&amp", "&l", "&g"))


def test_claim_updates_the_card_in_place_and_writes_the_thread(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    assert driver.click(MARIA, card, ActionId.CLAIM, TRIAGE) == 200

    card = driver.card_showing(case_id, TRIAGE, f"Claimed by <@{MARIA}>")
    assert ActionId.RELEASE in action_ids(card)
    assert len(slack.messages(TRIAGE)) == 1  # updated, not reposted
    assert any(f"<@{MARIA}> claimed this case" in line
               for line in driver.thread_with(TRIAGE, card, "claimed"))
    assert ("claimed", MARIA) in driver.events(case_id)


def test_two_people_claiming_at_once_exactly_one_wins(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    barrier = threading.Barrier(2)
    statuses = {}

    def claim(user):
        barrier.wait()
        statuses[user] = driver.click(user, card, ActionId.CLAIM, TRIAGE)

    threads = [threading.Thread(target=claim, args=(user,)) for user in (MARIA, SAM)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == {MARIA: 200, SAM: 200}

    winner_card = driver.card(case_id, TRIAGE, lambda m: "Claimed by" in block_text(m))
    winner = MARIA if f"<@{MARIA}>" in block_text(winner_card) else SAM
    loser = SAM if winner == MARIA else MARIA
    notice = driver.ephemeral_for(loser, f"already claimed by <@{winner}>")
    assert ActionId.TAKE_OVER in action_ids(notice)
    claims = [event for event in driver.events(case_id) if event[0] == "claimed"]
    assert claims == [("claimed", winner)]

    # the loser takes it over from the ephemeral's button
    assert driver.click(loser, notice, ActionId.TAKE_OVER, TRIAGE) == 200
    driver.card_showing(case_id, TRIAGE, f"Claimed by <@{loser}>")
    assert ("taken_over", loser) in driver.events(case_id)
    driver.thread_with(TRIAGE, winner_card, f"took this case over from <@{winner}>")


def test_release_is_for_the_claimant_only(driver):
    case_id = driver.new_case()
    driver.click(MARIA, driver.card(case_id, TRIAGE), ActionId.CLAIM, TRIAGE)
    card = driver.card_showing(case_id, TRIAGE, "Claimed by")

    driver.click(SAM, card, ActionId.RELEASE, TRIAGE)
    driver.ephemeral_for(SAM, "only they can release it")
    driver.click(MARIA, card, ActionId.RELEASE, TRIAGE)
    card = driver.card_showing(case_id, TRIAGE, "Unclaimed")
    assert ActionId.CLAIM in action_ids(card)
    assert [e for e in driver.events(case_id) if e[0] == "released"] == [("released", MARIA)]


def test_respond_drafts_from_a_template_and_meets_the_first_response_window(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(MARIA, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)

    reply_block = next(b for b in view["blocks"] if b["block_id"].startswith(BlockId.REPLY))
    draft = reply_block["element"]["initial_value"]
    assert draft.startswith("Hi Dana, we're sorry about the wait")  # the review's theme
    assert "555-0101" in draft  # the site's PX line: the conversation moves offline
    assert "your visit" not in draft and "your care" not in draft  # never confirm a patient

    # picking another template redrafts the box (a new block_id, so Slack shows the new text)
    block, element = _element(view, ActionId.REPLY_TEMPLATE)
    from twin.interactions import block_actions_payload, select_action

    payload = block_actions_payload(
        user_id=MARIA, action=select_action(block["block_id"], element["action_id"], "billing",
                                            "Billing question"),
        channel_id=TRIAGE, message=None, container_type="view", view=view,
    )
    status, _ = driver._post_interaction(payload)
    assert status == 200
    updated = slack.wait_for(lambda: (v := slack.view(view["id"]))["hash"] != view["hash"] and v)
    billing_block = next(b for b in updated["blocks"] if b["block_id"].startswith(BlockId.REPLY))
    assert billing_block["block_id"] == f"{BlockId.REPLY}:billing"
    assert "Billing questions are best sorted out" in billing_block["element"]["initial_value"]

    # an empty reply is refused inside the modal
    status, body = driver.submit(MARIA, updated, {
        billing_block["block_id"]: {InputId.REPLY: plain_text_value("   ")}})
    assert status == 200 and body["response_action"] == "errors"
    assert billing_block["block_id"] in body["errors"]

    # posting to Google is off here: the reply passes the guard, then comes back to copy,
    # with a link to the review, and Mark as posted records it
    edited = "Thank you, Dana. Please call 555-0101 so we can talk privately."
    status, body = driver.submit(MARIA, updated, {
        billing_block["block_id"]: {InputId.REPLY: plain_text_value(edited)}})
    assert status == 200 and body["response_action"] == "update"
    ready = slack.view(view["id"])
    assert ready["callback_id"] == CallbackId.REPLY_READY
    assert ready["submit"]["text"] == "Mark as posted"
    assert "<https://maps.example/review/g-1001|open the review>" in block_text(ready)
    assert edited in block_text(ready)
    assert ("responded", MARIA) not in driver.events(case_id)  # copied is not posted yet

    status, body = driver.submit(MARIA, ready, {})
    assert status == 200 and body == {}
    card = driver.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")
    text = block_text(card)
    assert "First response recorded" in text and "Respond by" not in text
    assert "posted by hand on Google" in text
    # answered in public with no PX follow-up: the case is done (README, "When a case is done")
    assert "*Done*: answered in public" in text
    assert action_ids(card) == [ActionId.RESPOND, ActionId.ESCALATE, ActionId.REOPEN,
                                ActionId.OPEN_REVIEW, ActionId.CASE_MORE]
    lines = driver.thread_with(TRIAGE, card, "recorded a public reply")
    # the words replaced the billing draft entirely: the history names no template
    reply_line = next(line for line in lines if ">Thank you, Dana." in line)
    assert "(from" not in reply_line and "Billing question" not in reply_line
    assert ("responded", MARIA) in driver.events(case_id)


def test_escalation_posts_a_px_card_and_px_works_the_case(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    site_select = _element(view, "site_select")[1]
    assert site_select["initial_option"]["value"] == "north"  # prefilled from the review

    status, body = driver.submit(MARIA, view, {
        BlockId.SITE: {InputId.SITE: static_select_value("north", "North campus")},
        BlockId.URGENCY: {InputId.URGENCY: static_select_value("urgent")},
        BlockId.NOTE: {InputId.NOTE: plain_text_value("Father of the patient & <angry>")},
    })
    assert status == 200 and body == {}

    px = driver.card(case_id, PX_NORTH)
    px_text = block_text(px)
    assert "Patient Experience follow-up · North campus" in px_text
    assert f"escalated by <@{MARIA}>" in px_text and "*Urgent — today*" in px_text
    assert "&amp; &lt;angry&gt;" in px_text  # user text is escaped, never markup
    assert f"PX contacts: <@{PAT}>" in px_text
    assert "Follow up by <!date^" in px_text
    assert action_ids(px) == [ActionId.PX_CLAIM, ActionId.PX_CONTACTED, ActionId.PX_RESOLVE,
                              ActionId.CASE_MORE]

    card = driver.card_showing(case_id, TRIAGE, "Escalated to PX (North campus, Urgent — today)")
    assert ActionId.ESCALATE in action_ids(card)  # escalating again changes the urgency
    driver.thread_with(TRIAGE, card, "escalated this to Patient Experience (North campus)")

    driver.click(PAT, px, ActionId.PX_CLAIM, PX_NORTH)
    stale = px
    px = driver.card_showing(case_id, PX_NORTH, f"PX follow-up: <@{PAT}>")
    driver.click(LEE, stale, ActionId.PX_CLAIM, PX_NORTH)  # an old copy: already claimed
    driver.ephemeral_for(LEE, f"already claimed by <@{PAT}>")

    driver.click(PAT, px, ActionId.PX_CONTACTED, PX_NORTH)
    px = driver.card_showing(case_id, PX_NORTH, f"Reviewer contacted by <@{PAT}>")
    driver.resolve(PAT, case_id, "patient_contacted", PX_NORTH)  # Resolve asks what came of it
    px = driver.card_showing(case_id, PX_NORTH, f"Resolved by <@{PAT}>")
    assert "Outcome: *Patient contacted*" in block_text(px)
    # ⋯ → Log outcome stays: a review updated after the follow-up is known later
    assert action_ids(px) == [ActionId.REOPEN, ActionId.CASE_MORE]
    card = driver.card_showing(case_id, TRIAGE, f"Resolved by <@{PAT}>")
    assert action_ids(card) == [ActionId.SHOW, ActionId.REOPEN]
    driver.thread_with(PX_NORTH, px, "resolved this case")

    assert [e[0] for e in driver.events(case_id)] == [
        "opened", "escalated", "px_claimed", "px_contacted", "resolved"]


def test_escalating_an_escalated_case_again_offers_to_change_its_urgency(driver):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    values = {
        BlockId.SITE: {InputId.SITE: static_select_value("north")},
        BlockId.URGENCY: {InputId.URGENCY: static_select_value("routine")},
    }
    driver.submit(MARIA, view, values)
    driver.card_showing(case_id, TRIAGE, "Escalated to PX")
    # the old copy still has the button: it opens the modal for the escalated case
    again = driver.open_view(SAM, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    assert "North campus's Patient Experience team already has this case" in block_text(again)


def test_hide_collapses_the_card_and_refuses_work_until_reopened(driver, slack):
    case_id = driver.new_case(text="Dr. Morrison was dismissive and rushed.")
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(SAM, card, ActionId.HIDE, TRIAGE, CallbackId.HIDE)

    _, body = driver.submit(SAM, view, {BlockId.REASON: {InputId.REASON:
                                                         static_select_value(None)}})
    assert body["response_action"] == "errors" and BlockId.REASON in body["errors"]

    driver.submit(SAM, view, {
        BlockId.REASON: {InputId.REASON: static_select_value("names_clinician")},
        BlockId.NOTE: {InputId.NOTE: plain_text_value("Mayo rule")},
    })
    hidden = driver.card_showing(case_id, TRIAGE, "Hidden — names a clinician — by")
    assert len(hidden["blocks"]) == 2  # one line and its buttons
    assert "Dr. Morrison" not in block_text(hidden)
    assert action_ids(hidden) == [ActionId.SHOW, ActionId.REOPEN]

    driver.click(LEE, hidden, ActionId.SHOW, TRIAGE)
    shown = driver.ephemeral_for(LEE, "Dr. Morrison was dismissive")
    assert ActionId.REOPEN in action_ids(shown)

    driver.click(MARIA, card, ActionId.RESPOND, TRIAGE)  # the stale, uncollapsed copy
    refusal = driver.ephemeral_for(MARIA, "This case is hidden (names a clinician)")
    assert ActionId.REOPEN in action_ids(refusal)
    assert slack.calls_to("views.open")[-1].params.get("view", {}).get("callback_id") \
        == CallbackId.HIDE  # no Respond modal was opened

    driver.click(MARIA, refusal, ActionId.REOPEN, TRIAGE)
    reopened = driver.card_showing(case_id, TRIAGE, "Dr. Morrison was dismissive")
    assert ActionId.CLAIM in action_ids(reopened)
    lines = driver.thread_with(TRIAGE, reopened, "reopened this case")
    assert any("hid this review — names a clinician." in line and ">Mayo rule" in line
               for line in lines)
    assert [e[0] for e in driver.events(case_id)] == ["opened", "hidden", "reopened"]


def test_ignore_with_a_reason(driver):
    case_id = driver.new_case(text="lol this place")
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(SAM, card, ActionId.IGNORE, TRIAGE, CallbackId.IGNORE)
    driver.submit(SAM, view, {BlockId.REASON: {InputId.REASON: static_select_value("troll")}})
    ignored = driver.card_showing(case_id, TRIAGE, f"Ignored — troll — by <@{SAM}>")
    assert action_ids(ignored) == [ActionId.SHOW, ActionId.REOPEN]
    driver.click(SAM, ignored, ActionId.REOPEN, TRIAGE)
    driver.card_showing(case_id, TRIAGE, "lol this place")


def test_reopening_an_open_case_is_explained(driver):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    view = driver.open_view(SAM, card, ActionId.IGNORE, TRIAGE, CallbackId.IGNORE)
    driver.submit(SAM, view, {BlockId.REASON: {InputId.REASON: static_select_value("duplicate")}})
    ignored = driver.card_showing(case_id, TRIAGE, "Ignored")
    driver.click(SAM, ignored, ActionId.REOPEN, TRIAGE)
    driver.card_showing(case_id, TRIAGE, "Unclaimed")
    driver.click(LEE, ignored, ActionId.REOPEN, TRIAGE)  # stale collapsed copy
    driver.ephemeral_for(LEE, "already open")


def test_a_double_click_is_recorded_once(driver):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    from twin.interactions import block_actions_payload, button_action, find_button

    block, element = find_button(card["blocks"], ActionId.CLAIM)
    payload = block_actions_payload(user_id=MARIA, action=button_action(block, element),
                                    channel_id=TRIAGE, message=card)
    assert driver._post_interaction(payload)[0] == 200
    assert driver._post_interaction(payload)[0] == 200  # Slack's retry of the same click
    driver.card_showing(case_id, TRIAGE, "Claimed by")
    driver.settle()
    assert [e for e in driver.events(case_id) if e[0] == "claimed"] == [("claimed", MARIA)]
    assert not any("already" in (e.get("text") or "") for e in driver.slack.ephemerals_for(MARIA))


def test_reimport_posts_no_second_card_and_an_edit_updates_the_card(driver, slack):
    case_id = driver.new_case()
    driver.card(case_id, TRIAGE)
    status, body = driver.post_reviews(review())
    assert status == 200 and body["items"][0]["outcome"] == "unchanged"

    status, body = driver.post_reviews(review(rating=2, text="Edited: still waiting on a call."))
    assert body["items"][0] == {"index": 0, "external_id": "g-1001", "outcome": "updated",
                                "case_id": case_id}
    updated = driver.card_showing(case_id, TRIAGE, "Edited: still waiting on a call.")
    assert "★★☆☆☆" in block_text(updated)
    driver.thread_with(TRIAGE, updated, "The reviewer edited this review")
    assert len(slack.messages(TRIAGE)) == 1
    assert [e[0] for e in driver.events(case_id)] == ["opened", "review_edited"]


def test_the_open_command_lists_cases_privately(driver):
    first = driver.new_case(external_id="a")
    driver.new_case(external_id="b", site="south")
    driver.click(MARIA, driver.card(first, TRIAGE), ActionId.CLAIM, TRIAGE)
    driver.card_showing(first, TRIAGE, "Claimed by")
    assert driver.command(SAM, "open", TRIAGE) == 200
    listing = driver.ephemeral_for(SAM, "2 open")
    text = block_text(listing)
    words = "“Waited five hours in the ER with my father and nobody told us anything. The…”"
    assert f"*#{first}* {words} · Google ★☆☆☆☆ · North campus · :alarm_clock: First " \
        "response due " in text
    assert f"· :raised_hand: Claimed by <@{MARIA}>" in text
    assert "South clinic · :alarm_clock: First response due " in text and "· Unclaimed ·" in text


def test_a_long_open_list_is_split_between_lines_and_counts_truthfully(driver, clock):
    case_ids = []
    for n in range(25):  # a few a minute, so they come as cards of their own, not as a burst
        clock.advance(timedelta(seconds=20))
        case_ids.append(driver.new_case(external_id=f"many-{n}", author=f"Reviewer {n}"))
    for case_id in case_ids:
        driver.click(MARIA, driver.card(case_id, TRIAGE), ActionId.CLAIM, TRIAGE)
    for case_id in case_ids:
        driver.card_showing(case_id, TRIAGE, "Claimed by")
    assert driver.command(SAM, "open", TRIAGE) == 200
    listing = driver.ephemeral_for(SAM, "20 of 25 open cases shown")
    sections = [b["text"]["text"] for b in listing["blocks"] if b["type"] == "section"]
    assert len(sections) >= 2  # 20 claimed lines are over one section's 3,000 characters
    for text in sections:
        assert len(text) <= 3000
        for line in text.split("\n"):
            assert line.startswith("*#") and line.count("<!date^") == line.count("|2026-")
    assert sum(text.count("\n") + 1 for text in sections) == 20


def _element(view, action_id):
    for block in view["blocks"]:
        for element in [block.get("accessory"), block.get("element"),
                        *(block.get("elements") or [])]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block, element
    raise AssertionError(f"no {action_id} in the view")
