"""The grammar of "is someone at the hospital now", as regular expressions' source (compiled
and read by bot.triage.presence): the writer, or someone they are with or are writing for. A
small grammar over each clause of a review: who (I, we, my mother, she), a present form (is, 're,
has been, or a note-style fragment: "Sitting in triage right now", "Still here."), where (a place
in a hospital: the ER, room 4, your hallway, the North campus lobby, on a gurney, here) and when
(right now, still, since last night, 6 hours and counting, it's now 3am). What undoes it is looked
for in the same clause: a past time ("last year", "when I was there in March"), a hypothetical
or generic reader ("if you're ever in the ER"), a plan ("tomorrow"), a habit ("every time I'm
in this ER"), hearsay ("I read on the news") or an elsewhere ("at home now", "another hospital").
A review written by staff about their own workplace is not a visitor to be found.

The names without a leading underscore are what the reader uses. It imports nothing, so a bench
can load it as it was at any commit (bench/onsite_bench.py --grammar-at).
"""

from __future__ import annotations

# --- Vocabulary --------------------------------------------------------------------------------

_NUMBER = (
    r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|eighteen|twenty|thirty|forty|forty-five|fifty|ninety"
    r"|several|many|a few|a couple(?: of)?|couple(?: of)?|multiple|half an?|an? half)"
)
_AND_A_HALF = r"(?: and a half|\.\d+| ?1/2)?"
_ABOUT = r"(?:(?:over|almost|about|nearly|around|more than|at least|like|close to|past) )?"
# How long someone has been here: minutes or hours (days for a stay), never weeks or years.
SHORT_SPAN = rf"{_ABOUT}{_NUMBER}{_AND_A_HALF}(?: |-)?(?:hours?|hrs?|h|minutes?|mins?)\b"
STAY_SPAN = rf"{_ABOUT}{_NUMBER}{_AND_A_HALF} (?:days?|nights?)\b"
ALL_SPAN = r"(?:all (?:night|day|morning|afternoon|evening|night long|day long)|overnight)"
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
CLOCK = r"(?:\d{1,2}(?::\d\d)?(?: ?[ap]\.?m\.?)?|noon|midnight)"
# "since" a moment of today or of this stay; "since March", "since 2015" are too long ago
SINCE_RECENT = (
    rf"since (?:(?:about |around |before |after )?{CLOCK}(?: (?:this|last) (?:morning|night"
    rf"|evening|afternoon))?|this (?:morning|afternoon|evening)|early this morning"
    rf"|last night|yesterday(?: (?:morning|afternoon|evening))?|{_DAYS}(?: (?:night|morning"
    rf"|afternoon|evening))?|breakfast|lunch(?:time)?|dinner|teatime|sunrise|dawn|the weekend"
    rf"|(?:the )?(?:morning|afternoon|evening)"
    rf"|(?:we|i|she|he|they) (?:got|arrived|came|checked|walked|were brought|was brought)"
    rf"(?: here| in)?|(?:she|he) was (?:born|admitted|brought in)|admission|check-?in"
    rf"|(?:my|our) (?:[\w'-]+ ){{0,2}}?[\w'-]+ (?:was|were) (?:taken|brought|admitted|moved"
    rf"|wheeled|rushed)"
    rf"|the (?:morning|afternoon|evening|night))\b"
)
_SINCE_LONG = (
    r"since (?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september"
    r"|october|november|december|last (?:year|spring|summer|fall|autumn|winter|month|week)"
    r"|(?:i|we) was|childhood|forever|then|my (?:last )?visit|the \d0s)\b"
)

