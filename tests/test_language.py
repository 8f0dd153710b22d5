"""Reading a reply's or a review's language (bot/replies/language.py): English, Spanish, another
language the guard cannot read, or too short to tell; each paragraph of a reply on its own.
bench/guard_bench.py measures it on the labelled drafts and their reviews."""

from __future__ import annotations

import pytest

from bot.replies import language
from bot.replies.language import ENGLISH, SPANISH, TOO_SHORT, UNKNOWN


@pytest.mark.parametrize(("text", "expected"), [
    ("Thank you for sharing this. Please call our Patient Experience team at 555-0101.",
     ENGLISH),
    ("Hi Guadalupe, we're so sorry about the wait you describe.", ENGLISH),
    ("Su médico le llamará con los resultados.", SPANISH),
    ("Lamentamos la espera. Llame al 555-0101.", SPANISH),
    ("Gracias por sus comentarios, Maria.", SPANISH),
    ("Lamentamos muito pela espera. Ligue para 555-0101.", UNKNOWN),  # Portuguese
    ("Ci dispiace molto per l'attesa che descrive.", UNKNOWN),  # Italian
    ("Nous sommes désolés de l'expérience que vous décrivez.", UNKNOWN),
    ("Chúng tôi rất tiếc về thời gian chờ đợi.", UNKNOWN),
    ("Paumanhin po sa mahabang paghihintay.", UNKNOWN),
    ("我们对您所描述的等待经历深表歉意，请致电我们的团队。", UNKNOWN),
    ("Thanks!", TOO_SHORT),
    ("Terrible experience.", TOO_SHORT),  # the model says Spanish, unsure: no reading
    ("Mucho tiempo de espera.", SPANISH),  # short, and sure
    ("¡Gracias!", TOO_SHORT),
    ("Call 555-0101 or write to px@example.org", TOO_SHORT),  # numbers say nothing
    ("", TOO_SHORT),
])
def test_the_language_of_a_text(text, expected):
    assert language.language_of(text) == expected
    assert language.read(text).language == expected


def test_each_paragraph_is_read_on_its_own():
    reading = language.read("We're sorry about the wait you describe. Please call us.\n\n"
                            "Lamentamos la espera que describe. Llámenos, por favor.")
    assert reading.languages == {ENGLISH, SPANISH}

    reading = language.read("We're sorry about the wait you describe. Please call us.\n\n"
                            "Chúng tôi rất tiếc về thời gian chờ đợi. Xin vui lòng gọi.")
    assert UNKNOWN in reading.languages and reading.other_codes([ENGLISH, SPANISH]) == ["vi"]
    assert language.read("Chúng tôi rất tiếc về thời gian chờ đợi.").name == "Vietnamese"


def test_a_signature_line_is_not_a_paragraph_of_its_own():
    reading = language.read("Lamentamos mucho la espera que describe. Llámenos al 555-0101.\n"
                            "— Example Health Patient Experience")
    assert reading.languages == {SPANISH}
