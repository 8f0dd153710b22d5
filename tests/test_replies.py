"""Reply templates: headers, the public and private families, a site's own wording, which
template fits a case first, and check_templates (rendering every template and holding the
public ones to the reply guard)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, parse_config
from bot.replies import templates as replies
from bot.replies.checks import TemplateProblem, check_templates
from bot.replies.guard import check_reply
from bot.replies.guard_rules import rules_for
from bot.replies.templates import Audience
from bot.triage import TriageResult
from testing.workspace import config_data

SITES = replies.REPLIES / "sites"


@pytest.fixture
def site_dir(config: Config) -> Iterator[Path]:
    """templates/replies/sites/north, removed again after the test (a real override folder)."""
    path = SITES / "north"
    assert not path.exists(), "a real override for site north would be overwritten"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path)


def errors(problems: list[TemplateProblem]) -> list[str]:
    return [str(p) for p in problems if p.severity == "error"]


def test_every_shipped_template_renders_and_passes_the_guard(config):
    problems = check_templates(config)
    assert errors(problems) == []
    assert [str(p) for p in problems] == []


def test_every_public_template_passes_the_guard_for_every_site_and_name(config):
    rules = rules_for(config)
    public = replies.available()
    assert len(public) >= 10
    for template in public:
        for site in config.sites:
            for author in ("Sam Rivera", None, "A Google User"):
                text = replies.draft(template.name, config=config, author=author,
                                     site_id=site.id)
                # the reviewer's name, as the Respond flow gives it: the greeting uses it
                result = check_reply(text, review_text=replies.SAMPLE_REVIEW,
                                     review_author=author, rules=rules)
                assert not result.findings, (template.name, result.summary(None))
                assert site.px_phone in text


def test_headers_say_what_each_template_is_for():
    for audience in Audience:
        for template in replies.available(audience):
            assert template.title and template.use and template.audience is audience
    wait = replies.find("wait_time")
    assert wait.title == "Wait time" and wait.themes == ("wait_time",)
    assert replies.find("on_site_now").labels == ("urgent",)


def test_private_follow_up_asks_for_a_number_for_patient_experience(config):
    names = [t.name for t in replies.available(Audience.PRIVATE)]
    assert {"ask_phone", "px_will_call", "px_contact_direct", "medical_question"} <= set(names)
    assert not set(names) & {t.name for t in replies.available()}
    text = replies.render("ask_phone", config=config, author="Sam Rivera", site_id="south",
                          audience=Audience.PRIVATE)
    assert text.startswith("Hi Sam,")
    assert "phone number" in text and "555-0102" in text and "South clinic" in text
    assert "within 3 days" in text  # the PX window, 72h


@pytest.mark.parametrize(("author", "greeting"), [
    ("Sam Rivera", "Sam"), ("A Google User", None), ("J.", None), (None, None),
    ("  anonymous ", None),
])
def test_the_reviewers_public_first_name(author, greeting):
    assert replies.greeting_name(author) == greeting


@pytest.mark.parametrize(("labels", "themes", "best"), [
    (("urgent",), ("billing", "wait_time"), "on_site_now"),
    (("risk", "clinician"), ("wait_time",), "safety_concern"),
    (("clinician",), ("wait_time",), "clinician_concern"),
    ((), ("billing",), "billing"),
    ((), ("communication", "wait_time"), "wait_time"),
    ((), ("communication",), "communication"),
    ((), ("parking",), "generic_thanks"),
    (("troll",), (), None),
    ((), (), None),
])
def test_the_template_that_fits_the_case_comes_first(labels, themes, best):
    case = TriageResult(True, labels=labels, themes=themes)
    assert replies.suggest(case) == best
    ranked = replies.ranked(case, default="apology_offline")
    assert len(ranked) == len(replies.available())
    assert ranked[0].name == (best or "apology_offline")


@pytest.mark.parametrize(("labels", "themes", "best"), [
    (("urgent",), ("billing",), "on_site_now.es"),
    ((), ("billing",), "billing.es"),
    ((), ("wait_time",), "wait_time.es"),
    ((), ("parking",), "generic_thanks.es"),
    ((), ("appointment_access",), "appointment_access.es"),
    ((), ("staff_courtesy",), "staff_courtesy.es"),
    ((), (), "apology_offline.es"),
])
def test_a_spanish_review_gets_the_spanish_templates_first(labels, themes, best):
    case = TriageResult(True, labels=labels, themes=themes)
    ranked = replies.ranked(case, default="apology_offline", language="es")
    assert ranked[0].name == best and ranked[0].language == "es"
    spanish = [t for t in ranked if t.language == "es"]
    assert ranked[:len(spanish)] == spanish  # then the English ones, for a reply in English
    assert len(ranked) == len(replies.available())
    if labels or themes:
        assert replies.suggest(case, language="es") == best


def test_a_review_in_a_language_without_templates_gets_the_english_ones():
    case = TriageResult(True, themes=("billing",))
    assert replies.ranked(case, language="unknown")[0].name == "billing"
    assert replies.ranked(case, language="")[0].name == "billing"


def test_spanish_templates_use_the_sites_phone_and_the_signature(config):
    text = replies.draft("billing.es", config=config, author="Guadalupe Ruiz", site_id="south")
    assert text.startswith("Hola, Guadalupe. Gracias por avisarnos")
    assert "al 555-0102" in text
    assert config.replies.signature == "— Patient Experience"  # the English sign-off
    assert text.endswith("\n\n— El equipo de Experiencia del Paciente")  # a Spanish one
    template = replies.find("billing.es")
    assert template.language == "es" and template.base_name == "billing"
    assert template.title == "Billing question (Spanish)" and template.themes == ("billing",)


def test_each_language_signs_off_in_its_own_words():
    """[replies] signatures per language; `signature` stays the English one, and Spanish
    without its own gets a Spanish default while there is an English one."""
    own = parse_config(config_data(replies={
        "signature": "— The North Health social team",
        "signatures": {"es": "— El equipo de redes sociales de North Health"}}))
    spanish = replies.draft("wait_time.es", config=own, author=None, site_id="north")
    english = replies.draft("wait_time", config=own, author=None, site_id="north")
    assert spanish.endswith("\n\n— El equipo de redes sociales de North Health")
    assert english.endswith("\n\n— The North Health social team")
    assert check_templates(own) == []

    none = parse_config(config_data(replies={"signature": "", "signatures": {}}))
    assert not replies.draft("wait_time.es", config=none, author=None,
                             site_id="north").endswith("Paciente")
    english_only = parse_config(config_data(replies={"signature": "— PX",
                                                     "signatures": {"es": ""}}))
    assert replies.draft("wait_time.es", config=english_only, author=None,
                         site_id="north").endswith("desea contarnos más, llame a nuestro "
                                                   "equipo de Experiencia del Paciente al "
                                                   "555-0101.")


def test_a_signatures_key_that_is_not_a_language_code_is_named():
    with pytest.raises(ConfigError) as error:
        parse_config(config_data(replies={"signatures": {"Spanish": "— El equipo"}}))
    assert "'Spanish' is not a language code" in str(error.value)


def test_a_spanish_template_without_a_number_names_the_main_line_in_spanish():
    config = parse_config(config_data(sites=[{"id": "east", "name": "East", "px_channel": "C0E"}],
                                      replies={"contact_phone": ""}))
    text = replies.draft("apology_offline.es", config=config, author=None, site_id="east")
    assert f"al el número principal de {config.organization}" not in text
    assert f"al número principal de {config.organization}" in text


def test_suggest_still_takes_a_bare_list_of_themes():
    assert replies.suggest(("wait_time",)) == "wait_time"
    assert replies.suggest([]) is None


def test_a_renamed_triage_theme_is_mapped_in_one_table(monkeypatch, config):
    case = TriageResult(True, themes=("money",))
    assert replies.suggest(case) is None
    monkeypatch.setitem(replies.TRIAGE_TERMS, "money", "billing")
    assert replies.suggest(case) == "billing"


def test_a_sites_own_wording_replaces_the_shipped_template_there(config, site_dir):
    (site_dir / "billing.txt.j2").write_text(
        "North's billing office can help: call {{ contact_phone }}.", encoding="utf-8")

    north = replies.draft("billing", config=config, author=None, site_id="North Campus")
    south = replies.draft("billing", config=config, author=None, site_id="south")

    assert north == "North's billing office can help: call 555-0101."
    assert south.startswith("Thank you for letting us know")
    inherited = replies.find("billing", site_id="north")
    assert inherited.title == "Billing question" and inherited.themes == ("billing",)
    assert inherited.path.endswith("sites/north/billing.txt.j2")
    assert check_templates(config) == []


def test_a_sites_own_spanish_wording_replaces_the_shipped_one_there(config, site_dir):
    (site_dir / "billing.es.txt.j2").write_text(
        "La oficina de facturación de North puede ayudarle: llame al {{ contact_phone }}.",
        encoding="utf-8")

    north = replies.draft("billing.es", config=config, author=None, site_id="north")
    assert north == "La oficina de facturación de North puede ayudarle: llame al 555-0101."
    inherited = replies.find("billing.es", site_id="north")
    assert inherited.language == "es" and inherited.themes == ("billing",)
    case = TriageResult(True, themes=("billing",))
    assert replies.ranked(case, site_id="north", language="es")[0].path.endswith(
        "sites/north/billing.es.txt.j2")
    assert check_templates(config) == []


def test_check_templates_holds_a_spanish_template_to_the_spanish_rules(config, site_dir):
    (site_dir / "cita.es.txt.j2").write_text(
        "{#-\nname: Cita\nuse: testing\naudience: public\nlanguage: es\nlabels:\nthemes:\n-#}\n"
        "Lamentamos lo ocurrido durante su visita.\nLlame al {{ contact_phone }}.\n",
        encoding="utf-8")
    problems = errors(check_templates(config))
    assert len(problems) == 1
    assert problems[0].startswith("templates/replies/sites/north/cita.es.txt.j2, line 9: "
                                  "the reply guard blocks it (presumes_visit)")


def test_check_templates_names_the_file_and_line_of_what_breaks(config, site_dir):
    header = "{#-\nname: Broken\nuse: testing\naudience: public\nlabels:\nthemes:\n-#}\n"
    (site_dir / "syntax.txt.j2").write_text(
        header + "Hello\n{% if greeting_name %}Hi{% endif\n", encoding="utf-8")
    (site_dir / "undefined.txt.j2").write_text(
        header + "Hello\nDear {{ patient_name }}, call {{ contact_phone }}.\n",
        encoding="utf-8")

    problems = {Path(p.path).name: p for p in check_templates(config)}

    assert problems["syntax.txt.j2"].line == 9
    assert problems["undefined.txt.j2"].line == 9
    assert "patient_name" in problems["undefined.txt.j2"].message
    assert str(problems["syntax.txt.j2"]).startswith(
        "templates/replies/sites/north/syntax.txt.j2, line 9: does not render")


def test_check_templates_holds_public_templates_to_the_guard(config, site_dir):
    header = "{#-\nname: Risky\nuse: testing\naudience: public\nlabels:\nthemes: billing\n-#}\n"
    (site_dir / "risky.txt.j2").write_text(
        header + "We're sorry your surgery was moved. Call {{ contact_phone }}.",
        encoding="utf-8")
    (site_dir / "curt.txt.j2").write_text(header + "Noted.", encoding="utf-8")

    problems = [p for p in check_templates(config)]

    (risky,) = [p for p in problems if p.path.endswith("risky.txt.j2")]
    assert risky.severity == "error"
    assert "blocks it (confirms_care)" in risky.message and "your surgery" in risky.message
    (curt,) = [p for p in problems if p.path.endswith("curt.txt.j2")]
    assert curt.severity == "warning" and "no_handoff" in curt.message


def test_check_templates_reads_headers_and_folders(config, site_dir):
    (site_dir / "private").mkdir()
    (site_dir / "private" / "odd.txt.j2").write_text(
        "{#-\nname: Odd\nuse: x\naudience: public\nlabels: vip\nthemes: waiting\n-#}\n"
        "Call {{ contact_phone }}.", encoding="utf-8")
    (site_dir / "bare.txt.j2").write_text("Call {{ contact_phone }}.", encoding="utf-8")
    stray = SITES / "nowhere"
    stray.mkdir()
    (stray / "billing.txt.j2").write_text("Call {{ contact_phone }}.", encoding="utf-8")
    try:
        problems = [str(p) for p in check_templates(config)]
    finally:
        shutil.rmtree(stray)

    text = "\n".join(problems)
    assert "private/odd.txt.j2, line 1: the header says audience 'public'" in text
    assert "label 'vip' is not a label triage gives" in text
    assert "theme 'waiting' is not a theme triage gives" in text
    assert "bare.txt.j2, line 1: has no header" in text
    assert "sites/nowhere is not the id of a site" in text


def test_a_default_template_that_does_not_exist_is_reported():
    config = parse_config(config_data(replies={"default_template": "apology"}))
    (problem,) = check_templates(config)
    assert "replies.default_template is 'apology'" in str(problem)


def test_a_site_without_a_phone_is_pointed_out():
    data = config_data(replies={"contact_phone": ""})
    data["sites"][1]["px_phone"] = ""
    (problem,) = check_templates(parse_config(data))
    assert problem.severity == "warning"
    assert "site 'south' has no px_phone" in str(problem)


def test_a_reply_comes_from_its_template_while_most_of_its_words_stand(config: Config) -> None:
    draft = replies.draft("wait_time", config=config, author="Dana K.", site_id="north")
    edited = draft.replace("Hi Dana, we're sorry", "Dana, we are truly sorry") + " Thank you."
    afresh = ("Thank you for sharing this, Dana. We are sorry for the wait you describe. "
              "Please call our Patient Experience team at 555-0101 so we can talk privately.")
    assert replies.kept_share(draft, draft) == 1.0
    assert replies.kept_share(draft, edited) > 0.9
    assert replies.kept_share(draft, afresh) < replies.KEPT_SHARE
    assert replies.kept_share("", afresh) == 0.0
    for reply, expected in ((draft, True), (edited, True), (afresh, False)):
        assert replies.comes_from("wait_time", reply, config=config, author="Dana K.",
                                  site_id="north") is expected