# Whom a review speaks for: the writer, or someone they came with or are writing for.
COMPANION = (
    r"(?:mom|mother|mum|mommy|mama|ma|dad|father|daddy|papa|pops?|parents?|husband|hubby|wife"
    r"|spouse|partner|fianc[eé]e?|boyfriend|girlfriend|bf|gf|son|daughter|kids?|child|children"
    r"|baby|babies|newborn|infant|toddler|twins|grandma|grandmother|granny|nana|grandpa"
    r"|grandfather|granddad|grandad|grandson|granddaughter|grandchild|grandparents?|aunt"
    r"|auntie|nan|gran"
    r"|uncle|cousin|niece|nephew|brother|sister|sibling|friend|roommate|neighbou?r"
    r"|(?:mother|father|brother|sister|son|daughter)[- ]in[- ]law|in-laws?|mil|fil"
    r"|step(?:mom|dad|mother|father|son|daughter)|family|loved one|little (?:one|boy|girl)"
    r"|boy|girl|man|lady|patient|client|teen|teenager"
    r"|(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[- ](?:year|yr"
    r"|month|week|day)s?[- ]old)"
)
OWNER = r"(?:my|our)"
# "my 80 year old mother", "our little girl", "my wife's grandmother"
SUBJECT_NOUN = (
    rf"(?:(?:{OWNER} (?:[\w'-]+ ){{0,3}}?{COMPANION}"
    rf"|(?<!her )(?<!his )(?<!their )(?<!your )(?<!'s )(?:mom|dad|mum|grandma|grandpa|nan"
    rf"|gran|nana|granny|grandad)(?=\W))"
    rf"(?:'s (?:bed|stretcher|gurney|room|chair|wheelchair|cot)|,? (?:who|that)(?=(?:'s| is"
    rf"| has been)\b))?)"
)
_WRITER = r"(?:i|we)"
PRONOUN = r"(?:she|he|they)"

# Places inside a hospital: where someone waits, lies or stays.
PLACE_NOUN = (
    r"(?:er|ed|e\.r\.?|e\.d\.?|emergency(?: room| department| dept| area| wing| entrance)?"
    r"|a&e|casualty|opd|outpatients?|outpatient department|waiting (?:room|area|lounge"
    r"|room chairs)|lobby|foyer|triage(?: area| room)?"
    r"|urgent care|walk-in(?: clinic)?|hallway|hall|halls|hallways|corridor|icu|nicu|picu"
    r"|ccu|sicu|micu|cvicu|l&d|labou?r (?:and|&) delivery(?: unit| floor| ward)?"
    r"|maternity(?: ward| floor| unit| waiting area)?|mother-baby(?: unit)?|postpartum"
    r"|nursery|pre-?op|post-?op|pacu|recovery(?: room| area)?|operating room"
    r"|surgical waiting(?: room| area)?|surgery waiting(?: room| area)?|cath lab"
    r"|infusion (?:center|suite|room|clinic)|dialysis(?: center| unit)?|cancer center"
    r"|oncology(?: floor| unit| ward| clinic)?|radiology|imaging|x-?ray(?: waiting area)?|mri"
    r"|ct|ultrasound|lab|laboratory|phlebotomy|pharmacy|admitting|admissions|registration"
    r"|check-?in|front desk|info(?:rmation)? desk|nurses'? station|cafeteria|chapel|gift shop"
    r"|elevator(?: lobby)?|elevators|parking (?:lot|garage|deck|structure|ramp)|garage"
    r"|ambulance bay|trauma (?:bay|room|center|unit)|resus|exam room|ward|unit"
    r"|step[- ]?down(?: unit)?"
    r"|telemetry|tele|med-?surg|observation(?: unit| room)?|peds|pediatrics|psych (?:unit|ward)"
    r"|behavioral health|burn unit|stroke unit|cardiac (?:unit|floor|icu)|heart center"
    r"|hospital bed|hallway bed|bed|room|clinic|hospital|medical center|health center|campus"
    r"|building|tower|pavilion|wing|annex|main entrance|entrance|curb|location|lounge"
    r"|family room|quiet room|accident and emergency|pre-?admission(?: testing| clinic)?"
    r"|facility|(?:doctor's|dr's|dentist's|provider's) office)"
)
# Places only a hospital has, whatever word comes before them: "the family waiting room"
_INSIDE = (
    r"(?:waiting (?:room|area)|lobby|hallway|hall|corridor|er|ed|icu|unit|ward|floor|wing"
    r"|clinic|emergency (?:room|department)|triage|pharmacy|lab|cafeteria|garage|nursery|suite"
    r"|bay|pod"
    r"|parking (?:lot|garage)|entrance|elevators?|nurses'? station|exam room)"
)
# A numbered place: room 412, bed 14, bay 6, the 5th floor, 4 West, "in 612"
_NUMBERED_PLACE = (
    r"(?:(?:room|rm|bed|bay|pod|suite|cubicle|curtain|exam(?: room)?|trauma room"
    r"|treatment room) ?#?\d+[a-z]?"
    r"|(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
    r"|top|ground) floor|\d+ ?(?:north|south|east|west|n|s|e|w)\b|(?:north|south|east|west)"
    r" \d+|\d{3,4}[a-z]?(?=\s|$|[,.!?]))"
)
# Words that may stand between "the" and the place: "the pediatric ER", "your main lobby".
_PLACE_WORD = (
    r"(?:main|pediatric|peds|kids|children's|adult|emergency|er|ed|surgical|surgery|maternity"
    r"|cardiac|cardiology|ortho|oncology|north|south|east|west|outpatient|inpatient|same|new"
    r"|old|front|back|crowded|packed|overcrowded|full|freezing|cold|filthy|dirty|tiny|little"
    r"|ground|upstairs|downstairs|visitor|visitors|patient|hospital's|clinic's|er's|ed's|icu"
    r"|triage|waiting|lab|x-?ray|radiology|imaging|women's|heart|cancer|childrens|behavioral"
    r"|\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
    r"|level \d+|floor \d+|campus)"
)
_DETERMINER = r"(?:the|your|ur|this|that|one of your|the same|his|her|their|my|our|a|an)"
# Nouns for where a person lies or sits that are not a room: "on a gurney", "in a wheelchair"
POSTURE_NOUN = (
    r"(?:(?:gurney|stretcher|cot|trolley|hallway bed|chair|plastic chair|bench|monitor"
    r"|heart monitor|backboard|recliner)s?|bed in the hall(?:way)?|floor|ventilator"
    r"|vent|oxygen|iv|drip)"
)
# "a different hospital", "St. Luke's", "home": somewhere else.
ELSEWHERE = (
    r"(?:another|different|other|a better|better|st\.?|saint|competitor's?|home|work|my desk"
    r"|my office|my kitchen|the kitchen|my couch|the couch|my house|school"
    r"|the phone|my phone|the office of|(?:my|our|his|her|their) (?:own )?(?:bed|room|bedroom"
    r"|house|home|apartment)|living room|dining room"
    r"|bedroom|across (?:town|the street)"
    r"|down the (?:street|road)|elsewhere)"
)

