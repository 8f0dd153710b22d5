"""End to end, over signed HTTP against the Slack twin: Respond with the reply guard (blocks on
the text box, warnings posted past only when ticked), replies posted back to Google, Facebook
and Yelp (local fakes speaking each API's JSON: moderation, permission errors, rate limits,
silences), copy-ready replies and Mark as posted, Hide on a Facebook comment, the private
follow-up and Log outcome; and what message metadata may carry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.blocks.ids import ActionId, BlockId, CallbackId, InputId, MoreChoice
from bot.config import parse_config
from bot.intake.sources.facebook import FacebookClient
from bot.intake.sources.google import GoogleClient
from bot.intake.sources.yelp import YelpReplyClient
from bot.replies.flow import judge
from bot.replies.guard import GuardResult, check_reply
from bot.replies.modals import HIDE_THERE, POST_ANYWAY
from bot.replies.targets import ReplyClients
from storage.models import ReplyPost
from testing.driver import Driver, action_ids, block_text
from testing.fakes.facebook_api import SAMPLE_PAGE_ID, FakeFacebook
from testing.fakes.google_api import SAMPLE_LOCATION, FakeGoogle
from testing.fakes.yelp_api import SAMPLE_BUSINESS_ID, FakeYelp
from testing.workspace import (
    INTAKE_TOKEN,
    LEE,
    MARIA,
    PX_NORTH,
    SAM,
    SIGNING_SECRET,
    TRIAGE,
    config_data,
)
from twin.interactions import checkboxes_value, plain_text_value, static_select_value

# Short enough that a silent fake ends the wait quickly; a real post waits POST_TIMEOUT.
QUICK = (2.0, 0.3)
SAFE = ("Thank you for sharing this, Dana. We are sorry for the experience you describe. "
        "Please call our Patient Experience team at 555-0101 so we can talk privately.")
UNSAFE = ("Our records show you were seen in the ER on Tuesday. You should take ibuprofen "
          "every 6 hours. Please call 555-0101.")
GOOGLE_REVIEW = "AbFvOqk1"


def _driver(bot, slack) -> Driver:
    return Driver(bot, slack, signing_secret=SIGNING_SECRET, intake_token=INTAKE_TOKEN)


def reply_block(view: dict) -> str:
    return next(b["block_id"] for b in view["blocks"]
                if b.get("block_id", "").startswith(f"{BlockId.REPLY}:"))


def submit_reply(driver: Driver, view: dict, text: str, *, tick: bool = False,
                 user: str = MARIA) -> dict:
    values = {reply_block(view): {InputId.REPLY: plain_text_value(text)}}
    if tick:
        values[BlockId.POST_ANYWAY] = {InputId.POST_ANYWAY: checkboxes_value(POST_ANYWAY)}
    status, body = driver.submit(user, view, values)
    assert status == 200
    return body


def view_showing(slack, view_id: str, text: str, timeout: float = 5.0) -> dict:
    return slack.wait_for(lambda: (v := slack.view(view_id)) and text in block_text(v) and v,
                          timeout=timeout)


def respond(driver: Driver, case_id: int, user: str = MARIA) -> dict:
    card = driver.card(case_id, TRIAGE)
    return driver.open_view(user, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)


def events(driver: Driver, case_id: int) -> list:
    return driver.bot.desk.history(case_id)


def posts(bot, case_id: int) -> list[ReplyPost]:
    from sqlmodel import select

    with bot.db.session() as session:
        return list(session.exec(select(ReplyPost).where(ReplyPost.case_id == case_id)
                                 .order_by(ReplyPost.id)))


# ---- the guard in the modal (posting off: replies are copied by hand) ------------------------


def test_a_blocked_reply_is_refused_on_the_text_box_with_its_words_quoted(driver, slack):
    case_id = driver.new_case()
    view = respond(driver, case_id)

    body = submit_reply(driver, view, UNSAFE)

    assert body["response_action"] == "errors"
    message = body["errors"][reply_block(view)]
    assert "\u201cOur records\u201d, \u201cyou were seen\u201d: This confirms the reader was " \
           "cared for here" in message
    assert "\u201con Tuesday\u201d: This puts a date or time on the reader's visit" in message
    assert "\u201cshould take ibuprofen\u201d, \u201cevery 6 hours\u201d: This reads as " \
           "medical advice" in message
    assert message.count("This confirms the reader") == 1  # one explanation per rule
    assert len(message) <= 1000
    driver.settle()
    assert [e.action for e in events(driver, case_id)] == ["opened"]
    assert posts(driver.bot, case_id) == []


def test_warnings_are_shown_once_and_posting_past_them_is_recorded(driver, slack):
    case_id = driver.new_case()
    view = respond(driver, case_id)

    body = submit_reply(driver, view, "Thank you for sharing this.")
    assert body["response_action"] == "update"
    warned = slack.view(view["id"])
    text = block_text(warned)
    assert "Before you post, think twice" in text
    assert "gives no way to continue privately" in text
    assert any(b.get("block_id") == BlockId.POST_ANYWAY for b in warned["blocks"])
    box = next(b for b in warned["blocks"] if b.get("block_id") == reply_block(warned))
    assert box["element"]["initial_value"] == "Thank you for sharing this."  # kept

    # the same words again without ticking: asked to tick, on the box itself
    body = submit_reply(driver, warned, "Thank you for sharing this.")
    assert body["response_action"] == "errors"
    assert "Tick Post anyway" in body["errors"][BlockId.POST_ANYWAY]

    # an edit is read again: words the guard blocks are refused even with the box ticked
    body = submit_reply(driver, warned, "Thank you. Dr. Okafor will look into it.", tick=True)
    assert body["response_action"] == "errors"
    assert "\u201cDr. Okafor\u201d" in body["errors"][reply_block(warned)]

    # ticked, with the words that were shown: the reply goes on to be copied
    body = submit_reply(driver, warned, "Thank you for sharing this, truly.", tick=True)
    assert body["response_action"] == "update"
    ready = slack.view(view["id"])
    assert ready["callback_id"] == CallbackId.REPLY_READY
    driver.submit(MARIA, ready, {})
    driver.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")
    override = next(e for e in events(driver, case_id) if e.action == "guard_overridden")
    assert override.actor == MARIA and override.details["rules"] == ["no_handoff"]
    responded = next(e for e in events(driver, case_id) if e.action == "responded")
    assert responded.details["overridden"] == ["no_handoff"]
    assert responded.details["via"] == "by_hand"


def test_the_history_names_the_template_only_while_the_reply_comes_from_it(driver, slack):
    case_id = driver.new_case()
    view = respond(driver, case_id)
    picker = next(b for b in view["blocks"] if b.get("block_id") == BlockId.TEMPLATE)
    chosen = picker["accessory"]["initial_option"]
    title, name = chosen["text"]["text"], chosen["value"]
    box = next(b for b in view["blocks"] if b.get("block_id") == reply_block(view))
    draft = box["element"]["initial_value"]

    # the draft, edited: still the template's words
    submit_reply(driver, view, draft.replace("Hi Dana,", "Dana,") + " Thank you again.")
    driver.submit(MARIA, slack.view(view["id"]), {})  # Mark as posted
    card = driver.card_showing(case_id, TRIAGE, "Responded by")
    lines = driver.thread_with(TRIAGE, card, "recorded a public reply")
    assert any(f"(from _{title}_):" in line for line in lines)
    assert next(e for e in events(driver, case_id)
                if e.action == "responded").details["template"] == name

    # Edit reply, the same template still picked, its words replaced entirely
    again = driver.open_view(MARIA, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)
    assert reply_block(again) == reply_block(view)
    submit_reply(driver, again, SAFE)
    driver.submit(MARIA, slack.view(again["id"]), {})
    lines = driver.thread_with(TRIAGE, card, "recorded an updated public reply")
    updated = next(line for line in lines if "recorded an updated public reply" in line)
    assert "(from" not in updated and ">Thank you for sharing this, Dana." in updated
    assert [e.details["template"] for e in events(driver, case_id)
            if e.action == "responded"] == [name, None]
    (_first, second) = posts(driver.bot, case_id)
    assert second.template is None


def test_an_edit_bringing_a_new_warning_is_shown_again_unticked(driver, slack):
    case_id = driver.new_case()
    view = respond(driver, case_id)
    submit_reply(driver, view, "Thank you for sharing this.")
    warned = slack.view(view["id"])

    long_reply = ("Thank you for sharing this. " * 20).strip()  # over 4x the review too
    body = submit_reply(driver, warned, long_reply, tick=True)

    assert body["response_action"] == "update"
    again = slack.view(view["id"])
    assert "much longer than the review" in block_text(again)
    assert all(b.get("element", {}).get("initial_options") is None
               for b in again["blocks"] if b.get("block_id") == BlockId.POST_ANYWAY)
    assert not any(e.action == "guard_overridden" for e in events(driver, case_id))


def test_a_reply_presuming_the_visit_is_held_with_a_rewording_to_take(driver, slack):
    case_id = driver.new_case()
    view = respond(driver, case_id)

    body = submit_reply(driver, view, "We're sorry about your visit. Please call our Patient "
                                      "Experience team at 555-0101.")

    assert body["response_action"] == "errors"
    message = body["errors"][reply_block(view)]
    assert message.startswith("\u201cyour visit\u201d: This takes the visit as given")
    assert message.endswith("Try: \u201cWe're sorry about the visit you describe.\u201d")
    # the rewording taken, the reply goes on
    body = submit_reply(driver, view, "We're sorry about the visit you describe. Please call "
                                      "our Patient Experience team at 555-0101.")
    assert body["response_action"] == "update"
    assert slack.view(view["id"])["callback_id"] == CallbackId.REPLY_READY


GURNEY = ("My mother has been on a gurney in your hallway since last night. Is anyone going to "
          "help her?")
MANY_MISTAKES = ("Hi Ana, we're sorry about your visit on Tuesday. Dr. Patel says your mother "
                 "can take 400 mg of ibuprofen every 6 hours. It was our mistake, and your "
                 "chart number is 4471923. We will sue you if this review stays up.")


def test_a_draft_with_many_mistakes_shows_every_reason_whole_on_the_text_box(driver, slack):
    """A first-morning tester's error text was cut mid-word ("bring faul…") with five or more
    rules held: every rule's reason now shows whole, in what Slack takes (the twin checks the
    ack)."""
    case_id = driver.new_case(external_id="g-many", author="Lucia R.", text=GURNEY)
    view = respond(driver, case_id)

    body = submit_reply(driver, view, MANY_MISTAKES)

    assert body["response_action"] == "errors"
    message = body["errors"][reply_block(view)]
    reasons = [
        "This adds something about the reader that their review did not say",  # "Hi Ana"
        "This takes the visit as given",
        "This puts a date or time on the reader's visit in public",
        "This names a member of staff the review did not name",
        "This reads as medical advice",
        "This admits fault or promises money in public",
        "This confirms the reader was cared for here",
        "This shows a record, account, room or reference number tied to the reader",
        "This threatens the reviewer",
    ]
    assert message.startswith(f"{len(reasons)} things to change before this reply can go out")
    assert all(reason in message for reason in reasons), message
    assert "\u2026" not in message and len(message) <= 1000
    assert "\u201cDr. Patel\u201d" in message and "\u201cWe will sue\u201d" in message
    driver.settle()
    assert posts(driver.bot, case_id) == []


SPANISH_REVIEW = ("Esperamos cinco horas en urgencias con mi papá y nadie nos dijo nada. La "
                  "recepcionista fue muy grosera cuando preguntamos.")


def test_a_spanish_review_gets_a_spanish_draft(driver, slack):
    case_id = driver.new_case(external_id="g-es", author="Guadalupe Ruiz", text=SPANISH_REVIEW)

    view = respond(driver, case_id)

    box = next(b for b in view["blocks"] if b.get("block_id") == reply_block(view))
    draft = box["element"]["initial_value"]
    assert draft.startswith("Hola, Guadalupe.")
    assert "Experiencia del Paciente al 555-0101" in draft
    assert draft.endswith("\n\n— El equipo de Experiencia del Paciente")  # signed in Spanish
    assert reply_block(view).endswith(".es")  # the template it came from
    picker = next(b for b in view["blocks"] if b.get("block_id") == BlockId.TEMPLATE)
    titles = [o["text"]["text"] for o in picker["accessory"]["options"]]
    assert titles[0].endswith("(Spanish)") and not titles[-1].endswith("(Spanish)")
    # the Spanish draft as it stands passes the guard
    body = submit_reply(driver, view, draft)
    assert body["response_action"] == "update"
    assert slack.view(view["id"])["callback_id"] == CallbackId.REPLY_READY


def test_a_spanish_draft_naming_the_doctor_and_results_is_held(driver, slack):
    case_id = driver.new_case(external_id="g-es2", text=SPANISH_REVIEW)
    view = respond(driver, case_id)

    body = submit_reply(driver, view, "Lamentamos la confusión. Su médico le llamará con los "
                                      "resultados. Llámenos al 555-0101.")

    assert body["response_action"] == "errors"
    message = body["errors"][reply_block(view)]
    assert "\u201cSu médico\u201d, \u201cllamará con los resultados\u201d: This confirms the " \
           "reader was cared for here" in message
    driver.settle()
    assert posts(driver.bot, case_id) == []


def test_a_reply_the_guard_cannot_read_is_held_with_a_note_and_may_be_posted_past(driver,
                                                                                  slack):
    case_id = driver.new_case(external_id="g-vi", text="Chờ quá lâu ở phòng cấp cứu, không ai "
                                                       "giải thích gì cho chúng tôi.")
    view = respond(driver, case_id)
    vietnamese = ("Chúng tôi rất tiếc về thời gian chờ đợi mà quý vị đã mô tả. Xin vui lòng gọi "
                  "cho nhóm Trải nghiệm Bệnh nhân của chúng tôi theo số 555-0101.")

    body = submit_reply(driver, view, vietnamese)

    assert body["response_action"] == "update"
    held = slack.view(view["id"])
    text = block_text(held)
    assert "The reply guard reads English and Spanish, and this reply (or part of it) reads " \
           "as Vietnamese, so nothing in that part was checked." in text
    assert any(b.get("block_id") == BlockId.POST_ANYWAY for b in held["blocks"])

    body = submit_reply(driver, held, vietnamese, tick=True)
    assert body["response_action"] == "update"
    ready = slack.view(view["id"])
    assert ready["callback_id"] == CallbackId.REPLY_READY
    driver.submit(MARIA, ready, {})
    driver.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")
    override = next(e for e in events(driver, case_id) if e.action == "guard_overridden")
    assert override.actor == MARIA and override.details["rules"] == ["unknown_language"]


def test_the_guard_reads_the_troll_label(driver, slack):
    case_id = driver.new_case(external_id="g-troll", text="lol this place is a joke, total clowns")
    view = respond(driver, case_id)

    submit_reply(driver, view, SAFE)

    assert "This case is labelled troll" in block_text(slack.view(view["id"]))


def test_judge_asks_once_then_needs_the_tick():
    clean = judge(GuardResult())
    assert clean.proceed and not clean.overridden and not clean.tick_needed

    review = "Waited hours."
    warned = check_reply("Thanks.", review_text=review)
    assert [f.rule_id for f in warned.warnings] == ["no_handoff"]

    first = judge(warned)
    assert not first.proceed and first.warned == ("no_handoff",) and not first.tick_needed
    assert judge(warned, warned=("no_handoff",)).tick_needed
    confirmed = judge(warned, warned=("no_handoff",), ticked=True)
    assert confirmed.proceed and confirmed.overridden == ("no_handoff",)
    blocked = check_reply("Your MRI was fine. Call 555-0101.", review_text=review)
    assert not judge(blocked, warned=("no_handoff",), ticked=True).proceed


# ---- copy-ready replies: posting off, no API, no partner access ----------------------------


def test_healthgrades_has_no_api_so_the_reply_is_copied_and_marked_posted(driver, slack):
    case_id = driver.new_case(source="healthgrades", external_id="hg-1",
                              url="https://www.healthgrades.example/review/hg-1")
    view = respond(driver, case_id)
    assert "Healthgrades has no way for reviewdesk to post" in block_text(view)
    assert view["submit"]["text"] == "Next"

    submit_reply(driver, view, SAFE)
    ready = slack.view(view["id"])
    text = block_text(ready)
    assert "post it on Healthgrades" in text
    assert "<https://www.healthgrades.example/review/hg-1|open the review>" in text
    copy = [b for b in ready["blocks"] if b["type"] == "section"]
    assert copy[0]["text"] == {"type": "plain_text", "text": SAFE, "emoji": True}
    driver.card(case_id, TRIAGE, lambda m: "Responded by" not in block_text(m))

    driver.submit(MARIA, ready, {})
    card = driver.card_showing(case_id, TRIAGE, "posted by hand on Healthgrades")
    assert "First response recorded" in block_text(card)
    (post,) = posts(driver.bot, case_id)
    assert post.status == "marked" and post.mode == "manual" and post.done_by == MARIA


def pick_template(driver: Driver, user: str, view: dict, name: str) -> dict:
    """Pick a template in the Respond modal; the modal as Slack then shows it."""
    from twin.interactions import block_actions_payload, select_action

    block = next(b for b in view["blocks"] if b.get("block_id") == BlockId.TEMPLATE)
    element = block["accessory"]
    title = next(o["text"]["text"] for o in element["options"] if o["value"] == name)
    payload = block_actions_payload(
        user_id=user, action=select_action(block["block_id"], element["action_id"], name, title),
        channel_id=TRIAGE, message=None, container_type="view", view=view)
    status, _ = driver._post_interaction(payload)
    assert status == 200
    return driver.slack.wait_for(
        lambda: (v := driver.slack.view(view["id"]))["hash"] != view["hash"] and v)


def box(view: dict) -> str:
    return next(b for b in view["blocks"]
                if b.get("block_id", "").startswith(f"{BlockId.REPLY}:"))["element"].get(
        "initial_value", "")


def test_a_cancelled_reply_claims_nothing_and_comes_back_said_to_be_unposted(driver, slack,
                                                                             clock):
    """Next, then Cancel on the copy step: nothing is posted, so the case stays nobody's (its
    reminders go to whoever is on call, not to the person who cancelled); the next Respond opens
    with those words, says whose unposted draft they are and from when, and the guard reads
    them again on Next."""
    case_id = driver.new_case()
    view = respond(driver, case_id)
    words = "Thank you for telling us, Dana. We are sorry about the wait you describe."
    assert submit_reply(driver, view, words)["response_action"] == "update"  # no hand-off
    ready = submit_reply(driver, slack.view(view["id"]), words, tick=True)  # Post anyway
    assert ready["view"]["callback_id"] == CallbackId.REPLY_READY
    written_at = clock.now()
    # ... and the copy step is cancelled: nothing is submitted
    driver.settle()
    assert [e.action for e in events(driver, case_id)] == ["opened", "guard_overridden"]
    assert "Claimed by" not in block_text(driver.card(case_id, TRIAGE))

    clock.advance(timedelta(hours=2))
    again = respond(driver, case_id)
    assert box(again) == words
    note = f":memo: Your unposted draft from <!date^{int(written_at.timestamp())}^"
    assert note in block_text(again)
    assert "is in the box below, not a template's words: read it again before you go on, " \
           "or pick a template to start again." in block_text(again)
    other = respond(driver, case_id, user=SAM)
    assert f":memo: <@{MARIA}>'s unposted draft from" in block_text(other)

    # the guard reads the words again: the warning it was posted past is shown again
    body = submit_reply(driver, again, words, user=MARIA)
    assert body["response_action"] == "update"
    assert "The reply gives no way to continue privately" in block_text(body["view"])

    # a template picked starts again, and the note goes
    fresh = pick_template(driver, SAM, other, "wait_time")
    assert box(fresh).startswith("Hi Dana, we're sorry about the wait")
    assert ":memo:" not in block_text(fresh)
    driver.settle()
    assert [e.action for e in events(driver, case_id)] == ["opened", "guard_overridden"]


def test_a_reply_posted_by_hand_claims_the_case_when_marked_posted(driver, slack):
    case_id = driver.new_case()
    view = respond(driver, case_id, user=SAM)
    submit_reply(driver, view, SAFE, user=SAM)
    driver.settle()
    assert [e.action for e in events(driver, case_id)] == ["opened"]

    driver.submit(SAM, slack.view(view["id"]), {})  # Mark as posted
    driver.card_showing(case_id, TRIAGE, f"Responded by <@{SAM}>")
    assert [(e.action, e.actor) for e in events(driver, case_id)] == [
        ("opened", "system"), ("claimed", SAM), ("responded", SAM), ("done", SAM)]
    edit = respond(driver, case_id, user=SAM)  # Edit reply: the posted words are no draft
    assert box(edit) == SAFE and ":memo:" not in block_text(edit)


def test_yelp_without_partner_access_says_so(driver, slack):
    case_id = driver.new_case(source="yelp", external_id="y-1")
    view = respond(driver, case_id)
    assert "Posting on Yelp needs Yelp partner access" in block_text(view)


# ---- Google --------------------------------------------------------------------------------


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        fake.seed_samples()
        yield fake


@pytest.fixture
def google(start_bot, slack, fake_google) -> Driver:
    config = parse_config(config_data(sources={"google": {
        "post_replies": True, "base_url": fake_google.api_url,
        "locations": [{"name": SAMPLE_LOCATION, "site": "north"}]}}))
    clients = ReplyClients(google=GoogleClient.from_env(fake_google.env(),
                                                        base_url=fake_google.api_url),
                           timeout=QUICK)
    return _driver(start_bot(config=config, reply_clients=clients), slack)


def google_case(driver: Driver) -> int:
    return driver.new_case(external_id=GOOGLE_REVIEW)


def test_google_reply_is_posted_after_the_ack_and_the_case_is_responded(google, slack,
                                                                          fake_google):
    case_id = google_case(google)
    view = respond(google, case_id)
    assert view["submit"]["text"] == "Post on Google"
    assert "Submitting posts this reply on Google as Example Health" in block_text(view)

    body = submit_reply(google, view, SAFE)

    assert body["response_action"] == "update"  # the ack: the network call comes after it
    assert "Posting on Google…" in block_text(body["view"])
    done = view_showing(slack, view["id"], "Posted on Google.")
    assert done["callback_id"] == CallbackId.REPLY_RESULT
    review = fake_google.review(f"{SAMPLE_LOCATION}/reviews/{GOOGLE_REVIEW}")
    assert review["reviewReply"]["comment"] == SAFE
    card = google.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")
    assert "on Google" in block_text(card) and "First response recorded" in block_text(card)
    responded = next(e for e in events(google, case_id) if e.action == "responded")
    assert responded.details["via"] == "google" and responded.details["state"] == "posted"
    assert responded.details["reply_id"] == f"{SAMPLE_LOCATION}/reviews/{GOOGLE_REVIEW}/reply"
    # posted on an unclaimed case: it is Maria's, claimed as it was recorded
    assert [(e.action, e.actor) for e in events(google, case_id)] == [
        ("opened", "system"), ("claimed", MARIA), ("responded", MARIA), ("done", MARIA)]
    lines = google.thread_with(TRIAGE, card, "posted a public reply on Google")
    assert any(">Thank you for sharing this, Dana." in line for line in lines)


def test_google_moderation_pending_then_rejected_reopens_the_window(google, slack,
                                                                      fake_google, clock):
    fake_google.moderation = "PENDING"
    case_id = google_case(google)
    view = respond(google, case_id)
    submit_reply(google, view, SAFE)

    view_showing(slack, view["id"], "Google is reviewing the reply before it appears")
    # it landed: the window is met (the card may show the reply's status a moment before)
    card = google.card(case_id, TRIAGE, lambda m: "Reply awaiting Google's moderation"
                       in block_text(m) and "First response recorded" in block_text(m))
    lines = google.thread_with(TRIAGE, card, "posted a public reply on Google")
    assert any(line.endswith("talk privately.\n\n_Google is reviewing it before it appears._")
               for line in lines)  # the note is a paragraph of its own, after the quote

    google.settle()
    clock.advance(timedelta(minutes=15))
    assert google.bot.replies.run_checks() == 1  # what the scheduler runs
    google.settle()
    assert "awaiting Google's moderation" in block_text(google.card(case_id, TRIAGE))

    fake_google.moderate(f"{SAMPLE_LOCATION}/reviews/{GOOGLE_REVIEW}", "REJECTED",
                         {"policyViolationType": "PERSONAL_INFORMATION"})
    clock.advance(timedelta(minutes=30))
    google.bot.replies.run_checks()

    card = google.card_showing(case_id, TRIAGE, "Google rejected the reply: personal "
                                                "information.")
    text = block_text(card)
    assert "The response window is open again" in text
    assert "Responded by" not in text and "Respond by" in text
    google.thread_with(TRIAGE, card, "its response window is open again")
    actions = [e.action for e in events(google, case_id)]
    # held for moderation, the reply made the case done; rejected, it is open again
    assert actions[-3:] == ["responded", "done", "reply_rejected"]
    rejected = next(e for e in events(google, case_id) if e.action == "reply_rejected")
    assert rejected.details["reopened"] is True
    assert next(e for e in events(google, case_id)
                if e.action == "reply_rejected").actor == "system"


def test_google_moderation_pending_then_published(google, slack, fake_google, clock):
    fake_google.moderation = "PENDING"
    case_id = google_case(google)
    submit_reply(google, respond(google, case_id), SAFE)
    google.card_showing(case_id, TRIAGE, "awaiting Google's moderation")
    google.settle()

    fake_google.moderate(f"{SAMPLE_LOCATION}/reviews/{GOOGLE_REVIEW}", "APPROVED")
    clock.advance(timedelta(minutes=15))
    google.bot.replies.run_checks()

    card = google.card_showing(case_id, TRIAGE, "· on Google")
    assert "awaiting" not in block_text(card)
    google.thread_with(TRIAGE, card, "Google published the public reply")
    google.settle()
    assert google.bot.replies.next_check() is None


def test_google_rejecting_at_once_says_why_and_the_reply_can_be_edited(google, slack,
                                                                         fake_google):
    fake_google.moderation = "REJECTED"
    fake_google.policy_violation = "OFF_TOPIC"
    case_id = google_case(google)
    view = respond(google, case_id)
    submit_reply(google, view, SAFE)

    result = view_showing(slack, view["id"], "Google rejected the reply: off topic.")
    assert "The case is not marked responded" in block_text(result)
    card = google.card_showing(case_id, TRIAGE, "Google rejected the reply: off topic.")
    assert "Responded by" not in block_text(card)

    assert google.click_in_view(MARIA, result, ActionId.REPLY_EDIT) == 200
    edit = slack.wait_for(lambda: (v := slack.view(view["id"]))["callback_id"]
                          == CallbackId.RESPOND and v)
    box = next(b for b in edit["blocks"] if b.get("block_id") == reply_block(edit))
    assert box["element"]["initial_value"] == SAFE

    fake_google.moderation = "APPROVED"
    submit_reply(google, edit, SAFE.replace("truly", "") + " Thank you.")
    view_showing(slack, view["id"], "Posted on Google.")
    google.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")


def test_google_permission_error_is_shown_and_the_reply_can_be_posted_by_hand(google, slack,
                                                                               fake_google):
    fake_google.forbidden_locations.add(SAMPLE_LOCATION)
    case_id = google_case(google)
    view = respond(google, case_id)
    submit_reply(google, view, SAFE)

    result = view_showing(slack, view["id"], "Not posted.")
    text = block_text(result)
    assert "Google says: The caller does not have permission" in text
    assert "cannot reply for this location" in text
    assert ActionId.REPLY_RETRY not in action_ids(result)  # trying again cannot cure it
    assert SAFE in text  # copy-ready, to post by hand instead
    card = google.card_showing(case_id, TRIAGE, "Posting to Google failed.")
    assert "Responded by" not in block_text(card)
    failed = next(e for e in events(google, case_id) if e.action == "reply_failed")
    assert failed.details["http_status"] == 403 and failed.details["code"] == "PERMISSION_DENIED"

    google.click_in_view(MARIA, result, ActionId.REPLY_MARK_POSTED)
    view_showing(slack, view["id"], "Recorded as posted.")
    google.card_showing(case_id, TRIAGE, "posted by hand on Google")


def test_google_rate_limit_can_be_retried(google, slack, fake_google):
    fake_google.fail("reply", status=429, retry_after=30)
    case_id = google_case(google)
    view = respond(google, case_id)
    submit_reply(google, view, SAFE)

    result = view_showing(slack, view["id"], "You can try again.")
    assert "Google says: injected" in block_text(result)
    assert google.click_in_view(MARIA, result, ActionId.REPLY_RETRY) == 200

    view_showing(slack, view["id"], "Posted on Google.")
    assert len(fake_google.calls_to("reply")) == 2
    card = google.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")
    google.settle()
    card = google.card(case_id, TRIAGE)
    assert "· on Google" in block_text(card) and "failed" not in block_text(card)
    # the failed post claimed nothing; the one that got there did
    assert [e.action for e in events(google, case_id)] == [
        "opened", "reply_failed", "claimed", "responded", "done"]


def test_a_timeout_is_looked_up_and_never_posted_twice(google, slack, fake_google):
    fake_google.hang("reply", handle_first=True)  # saved; only the answer is lost
    case_id = google_case(google)
    view = respond(google, case_id)
    submit_reply(google, view, SAFE)

    view_showing(slack, view["id"], "Posted on Google.")
    fake_google.release()
    assert len(fake_google.calls_to("reply")) == 1
    assert len(fake_google.calls_to("get")) == 1  # the look-up
    google.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")


def test_a_timeout_that_cannot_be_settled_offers_mark_as_posted_not_a_second_post(
        google, slack, fake_google):
    fake_google.hang("reply", handle_first=False)
    fake_google.fail("get", status=503, times=2)
    case_id = google_case(google)
    view = respond(google, case_id)
    submit_reply(google, view, SAFE)

    result = view_showing(slack, view["id"], "Not known whether the reply reached Google")
    fake_google.release()
    assert action_ids(result) == [ActionId.REPLY_CHECK, ActionId.REPLY_MARK_POSTED]
    google.card_showing(case_id, TRIAGE, "Not known whether the reply reached Google")

    # Respond again (the case is nobody's: its reply is not known to be out): the earlier
    # post is looked up first; Google still cannot tell, so nothing new is posted
    again = respond(google, case_id)
    assert "An earlier reply's outcome is unknown" in block_text(again)
    submit_reply(google, again, SAFE)
    shown = view_showing(slack, again["id"], "Your new reply was not posted")
    assert "Not known whether the reply reached Google" in block_text(shown)
    assert len(fake_google.calls_to("reply")) == 1
    google.settle()
    assert "Not known whether the reply reached Google" in block_text(
        google.card(case_id, TRIAGE))  # the card still tells what matters

    # Check again: now Google answers, and the reply is not there: it can be posted again
    assert google.click_in_view(MARIA, result, ActionId.REPLY_CHECK) == 200
    retry = view_showing(slack, view["id"], "The reply did not get there")
    google.click_in_view(MARIA, retry, ActionId.REPLY_RETRY)
    view_showing(slack, view["id"], "Posted on Google.")
    assert len(fake_google.calls_to("reply")) == 2
    card = google.card_showing(case_id, TRIAGE, f"Responded by <@{MARIA}>")
    google.settle()
    card = google.card(case_id, TRIAGE)
    assert "· on Google" in block_text(card) and "failed" not in block_text(card)


# ---- Facebook ------------------------------------------------------------------------------


@pytest.fixture
def fake_facebook() -> Iterator[FakeFacebook]:
    with FakeFacebook() as fake:
        fake.seed_samples()
        yield fake


@pytest.fixture
def facebook(start_bot, slack, fake_facebook) -> Driver:
    config = parse_config(config_data(sources={"facebook": {
        "post_replies": True, "base_url": fake_facebook.base_url,
        "pages": [{"page_id": SAMPLE_PAGE_ID, "site": "north"}]}}))
    client = FacebookClient.from_env({"FACEBOOK_PAGE_TOKEN": fake_facebook.page_token},
                                     source=config.sources.facebook)
    return _driver(start_bot(config=config, reply_clients=ReplyClients(facebook=client,
                                                                       timeout=QUICK)), slack)


def facebook_case(driver: Driver, external_id: str = "998877_1001", **fields) -> int:
    return driver.new_case(source="facebook", external_id=external_id, author="Pat Q.",
                           text="Tried to get one at the south clinic, waited 2 hours and "
                                "they ran out. Ridiculous.", **fields)


def test_facebook_reply_is_a_comment_and_a_second_one_is_warned_about(facebook, slack,
                                                                      fake_facebook):
    case_id = facebook_case(facebook)
    view = respond(facebook, case_id)
    reply = ("Thank you, Pat. We are sorry for the experience you describe. Please call "
             "555-0101 so we can talk privately.")
    submit_reply(facebook, view, reply)

    view_showing(slack, view["id"], "Posted on Facebook.")
    mine = [c for c in fake_facebook.comments["998877_1001"]
            if c["from"]["id"] == SAMPLE_PAGE_ID]
    assert [c["message"] for c in mine] == [reply]
    card = facebook.card_showing(case_id, TRIAGE, "· on Facebook")
    responded = next(e for e in events(facebook, case_id) if e.action == "responded")
    assert responded.details["reply_id"] == mine[0]["id"]

    # a second public reply to the same thread is a warning
    again = facebook.open_view(MARIA, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)
    assert again["title"]["text"] == "Edit reply"
    submit_reply(facebook, again, reply + " We mean it.")
    assert "There is already a public reply in this thread" in block_text(slack.view(again["id"]))


def test_facebook_permission_error_is_shown_and_not_retried(facebook, slack, fake_facebook):
    fake_facebook.can_engage = False
    case_id = facebook_case(facebook)
    view = respond(facebook, case_id)
    submit_reply(facebook, view, SAFE)

    result = view_showing(slack, view["id"], "Not posted.")
    assert "the page token lacks the permission" in block_text(result)
    assert ActionId.REPLY_RETRY not in action_ids(result)
    assert not any(e.action == "responded" for e in events(facebook, case_id))


def test_hide_on_a_facebook_comment_hides_it_on_facebook_too(facebook, slack, fake_facebook):
    case_id = facebook_case(facebook)
    card = facebook.card(case_id, TRIAGE)
    view = facebook.open_view(SAM, card, ActionId.HIDE, TRIAGE, CallbackId.HIDE)
    (box,) = [b for b in view["blocks"] if b.get("block_id") == BlockId.HIDE_ON_SOURCE]
    assert box["element"]["options"][0]["text"]["text"] == "Also hide it on Facebook"
    assert box["element"]["initial_options"] == box["element"]["options"]  # ticked

    facebook.submit(SAM, view, {
        BlockId.REASON: {InputId.REASON: static_select_value("profanity")},
        BlockId.HIDE_ON_SOURCE: {InputId.HIDE_ON_SOURCE: checkboxes_value(HIDE_THERE)},
    })

    hidden = facebook.card_showing(case_id, TRIAGE, "Hidden — profanity or harassment")
    facebook.thread_with(TRIAGE, hidden, "Hidden on Facebook too.")
    assert fake_facebook.comment("998877_1001")["is_hidden"] is True
    assert [e.action for e in events(facebook, case_id)][-2:] == ["hidden", "hidden_on_source"]


def test_hide_on_facebook_failing_is_reported_and_the_case_still_collapses(facebook, slack,
                                                                           fake_facebook):
    fake_facebook.can_engage = False
    case_id = facebook_case(facebook)
    view = facebook.open_view(SAM, facebook.card(case_id, TRIAGE), ActionId.HIDE, TRIAGE,
                              CallbackId.HIDE)
    facebook.submit(SAM, view, {
        BlockId.REASON: {InputId.REASON: static_select_value("spam")},
        BlockId.HIDE_ON_SOURCE: {InputId.HIDE_ON_SOURCE: checkboxes_value(HIDE_THERE)},
    })

    facebook.card_showing(case_id, TRIAGE, "Hidden — spam")
    notice = facebook.ephemeral_for(SAM, "hiding it on Facebook failed")
    assert "Facebook says: (#200)" in block_text(notice)
    assert "is_hidden" not in fake_facebook.comment("998877_1001")
    assert events(facebook, case_id)[-1].action == "hide_on_source_failed"


def test_hide_unticked_or_on_a_recommendation_leaves_facebook_alone(facebook, slack,
                                                                    fake_facebook):
    case_id = facebook_case(facebook)
    view = facebook.open_view(SAM, facebook.card(case_id, TRIAGE), ActionId.HIDE, TRIAGE,
                              CallbackId.HIDE)
    facebook.submit(SAM, view, {
        BlockId.REASON: {InputId.REASON: static_select_value("spam")},
        BlockId.HIDE_ON_SOURCE: {InputId.HIDE_ON_SOURCE: checkboxes_value()},
    })
    facebook.card_showing(case_id, TRIAGE, "Hidden — spam")
    facebook.settle()
    assert fake_facebook.calls_to("comment_update") == []

    recommendation = facebook_case(facebook, external_id="777000111", recommendation="negative")
    view = facebook.open_view(SAM, facebook.card(recommendation, TRIAGE), ActionId.HIDE,
                              TRIAGE, CallbackId.HIDE)
    assert not any(b.get("block_id") == BlockId.HIDE_ON_SOURCE for b in view["blocks"])


# ---- Yelp (partner access) -----------------------------------------------------------------


@pytest.fixture
def fake_yelp() -> Iterator[FakeYelp]:
    with FakeYelp() as fake:
        fake.seed_samples()
        yield fake


@pytest.fixture
def yelp(start_bot, slack, fake_yelp) -> Driver:
    config = parse_config(config_data(sources={"yelp": {
        "post_replies": True, "base_url": fake_yelp.base_url, "token_url": fake_yelp.token_url,
        "businesses": {SAMPLE_BUSINESS_ID: "north"}}}))
    client = YelpReplyClient.from_env(
        {"YELP_CLIENT_ID": fake_yelp.client_id, "YELP_CLIENT_SECRET": fake_yelp.client_secret,
         "YELP_REFRESH_TOKEN": fake_yelp.authorize(SAMPLE_BUSINESS_ID)},
        source=config.sources.yelp)
    return _driver(start_bot(config=config, reply_clients=ReplyClients(yelp=client,
                                                                       timeout=QUICK)), slack)


def yelp_case(driver: Driver, fake: FakeYelp) -> int:
    review_id = fake.webhook()["data"]["updates"][0]["review_id"]
    return driver.new_case(source="yelp", external_id=review_id, author="Casey R.",
                           text="Four hours in the ER waiting room. Nobody checked on us once.")


def test_yelp_partner_reply_is_posted(yelp, slack, fake_yelp):
    case_id = yelp_case(yelp, fake_yelp)
    view = respond(yelp, case_id)
    body = submit_reply(yelp, view, SAFE.replace("Dana", "Casey") + " \U0001F64F")
    assert body["response_action"] == "errors"  # what Yelp refuses outright, said at once
    assert "Yelp does not accept emoji" in body["errors"][reply_block(view)]
    assert fake_yelp.calls_to("respond") == []

    submit_reply(yelp, view, SAFE.replace("Dana", "Casey"))

    view_showing(slack, view["id"], "Posted on Yelp.")
    assert list(fake_yelp.responses.values()) == [[SAFE.replace("Dana", "Casey")]]
    yelp.card_showing(case_id, TRIAGE, "· on Yelp")


def test_yelps_daily_limit_is_explained_and_the_case_stays_open(yelp, slack, fake_yelp):
    fake_yelp.daily_quota = 0
    case_id = yelp_case(yelp, fake_yelp)
    view = respond(yelp, case_id)
    submit_reply(yelp, view, SAFE)

    result = view_showing(slack, view["id"], "at most 20 replies per location a day")
    assert ActionId.REPLY_RETRY in action_ids(result)
    card = yelp.card_showing(case_id, TRIAGE, "Posting to Yelp failed.")
    assert "Respond by" in block_text(card)


# ---- private follow-up and outcomes ---------------------------------------------------------


def test_a_private_follow_up_asks_for_a_phone_number_and_is_recorded_as_sent(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    view = driver.open_from_menu(LEE, card, f"{MoreChoice.PRIVATE}:{case_id}", TRIAGE,
                                 CallbackId.PRIVATE)
    box = next(b for b in view["blocks"] if b.get("block_id", "").startswith(BlockId.PRIVATE))
    draft = box["element"]["initial_value"]
    assert draft.startswith("Hi Dana,") and "phone number" in draft and "555-0101" in draft
    assert "never as a public reply" in block_text(view)

    status, body = driver.submit(LEE, view, {box["block_id"]: {InputId.PRIVATE: plain_text_value(
        "Please take two ibuprofen every 6 hours and call us.")}})
    assert body["response_action"] == "errors"
    assert "medical advice" in body["errors"][box["block_id"]]

    status, body = driver.submit(LEE, view, {box["block_id"]: {InputId.PRIVATE:
                                                               plain_text_value(draft)}})
    assert status == 200 and body["response_action"] == "update"
    ready = slack.view(view["id"])
    assert ready["callback_id"] == CallbackId.PRIVATE_READY
    assert ready["submit"]["text"] == "Mark as sent"
    driver.submit(LEE, ready, {})

    lines = driver.thread_with(TRIAGE, card, "sent the reviewer a private message")
    assert any("(from _Ask for a phone number_)" in line for line in lines)
    assert not any("Hi Dana" in line for line in lines)  # discreet: the words stay out
    assert any(e.action == "private_sent" and e.actor == LEE
               for e in events(driver, case_id))
    assert "Responded by" not in block_text(driver.card(case_id, TRIAGE))


def test_log_outcome_is_an_event_and_shows_on_the_card_and_px_card(driver, slack):
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    escalate = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    driver.submit(MARIA, escalate, {
        BlockId.SITE: {InputId.SITE: static_select_value("north")},
        BlockId.URGENCY: {InputId.URGENCY: static_select_value("routine")}})
    px = driver.card(case_id, PX_NORTH)

    view = driver.open_from_menu(SAM, px, f"{MoreChoice.OUTCOME}:{case_id}", PX_NORTH,
                                 CallbackId.OUTCOME)
    status, body = driver.submit(SAM, view, {BlockId.OUTCOME: {InputId.OUTCOME:
                                                               static_select_value(None)}})
    assert status == 200 and body["response_action"] == "errors"
    assert BlockId.OUTCOME in body["errors"]
    driver.submit(SAM, view, {
        BlockId.OUTCOME: {InputId.OUTCOME: static_select_value("patient_contacted")},
        BlockId.NOTE: {InputId.NOTE: plain_text_value("Called back, will visit Monday")}})

    px = driver.card_showing(case_id, PX_NORTH, "Outcome: *Patient contacted*")
    assert ActionId.PX_CONTACTED not in action_ids(px)  # the PX follow-up is done too
    driver.card_showing(case_id, TRIAGE, "Outcome: *Patient contacted*")
    logged = next(e for e in events(driver, case_id) if e.action == "outcome_logged")
    assert logged.actor == SAM
    assert logged.details == {"outcome": "patient_contacted", "took_up_offer": True,
                              "changed_review": False, "note": True}

    # later, on the resolved case: the review was updated
    driver.resolve(SAM, case_id, "patient_contacted", PX_NORTH)
    px = driver.card_showing(case_id, PX_NORTH, "Resolved by")
    view = driver.open_from_menu(SAM, px, f"{MoreChoice.OUTCOME}:{case_id}", PX_NORTH,
                                 CallbackId.OUTCOME)
    driver.submit(SAM, view, {
        BlockId.OUTCOME: {InputId.OUTCOME: static_select_value("review_updated")}})
    driver.card_showing(case_id, PX_NORTH, "Outcome: *Review updated*")
    outcomes = [e.details["outcome"] for e in events(driver, case_id)
                if e.action == "outcome_logged"]
    assert outcomes == ["patient_contacted", "review_updated"]


# ---- metadata carries ids only ------------------------------------------------------------


def test_message_metadata_carries_case_ids_never_review_text_or_names(google, slack,
                                                                      fake_google):
    author, words = "Dana Kowalczyk", "gurney hallway Kowalczyk"
    case_id = google.new_case(external_id=GOOGLE_REVIEW, author=author,
                              text=f"My father lay on a {words} for nine hours.")
    card = google.card(case_id, TRIAGE)
    submit_reply(google, respond(google, case_id), SAFE)
    google.card_showing(case_id, TRIAGE, "Responded by")
    escalate = google.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    google.submit(MARIA, escalate, {
        BlockId.SITE: {InputId.SITE: static_select_value("north")},
        BlockId.URGENCY: {InputId.URGENCY: static_select_value("routine")},
        BlockId.NOTE: {InputId.NOTE: plain_text_value(f"{author} called twice")}})
    google.card(case_id, PX_NORTH)
    google.settle()

    sent = [call for method in ("chat.postMessage", "chat.update")
            for call in slack.calls_to(method)]
    assert len(sent) >= 5
    for call in sent:
        metadata = call.params.get("metadata")
        if metadata is None:
            assert call.method == "chat.update"  # an update keeps the message's metadata
            continue
        assert set(metadata) == {"event_type", "event_payload"}
        assert set(metadata["event_payload"]) == {"key", "case_id"}
        assert metadata["event_payload"]["case_id"] == case_id
        dumped = json.dumps(metadata)
        for secret in ("Dana", "Kowalczyk", "gurney", "father", "555-0101"):
            assert secret not in dumped
    # nor does what a modal carries between its steps
    for view in slack.opened_views():
        assert "Kowalczyk" not in view["private_metadata"]
        assert "Thank you" not in view["private_metadata"]


def test_a_button_naming_another_cases_reply_is_refused(google, slack, fake_google):
    fake_google.fail("reply", status=429, times=2)
    first = google_case(google)
    view = respond(google, first)
    submit_reply(google, view, SAFE)
    result = view_showing(slack, view["id"], "You can try again.")
    other = google.new_case(external_id="AbFvOqk3", author="Terry B.")
    other_view = respond(google, other, user=SAM)
    submit_reply(google, other_view, SAFE.replace("Dana", "Terry"), user=SAM)
    view_showing(slack, other_view["id"], "You can try again.")
    (other_post,) = posts(google.bot, other)

    # the first case's modal, its Try again button rewritten to name the other case's reply
    forged = json.loads(json.dumps(result))
    for block in forged["blocks"]:
        for element in block.get("elements") or []:
            if element.get("action_id") == ActionId.REPLY_RETRY:
                element["value"] = str(other_post.id)
    assert google.click_in_view(MARIA, forged, ActionId.REPLY_RETRY) == 200

    google.ephemeral_for(MARIA, "could not be read, so nothing was changed")
    google.settle()
    assert len(fake_google.calls_to("reply")) == 2  # the two that failed, nothing since
    assert [p.status for p in posts(google.bot, other)] == ["failed"]


def test_patient_contacted_logged_by_someone_outside_px_staff_leaves_the_px_follow_up(
        start_bot, slack):
    from testing.workspace import PAT

    bot = start_bot(config=parse_config(config_data(roles={"px_staff": [PAT]})))
    driver = _driver(bot, slack)
    case_id = driver.new_case()
    card = driver.card(case_id, TRIAGE)
    escalate = driver.open_view(MARIA, card, ActionId.ESCALATE, TRIAGE, CallbackId.ESCALATE)
    driver.submit(MARIA, escalate, {
        BlockId.SITE: {InputId.SITE: static_select_value("north")},
        BlockId.URGENCY: {InputId.URGENCY: static_select_value("routine")}})
    px = driver.card(case_id, PX_NORTH)

    view = driver.open_from_menu(SAM, px, f"{MoreChoice.OUTCOME}:{case_id}", PX_NORTH,
                                 CallbackId.OUTCOME)
    driver.submit(SAM, view, {
        BlockId.OUTCOME: {InputId.OUTCOME: static_select_value("patient_contacted")}})

    px = driver.card_showing(case_id, PX_NORTH, "Outcome: *Patient contacted*")
    assert ActionId.PX_CONTACTED in action_ids(px)  # only PX staff mark the follow-up done
    assert not any(e.action == "px_contacted" for e in events(driver, case_id))
