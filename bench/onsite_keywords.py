"""The on-site detector as it was before issue 17 (keyword lists in bot/triage/lexicon.py and
bot.triage.flags.on_site_now at ab5107c), frozen here so bench/onsite_bench.py measures it
beside the one shipped. Not used by the bot."""

from __future__ import annotations

import re

NUM_MANY = (
    r"(?:[2-9]|[1-9]\d|\d+\.\d|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|several|many|a few|a couple(?: of)?|couple(?: of)?|multiple)\+?"
)
NUM = rf"(?:{NUM_MANY}|an?|one|1)"
HOURS = r"(?:hours?|hrs?)"
_WAITING_PLACES = (
    r"(?:er|ed|e\.r\.?|emergency(?: room| department| dept)?|waiting (?:room|area)|lobby|triage"
    r"|urgent care|hallway|hall|parking (?:lot|garage)|icu|nicu|l&d|labor and delivery"
    r"|pre-?op|room \d+)"
)
_PLACES = rf"(?:{_WAITING_PLACES}|hospital|clinic|recovery|radiology|x-?ray|lab)"
PRESENCE_SELF: tuple[str, ...] = (
    rf"(?:i'm|im|i am|we're|we are|my \w+(?: \w+)? (?:is|has been)|(?:she|he|they)(?:'s| is"
    rf"|'re| are)) (?:still |currently |now |stuck |sitting |waiting |lying |laying |here )*"
    rf"(?:in|at) (?:the |your |ur |this )?{_PLACES}\b",
    r"still (?:here|sitting here|waiting to be (?:seen|called|taken back|roomed|triaged)|no "
    r"(?:doctor|nurse|bed|room|one has)|stuck here)",
    rf"(?:{HOURS}|minutes) (?:now|and counting|so far)",
    r"(?:writing|typing|posting) (?:this )?(?:from|in) (?:the|your) ",
    r"been here (?:for|since|all)",
)
PRESENCE_NOW = (
    r"right now|as (?:we|i) speak|as i (?:type|write|post)|at (?:this|the) (?:very )?moment"
    r"|currently|still (?:here|sitting|waiting|stuck|lying|laying|in|at|no|not|haven't|hasn't)"
    r"|(?:i'm|im|i am|we're|we are|(?:she|he|they)'s|(?:she|he) is|they are|they're"
    r"|my \w+ (?:is|has been)) (?:\w+ ){0,2}?(?:sitting|waiting|stuck|lying|laying|here"
    r"|being (?:ignored|left))"
    r"|(?<!had )(?:i've|we've|they've|she's|he's|have|has|ive|weve|i|we) been (?:sitting"
    r"|waiting|here|stuck|lying|laying)|^\s*been (?:sitting|waiting|here|stuck|lying|laying)"
    r"|(?:it's|its|it is) (?:now )?\d{1,2}(?::\d\d)?(?: ?[ap]m)?\b"
)
PRESENCE_PLACE = (
    rf"(?:in|at|inside|outside) (?:the |your |ur |this )?{_WAITING_PLACES}\b|\bhere\b"
    rf"|this (?:chair|bed|hallway|place)|to be seen"
    rf"|(?:sitting|waiting|been|here|stuck) (?:for )?(?:over |almost |about |nearly )?{NUM} "
    rf"{HOURS}|since (?:\d|this morning|last night|noon|midnight|yesterday|breakfast|lunch)"
)
PRESENCE_PAST = (
    r"(?<!since )yesterday|last (?:night|week|weekend|month|year|time|visit|monday|tuesday"
    r"|wednesday|thursday|friday|saturday|sunday)|(?:days?|weeks?|months?|years?) ago|back in"
    r"|in (?:19|20)\d\d"
    r"|earlier this (?:week|month|year)|that (?:day|night|time)|the other (?:day|night)"
    r"|when (?:i|we) (?:was|were)|had been|'d been"
)
STAFF_SPEAKER = (
    r"(?:i|we) (?:work|worked) (?:here|there|at|in|for)|(?:i'm|im|i am) (?:a|an|the) (?:\w+ )?"
    r"(?:nurse|doctor|employee|staff member|tech|technician|volunteer|resident|physician|np|pa"
    r"|cna|rn|lpn|paramedic|emt|medic)(?: here| there| at| in| on)|as (?:a|an) (?:\w+ )?"
    r"(?:employee|staff member|volunteer|nurse) (?:here|there|at)|my (?:coworkers|co-workers"
    r"|colleagues)"
)


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w])")


_SENTENCE_END = re.compile(r"(?<!\bdr)(?<!\bmr)(?<!\bmrs)(?<!\bms)(?<!\bst)[.!?]+(?=\s|$)|\n+")
_SELF = _words("|".join(PRESENCE_SELF))
_NOW = _words(PRESENCE_NOW)
_PLACE = _words(PRESENCE_PLACE)
_PAST = _words(PRESENCE_PAST)
_STAFF = _words(STAFF_SPEAKER)
_ANY = _words("|".join([*PRESENCE_SELF, PRESENCE_NOW]))
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"'})


def on_site_now(text: str) -> str | None:
    """The sentence saying the reviewer (or their family) is at the hospital now, if any."""
    lower = text.translate(_QUOTES).lower()
    if not _ANY.search(lower) or _STAFF.search(lower):
        return None
    for sentence in _SENTENCE_END.split(lower):
        if _PAST.search(sentence):
            continue
        if _SELF.search(sentence):
            return sentence.strip()
        now = _NOW.search(sentence)
        if now and any(place.start() >= now.end() or place.end() <= now.start()
                       for place in _PLACE.finditer(sentence)):
            return sentence.strip()
    return None
