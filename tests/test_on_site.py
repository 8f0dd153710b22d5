"""Someone on site now (bot.triage.presence, and in Spanish bot.triage.presence_es): the grammars
over tables of phrasings, what triage does with them (a case whatever the rating, the wait it
says), a Spanish review through the real app, and floors on the labelled phrasings in
tests/data/on_site.jsonl and on_site_es.jsonl (bench/onsite_bench.py measures them)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.blocks.ids import ActionId, BlockId, CallbackId
from bot.triage import presence, presence_es, triage
from bot.triage.flags import normalise
from testing.driver import block_text
from testing.labelled import ON_SITE_ES, SITES, en_sitio_ahora, load_phrasings, on_site_now, score
from testing.workspace import MARIA, START, TRIAGE
from tests.test_triage import config, review, triaged

GURNEY = ("My mother has been on a gurney in your hallway since last night. "
          "Is anyone going to help her?")


def on_site(text: str, sites: tuple[str, ...] = ()) -> str | None:
    return presence.on_site_now(normalise(text), sites)


@pytest.mark.parametrize("text", [
    GURNEY,
    "I'm sitting in your ER right now and nobody has checked on us.",
    "We are waiting to be seen. My son can't stop coughing.",
    "My dad is in room 4 and his call light has been on for 40 minutes.",
    "They have my grandmother in your hallway on a stretcher.",
    "I'm at the North campus lobby and the info desk is empty.",
    "Still here. Still no doctor.",
    "Been here 6 hours with my wife.",
    "My dad is on a gurney by the elevators.",
    "Currently in the urgent care waiting area, 3 hours and counting.",
    "Sitting in triage right now with chest pain.",
    "We've been in the ER since 2am and it's now 9.",
    "Got here at 7. It is now 11:40 and nobody has called her name.",
    "Writing this from my hospital bed on the 5th floor.",
    "im in ur er rn and the triage nurse is on her phone",
    "Our newborn is in the NICU and nobody will update us.",
    "No one has checked on my mother in 4 hours.",
    "Please someone come to room 12, my father is on the floor.",
    "Day 2 in the ER hallway, still no room upstairs.",
    "My 80 year old mother is sitting in a wheelchair in your lobby.",
])
def test_on_site_now(text):
    found = on_site(text)
    assert found, text
    assert found in presence.normalise(normalise(text))  # the sentence it read, quoted


@pytest.mark.parametrize("text", [
    "Last year I was in your ER for six hours.",
    "When I was there in March the waiting room was filthy.",
    "My mother was on a gurney in your hallway for 14 hours during her last admission.",
    "If you're ever in their emergency room, bring a book.",
    "Imagine being in the hallway on a gurney for 12 hours.",
    "I read on the news that patients are kept in your hallways for days.",
    "A friend said they left her mom on a gurney in the hall overnight.",
    "I work in the ED and we are doing our best.",
    "I've been waiting 3 weeks for a callback about my bill.",
    "Still waiting for someone to call me back about my results.",
    "I've been here before and it was much better.",
    "Every time I'm in this ER I wait four hours.",
    "I have an appointment at the north campus tomorrow.",
    "We're home now, after 7 hours in the ER.",
    "I'm a patient at your clinic and can never get an appointment.",
    "Sitting in an ER for 10 hours should not be normal.",
    "Been a patient here since 2015.",
    "We are now at a different hospital where they actually care.",
    "In the ER with my son, the nurse was rude to us the whole time.",
    "I'm on the MRI waitlist and nobody calls.",
])
def test_not_on_site_now(text):
    assert on_site(text) is None, text


def test_a_sites_name_is_a_place_of_ours():
    text = "I'm at Mercy West right now and there is nobody at the desk."
    assert on_site(text) is None
    assert on_site(text, ("Mercy West",)) == (
        "i'm at mercy west right now and there is nobody at the desk")


def test_a_long_rant_is_read_in_windows():
    rant = " ".join(["the staff ignore everyone and the bills are wrong"] * 60)
    assert on_site(rant) is None
    assert on_site(rant + " and my dad is in room 4 right now") is not None


# --- What triage does with it ------------------------------------------------------------------


def test_the_gurney_review_is_a_case_about_waiting_not_courtesy():
    result = triaged(GURNEY)
    assert result.band == "complaint" and result.negative
    assert result.labels == ("urgent",)
    assert result.reasons["negative"] == "the reviewer is on site now"
    assert result.reasons["urgent"].startswith("on site now: “my mother has been on a gurney")
    assert "wait_time" in result.themes
    assert "staff_courtesy" not in result.themes


def test_on_site_then_is_not_on_site_now():
    """Someone writing that they are here is on site now only when the review reached us
    within [triage] on_site_within (24 h) of being written: 13 days later (a first poll's
    backlog, an import, the samples) they were on site then. Their wait is still the theme."""
    from datetime import timedelta

    from tests.test_triage import WRITTEN

    gurney = review(GURNEY)
    assert triage(gurney, config(), received_at=WRITTEN + timedelta(hours=23)).labels == (
        "urgent",)
    assert triage(gurney, config()).labels == ("urgent",)  # when it arrived is not known
    late = triage(gurney, config(), received_at=WRITTEN + timedelta(days=13))
    assert "urgent" not in late.labels and "urgent" not in late.reasons
    assert "wait_time" in late.themes
    assert late.band != "complaint"  # the model decides, as for any unrated text
    # A five-star review from someone there 13 days ago opens nothing.
    praise = review("I'm in your ER right now, the nurses are lovely.", rating=5)
    assert not triage(praise, config(), received_at=WRITTEN + timedelta(days=13)).negative
    # The organisation may allow longer.
    assert triage(gurney, config(on_site_within="14d"),
                  received_at=WRITTEN + timedelta(days=13)).labels == ("urgent",)


@pytest.mark.parametrize(("rating", "recommendation", "why"), [
    (5, None, "rated 5★"), (4, None, "rated 4★"), (None, "positive", "recommends us")])
def test_on_site_opens_a_case_whatever_the_rating(rating, recommendation, why):
    text = "I'm in your ER right now with my son, the nurses are lovely but it's been 6 hours."
    result = triage(review(text, rating=rating, recommendation=recommendation,
                           source="facebook" if recommendation else "google"), config())
    assert result.band == "complaint" and result.negative
    assert result.reasons["negative"] == f"the reviewer is on site now ({why}, a case all the same)"
    praise = triage(review("The nurses were lovely last week.", rating=rating,
                           recommendation=recommendation), config())
    assert praise.band == "not"


def test_a_desk_that_posts_no_unrated_reviews_still_posts_none():
    result = triage(review(GURNEY), config(post_unrated=False))
    assert "urgent" in result.labels and result.band == "not"


# --- Floors on the labelled phrasings -----------------------------------------------------------

# Regression guards under what bench/onsite_bench.py measures: the grammar was tuned on tuning
# and holdout-1 to -3 (in-sample P 0.98-1.00, R 0.97-1.00); holdout-4 it has never been tuned on
# (its first look: P 0.97, R 0.80).
FLOORS = {"tuning": (0.97, 0.95), "holdout-1": (0.95, 0.95), "holdout-2": (0.95, 0.95),
          "holdout-3": (0.95, 0.92), "holdout-4": (0.9, 0.75)}


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_floors_on_the_labelled_phrasings(split):
    rows = [row for row in load_phrasings() if row.split == split]
    assert len(rows) >= 80
    measure = score([row.on_site for row in rows], [on_site_now(row.text) for row in rows])
    precision, recall = FLOORS[split]
    assert measure.precision >= precision
    assert measure.recall >= recall


def test_the_labelled_phrasings_cover_both_sides_and_hard_negatives():
    rows = load_phrasings()
    kinds = {row.kind for row in rows if not row.on_site}
    assert {"past_visit", "hypothetical", "news", "staff", "remote_wait"} <= kinds
    assert sum(row.on_site for row in rows) >= 150 and sum(not row.on_site for row in rows) >= 150
    assert SITES  # the desk the phrasings name


# --- In Spanish (issue 17's first morning) -------------------------------------------------------

TESTERS = ("Llevo cinco horas en la sala de espera de urgencias ahora mismo con mi hijo… fiebre "
           "alta y nadie nos atiende.")


def en_sitio(text: str, sites: tuple[str, ...] = ()) -> str | None:
    return presence_es.on_site_now(text.lower(), sites)


@pytest.mark.parametrize("text", [
    TESTERS,
    "Estoy en urgencias ahora mismo y nadie nos atiende.",
    "Sigo aquí. Sigo sin doctor.",
    "Estamos aquí desde anoche y mi mamá no ha comido.",
    "Mi madre está en el pasillo en una camilla desde anoche.",
    "Mi padre está internado en el cuarto 412 y nadie contesta el timbre.",
    "Llevamos tres horas en la sala de espera con mi bebé.",
    "Cinco horas en urgencias y contando.",
    "Tienen a mi abuela en una camilla en el pasillo desde ayer en la tarde.",
    "aki estamos en urjencias con mi ija desde las 5",
    "Estoy en el lobby del campus North y no hay nadie en información.",
])
def test_on_site_now_in_spanish(text):
    found = en_sitio(text, SITES)
    assert found, text
    assert found in " ".join(text.lower().split())  # the review's own words, accents and all


@pytest.mark.parametrize("text", [
    "Estuve en urgencias el año pasado y esperé seis horas.",
    "Esperamos cinco horas en urgencias con mi papá y nadie nos dijo nada.",
    "Ya estamos en casa después de 7 horas en urgencias.",
    "Si alguna vez están en su sala de emergencias, lleven un libro.",
    "Leí en las noticias que tienen a pacientes en los pasillos por días.",
    "Trabajo en urgencias y estamos haciendo lo mejor que podemos.",
    "Sigo esperando que me devuelvan la llamada sobre mis resultados.",
    "Cada vez que voy a urgencias espero cuatro horas.",
    "Mañana tengo una cita en el campus North.",
    "No estoy en urgencias ahora, pero quiero contar lo que pasó anoche.",
    "Ahora estamos en otro hospital donde sí nos atienden.",
    "La comida del hospital podría ser mejor.",
])
def test_not_on_site_now_in_spanish(text):
    assert en_sitio(text, SITES) is None, text


def test_the_spanish_grammar_reads_no_english():
    assert not [row.text for row in load_phrasings() if en_sitio_ahora(row.text)]


def test_the_testers_spanish_review_is_a_case_about_waiting():
    result = triaged(TESTERS)
    assert result.band == "complaint" and result.labels == ("urgent",)
    assert result.reasons["negative"] == "the reviewer is on site now"
    assert result.reasons["urgent"].startswith("on site now: “llevo cinco horas en la sala de "
                                               "espera de urgencias ahora m")
    assert "wait_time" in result.themes


def test_the_testers_spanish_review_through_the_desk(driver, slack):
    """Unrated, on Facebook: a case with the on-site label and the urgent window, and Respond
    opens with the Spanish on-site draft, signed off in Spanish."""
    case_id = driver.new_case(source="facebook", external_id="fb-es-1", rating=None,
                              author="Rosa M.", text=TESTERS)
    card = driver.card(case_id, TRIAGE)
    text = block_text(card)
    # North campus names no on-site contact: its PX contact is asked to find the reviewer
    assert ":rotating_light: *On site now* — <@U0PAT>, please find the reviewer · Themes: " \
        "wait time" in text
    urgent = START + timedelta(hours=2)  # the urgent window, not the first response's 24 h
    assert f":alarm_clock: Respond by <!date^{int(urgent.timestamp())}^" in text

    view = driver.open_view(MARIA, card, ActionId.RESPOND, TRIAGE, CallbackId.RESPOND)
    box = next(b for b in view["blocks"] if b.get("block_id", "").startswith(f"{BlockId.REPLY}:"))
    assert box["block_id"] == f"{BlockId.REPLY}:on_site_now.es"
    draft = box["element"]["initial_value"]
    assert draft.startswith("Hola, Rosa. Lamentamos leer esto. Si se encuentra ahora en una de "
                            "nuestras instalaciones")
    assert draft.endswith("\n\n— El equipo de Experiencia del Paciente")


# Regression guards under bench/onsite_bench.py --spanish: tuned on tuning, holdout-1 and -2
# (in-sample 1.00 / 1.00); holdout-3 never tuned on (its first look: P 1.00, R 0.56).
FLOORS_ES = {"tuning": (0.97, 0.95), "holdout-1": (0.95, 0.95), "holdout-2": (0.95, 0.95),
             "holdout-3": (0.9, 0.5)}


@pytest.mark.parametrize("split", sorted(FLOORS_ES))
def test_floors_on_the_spanish_phrasings(split):
    rows = [row for row in load_phrasings(ON_SITE_ES) if row.split == split]
    assert len(rows) >= 50 and sum(row.on_site for row in rows) >= 25
    measure = score([row.on_site for row in rows], [en_sitio_ahora(row.text) for row in rows])
    precision, recall = FLOORS_ES[split]
    assert measure.precision >= precision
    assert measure.recall >= recall
