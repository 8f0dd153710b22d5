"""The reply guard: what it blocks and warns about, the near-misses it lets through, its rules as
a file a compliance team extends, and floors on the labelled drafts (in-sample: a regression
check, not a quality claim; bench/README.md has the held-out figures)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.config import ConfigError, parse_config
from bot.replies.guard import Severity, check_reply, reword
from bot.replies.guard_rules import load_rules, rules_for
from testing.workspace import config_data

DRAFTS = Path(__file__).parent / "data" / "reply_drafts.jsonl"
PX = "Please call our Patient Experience team at 555-0101."
REVIEW = "Waited four hours in the ER and nobody told us anything."


@pytest.fixture(scope="module")
def rules():
    return rules_for(parse_config(config_data(triage={"staff_names": ["Okafor"]})))


def found(draft: str, rules, *, review: str = REVIEW, author: str | None = "Sam Rivera",
          **context) -> set[str]:
    return set(check_reply(draft, review_text=review, review_author=author, rules=rules,
                           **context).rule_ids)


def test_the_briefs_near_miss_pair(rules):
    assert found(f"If you'd like to talk about your experience, {PX.lower()}", rules) == set()
    result = check_reply(f"We're sorry about what happened during your visit on Tuesday. {PX}",
                         review_text=REVIEW, rules=rules)
    assert result.blocked
    assert [(f.rule_id, f.quote) for f in result.blocks] == [
        ("confirms_care", "during your visit"), ("service_date", "on Tuesday")]


# ---- presuming the visit (issue 17 §5) ---------------------------------------------------------


def test_a_reply_that_takes_the_visit_as_given_is_held_with_a_rewording(rules):
    result = check_reply(f"We're sorry about your visit. {PX}", review_text=REVIEW, rules=rules)

    assert [(f.rule_id, f.severity, f.quote) for f in result.findings] == [
        ("presumes_visit", Severity.BLOCK, "your visit")]
    finding = result.findings[0]
    assert finding.suggestion == "We're sorry about the visit you describe."
    assert "takes the visit as given" in finding.message
    assert finding.message.endswith("Try: \u201cWe're sorry about the visit you describe.\u201d")
    # the rewording passes the guard: taking it is enough
    assert found(reword(f"We're sorry about your visit. {PX}", rules), rules) == set()


@pytest.mark.parametrize(("draft", "rule", "suggestion"), [
    ("We're sorry your stay was so frustrating.", "presumes_visit",
     "We're sorry the stay you describe was so frustrating."),
    ("We apologize that your appointment started late.", "presumes_visit",
     "We apologize that the appointment you describe started late."),
    ("We're sorry your recent ER visit fell short.", "presumes_visit",
     "We're sorry the ER visit you describe fell short."),
    ("We're sorry you felt ignored when you were with us.", "presumes_visit",
     "We're sorry you felt ignored."),
    ("We hope your care with us improves.", "confirms_care",
     "We hope the experience you describe improves."),
    ("We're sorry you felt rushed when you were here.", "confirms_care",
     "We're sorry you felt rushed."),
    ("Thank you for choosing us for your care.", "presumes_visit",
     "Thank you for reaching out."),
    ("We're sorry about your experience at our North campus.", "presumes_visit",
     "We're sorry about the experience you describe."),
    ("We hope your next visit is better.", "presumes_visit", None),
    ("Lamentamos mucho lo ocurrido durante su visita.", "presumes_visit",
     "Lamentamos mucho lo ocurrido."),
    ("Sentimos mucho que su cita se haya cancelado.", "presumes_visit",
     "Sentimos mucho que la cita que describe se haya cancelado."),
    ("Lamentamos que se haya sentido así cuando estuvo aquí.", "presumes_visit",
     "Lamentamos que se haya sentido así."),
    ("Sentimos lo ocurrido en su estancia con nosotros.", "presumes_visit",
     "Sentimos lo ocurrido en la estancia que describe."),
])
def test_the_visit_and_its_kin_in_english_and_spanish(rules, draft, rule, suggestion):
    result = check_reply(f"{draft} {PX}", review_text=REVIEW, rules=rules)
    held = [f for f in result.blocks if f.rule_id == rule]
    assert held, result.summary(None)
    assert held[0].suggestion == suggestion


@pytest.mark.parametrize("draft", [
    "If you'd like to talk about your experience, please reach out.",
    "Thank you for your feedback; your concerns matter to us.",
    "Thank you for sharing your experience with us.",
    "If you'd like help scheduling an appointment, we're glad to help.",
    "We know visiting hours can be hard on families.",
    "We're sorry to hear about the experience you describe.",
    "Gracias por sus comentarios y por su paciencia.",
    "Lamentamos mucho la experiencia que describe.",
    "Gracias por su atención.",
])
def test_words_about_the_readers_feedback_pass(rules, draft):
    assert found(f"{draft} {PX}", rules) == set()


# ---- Spanish -------------------------------------------------------------------------------

ES_PX = "Llame a nuestro equipo de Experiencia del Paciente al 555-0101."


def test_a_spanish_draft_naming_the_doctor_and_results_is_held(rules):
    result = check_reply("Su médico le llamará con los resultados.",
                         review_text="Nadie me explicó nada de mis análisis.", rules=rules)
    assert result.blocked
    assert {f.quote for f in result.blocks} == {"Su médico", "llamará con los resultados"}
    assert {f.rule_id for f in result.blocks} == {"confirms_care"}


@pytest.mark.parametrize(("draft", "rule"), [
    ("Según nuestros registros, usted fue dado de alta ayer.", "confirms_care"),
    ("Revisamos su expediente y todo está en orden.", "confirms_care"),
    ("Sentimos la demora con su radiografía.", "health_detail"),
    ("Lamentamos que le diagnosticaran neumonía tan tarde.", "health_detail"),
    ("Sentimos mucho la espera que tuvo el martes por la noche.", "service_date"),
    ("Lamentamos lo que vivió el 12 de marzo.", "service_date"),
    ("Ya corregimos el cargo de la cuenta número 4471923.", "record_number"),
    ("Sentimos que la habitación 412 fuera tan ruidosa.", "record_number"),
    ("Le recomendamos tomar ibuprofeno cada 6 horas.", "medical_advice"),
    ("Le sugerimos consultar a un especialista.", "medical_advice"),
    ("Dele paracetamol a su hija mientras espera.", "medical_advice"),  # the first morning's
    ("Esta reseña es difamatoria y lo vamos a demandar.", "threatens_reviewer"),
    ("Compartimos sus comentarios con la enfermera Martínez.", "staff_name"),
    ("Patricia, de nuestro equipo de facturación, se comunicará con usted.", "staff_name"),
    ("Esperamos que su esposo ya se sienta mejor.", "identifies_reviewer"),
    ("Lamentamos lo ocurrido, Sra. Hernández.", "identifies_reviewer"),
])
def test_each_spanish_rule_catches_its_kind_of_words(rules, draft, rule):
    result = check_reply(f"{draft} {ES_PX}", review_text="Muy mala atención en urgencias.",
                         review_author="Ana V.", rules=rules)
    assert rule in {f.rule_id for f in result.blocks}, result.summary(None)


@pytest.mark.parametrize("draft", [
    "Si tiene preguntas médicas, consulte con su médico.",
    "Si se trata de una emergencia médica, llame al 911.",
    "Estamos disponibles de lunes a viernes, de 8 a 5.",
    "Envíenos un mensaje privado con su número de teléfono.",
    "Lamentamos lo que usted y su mamá describen.",
    "Tomamos muy en serio sus comentarios.",
])
def test_spanish_near_misses_pass(rules, draft):
    result = check_reply(f"{draft} {ES_PX}", review_text="Mi mamá esperó horas sin agua.",
                         review_author="Rosa M.", rules=rules)
    assert set(result.rule_ids) == set(), result.summary(None)


@pytest.mark.parametrize(("draft", "rule"), [
    ("En realidad, nuestro personal siguió el protocolo.", "defensive"),
    ("Gracias por sus comentarios.", "no_handoff"),
])
def test_spanish_warnings(rules, draft, rule):
    extra = "" if rule == "no_handoff" else f" {ES_PX}"
    result = check_reply(draft + extra, review_text="Muy lento todo.", rules=rules)
    assert not result.blocked and {f.rule_id for f in result.warnings} == {rule}


# ---- a language the guard does not read ------------------------------------------------------


def test_a_reply_in_another_language_is_held_with_a_plain_note(rules):
    draft = ("Chúng tôi rất tiếc về thời gian chờ đợi mà quý vị đã mô tả. Xin vui lòng gọi cho "
             "nhóm Trải nghiệm Bệnh nhân của chúng tôi theo số 555-0101.")
    result = check_reply(draft, review_text="Chờ quá lâu ở phòng cấp cứu.", rules=rules)
    assert not result.blocked  # the person may post past it; the choice is recorded
    assert [f.rule_id for f in result.warnings] == ["unknown_language"]
    note = result.warnings[0].message
    assert "reads English and Spanish" in note and "Vietnamese" in note
    assert "nothing in that part was checked" in note


def test_a_paragraph_in_another_language_is_enough_to_hold(rules):
    draft = (f"We're sorry about the wait you describe. {PX}\n\n"
             "Nous sommes désolés de l'attente que vous décrivez. Appelez le 555-0101.")
    assert found(draft, rules) == {"unknown_language"}


def test_english_and_spanish_in_one_reply_are_both_read(rules):
    draft = (f"We're sorry about the wait you describe. {PX}\n\n"
             f"Lamentamos mucho lo ocurrido durante su visita. {ES_PX}")
    assert found(draft, rules) == {"presumes_visit"}


def test_a_hospital_may_make_the_language_hold_a_block(tmp_path):
    rules = load_rules(write(tmp_path, '''
[[rule]]
id = "unknown_language"
kind = "language"
severity = "block"
languages = ["en"]
explain = "We post in English only; this reads as {language}."
'''))
    result = check_reply(f"Lamentamos mucho la espera que describe. {ES_PX}",
                         review_text=REVIEW, rules=rules)
    assert [(f.rule_id, f.explain) for f in result.blocks] == [
        ("unknown_language", "We post in English only; this reads as Spanish.")]


@pytest.mark.parametrize(("draft", "rule"), [
    ("Our records show you were seen in the ER on the night you describe.", "confirms_care"),
    ("We have no record of a visit under this name.", "confirms_care"),
    ("We're so sorry about your broken wrist.", "health_detail"),
    ("We apologise for the delay with your MRI.", "health_detail"),
    ("We're sorry you had to wait so long yesterday afternoon.", "service_date"),
    ("We have corrected account #4471923.", "record_number"),
    ("We're sorry room 412 was so noisy.", "record_number"),
    ("You should take ibuprofen every 6 hours.", "medical_advice"),
    ("Give him some Tylenol while you wait.", "medical_advice"),  # no dose, still advice
    ("This is a fake review and we will sue you.", "threatens_reviewer"),
    ("We have forwarded your review to our attorneys.", "threatens_reviewer"),
    ("Some redness is normal after surgery.", "medical_advice"),
    ("Jessica from our billing team will be in touch.", "staff_name"),
    ("We've shared this with Dr. Okafor.", "staff_name"),
    ("We hope your wife is feeling better.", "identifies_reviewer"),
    ("We're sorry, Mrs. Hendricks.", "identifies_reviewer"),
])
def test_each_block_rule_catches_its_kind_of_words(rules, draft, rule):
    result = check_reply(f"{draft} {PX}", review_text=REVIEW, review_author="Ann H.",
                         rules=rules)
    assert rule in {f.rule_id for f in result.blocks}


@pytest.mark.parametrize("draft", [
    "Please contact your doctor or pharmacist with any medical questions.",
    "If this is a medical emergency, call 911 or go to the nearest emergency room.",
    "Please take a moment to call us; we take every concern seriously.",
    "You can reach us Monday through Friday, 8am to 5pm.",
    "Our imaging center is closed on Sundays, but our team is available Monday to Saturday.",
    "Please send us a private message with your phone number and a good time to call.",
    "We know hospital stays can be stressful for families.",
    "Someone from our lab team will be delighted to hear this.",
    "We'd be glad to give you a call back at a time that suits you.",
    "If you have retained an attorney, please have them contact our legal office.",
])
def test_near_misses_pass(rules, draft):
    assert found(f"{draft} {PX}", rules) == set()


# ---- the person's care or course, in English as in Spanish (issue 17's first morning) --------

SON_IN_ER = "Six hours in the ER with my son and his fever. The triage nurse ignored us."


@pytest.mark.parametrize(("draft", "words"), [
    ("We're so sorry about the long wait after he was admitted.", "he was admitted"),
    ("Our ER nurses remember you and your son, and they are sorry.",
     "Our ER nurses remember you"),
    ("We're sorry you waited so long before your son got his CT scan.", "his CT scan"),
    ("The triage nurse put your son in a lower priority group because his symptoms were not "
     "life-threatening.", "put your son"),
    ("We discharged your son once he was stable.", "discharged your son"),
    ("We're sorry your son wasn't seen sooner.", "your son wasn't seen"),
    ("The doctor who treated your son sends her apologies.", "treated your son"),
    ("We're sorry the nurses didn't check on her while she was in the ICU.",
     "while she was in the ICU"),
    ("She is stable now, and we're sorry for the wait.", "She is stable"),
])
def test_the_care_or_course_of_the_person_the_review_is_about_is_held(rules, draft, words):
    result = check_reply(f"{draft} {PX}", review_text=SON_IN_ER, review_author="Karen W.",
                         rules=rules)
    assert [(f.rule_id, f.quote) for f in result.blocks][:1] == [("discusses_care", words)]
    assert "even said of a relative, it confirms a patient here" in result.blocks[0].explain


def test_the_tester_s_discharge_reply_is_held_for_its_course_not_only_its_time(rules):
    result = check_reply(f"We discharged your son at 9pm once he was stable. {PX}",
                         review_text=SON_IN_ER, rules=rules)
    assert [(f.rule_id, f.quote) for f in result.blocks] == [
        ("discusses_care", "discharged your son"), ("service_date", "at 9pm"),
        ("discusses_care", "he was stable")]


@pytest.mark.parametrize("draft", [
    "We hope your son is feeling better.",
    "We're sorry about the wait you describe with your son; no parent should feel unheard.",
    "We understand how frightening it is when a child has a high fever.",
    "No one should have to wait that long to be seen.",
    "We're sorry your son was treated so dismissively.",
    "If this is a medical emergency or his condition changes, please tell the staff right away.",
    "We remember how hard these nights can be for families.",
    "Please remember you can reach us any time.",
    "We take concerns about how quickly patients are admitted seriously.",
])
def test_graceful_replies_about_the_person_pass(rules, draft):
    assert found(f"{draft} {PX}", rules, review=SON_IN_ER) == set()


def test_explaining_triage_in_general_is_warned_as_defensive_not_held(rules):
    draft = ("Patients in our emergency department are seen in order of medical need. We're "
             f"sorry for the wait. {PX}")
    assert found(draft, rules, review=SON_IN_ER) == {"defensive"}


def test_what_the_review_said_may_be_echoed(rules):
    review = "Dr. Patel was dismissive with my mom and Maria at the desk was rude."
    draft = (f"We're sorry for what you and your mother describe, and we've shared your "
             f"comments about Dr. Patel and Maria with our leadership. {PX}")
    assert found(draft, rules, review=review) == set()
    assert found(draft.replace("Patel", "Reyes"), rules, review=review) == {"staff_name"}


def test_the_reviewers_own_name_and_the_organisations_are_not_staff(rules):
    draft = (f"Maria, our Patient Experience team would like to speak with you; please ask "
             f"for North Campus patient relations. {PX}")
    assert found(draft, rules, author="Maria Lopez") == set()


def test_typographic_apostrophes_are_read_like_plain_ones(rules):
    assert "confirms_care" in found("We\u2019re sorry your surgery was moved. " + PX, rules)


def test_findings_quote_the_drafts_own_words_at_their_span(rules):
    draft = f"Hello! We\u2019re sorry about your MRI on June 9. {PX}"
    result = check_reply(draft, review_text=REVIEW, rules=rules)
    assert result.findings
    for finding in result.findings:
        start, end = finding.span
        assert draft[start:end].strip() == finding.quote
        assert finding.quote in finding.message and finding.explain in finding.message
    assert result.summary().count("\n") == len(result.blocks) - 1


@pytest.mark.parametrize(("context", "draft", "rule"), [
    ({}, "We're sorry to hear this.", "no_handoff"),
    ({}, "Actually, our staff followed protocol. " + PX, "defensive"),
    ({"labels": ("troll",)}, "We're sorry. " + PX, "troll_reply"),
    ({"earlier_public_replies": 1}, "We're sorry. " + PX, "repeat_reply"),
    ({}, ("We are committed to improving every part of the care we provide. " * 8) + PX,
     "long_reply"),
])
def test_warnings_let_the_person_decide(rules, context, draft, rule):
    result = check_reply(draft, review_text="Slow.", rules=rules, **context)
    assert not result.blocked
    assert {f.rule_id for f in result.warnings} == {rule}
    assert result.warnings[0].severity is Severity.WARN


def test_a_long_review_earns_a_long_reply(rules):
    draft = ("We are committed to improving every part of the care we provide. " * 8) + PX
    assert found(draft, rules, review="The wait was unbearable. " * 30) == set()


# ---- the rules as a file ---------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "our_rules.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_hospitals_file_adds_replaces_disables_and_extends(tmp_path):
    extra = write(tmp_path, '''
[vocab]
medications = ["zapitol"]
staff_names = ["Whitfield"]

[[rule]]
id = "no_promises"
severity = "block"
explain = "Never promise an outcome in public."
phrases = ["we guarantee", "we promise"]
allow = ["we promise to listen"]

[[rule]]
id = "long_reply"
disabled = true

[[rule]]
id = "defensive"
severity = "block"
explain = "Our policy: defensive replies are not posted."
phrases = ["actually"]
''')
    rules = load_rules(extra)
    long_draft = ("We will make this right and we guarantee it. " * 12) + PX
    assert found(long_draft, rules, review="Slow.") == {"no_promises"}
    assert found(f"We promise to listen. {PX}", rules) == set()
    assert found(f"Please keep taking your zapitol. {PX}", rules) >= {"medical_advice"}
    assert found(f"Mr. Whitfield has reviewed this. {PX}", rules) >= {"staff_name"}
    defensive = check_reply(f"Actually, no. {PX}", review_text=REVIEW, rules=rules)
    assert [(f.rule_id, f.severity) for f in defensive.findings] == [("defensive",
                                                                      Severity.BLOCK)]
    assert rules.sources[-1] == extra


def test_a_broken_rules_file_names_every_problem(tmp_path):
    extra = write(tmp_path, '''
[[rule]]
id = "bad_regex"
severity = "block"
explain = "x"
patterns = ["(unclosed"]

[[rule]]
id = "bad_severity"
severity = "stop"
explain = "x"
phrases = ["x"]

[[rule]]
id = "typo"
severity = "warn"
explain = "x"
phrase = ["x"]
patterns = ["{no_such_list}"]

[[rule]]
id = "bad_rewrite"
severity = "block"
explain = "x"
phrases = ["x"]
rewrite = [["your (visit)", "the \\\\g<noun> you describe"], "not a pair"]

[[rule]]
id = "no_languages"
kind = "language"
severity = "warn"
explain = "x"
''')
    with pytest.raises(ConfigError) as caught:
        load_rules(extra)
    text = "\n".join(caught.value.problems)
    assert "guard rule 'bad_regex'" in text and "not a valid regular expression" in text
    assert "guard rule 'bad_severity'" in text and '"block" or "warn"' in text
    assert "'phrase' is not a rule setting" in text
    assert "{no_such_list}" in text and "[vocab]" in text
    assert "guard rule 'bad_rewrite': rewrite must be a list of [pattern, replacement]" in text
    assert "guard rule 'no_languages' needs languages" in text


def test_an_unreadable_rules_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_rules(write(tmp_path, "[[rule]\nid = "))


def test_config_names_the_rules_file_and_staff(tmp_path):
    extra = write(tmp_path, '[vocab]\nstaff_names = ["Whitfield"]\n')
    config = parse_config(config_data(guard={"rules_file": extra},
                                      triage={"staff_names": ["Lindqvist"]}))
    rules = rules_for(config)
    assert found(f"Lindqvist will call. {PX}", rules) == {"staff_name"}
    assert found(f"Ask for Whitfield. {PX}", rules) == {"staff_name"}


# ---- the labelled drafts ---------------------------------------------------------------------


def load_drafts() -> list[dict]:
    return [json.loads(line) for line in DRAFTS.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_the_labelled_drafts_cover_every_rule():
    drafts = load_drafts()
    ids = [d["id"] for d in drafts]
    rule_ids = {rule.id for rule in load_rules().rules}
    assert len(drafts) >= 120 and len(set(ids)) == len(ids)
    expected = Counter(rule for d in drafts for rule in d["expect"])
    assert set(expected) <= rule_ids
    assert all(expected[rule] >= 3 for rule in rule_ids), expected
    assert sum(not d["expect"] for d in drafts) >= 30
    assert {d["split"] for d in drafts} >= {"tuning", "holdout-1"}


def test_floors_on_the_labelled_drafts():
    config = parse_config(config_data(triage={"staff_names": ["Okafor", "Lindqvist",
                                                              "Marisol Vega"]}))
    rules = rules_for(config)
    blocking = {r.id for r in rules.rules if r.severity is Severity.BLOCK}
    hits = flagged = expected = false_blocks = safe = 0
    for draft in load_drafts():
        got = check_reply(draft["draft"], review_text=draft["review"],
                          review_author=draft["author"], labels=draft["labels"],
                          earlier_public_replies=draft["earlier_public_replies"],
                          rules=rules).rule_ids
        want = set(draft["expect"])
        hits += len(got & want)
        flagged += len(got)
        expected += len(want)
        if not want & blocking:
            safe += 1
            false_blocks += bool(got & blocking)
    assert hits / expected >= 0.95
    assert hits / flagged >= 0.95
    assert false_blocks / safe <= 0.02


def test_floors_on_the_english_split_never_tuned_on():
    """holdout-4 was written after discusses_care was frozen and never tuned on (its first
    look, bench/README.md: 12 of 18 held, no false hold of 16): a regression floor under it."""
    config = parse_config(config_data(triage={"staff_names": ["Okafor", "Lindqvist",
                                                              "Marisol Vega"]}))
    rules = rules_for(config)
    blocking = {r.id for r in rules.rules if r.severity is Severity.BLOCK}
    drafts = [d for d in load_drafts() if d["split"] == "holdout-4"]
    held = {d["id"]: bool(check_reply(d["draft"], review_text=d["review"],
                                      review_author=d["author"], rules=rules).rule_ids
                          & blocking) for d in drafts}
    should = [d["id"] for d in drafts if set(d["expect"]) & blocking]
    safe = [d["id"] for d in drafts if not set(d["expect"]) & blocking]
    assert len(should) >= 15 and len(safe) >= 15
    assert sum(held[i] for i in should) / len(should) >= 0.6
    assert not any(held[i] for i in safe)


def test_a_spanish_reply_may_name_the_relative_an_english_review_named(rules):
    """"su hijo" answers "my son": the relative is the review's own (the first morning found it
    held as added)."""
    review = "My son waited four hours in the ER and nobody checked on him."
    assert found(f"Lamentamos mucho lo que vivió su hijo. {ES_PX}", rules, review=review) == set()
    assert "identifies_reviewer" in found(f"Lamentamos lo que vivió su esposa. {ES_PX}", rules,
                                          review=review)


# ---- a third first morning (tuning-5): staff with the relative now, fault and money, a Spanish
# relative's chart and fever ---------------------------------------------------------------------

MOTHER_IN_ER = "My mother has been in your ER for six hours and nobody tells us anything."
HIJA_CON_FIEBRE = "Mi hija tiene fiebre desde ayer y en urgencias nadie nos dice nada."


@pytest.mark.parametrize(("draft", "words"), [
    ("We spoke with the ER team and they are with her now.", "they are with her"),
    ("Our nurses are with your mother.", "Our nurses are with your mother"),
    ("The care team is looking after him now.", "The care team is looking after him"),
    ("The doctors are with her.", "The doctors are with her"),
    ("Rest assured she is in good hands with our ER team.", "she is in good hands"),
    ("The fever is nothing to worry about.", "The fever is nothing to worry about"),
])
def test_staff_with_the_relative_now_confirms_a_patient(rules, draft, words):
    result = check_reply(f"{draft} {PX}", review_text=MOTHER_IN_ER, review_author="Karen W.",
                         rules=rules)
    assert [(f.rule_id, f.quote) for f in result.blocks][:1] == [("discusses_care", words)]


@pytest.mark.parametrize(("draft", "held"), [
    # the tester's draft: the daughter's chart and a judgement on her fever
    ("Hola María, revisamos el expediente de su hija y su fiebre no es grave.",
     [("discusses_care", "revisamos el expediente de su hija"),
      ("discusses_care", "su fiebre no es grave")]),
    ("Revisamos la historia clínica de su madre y no hay nada de qué preocuparse.",
     [("discusses_care", "Revisamos la historia clínica de su madre"),
      ("discusses_care", "no hay nada de qué preocuparse")]),
    ("Según los registros médicos de su hija, la fiebre está bajando.",
     [("discusses_care", "Según los registros médicos de su hija"),
      ("discusses_care", "la fiebre está bajando")]),
    ("Hablamos con el equipo de urgencias y están con ella ahora.",
     [("discusses_care", "están con ella")]),
    ("Nuestras enfermeras están con su hija en este momento.",
     [("discusses_care", "están con su hija")]),
    ("Revisamos el expediente y todo está bien.", [("confirms_care", "Revisamos el expediente")]),
    ("Lamentamos que su fiebre haya durado tanto.", [("health_detail", "su fiebre")]),
])
def test_spanish_holds_the_relatives_chart_and_an_assessment_of_her_symptoms(rules, draft,
                                                                              held):
    result = check_reply(f"{draft} {ES_PX}", review_text=HIJA_CON_FIEBRE,
                         review_author="María G.", rules=rules)
    assert [(f.rule_id, f.quote) for f in result.blocks] == held, result.summary(None)


def test_the_english_equivalent_is_held_the_same_way(rules):
    result = check_reply(f"We reviewed the chart and your fever isn't serious. {PX}",
                         review_text="I had a fever for three days and waited five hours.",
                         rules=rules)
    assert [(f.rule_id, f.quote) for f in result.blocks] == [
        ("confirms_care", "We reviewed the chart"),
        ("discusses_care", "your fever isn't serious")]
    assert "health_detail" in found(f"We're sorry your fever lasted so long. {PX}", rules)


LAWYER = "The ER sent my father home with a broken hip. I have already spoken to a lawyer."


def test_fault_and_money_in_public_are_held_with_an_apology_to_say_instead(rules):
    draft = f"It was our mistake and we take full responsibility; we will cover any costs. {PX}"
    result = check_reply(draft, review_text=LAWYER, review_author="Dee F.", rules=rules)
    assert [(f.rule_id, f.severity, f.quote) for f in result.findings] == [
        ("admits_liability", Severity.BLOCK, "It was our mistake"),
        ("admits_liability", Severity.BLOCK, "we take full responsibility"),
        ("admits_liability", Severity.BLOCK, "we will cover any costs")]
    assert {f.suggestion for f in result.findings} == {
        "We're sorry for the experience you describe."}
    assert "risk-management or legal team" in result.findings[0].explain
    assert found(reword(draft, rules), rules, review=LAWYER) == set()


@pytest.mark.parametrize(("draft", "suggestion"), [
    ("We were negligent here, and we will reimburse you for every charge.",
     "We're sorry for the experience you describe."),
    ("This was entirely our fault, and the hospital will compensate your family.",
     "We're sorry for the experience you describe."),
    ("We take full responsibility for the delay.",
     "We're sorry for the experience you describe."),
    ("We will cover all the costs.", "We're sorry for the experience you describe."),
    ("Fue un error nuestro y asumimos toda la responsabilidad; cubriremos todos los gastos.",
     "Lamentamos la experiencia que describe."),
    ("Nos hacemos responsables y le indemnizaremos.",
     "Lamentamos la experiencia que describe."),
])
def test_each_admission_or_promise_of_money_is_held(rules, draft, suggestion):
    result = check_reply(f"{draft} {PX}", review_text=LAWYER, rules=rules)
    held = [f for f in result.blocks if f.rule_id == "admits_liability"]
    assert held, result.summary(None)
    assert held[0].suggestion == suggestion
    assert found(reword(f"{draft} {PX}", rules), rules, review=LAWYER) == set()  # it mends it


@pytest.mark.parametrize(("draft", "review"), [
    ("Our team would like to hear more; please call us at 555-0100.", LAWYER),
    ("We take your concerns seriously, and we will share this with the emergency "
     f"department's leadership. {PX}", LAWYER),
    (f"We take our responsibility to every family seriously. {PX}", LAWYER),
    (f"We take responsibility for listening to every family. {PX}", LAWYER),
    ("Questions about costs are best handled privately; please call our billing team at "
     "555-0102.", LAWYER),
    (f"We made mistakes in how we kept you informed, and we're sorry. {PX}", LAWYER),
    (f"Our thoughts are with your mother and your whole family. {PX}", MOTHER_IN_ER),
    (f"We're with you, and our team is looking into this now. {PX}", MOTHER_IN_ER),
    (f"We hope your mother is feeling better, and we're sorry for your pain. {PX}",
     MOTHER_IN_ER),
    (f"We know how frightening a high fever is for any family. {PX}", MOTHER_IN_ER),
    ("Nuestro equipo quiere saber más; llámenos al 555-0100.", HIJA_CON_FIEBRE),
    (f"Nuestros pensamientos están con su hija y con toda su familia. {ES_PX}",
     HIJA_CON_FIEBRE),
    (f"Tomamos muy en serio sus comentarios y los compartiremos con la dirección de urgencias. "
     f"{ES_PX}", HIJA_CON_FIEBRE),
    (f"Por privacidad, no comentamos expedientes ni historias clínicas en público. {ES_PX}",
     HIJA_CON_FIEBRE),
    (f"Entendemos su dolor y su frustración. {ES_PX}", HIJA_CON_FIEBRE),
    (f"Esperamos que su hija esté mejor muy pronto. {ES_PX}", HIJA_CON_FIEBRE),
    (f"Su queja es importante y la estamos atendiendo; estamos con usted. {ES_PX}",
     HIJA_CON_FIEBRE),
    (f"Asumimos la responsabilidad de mejorar. {ES_PX}", HIJA_CON_FIEBRE),
])
def test_tuning_5_near_misses_pass(rules, draft, review):
    assert found(draft, rules, review=review, author="María G.") == set()


# ---- a fourth first morning (tuning-6): medicine offered without an instruction verb, a
# relative's name the review never gave, and every reason shown when there are many ------------

GURNEY = ("My mother has been on a gurney in your hallway since last night. Is anyone going to "
          "help her?")
CAMILLA = "Mi madre lleva desde anoche en una camilla en el pasillo. ¿Alguien la va a atender?"


def test_the_testers_tylenol_reply_is_held_for_the_advice_and_the_name(rules):
    result = check_reply("Your mother Ana can have some Tylenol for the pain while she waits.",
                         review_text=GURNEY, review_author="Lucia R.", rules=rules)
    assert [(f.rule_id, f.quote) for f in result.blocks] == [
        ("identifies_reviewer", "Your mother Ana"),
        ("medical_advice", "can have some Tylenol")]


@pytest.mark.parametrize(("draft", "review"), [
    ("Your mother may have some Tylenol while she waits.", GURNEY),
    ("She can have a couple of Advil.", GURNEY),
    ("It is fine for her to have Tylenol until a nurse is free.", GURNEY),
    ("It's okay to give her Motrin while she waits.", GURNEY),
    ("She should have some fluids and a warm compress.", GURNEY),
    ("Maybe try some ibuprofen in the meantime.", GURNEY),
    ("She might want to have some ibuprofen.", GURNEY),
    ("A little Tylenol should help her until a doctor is free.", GURNEY),
    ("Tylenol is fine for her.", GURNEY),
    ("Perhaps an ice pack would help.", GURNEY),
    ("Su mamá puede recibir un analgésico mientras espera.", CAMILLA),
    ("Está bien que tome paracetamol mientras espera.", CAMILLA),
    ("No hay problema en que tome paracetamol.", CAMILLA),
    ("Es seguro darle un poco de ibuprofeno para el dolor.", CAMILLA),
    ("Se le puede dar un poco de ibuprofeno.", CAMILLA),
    ("Un poco de paracetamol le ayudará con el dolor.", CAMILLA),
    ("Le vendría bien un analgésico.", CAMILLA),
])
def test_medicine_offered_with_can_may_should_have_is_advice(rules, draft, review):
    assert "medical_advice" in found(f"{draft} {PX}", rules, review=review, author="Lucia R.")


@pytest.mark.parametrize(("draft", "review", "name"), [
    ("Our thoughts are with Ana, your mother, tonight.", GURNEY, "Ana"),
    ("We hope your mom, Ana, is comfortable soon.", GURNEY, "Ana"),
    ("We hope your mother Rosa feels better.", GURNEY, "Rosa"),
    ("Dear Jennifer, we're sorry for the wait you describe.", GURNEY, "Jennifer"),
    ("Su madre, Ana, merece algo mejor.", CAMILLA, "Ana"),
    ("Lamentamos mucho lo que vive su madre, doña Carmen.", CAMILLA, "Carmen"),
    ("Lo sentimos, señora García.", CAMILLA, "García"),
])
def test_a_name_the_review_and_its_author_never_gave_is_held(rules, draft, review, name):
    result = check_reply(f"{draft} {PX}", review_text=review, review_author="Lucia R.",
                         rules=rules)
    held = [f.quote for f in result.blocks if f.rule_id == "identifies_reviewer"]
    assert held and name in held[0], result.summary(None)


@pytest.mark.parametrize(("draft", "review", "author"), [
    ("We can have a member of our team find you right away.", GURNEY, "Lucia R."),
    ("No one should have to wait like this, and we're sorry.", GURNEY, "Lucia R."),
    ("You should have been kept informed, and we're sorry you were not.", GURNEY, "Lucia R."),
    ("Questions about pain relief are for a clinician, not a public reply.", GURNEY, "Lucia R."),
    ("Please ask the nurse whether she may have water.", GURNEY, "Lucia R."),
    ("Honestly, your mother deserves better.", GURNEY, "Lucia R."),
    ("Hi Lucia, we're so sorry for the worry you describe.", GURNEY, "Lucia R."),
    ("Hi Lucía, we're so sorry for the worry you describe.", GURNEY, "Lucía R."),
    ("We hope your mother Marta is comfortable soon.",
     "My mother Marta has been on a gurney in your hallway since last night.", "Lucia R."),
    ("Our Patient Experience team at North campus can come to you now.", GURNEY, "Lucia R."),
    ("Podemos enviar a alguien de nuestro equipo ahora mismo.", CAMILLA, "Rosa M."),
    ("Nadie debería tener que esperar así.", CAMILLA, "Rosa M."),
    ("Las preguntas sobre medicamentos deben hacerse en privado.", CAMILLA, "Rosa M."),
    ("Lamentablemente, su madre no debió esperar así.", CAMILLA, "Rosa M."),
    ("Hola María, lamentamos mucho la preocupación que describe.", CAMILLA, "María G."),
])
def test_tuning_6_near_misses_pass(rules, draft, review, author):
    assert not check_reply(f"{draft} {PX}", review_text=review, review_author=author,
                           rules=rules).blocked


MANY_MISTAKES = ("Hi Ana, we're sorry about your visit on Tuesday. Dr. Patel says your mother "
                 "can take 400 mg of ibuprofen every 6 hours. It was our mistake, and your "
                 "chart number is 4471923. We will sue you if this review stays up.")


def test_every_reason_is_shown_whole_when_they_do_not_all_fit(rules):
    from bot.replies.values import ERROR_TEXT_MAX, explain

    result = check_reply(MANY_MISTAKES, review_text=GURNEY, review_author="Lucia R.",
                         rules=rules)
    rules_held = list(dict.fromkeys(f.rule_id for f in result.blocks))
    assert len(rules_held) >= 8
    whole = "\n".join(f.message for f in result.blocks)
    assert len(whole) > ERROR_TEXT_MAX  # the case the modal cut mid-word ("bring faul…")

    text = explain(result.blocks)
    assert len(text) <= ERROR_TEXT_MAX and "\u2026" not in text
    assert text.startswith(f"{len(rules_held)} things to change before this reply can go out")
    for rule_id in rules_held:  # each rule's reason, to its first full stop or semicolon
        reason = rules.rule(rule_id).explain
        assert reason.split(". ")[0].split("; ")[0].rstrip(".") in text, rule_id

    # with less room, the first reasons that fit whole and the rest by name
    short = explain(result.blocks, limit=500)
    assert len(short) <= 500 and "\u2026" not in short
    shown = [r for r in rules_held
             if rules.rule(r).explain.split("; ")[0].split(". ")[0].rstrip(".") in short]
    named = short.rsplit("more: ", 1)[1].rstrip(".").split(", ")
    assert shown and named == [r.replace("_", " ") for r in rules_held[len(shown):]]


# ---- a fifth first morning (tuning-7): a medicine given, staff going to the relative, and how
# she is doing, as known to us ---------------------------------------------------------------------

def test_the_testers_morphine_reply_is_blocked_not_only_warned(rules):
    draft = ("Our charge nurse is heading to your mom in the hallway right now, and we'll get "
             "her moved to a room today. Glad she's feeling better since the morphine kicked in.")
    result = check_reply(draft, review_text=GURNEY, review_author="Lucia R.", rules=rules)
    assert result.blocked
    assert [(f.rule_id, f.quote) for f in result.blocks] == [
        ("discusses_care", "heading to your mom"),
        ("discusses_care", "get her moved to a room"),
        ("discusses_care", "she's feeling better"),
        ("discusses_care", "the morphine kicked in")]
    assert [f.rule_id for f in result.warnings] == ["no_handoff"]


@pytest.mark.parametrize(("draft", "review"), [
    # (a) a medicine or treatment named as given, received or working
    ("We're glad the antibiotics are working.", GURNEY),
    ("The Tylenol seems to have kicked in.", GURNEY),
    ("We hope the pain medication is helping her.", GURNEY),
    ("Now that she's had fluids, she should rest easier.", GURNEY),
    ("She should be more comfortable after her IV.", GURNEY),
    ("Nos alegra que la morfina le hizo efecto.", CAMILLA),
    ("Ya le hizo efecto el calmante.", CAMILLA),
    ("Los antibióticos ya están funcionando.", CAMILLA),
    ("Ya le pusieron suero y pronto estará más cómoda.", CAMILLA),
    # (b) staff acting on the relative now, or planned
    ("Our nurse is on her way to your mother now.", GURNEY),
    ("Someone from our team is going to check on your mom right now.", GURNEY),
    ("A doctor will see her within the hour.", GURNEY),
    ("We'll have her moved to a room as soon as one opens.", GURNEY),
    ("We'll get your mother into a room.", GURNEY),
    ("She will be moved upstairs shortly.", GURNEY),
    ("Vamos a pasarla a una habitación hoy mismo.", CAMILLA),
    ("La vamos a subir a una habitación.", CAMILLA),
    ("Nuestra enfermera va en camino a ver a su mamá.", CAMILLA),
    ("Un médico la verá en la próxima hora.", CAMILLA),
    ("Su madre será trasladada a otra planta.", CAMILLA),
    # (c) her condition as known to us
    ("Glad to hear she's feeling better.", GURNEY),
    ("We're relieved your mother is resting comfortably now.", GURNEY),
    ("Her condition has improved overnight.", GURNEY),
    ("Nos alegra saber que ya está mejor.", CAMILLA),
    ("Nos alegra que su mamá esté mejor.", CAMILLA),
    ("Su madre ya se siente mejor.", CAMILLA),
    ("Su madre ha mejorado mucho.", CAMILLA),
])
def test_a_medicine_given_staff_on_their_way_and_her_condition_are_held(rules, draft, review):
    result = check_reply(f"{draft} {PX}", review_text=review, review_author="Lucia R.",
                         rules=rules)
    assert result.blocked, result.summary(None)


@pytest.mark.parametrize(("draft", "review"), [
    # "we hope she feels better" is a wish about what the review said, not knowledge of her
    # condition (the domain's "be gracious"); it stays allowed, as "esperamos que esté mejor" does
    ("We're glad to hear from you.", GURNEY),
    ("We hope she is feeling better.", GURNEY),
    ("We hope she feels better soon.", GURNEY),
    ("We truly hope that your mother is doing better.", GURNEY),
    ("We want to make sure she is comfortable.", GURNEY),
    ("Please call us so we can help.", GURNEY),
    ("We'd like to hear how she is doing.", GURNEY),
    ("Someone from our Patient Experience team is on the way to find you now.", GURNEY),
    ("We can see your mother was frightened.", GURNEY),
    ("Our treatment team is working to shorten waits.", GURNEY),
    ("She is better off with answers, and we want to give them privately.", GURNEY),
    ("Questions about medicines and rooms are best answered privately.", GURNEY),
    ("Esperamos que su madre se sienta mejor pronto.", CAMILLA),
    ("Ojalá su mamá ya esté mejor.", CAMILLA),
    ("Nos alegra que nos haya escrito.", CAMILLA),
    ("Llámenos para que podamos ayudarle.", CAMILLA),
    ("Alguien de nuestro equipo va en camino para encontrarle a usted.", CAMILLA),
    ("Lo vamos a revisar hoy mismo.", CAMILLA),
    ("Nuestra coordinadora la atenderá personalmente.", CAMILLA),
    ("La situación ya está mejor organizada.", CAMILLA),
])
def test_tuning_7_near_misses_pass(rules, draft, review):
    assert not check_reply(f"{draft} {PX}", review_text=review, review_author="Lucia R.",
                           rules=rules).blocked