# What undoes presence in the clause it is in.
PAST_TIME = (
    rf"(?<!since )(?<!since early )(?:yesterday|last (?:night|evening|week|weekend|month|year"
    rf"|time|visit|stay|admission|spring|summer|fall|autumn|winter|christmas|{_DAYS}))"
    rf"|(?:days?|weeks?|months?|years?|decades?) (?:ago|back|later)|back in|(?:in|during|of) "
    rf"(?:(?:19|20)\d\d|january|february|march|april|(?<=in )may|june|july|august|september"
    rf"|october|november|december|the spring|the summer|the fall|the winter)"
    rf"|(?:my|our|his|her|their|the) (?:last|previous|prior|first|recent) (?:visit|admission"
    rf"|stay|trip|time)|that (?:day|night|time|morning|evening|afternoon|visit|weekend)"
    rf"|the other (?:day|night)|the night (?:before|when|i|we|my)|earlier (?:this|today)"
    rf"|(?<!again )once\b|when (?:i|we|my \w+|she|he|they) (?:was|were|had|went|came|got"
    rf"|took|brought)|had been|'d been|previously"
    rf"|(?<!born )(?<!since )on {_DAYS}\b(?! (?:night|morning))"
    rf"|{_SINCE_LONG}|(?:remember|remembered|still think about|never forget)"
    rf"|\b(?:was|were|had been) still\b|^\w+ (?:hours?|minutes?) later\b"
)
HYPOTHETICAL = (
    r"\b(?:if|unless|whenever|imagine|imagining|suppose|supposing|what if|in case|should you"
    r"|would|wouldn't|could be|might|should|shouldn't|god forbid|hope (?:i|we|you|they) never"
    r"|wish|pretend"
    r"|expect|be prepared|plan (?:on|to)|in order to|you'll|you will|you'd|anyone who)\b"
)
FUTURE = (
    r"\b(?:tomorrow|tonight if|next (?:week|month|time|year|visit|" + _DAYS + r")"
    r"|(?:will|'ll|gonna|going to) be|scheduled|upcoming|later (?:this|next)|(?:i'm|i am"
    r"|we're|we are) going (?:to|back))\b"
)
HABIT = (
    r"\b(?:every (?:single )?(?:time|visit|week|month|year|day|night|morning)|each time"
    r"|whenever|always|usually|often|typically|normally|generally|in and out of|more times"
    r"|(?:two|three|four|five|several|many|\d+|a few|so many|multiple) times|twice|coming here"
    r"|going (?:to|here) for|(?:first|second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time)\b"
)
ENDED = (
    r"\b(?:no longer|not anymore|anymore|finally (?:left|home|got home|discharged|out)"
    r"|(?:we|i|they|she|he) (?:just |finally )?left|left (?:the|your|without|after|and)"
    r"|(?:got|went|came|drove|headed|sent) (?:back )?home|(?:we're|i'm|we are|i am|she's|he's"
    r"|back) home|at home|back home|discharged|released|on (?:the|my|our) way (?:home|out)"
    r"|walked out|^after\b|gave up)"
)
HEARSAY = (
    r"\b(?:(?:i|we) (?:read|heard|saw on)|heard (?:from|that)|on the news|the news (?:said"
    r"|says|reported)|news (?:story|report|article)|in the news|article"
    r"|the paper|reported|reports"
    r"|according to|apparently|rumou?rs?|people (?:are saying|say)|(?:a|my) (?:friend|coworker"
    r"|co-worker|neighbou?r) (?:said|says|told)|told me (?:that )?(?:her|his|their)|story"
    r"|(?:said|says|saying|posted|wrote|heard) (?:that )?(?:they|she|he|her|his|their)"
    r"|facebook|twitter|instagram|reddit|tiktok|online)\b"
)
# Someone writing about their own workplace is not a visitor waiting to be found.
STAFF_SPEAKER = (
    r"(?:i|we) (?:work|worked) (?:here|there|at|in|for|nights|days)|(?:i'm|im|i am) (?:a|an|the) "
    r"(?:\w+ )?(?:nurse|doctor|employee|staff member|tech|technician|volunteer|resident"
    r"|physician|np|pa|cna|rn|lpn|paramedic|emt|medic)(?: here| there| at| in| on)|as (?:a|an) "
    r"(?:\w+ )?(?:employee|staff member|volunteer|nurse) (?:here|there|at)|my (?:coworkers"
    r"|co-workers|colleagues)|(?:er|ed|icu|unit|nurse) manager$|- ?(?:rn|er nurse)\b"
)

