"""The reply guard: what it blocks and warns about, the near-misses it lets through, its rules as
a file a compliance team extends, and floors on the labelled drafts (in-sample: a regression
check, not a quality claim; bench/README.md has the held-out figures)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.config import ConfigError, parse_config
from bot.guard import Severity, check_reply
from bot.guard_rules import load_rules, rules_for
from tests.conftest import config_data

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
    assert found(f"We'd be glad to discuss your visit privately. {PX}", rules) == set()
    result = check_reply(f"We're sorry about what happened during your visit on Tuesday. {PX}",
                         review_text=REVIEW, rules=rules)
    assert result.blocked
    assert [(f.rule_id, f.quote) for f in result.blocks] == [
        ("confirms_care", "during your visit"), ("service_date", "on Tuesday")]


@pytest.mark.parametrize(("draft", "rule"), [
    ("Our records show you were seen in the ER on the night you describe.", "confirms_care"),
    ("We have no record of a visit under this name.", "confirms_care"),
    ("We're so sorry about your broken wrist.", "health_detail"),
    ("We apologise for the delay with your MRI.", "health_detail"),
    ("We're sorry you had to wait so long yesterday afternoon.", "service_date"),
    ("We have corrected account #4471923.", "record_number"),
    ("We're sorry room 412 was so noisy.", "record_number"),
    ("You should take ibuprofen every 6 hours.", "medical_advice"),
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
])
def test_near_misses_pass(rules, draft):
    assert found(f"{draft} {PX}", rules) == set()


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
''')
    with pytest.raises(ConfigError) as caught:
        load_rules(extra)
    text = "\n".join(caught.value.problems)
    assert "guard rule 'bad_regex'" in text and "not a valid regular expression" in text
    assert "guard rule 'bad_severity'" in text and '"block" or "warn"' in text
    assert "'phrase' is not a rule setting" in text
    assert "{no_such_list}" in text and "[vocab]" in text


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