# --- The grammar -------------------------------------------------------------------------------

# "on the MRI waitlist", "in the hospital system": a place's name used for something else
_NOT_A_PLACE = (
    r"(?! (?:list|waitlist|waiting list|schedule|results?|report|bill|billing|phone|number"
    r"|website|portal|app|forms?|system|business|field|industry|records?)\b)"
)
_NOT_HERE = r"(?! to\b| is\b| are\b| was\b| for you\b| before\b| again\b| (?:and|or) there)"
# A place, said as where someone is: "in your hallway", "on the 5th floor", "at the North campus
# lobby" (a site's name or alias reads as "campus": presence._site_names), "on a gurney", "here".
LOCATIVE = (
    rf"(?:(?:in|at|inside|outside(?: of)?|on|by|near|in front of|next to|behind|across from"
    rf"|down in|up in|over in|out in|into) (?:{_DETERMINER} )?(?:{_PLACE_WORD} ){{0,3}}"
    rf"(?:{_NUMBERED_PLACE}|{PLACE_NOUN}|floor)\b{_NOT_A_PLACE}"
    rf"|(?:in|at|inside|outside(?: of)?|by|near|in front of) (?:{_DETERMINER} )?"
    rf"(?:[\w'.-]+ ){{1,2}}(?:campus|pavilion|tower|wing|building|center|centre|clinic"
    rf"|hospital|entrance|garage|urgent care|er|ed)\b{_NOT_A_PLACE}"
    rf"|(?:in|at|inside|outside(?: of)?|on|by|near) (?:the|your|ur|this) [\w'-]+ (?:[\w'-]+ )?"
    rf"{_INSIDE}\b{_NOT_A_PLACE}"
    rf"|(?:on|in) (?:{_DETERMINER} )?(?:[\w-]+ )?{POSTURE_NOUN}\b"
    rf"|(?:in|at) (?:your|this|the doctor's) (?:\w+ )?office\b|\bhere\b{_NOT_HERE})"
)
# Each clause is read with its places marked first (presence._Marked): "i'm sitting in your er"
# becomes "i'm sitting zzplace0", "still here" "still zzhere0", so that the rules below say "a
# place" in a few characters rather than in the four thousand of LOCATIVE, which Python's re
# would parse again in every rule (a second of start-up); the checks on a place read the words it
# stood for.
_PLACE = r"zz(?:place|here)\d+"
_HERE = r"zzhere\d+"
ONSITE_WAIT = (
    rf"(?:(?:at {CLOCK} |here |{SHORT_SPAN} )?to be (?:seen|called|triaged|roomed|admitted"
    rf"|taken back|moved|discharged|examined"
    rf"|checked)|(?:for|on) (?:a|the|an|my|our|his|her|their|any|some) (?:\w+ )?(?:bed|room"
    rf"|doctor|nurse|provider|physician|surgeon|specialist|wheelchair|transport|gurney"
    rf"|stretcher|ct|mri|x-?ray|scan|blanket|pain med\w*|ride upstairs)\b|for (?:someone"
    rf"|somebody|anyone|anybody) to (?:come|see|help|take|check|bring|tell|look)"
    rf"|for (?:my|our) (?:[\w'-]+ ){{0,2}}?\w+ to (?:get|come) out of (?:surgery|the procedure"
    rf"|recovery|the or|x-?ray|the scan|imaging)"
    rf"|(?:for|on) (?:a |the )?(?:triage|surgery|consult)|{SHORT_SPAN}|{SINCE_RECENT})"
)
PRESENT_ANCHOR = (
    r"\b(?:right now|as we speak|as i (?:type|write|post|sit|speak)|as of now|at (?:this|the)"
    r" (?:very )?moment|currently|presently|at present|now|still|so far|and counting|going on"
    r"|on hour"
    r"|yet|today|tonight)\b"
)
_FILLER = (
    r"(?:still|currently|now|just|literally|again|right now|stuck|sitting(?: up)?|sat|waiting"
    r"|lying(?: down)?|laying(?: down)?|standing|parked|being (?:kept|held|ignored|left|boarded"
    r"|seen|treated|monitored)|kept|held|left|boarded|boarding|back|alone|all alone|asleep"
    r"|crying|freezing|shivering|bleeding|shaking|curled up|slumped|hooked up|hanging out"
    r"|stranded|trapped|strapped|at the moment|at this moment|as we speak|all (?:night|day)"
    r"|here|there|out|down|up|over|already|yet again|once again|both|all|in line"
    r"|in (?:my|our|the|his|her) car|in (?:active )?labou?r|in (?:so much |a lot of )?pain|in agony"
    r"|in tears|in distress|in a (?:gown|wheelchair|chair|neck brace|cast)|at present|presently"
    r"|on (?:my|our|her|his) lap|in (?:my|our|her|his) arms|next to (?:her|him"
    r"|them|my \w+)|(?:very |so )?(?:sick|ill|unconscious|sedated|intubated|confused|scared"
    r"|stable|critical|dehydrated|hungry|cold))"
)
WITH_SOMEONE = rf"(?:with (?:my|our|her|his|a|an|the) (?:[\w'-]+ ){{0,3}}?{COMPANION})"
_STAY = r"(?:admitted|an inpatient|a patient|inpatient|in-patient|being admitted)"
# "I'm a patient at your clinic" is who someone is, not where they are
PATIENT_OF = (
    r"\b(?:a|an) (?:patient|inpatient) (?:here|(?:at|of|with|in) (?:your|this|the) (?:\w+ )?"
    r"(?:hospital|clinic|practice|medical center|office|system|group|location))\b|\b(?:a|an)"
    r" (?:patient|inpatient)$"
)
_SUBJECT = rf"(?:{_WRITER}|{SUBJECT_NOUN}|{PRONOUN})"
_BE_AFTER_SUBJECT = (
    r"(?:'s been|'ve been|'m|'re|'s| am| are| is| has been| have been| has also been"
    r"| r| are all| is now| are now|(?:'ve|'s| have| has) (?:now|still|already|literally)"
    r" been)"
)
# Present participles that say someone works there, not that they wait there.
_NOT_PRESENT_WORK = (
    r"(?:working|volunteering|interning|training|doing|going|coming|getting|being)\b"
)
# (A) I'm / we are / my mother has been ... in your hallway / here / on a gurney / admitted
SUBJECT_PRESENCE = (
    rf"(?<![\w'])(?P<subject>{_SUBJECT}){_BE_AFTER_SUBJECT}(?: {_FILLER}| {WITH_SOMEONE}"
    rf"| {SHORT_SPAN}){{0,5}} (?:{_PLACE}|there(?= since| for| all| {SHORT_SPAN})"
    rf"|{_STAY}(?: {_PLACE})?|waiting {ONSITE_WAIT}|(?:on|into) (?:our |my |the )?(?:\w+ )?"
    rf"hour\b"
    rf"|going on (?:\w+ )?{SHORT_SPAN}"
    rf"|(?!{_NOT_PRESENT_WORK})\w+ing(?: [\w'-]+){{0,3}}? {_PLACE})"
)
# (A') asked: "why has my dad been sitting in your lobby", "how long is my mom going to be left
# in the hallway"
ASKED = (
    rf"\b(?:has|have|is|are)(?: {_SUBJECT}) (?:been )?(?:{_FILLER} |going to be (?:left|kept) )*"
    rf"(?:{_PLACE}|{_STAY}|waiting {ONSITE_WAIT})"
)
# "The waiting room I'm sitting in has blood on the chairs"
PLACE_I_AM_IN = (
    rf"\b(?:{PLACE_NOUN}|{_PLACE}) (?:that |which )?(?P<subject>{_SUBJECT}){_BE_AFTER_SUBJECT}"
    rf"(?: {_FILLER}){{0,3}} (?:in|at)\b"
)
# "please someone come to the ER waiting room", "can somebody check on room 12": read in the
# review's words (presence._ON_WORDS), not over marked places
APPEAL = (
    rf"\b(?:please|someone|somebody|anyone|anybody|can (?:someone|somebody|anyone|you))\b.*"
    rf"\b(?:come|go|get|send(?: (?:a|an|the|some|someone|somebody))?(?: \w+)?"
    rf"|(?:check|look in) on(?: (?:the|my|our|this|that) (?:[\w'-]+ ){{0,2}}?\w+ in)?|walk)"
    rf"(?: (?:down|up|over|back))?(?: to| into)? (?:{_DETERMINER} )?(?:{_PLACE_WORD} ){{0,3}}"
    rf"(?:{_NUMBERED_PLACE}"
    rf"|{PLACE_NOUN})\b|\b(?:please|someone|somebody|anyone|anybody)\b.*\bhelp (?:my|our|her"
    rf"|him|us|me|them)(?: [\w'-]+){{0,3}}? (?:in|at|on) (?:{_DETERMINER} )?(?:{_PLACE_WORD} )"
    rf"{{0,3}}(?:{_NUMBERED_PLACE}|{PLACE_NOUN})\b"
)
# (J) nobody has been to see them for hours: "No one has checked on my mom in 4 hours"
NEGLECT = (
    rf"\b(?:nobody|no one|noone|not one (?:\w+ )?|no (?:nurse|doctor|provider|one else)) "
    rf"(?:has|have) (?:\w+ )?(?:checked on|seen|come|come in|come by|been in|been by|been back"
    rf"|looked at|helped|brought|given|changed|turned|fed|taken|answered the call)\b.*"
    rf"\b(?:in|for) (?:the (?:last|past) )?(?:over )?{SHORT_SPAN}"
)
_LEAD_IN = (
    r"^(?:(?:hi|hello|update|edit|ugh|so|ok|okay|well|yes|and|but|oh|wow|honestly|seriously"
    r"|lol|smh|help|please|guys|folks|hey|again|literally|just|omg|bro|bruh|yo|um|uh|fyi|pls"
    r"|plz|sos|urgent|update|welp|sigh|yeah|also)\W+)*"
)
# Said like a note, with no "my" and no verb: "Husband currently admitted on 4 West"
NOTED = (
    rf"{_LEAD_IN}(?:{COMPANION})(?: {_FILLER}){{0,3}} (?:{_STAY}(?: {_PLACE})?|{_PLACE})"
)
# (B) note-style: "Sitting in triage right now", "Currently in the waiting room", "Still in
# pre-op", "In the ER with my son now", "Day 2 in the ER hallway", "On hour 7 in your ER"
FRAGMENT_POSTURE = (
    rf"{_LEAD_IN}(?:(?:still|currently|now|right now|literally|again|{_HERE}) )*(?:sitting"
    rf"|lying"
    rf"|laying|stuck|standing|parked|camped out|being (?:kept|held|ignored)|trapped|stranded"
    rf"|hanging(?: out)?|sitting around|waiting around)"
    rf"(?: {_FILLER}| {WITH_SOMEONE}| {SHORT_SPAN}){{0,4}} {_PLACE}"
)
FRAGMENT_WAITING = (
    rf"{_LEAD_IN}(?:(?:still|currently|now|right now|literally|again) )*waiting(?: "
    rf"{WITH_SOMEONE}| {_FILLER}){{0,3}} (?:{_PLACE}|{ONSITE_WAIT})"
)
FRAGMENT_PLACE = (
    rf"{_LEAD_IN}(?:(?:still|currently|now|right now|{_HERE}|literally|again|day \w+|hour \w+"
    rf"|on hour \w+|going on \w+ hours|night \w+) )+(?:{_PLACE}|{WITH_SOMEONE}"
    rf"|{_STAY})|{_LEAD_IN}(?:still |now )?{_HERE} (?:{SINCE_RECENT}|(?:for )?{SHORT_SPAN})"
)
FRAGMENT_BARE_PLACE = rf"{_LEAD_IN}(?P<place>{_PLACE})"
FRAGMENT_DAY = (
    rf"{_LEAD_IN}(?:(?:day|night|hour) (?:\d+|one|two|three|four|five|six|seven|eight|nine"
    rf"|ten)|(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
    rf"|tenth|another) (?:day|night|hour)) (?:of (?:my|our) (?:[\w'-]+ ){{0,3}}?{COMPANION}"
    rf"(?:'s (?:stay|admission|hospital stay))? (?:being )?|of being |of (?:my|our) (?:stay"
    rf"|admission) )?{_PLACE}"
    rf"|{_LEAD_IN}{_NUMBERED_PLACE} (?:of (?:your|the|this) (?:{_PLACE_WORD} ){{0,2}}"
    rf"{PLACE_NOUN}\b|{_PLACE})"
)
# (C) a span that is still running: "5 hours in your ER so far", "going on 6 hours in triage"
RUNNING_SPAN = (
    rf"(?:(?:going on|on hour|into hour) (?:{SHORT_SPAN}|\w+\b)"
    rf"|{SHORT_SPAN}(?: now| so far| and counting| and still counting| still counting)"
    rf"|(?:{SHORT_SPAN}|{STAY_SPAN})(?= .*\b(?:now|so far|and counting|still)\b))"
)
# (D) have been sitting / been here / has been waiting ... with a span, a place or a "since"
PERFECT = (
    rf"(?:(?<![\w'])(?P<subject>{_SUBJECT})(?:'ve| have|'s| has)|(?<![\w'])it's|^|{_LEAD_IN}) ?"
    rf"been(?: {_FILLER}){{0,3}}(?: {WITH_SOMEONE})? (?:{_PLACE}|{ONSITE_WAIT}"
    rf"|there (?:{SINCE_RECENT}|for {SHORT_SPAN}|{ALL_SPAN}))"
)
# (E) still: "still here", "still in the ER", "still no doctor", "still hasn't been seen"
STILL = (
    rf"\bstill (?:(?:sitting|lying|laying|stuck|standing|{_HERE}) |waiting )*(?:{_PLACE}"
    rf"|waiting {ONSITE_WAIT}|no (?:doctor|nurse|bed|room|one|nobody|sign of (?:a |the |any )?"
    rf"(?:doctor|nurse|bed|room|provider)|provider|pain med"
    rf"\w*|blanket|water|answers?|help|call button answered|ride)\b|(?:hasn't|haven't|has not"
    rf"|have not|hasnt|havent|not|no one has|nobody has) (?:been )?(?:seen|called|roomed"
    rf"|triaged|given a (?:room|bed)|gotten a (?:room|bed)|moved|taken back|checked on)\b"
    rf"|(?:sitting|lying|laying|stuck|standing)(?: {_HERE}| there)?$)"
)
# (F) writing from the place
WRITING_FROM = (
    rf"(?:writing|typing|posting|texting|sending) (?:to you |to whoever reads this )?"
    rf"(?:this |these |this review |my review )?"
    rf"(?:right now |now )?(?:from (?:{_DETERMINER} )?(?:{_PLACE_WORD} ){{0,3}}"
    rf"(?:{_NUMBERED_PLACE}|{PLACE_NOUN})\b|{_PLACE})"
)
# (G) arrived at a time, and now it is another: "Got here at 7. It is now 11:40."
ARRIVED = (
    r"\b(?:got|arrived|came|checked|walked|signed|were brought|was brought|brought \w+) "
    r"(?:here|in|to (?:the|your) \w+)\b"
)
NOW_CLOCK = (
    rf"\b(?:it's|it is|its) (?:now |almost |nearly |past |already |going on |after )*"
    rf"(?:{CLOCK}|\w+ (?:in the morning|at night|am|pm)|day \w+|hour \w+)"
)
# (H) they have my mother in the hallway
KEPT = (
    rf"\b(?:they|you|the \w+|staff|nurses?)(?: have| has|'ve got| have got| got| are keeping"
    rf"| keep| are holding|'ve put| have put|'ve had| have had| has had) (?:my|our)"
    rf" (?:[\w'-]+ ){{0,3}}?{COMPANION}"
    rf" (?:{_FILLER} )*{_PLACE}"
)
# (I) a scene beside the writer: "There is a woman in the waiting room near me who ..."
SCENE = (
    rf"\bthere(?: is|'s| are) .*\b(?:near|next to|beside|across from|behind) (?:me|us)\b"
    rf"|\b(?:right now|as we speak|at (?:this|the) (?:very )?moment) there(?: is|'s| are) .*"
    rf"{_PLACE}|\bthere(?: is|'s| are) .*{_PLACE}.* (?:right now|as we speak)\b"
)
# "I am standing with my son": said where the sentence names the place
POSTURE_WITH = (
    rf"(?<![\w'])(?P<subject>{_SUBJECT}){_BE_AFTER_SUBJECT}(?: {_FILLER}){{0,2}}? (?:sitting"
    rf"|standing|lying|laying|stuck|waiting|here) (?:{WITH_SOMEONE}|(?:right )?(?:across"
    rf" from|next to|beside|near|opposite) (?:him|her|them|me|us)\b)"
)
AT_A_TIME = r"\b(?:at|since) \d{1,2}(?::\d\d)?(?: ?[ap]m)?\b"
# "3 hours and counting": the old cue, without a place said
COUNTING = rf"{SHORT_SPAN} (?:now|and counting|so far)\b"
REMOTE = (
    r"\b(?:on hold|phone|(?<!be )(?<!being )call(?:ed|s|ing)? (?:me|us|him|her|them)?\s?back"
    r"|callback|e-?mail"
    r"|voicemail|portal|message|letter|results|refund|records|bill|reply|response|answer from"
    r"|(?:for|on) (?:an |the )?ambulance|ambulance to (?:come|arrive|get))\b"
)
