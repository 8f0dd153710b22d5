"""The word lists behind bot.triage: complaint language, risk, presence, past visits, trolling,
clinician names and the theme taxonomy. Data only; bot.triage compiles and applies them.

Where the judgement comes from:
- COMPLAINTS and EXPECTED_ACTIONS: the service failures patients and families describe in
  hospital reviews and in the complaints patient-relations offices log — waits, billing errors,
  discourtesy, calls never returned, lost paperwork, poor cleanliness, food, parking, discharge,
  pain left untreated. The tip-sheet themes in our domain notes (wait times, appointments,
  billing, staff courtesy) come first, then the dimensions of the HCAHPS inpatient survey
  (nurse and doctor communication, call-button response, pain, quiet at night, discharge).
  Each phrase names a failure; plain emotion words ("scared", "terrible pain") are left to VADER
  because they describe the illness, not the care. A phrase's topic, when it is a theme's name,
  tags the review with that theme too.
- PRAISE: compliments built on a negation, which VADER is known to misread, and praise of the
  care itself, which VADER outweighs with the illness ("made a terrifying night so much better").
- NEGATORS, NEGATION_BLOCKERS, INTENSIFIER_VERBS: ordinary English negation ("not rude",
  "no one was rude") and its usual exceptions ("never been treated so rudely",
  "can't believe how rude", "not only rude").
- RISK: the language our domain notes route to risk management and legal ("If the issue has
  medical risk, then legal and risk become involved"): lawyers and lawsuits, malpractice,
  medication and diagnostic errors, death, injury, infection, privacy breaches, abuse,
  complaints to regulators, and the Joint Commission's sentinel events and patient-safety goals
  (wrong patient or site, retained objects, falls, pressure injuries, infection exposure).
- PRESENCE_*: "If the reviewer is currently at one of our locations, then we notify someone
  at that location" — present-tense, on-site wording, not a past visit.
- LONG_AGO / RECENT: "Past experiences (an old visit) carry insight but lower urgency."
- INSULTS, THREATS, BAIT, SPAM: the moderation thread's trolls ("ignoring a troll could be your
  best tactic") and Mayo's hide rule (profane, harassing, spam).
- PROFANITY_ALLOWED: better-profanity's list is written for general chat and flags words that
  are ordinary in a hospital (anatomy, bodily functions, diagnoses, drugs, "stroke", "PCP"),
  mild words for which no team would hide a real complaint ("damn", "sucks", "screwed up"),
  insults that TROLL judges with their target, and allegations that RISK must see instead.
- NOT_CLINICIANS, NOT_A_NAME, NURSE_ROLES: "Dr. Seuss" and "Dr. Google" are not our staff;
  "the doctor never came" names nobody.
- THEMES: the tip-sheet themes, the HCAHPS dimensions above, and what reviews often add
  (cleanliness, parking, food). A keyword starting with "-" is an exclusion: where it matches,
  the theme's other keywords are not looked for ("charge nurse" is not billing).

Patterns are regular expressions over lower-cased text whose apostrophes are plain ('), and
are matched on word boundaries. NUM and NUM_MANY stand for a counted amount. How well the lists
do on reviews they were not tuned on: bench/README.md.
"""

from __future__ import annotations

from typing import NamedTuple


class Phrase(NamedTuple):
    pattern: str
    weight: float  # 1.0: a failure on its own; 0.5: only tips an already lukewarm review
    topic: str  # "general" phrases show displeasure without saying what went wrong


NUM_MANY = (
    r"(?:[2-9]|[1-9]\d|\d+\.\d|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|several|many|a few|a couple(?: of)?|couple(?: of)?|multiple)\+?"
)
NUM = rf"(?:{NUM_MANY}|an?|one|1)"
HOURS = r"(?:hours?|hrs?)"
_PERSON = r"(?:me|us|him|her|them|my \w+|our \w+)"

# Service failures. Weighed against VADER: strong phrases outweigh praise in the same review.
COMPLAINTS: tuple[Phrase, ...] = (
    # Waits
    Phrase(rf"wait(?:ed|ing)? (?:for )?(?:over |almost |nearly |about |around |like |at least "
           rf"|more than |close to )?{NUM_MANY} (?:[\w*]+ )?{HOURS}", 1.0, "wait_time"),
    Phrase(rf"{NUM_MANY} {HOURS} (?:wait|of waiting|in the waiting room|in the lobby"
           rf"|to be seen|to get (?:seen|a room|a bed)|before (?:anyone|someone|a|we|i|they)"
           rf"|without|and counting|and still)", 1.0, "wait_time"),
    Phrase(rf"(?:in|at) (?:the |your |this )?(?:lobby|waiting room|er|ed|emergency room|triage"
           rf"|hallway) for (?:over |almost |nearly |about )?{NUM_MANY} {HOURS}", 1.0, "wait_time"),
    Phrase(r"(?:press(?:ed|ing)?|push(?:ed|ing)?|hit(?:ting)?|ringing|rang|using) (?:the |her "
           r"|his |my |our )?call (?:button|light|bell)", 1.0, "responsiveness"),
    Phrase(rf"another {NUM_MANY} {HOURS}|wait (?:was|is|time was|time is) (?:over |almost "
           rf"|about |nearly |like )?{NUM_MANY} {HOURS}", 1.0, "wait_time"),
    Phrase(rf"(?:more than|over) {NUM_MANY} {HOURS}|{NUM_MANY} {HOURS} later", 0.5, "wait_time"),
    Phrase(r"(?:wait(?:ed|ing)?|sat|sitting|stuck) (?:there |around |in the \w+ (?:room )?)?"
           r"for hours", 1.0, "wait_time"),
    Phrase(r"(?:took|take|takes|taking|wait(?:ed|ing)?|sat|sitting) (?:literally |like )?forever",
           1.0, "wait_time"),
    Phrase(r"(?:ridiculous|excessive|insane|unacceptable|horrible|terrible|awful|absurd|crazy"
           r"|outrageous|endless) wait(?:s|ing)?(?: times?)?", 1.0, "wait_time"),
    Phrase(r"(?:long|longer|lengthy) wait(?:s| times?)?", 0.5, "wait_time"),
    Phrase(r"still waiting", 1.0, "wait_time"),
    Phrase(rf"made {_PERSON} (?:sit|wait|stand)", 1.0, "wait_time"),
    Phrase(rf"sent {_PERSON} to the wrong|wrong (?:building|floor|department|entrance|address"
           r"|location|clinic)", 1.0, "service"),
    Phrase(r"(?:didn't|did not|wasn't|was not|weren't|were not|never) (?:\w+ ){0,4}until", 1.0,
           "wait_time"),
    Phrase(r"all (?:day|night) (?:in|at) the (?:er|ed|waiting room|lobby|emergency room)",
           1.0, "wait_time"),
    # Calls, answers, information
    Phrase(r"(?:put|kept|left|placed) (?:me |us )?on hold|on hold for", 1.0, "communication"),
    Phrase(r"hung up on", 1.0, "communication"),
    Phrase(rf"transferred (?:me |us )?(?:around|back and forth|{NUM_MANY} times|again)",
           1.0, "communication"),
    Phrase(r"run ?around", 1.0, "communication"),
    Phrase(r"mailbox (?:is |was )?full", 1.0, "communication"),
    Phrase(rf"(?:had|have|having) to (?:call|ask|beg|repeat|remind|chase)\b(?: \w+){{0,4}} "
           rf"(?:{NUM_MANY} times|multiple times|repeatedly|again and again|over and over)",
           1.0, "communication"),
    Phrase(r"had to beg", 1.0, "communication"),
    Phrase(rf"(?:told|asked|reminded|called|begged|explained to|tried|paged|pressed) "
           rf"(?:\w+ ){{0,5}}(?:twice|(?:{NUM_MANY}|multiple|several|numerous|countless) times)",
           1.0, "communication"),
    Phrase(r"why (?:is|does|do|did|are|was|were|would|can't|won't|isn't|doesn't|don't|didn't)"
           r" (?:it|they|you|no one|nobody|this|anyone|everything|i|we|the \w+)\b[^.!\n]*\?",
           1.0, "general"),
    Phrase(r"(?:goes|go|went|going|sent) (?:straight |right |directly )?to voicemail|rings and "
           r"rings|(?:line|call) (?:just )?(?:disconnects|drops|gets disconnected|cuts off)", 1.0,
           "communication"),
    Phrase(r"(?:can't|cannot|couldn't|could not|impossible to|unable to|never) (?:get|reach) "
           r"(?:anyone|anybody|someone|a person|a human|a live person|through)", 1.0,
           "communication"),
    Phrase(r"(?:kept|left) (?:us |me |them )?in the dark", 1.0, "communication"),
    Phrase(rf"(?:{NUM_MANY}|conflicting|contradicting|contradictory) (?:different )?(?:answers"
           r"|stories|explanations|information)", 1.0, "communication"),
    Phrase(r"still (?:don't|do not|doesn't|does not|haven't|have not|hasn't|has not|no|not|can't"
           r"|cannot) (?:know|heard|gotten|received|got|have|had|any|word|answer|call|update"
           r"|explanation|been (?:seen|called|told|contacted|refunded))", 1.0, "communication"),
    Phrase(r"(?:didn't|did not|doesn't|does not|don't|do not|never|wouldn't|would not|couldn't"
           r"|could not|hasn't|haven't|won't|not|nobody|no one|noone)(?: has| had| have| was)?"
           r" even(?! (?:hurt|feel|felt|notice|noticed|need|needed|have to|realize|realized|know"
           r"|mind|care that))", 1.0, "responsiveness"),
    Phrase(r"(?:no one|nobody|noone|no body|not one person|not a single (?:person|soul|nurse"
           r"|doctor)|none of (?:them|the \w+)) (?:ever |even |has |had |would |will |could )*"
           r"(?:came|come|showed up|checked|bothered|helped|cared|listened|answered|called"
           r"|explained|told|offered|apologi[sz]ed|knew|seemed to (?:care|know)|updated|returned"
           r"|brought|picked up|responded|talked|spoke|noticed|followed up|got back|reads?"
           r"|(?:was|is|seemed) in charge)", 1.0, "communication"),
    # Billing
    Phrase(r"(?:billed|charged|invoiced) (?:me |us |him |her )?(?:twice|double|two times"
           r"|three times|again|for (?:something|services|things|stuff|a \w+) (?:i|we|that|they)"
           r" (?:never|didn't|did not|weren't|wasn't))", 1.0, "billing"),
    Phrase(r"double[- ]?(?:billed|charged|billing|charging)|(?:billed|charged) (?:me |us |him "
           r"|her )?(?:twice |again )?for the (?:same|exact same)", 1.0, "billing"),
    Phrase(r"over ?(?:charg(?:ed|ing|es)|billed|billing)", 1.0, "billing"),
    Phrase(r"surprise (?:bills?|charges?)|hidden (?:fees|charges)", 1.0, "billing"),
    Phrase(r"(?:sent|went|gone|turned over|sending (?:me|us|it)) to collections?", 1.0,
           "billing"),
    Phrase(r"(?:bill|billing|charges?|statement|invoice|balance)s? (?:is|was|were|are) "
           r"(?:wrong|incorrect|inaccurate|a mess|outrageous|ridiculous|insane)", 1.0, "billing"),
    Phrase(r"(?:wrong|incorrect|inaccurate|outrageous|ridiculous|insane) (?:bill|charges?"
           r"|amount|billing|statement|invoice)", 1.0, "billing"),
    Phrase(r"billing (?:nightmare|mess|fiasco|department from hell)", 1.0, "billing"),
    Phrase(r"billing (?:errors?|mistakes?|issues?|problems?)", 0.5, "billing"),
    Phrase(r"price gouging|gouged|rip ?off|ripped (?:me |us )?off|(?:is|was|highway) robbery",
           1.0, "billing"),
    Phrase(r"(?:bills?|charges?|charged|billed|statements?) (?:me |us )?(?:\w+ )?for the (?:same"
           r"|exact same)|(?:charged|billed|took payment)\b(?: \w+){0,4} without (?:my |our )?"
           r"(?:permission|consent|authori[sz]ation|asking)", 1.0, "billing"),
    # Courtesy and respect
    Phrase(r"rude(?:ly|ness|st)?", 1.0, "staff_courtesy"),
    Phrase(r"disrespect(?:ful|ed)?", 1.0, "staff_courtesy"),
    Phrase(r"condescending|condescension|patroni[sz]ing", 1.0, "staff_courtesy"),
    Phrase(r"dismissive|dismissed (?:me|us|him|her|my|our|his|her)", 1.0, "staff_courtesy"),
    Phrase(r"(?:brushed|blew|blown) (?:me |us |him |her |them )?off", 1.0, "staff_courtesy"),
    Phrase(r"belittl(?:e|ed|ing)|talked down to", 1.0, "staff_courtesy"),
    Phrase(r"(?:yell(?:ed|ing)|scream(?:ed|ing)|snapp(?:ed|ing)|bark(?:ed|ing)|shout(?:ed|ing)"
           r"|lash(?:ed|ing) out) at", 1.0, "staff_courtesy"),
    Phrase(r"roll(?:ed|ing|s)? (?:her|his|their) eyes|eye[- ]?roll(?:ing|s)?", 1.0,
           "staff_courtesy"),
    Phrase(r"(?:bad|nasty|poor|horrible|terrible|awful|snotty|stank|stinky|an) attitude", 1.0,
           "staff_courtesy"),
    Phrase(r"unprofessional", 1.0, "staff_courtesy"),
    Phrase(r"no (?:bedside manner|compassion|empathy|manners|respect|sympathy|courtesy)"
           r"|lack(?:ed|s|ing)? (?:of |any )?(?:bedside manner|compassion|empathy|respect)",
           1.0, "staff_courtesy"),
    Phrase(r"uncaring|heartless|cold[- ]hearted|callous", 1.0, "staff_courtesy"),
    Phrase(rf"treated (?:{_PERSON} )?like (?:a |an )?(?:number|criminal|animal|dog|drug seeker"
           r"|addict|junkie|child|idiot|inconvenience|burden|garbage|trash|dirt|nothing|crap)",
           1.0, "staff_courtesy"),
    Phrase(r"drug[- ]seek(?:er|ing)", 1.0, "staff_courtesy"),
    Phrase(r"ignor(?:ed|ing)|neglect(?:ed|ing)", 1.0, "responsiveness"),
    Phrase(rf"(?:left|leaving) {_PERSON} (?:alone|unattended|lying|laying|sitting|in the hall"
           r"|in a hall|in soiled|soaked|naked|crying|in pain|for hours)", 1.0, "responsiveness"),
    Phrase(r"lazy|incompeten(?:t|ce)|careless", 1.0, "general"),  # judgements, not events
    Phrase(r"unhelpful|unfriendly|impolite|unresponsive|inattentive|uncooperative|unorgani[sz]ed"
           r"|disorgani[sz]ed|chaotic|clueless|useless", 1.0, "general"),
    Phrase(r"gossip(?:ing|ed)?|chit[- ]?chatting|on (?:their|her|his) (?:cell )?phones?", 0.5,
           "staff_courtesy"),
    Phrase(r"on (?:a |her |his |their )?personal (?:call|phone|cell)|told (?:me|us|him|her) to"
           r" (?:calm down|relax|be quiet|stop complaining)", 1.0, "staff_courtesy"),
    Phrase(r"short[- ]?staffed|under[- ]?staffed|need (?:more|better) (?:staff|nurses|doctors)"
           r"|stretched (?:so |too |very )?thin|not enough (?:staff|nurses|doctors)|overworked"
           r"|(?:bad|poor|terrible|horrible|awful|no) management|mismanag(?:ed|ement)", 1.0,
           "staffing"),
    Phrase(r"(?:portal|website|system|phones?|phone lines?|app|computers?) (?:has been|have been"
           r"|is|was|are|were) (?:\w+ )?down|over and over|again and again", 1.0, "service"),
    Phrase(r"rushed (?:me|us|him|her|them|my \w+)|felt rushed", 1.0, "staff_courtesy"),
    Phrase(r"rushed (?:through|out)", 0.5, "staff_courtesy"),
    Phrase(rf"(?:was|were|is|are|being|got) short with {_PERSON}|(?:talked|talks|spoke|speaks"
           rf"|spoken) to {_PERSON} like", 1.0, "staff_courtesy"),
    # Clinical quality (RISK carries the serious ones to risk management)
    Phrase(r"misdiagnos\w*", 1.0, "quality"),
    Phrase(r"wrong (?:medication|medicine|meds|dose|dosage|diagnosis|prescription|patient|side"
           r"|leg|arm|test|blood|results?)", 1.0, "quality"),
    Phrase(r"messed up|screwed up|botched|mix(?:ed)?[- ]?up", 1.0, "quality"),
    Phrase(r"(?:missed|overlooked) (?:the|a|an|my|his|her) (?:fracture|break|diagnosis"
           r"|infection|clot|stroke|appendicitis|tumou?r|cancer|bleed)", 1.0, "quality"),
    Phrase(rf"sent {_PERSON} home (?:from (?:the )?[\w&]+ )?(?:without|with (?:a |an )?"
           rf"(?:broken|fractured|infection|fever)|still|in pain|too (?:early|soon)|twice|again"
           rf"|{NUM_MANY} times|bleeding|in (?:active )?labor)", 1.0, "discharge"),
    # "lost my x-rays", but not "lost my mother": bereavement is not a complaint
    Phrase(r"(?:lost|losing|misplaced|misfiled) (?:my|our|his|her|their|the) (?!(?:\w+ )?(?:mom"
           r"|mother|dad|father|son|daughter|baby|babies|child|children|kids?|husband|wife"
           r"|partner|brother|sister|grand\w+|family|loved one|aunt|uncle|friend|battle|fight"
           r"|weight|mind|patience|temper|way|job)\b)\w+", 1.0, "quality"),
    Phrase(r"(?:mistakes?|errors?)", 0.5, "quality"),
    # Cleanliness, food, parking
    Phrase(r"dirty|filthy|unsanitary|unclean|grimy", 1.0, "cleanliness"),
    Phrase(r"(?:blood|vomit|feces|urine|poop|hair|trash) (?:on|in|all over) the (?:floor|sheets"
           r"|bed|toilet|bathroom|wall|chair|room)|(?:trash|garbage|dirt|blood|vomit) (?:was )?"
           r"(?:all over|everywhere)", 1.0, "cleanliness"),
    Phrase(r"smell(?:ed|s)? (?:like|of) (?:urine|pee|feces|poop|vomit|smoke)|stench",
           1.0, "cleanliness"),
    Phrase(r"cockroach(?:es)?|roach(?:es)?|bed ?bugs|mice|rats", 1.0, "cleanliness"),
    Phrase(r"(?:cold|inedible|stale|raw|moldy|mouldy|spoiled|burnt) (?:food|meals?|tray"
           r"|breakfast|lunch|dinner|eggs|toast)", 1.0, "food"),
    Phrase(r"(?:food|meals?|tray|breakfast|lunch|dinner) (?:was|were|is|are) (?:cold|inedible"
           r"|awful|terrible|disgusting|gross|stale|raw|late|wrong|horrible|bland|never)", 1.0,
           "food"),
    Phrase(r"nowhere to park|(?:impossible|no place) to park|(?:couldn't|could not|can't"
           r"|cannot) find (?:a )?(?:parking|a spot|a space)", 1.0, "parking"),
    Phrase(r"parking (?:is|was) (?:a |an )?(?:\w+ )?(?:nightmare|terrible|horrible|awful"
           r"|impossible|ridiculous|insane|joke|mess|outrageous|highway robbery)", 1.0, "parking"),
    Phrase(r"(?:expensive|overpriced|outrageous|ridiculous|terrible|horrible|awful|bad|insane"
           r"|impossible) parking|(?:garage|lot|parking)"
           r" (?:was|is|were|are) (?:always )?full", 1.0, "parking"),
    Phrase(r"(?:towed|ticketed|got a (?:parking )?ticket)", 0.5, "parking"),
    Phrase(r"(?:loud|noisy) all night|(?:couldn't|could not|can't|cannot|didn't|did not) "
           r"(?:get any )?sleep|no sleep|(?:maybe|only|barely) (?:an|one|two|1|2) hours? of sleep",
           1.0, "quiet"),
    Phrase(r"(?:so|too|very|extremely|really) (?:loud|noisy)", 0.5, "quiet"),
    Phrase(r"(?:was|were|went|seemed) (?:fine|great|good|ok|okay|smooth) until", 1.0, "general"),
    Phrase(r"(?:please )?do something about|(?:really |seriously )?(?:need|needs) to (?:fix"
           r"|do something|improve|hire|get (?:it )?together|work on)", 1.0, "general"),
    Phrase(r"(?:only|one|my|biggest|main|one big) complaint (?:is|was|would be|:)", 1.0,
           "general"),
    Phrase(r"(?:we|i) had to (?:park|walk|wait|drive|go (?:to|somewhere|elsewhere)|find|call"
           r"|ask|repeat|figure|beg|chase|leave|come back)", 0.5, "general"),
    # Access to care
    Phrase(r"missed (?:my|our|his|her|the) (?:\w+ )?(?:appointment|appt|surgery|procedure"
           r"|flight|ride)", 1.0, "appointment_access"),
    Phrase(r"(?:can't|cannot|couldn't|could not|impossible to|unable to) (?:get|book|make"
           r"|schedule) (?:an |a )?(?:appointment|appt|hold of|through)", 1.0,
           "appointment_access"),
    Phrase(rf"{NUM_MANY} (?:months|weeks) (?:out|wait|to (?:get|see|book|schedule)|for (?:an?"
           r"|the) (?:\w+ )?(?:appointment|appt|referral|visit))", 1.0, "appointment_access"),
    Phrase(r"(?:cancell?ed|rescheduled) (?:my|our|his|her|the) (?:\w+ )?(?:appointments?|appts?"
           r"|surgery|procedure)", 0.5, "appointment_access"),
    Phrase(r"double[- ]booked|overbooked|(?:had |have |has )?no record of|not (?:on|in) the "
           r"(?:schedule|system|books)", 1.0, "appointment_access"),
    Phrase(r"turned (?:me |us |him |her |them )?away", 1.0, "appointment_access"),
    Phrase(r"refused to", 1.0, "access"),
    # Discharge and pain
    Phrase(rf"(?:kicked|pushed|shoved) {_PERSON} out|discharged (?:{_PERSON} )?(?:too (?:early"
           r"|soon)|without|before|while still|with (?:a |an )?(?:fever|infection|temperature"
           r"|broken))|re-?admitted|ended up back (?:in|at)", 1.0, "discharge"),
    Phrase(r"nothing for (?:the |my |his |her )?pain|(?:refused|denied) (?:me |him |her )?"
           r"(?:any )?(?:pain|meds|medication|morphine)", 1.0, "pain_management"),
    Phrase(r"in agony|screaming in pain|writhing|suffering", 0.5, "pain_management"),
    # Giving up on us, sarcasm, escalation
    Phrase(r"(?:zero|0|no|negative|minus) stars?|if i could give (?:less|fewer|zero|0|no)", 1.0,
           "general"),
    Phrase(r"(?:one|two|1|2|single) stars?", 1.0, "general"),
    Phrase(r"(?:do not|don't|dont|never) (?:go|come|bring|take|send|trust|waste)\b"
           r"(?!(?: \w+){0,4} (?:anywhere|any ?place|any ?where|any other|elsewhere))", 1.0,
           "general"),
    Phrase(r"avoid (?:this|at all costs|them|like|the)|(?:stay|run) away", 1.0, "general"),
    Phrase(r"waste of (?:time|money)", 1.0, "general"),
    Phrase(r"never again|(?:take|taking) (?:my|our) (?:business|care|kids|family) (?:elsewhere"
           r"|somewhere else)|find(?:ing)? (?:a )?(?:new|another|different) (?:doctor|provider"
           r"|hospital|pediatrician|practice|clinic|pcp)|switch(?:ing|ed)? (?:doctors|providers"
           r"|hospitals|practices)", 1.0, "general"),
    Phrase(r"(?:fil(?:e|ed|ing)|submit(?:ted)?|lodg(?:e|ed)) (?:a )?(?:formal )?(?:complaint"
           r"|grievance)", 1.0, "general"),
    Phrase(r"patient (?:advocate|relations)|(?:speak|talk) (?:to|with) (?:a |the |your )?"
           r"(?:manager|supervisor)", 0.5, "general"),
    Phrase(r"good luck (?:getting|trying|finding|with|reaching)|thanks for nothing"
           r"|(?:gotta|got to|just) love (?:how|when|that|being|waiting"
           r"|sitting)|nothing like (?:waiting|sitting|being)|so much for", 1.0, "general"),
    Phrase(r"unacceptable|inexcusable|appall(?:ed|ing)|outrageous|ridiculous|absurd|shameful"
           r"|disgrace(?:ful)?|pathetic|joke|nightmare|horrendous|atrocious|abysmal", 0.5,
           "general"),
    Phrase(r"disappoint(?:ed|ing|ment)|frustrat(?:ed|ing|ion)|upset|worst|disgust(?:ed|ing)"
           r"|gross", 0.5, "general"),
)

# What patients expect to happen; a complaint only when negated ("never called back",
# "no one explained", "refused to listen", "without being examined").
EXPECTED_ACTIONS: tuple[Phrase, ...] = (
    Phrase(r"call(?:ed|s|ing)? (?:me |us |him |her |them )?back|call ?backs?|(?:phone )?calls? "
           r"back|return(?:ed|s)? (?:my|our|any|the) (?:\w+ )?(?:calls?|messages?|emails?)",
           1.0, "communication"),
    Phrase(r"(?:got|get|gotten|getting|receive[ds]?|had|given|give|gave) (?:a |any |an )?"
           r"(?:call|answer|response|update|explanation|apology|straight answer)", 1.0,
           "communication"),
    Phrase(r"heard (?:back|anything|from)|(?:got|get|gotten|getting) back to|follow(?:ed)?[- ]?up"
           r"|respon(?:d|ded|se)|repl(?:y|ied)|answer(?:ed|s)?", 1.0, "communication"),
    Phrase(r"explain(?:ed|s|ing)?|told (?:us|me|him|her|them) (?:anything|what|why|how|when"
           r"|about)|informed|updated|kept (?:us|me) (?:updated|informed|posted)|introduced"
           r"|listen(?:ed|s|ing)?|acknowledg(?:ed|e)", 1.0, "communication"),
    Phrase(r"apologi[sz](?:e|ed)|(?:an )?apology", 1.0, "communication"),
    Phrase(r"(?:talked|talk|spoke|spoken|speak) (?:to|with) (?:us|me|him|her|them|the family)"
           r"(?: directly)?", 1.0, "communication"),
    Phrase(rf"check(?:ed|ing)? (?:on |in on )?{_PERSON}|(?:came|come) (?:in|back|by|to check"
           r"|to see)|show(?:ed)? up", 1.0, "responsiveness"),
    Phrase(r"(?:been|get|got|getting|being) seen|seen by (?:a|the|any) \w+|examin(?:e|ed)"
           r"|assess(?:ed)?|triaged", 1.0, "responsiveness"),
    Phrase(r"help(?:ed|ful)?(?! but)|cared|care about|seem(?:ed)? to care|give a damn", 1.0,
           "staff_courtesy"),
    Phrase(r"wash(?:ed)? (?:their|his|her) hands|clean(?:ed)?|empt(?:y|ied) (?:the |our |my )?"
           r"(?:trash|garbage|bins?)|chang(?:e|ed) (?:the |his |her |my )?(?:sheets|bed|linens"
           r"|diaper|dressing|bandage|gown)", 1.0, "cleanliness"),
    Phrase(r"(?:be )?(?:around|available|there) when", 1.0, "responsiveness"),
    Phrase(r"refund(?:ed)?|fix(?:ed)? (?:the|my|our) (?:bill|billing|charges?|statement)", 1.0,
           "billing"),
    Phrase(r"pain (?:meds|medication|medicine|relief|control)|(?:any|a) (?:blanket|pillow"
           r"|water|food|meal)", 1.0, "pain_management"),
    Phrase(r"discharge (?:instructions|papers|paperwork|plan)|instructions", 1.0, "discharge"),
    Phrase(r"recommend(?! (?:\w+ ){0,3}enough)|be back|(?:be )?returning|(?:be )?(?:coming"
           r"|going) back|(?:return|go back|come back)\b(?! \w+ (?:bill|results))"
           r"|(?:step|set) foot", 1.0, "general"),
)

# Compliments built on a negation, which VADER reads as negative ("can't recommend them
# enough" scores -0.34). Each adds its weight back to the score.
PRAISE: tuple[Phrase, ...] = (
    Phrase(r"(?:wouldn't|would not|won't|will not|don't|do not|didn't|did not) hesitate"
           r"|hesitation (?:in|to) recommend", 1.0, "praise"),
    Phrase(r"(?:can't|cannot|couldn't|could not) (?:recommend|thank|praise|say enough|speak "
           r"(?:highly|more highly))\b(?: \w+){0,5} enough|(?:can't|cannot) say enough", 1.0,
           "praise"),
    Phrase(r"(?:couldn't|could not|can't|cannot) (?:have )?(?:asked|ask|wish|hope) for (?:a )?"
           r"(?:better|more|nicer|kinder)", 1.0, "praise"),
    Phrase(r"(?:couldn't|could not) (?:have )?(?:be|been) (?:happier|more (?:pleased|grateful"
           r"|thankful|helpful|caring|kind|attentive|professional)|nicer|kinder|better)", 1.0,
           "praise"),
    Phrase(r"never (?:once )?felt (?:rushed|ignored|like a number|unheard|judged|uncomfortable"
           r"|alone|dismissed|neglected|forgotten)", 1.0, "praise"),
    Phrase(r"(?:never|not) (?:have i |had i |once )?(?:seen|met|experienced|had|been treated"
           r" with) (?:such|a more|more|nicer|better|kinder|so much)", 1.0, "praise"),
    Phrase(r"nothing but (?:praise|kindness|good|great|respect|compassion|love|the best"
           r"|positive|excellent|professional|amazing|wonderful)", 1.0, "praise"),
    Phrase(r"no complaints?|not (?:a )?(?:single|one) complaint|zero complaints", 1.0, "praise"),
    Phrase(r"(?:will |could )?never forget (?:that|their|the|your|her|his|how|what)", 1.0,
           "praise"),
    Phrase(r"(?:very|so|extremely|super|really|incredibly) thorough|took (?:such |very )?(?:good"
           r"|great|amazing|excellent|wonderful|fantastic) care|made (?:\w+ ){0,4}(?:so much "
           r"|a lot |much )?(?:better|easier)|(?:felt|feel) (?:so |very )?(?:safe|heard|supported"
           r"|cared for|listened to|respected)|(?:seen|taken back|helped) (?:right away"
           r"|immediately|quickly|promptly)|(?:to be|just to be) safe", 1.0, "praise"),
    Phrase(r"(?:no|zero|hardly any|barely any|little to no|minimal) wait(?:ing)?(?: time)?"
           r"(?! room)|(?:didn't|did not|never) (?:have to )?wait (?:long|at all|more than)",
           1.0, "praise"),
)
# Soft signals, weighed like a 0.5 phrase: profanity shows anger without saying what went
# wrong; risk language names an adverse event; someone posting from our waiting room wants help.
PROFANITY_WEIGHT = 0.5
RISK_WEIGHT = 0.5
URGENT_WEIGHT = 0.5

# Words that negate the next few words of their clause.
NEGATORS = frozenset({
    "not", "no", "never", "nobody", "none", "nothing", "neither", "nor", "without", "hardly",
    "barely", "cannot", "noone", "nowhere", "refused", "failed", "forgot", "neglected",
    "unable", "yet", "lack", "lacked", "zero",
    # contractions written without the apostrophe, as reviews often are
    "dont", "didnt", "doesnt", "wasnt", "werent", "isnt", "arent", "cant", "couldnt",
    "wouldnt", "shouldnt", "wont", "havent", "hasnt", "hadnt", "aint",
})
NEGATION_WINDOW = 7  # words: "no one from the surgeon's office ever followed up"
# A negator followed by one of these is not negating the phrase after it.
NEGATION_BLOCKERS = frozenset({
    "believe", "imagine", "understand", "describe", "stand", "express", "more", "only", "why",
    "how", "know", "sure", "wait", "enough", "just", "hesitate", "need", "needed",
})
# "never been treated so rudely", "never have I seen such ...": a negator, one of these verbs
# and one of these degree words make an intensifier, not a negation.
INTENSIFIER_VERBS = frozenset({
    "been", "seen", "experienced", "had", "met", "felt", "encountered", "witnessed", "dealt",
})
INTENSIFIER_DEGREES = frozenset({"so", "such", "more", "worse", "this", "anything", "as"})
# Words and punctuation that end a clause: negation does not reach past them.
CLAUSE_BREAK = (
    r"[.!?;,:\n()]|\b(?:but|and|so|because|though|although|however|while|then|until|which"
    r"|who|when)\b"
)

RISK: tuple[str, ...] = (
    r"lawyers?|attorneys?|law ?suits?|legal action|litigation|malpractice|negligen(?:ce|t)"
    r"|liab(?:le|ility)",
    r"(?:to|will|gonna|going to|should|could|would|might|and|i'll|we'll|i'm|we're|im) sue"
    r"|sue (?:you|them|the hospital|this (?:hospital|place)|your)|suing|sued",
    r"wrong (?:medication|medicine|meds|drug|dose|dosage|prescription|patient|side|leg|arm"
    r"|knee|hip|eye|site|blood)|medication (?:error|mistake)s?|overdos(?:e|ed)|double dose"
    r"|(?:given|gave|administered) (?:\w+ ){0,4}(?:by mistake|in error)"
    r"|allergic reaction|allergic to\b(?:\W+\w+){0,12}?\W+(?:anyway|rash|reaction|hives"
    r"|swelling|gave|given)|(?:gave|given|prescribed|prescription)\b(?:\W+\w+){0,8}?\W+allergic",
    r"without (?:my |our |his |her |their |any )?consent|(?:shared|released|gave out|sent"
    r"|posted|disclosed|discussed)\b(?:\W+\w+){0,6}?\W+without (?:my |our |his |her |their )?"
    r"permission"
    r"|consent forms? (?:\w+ )?(?:she|he|i|we|they) (?:couldn't|could not|didn't|did not|can't"
    r"|cannot)",
    r"misdiagnos\w*|missed diagnosis|missed (?:the|a|an|my|his|her) (?:fracture|break|clot"
    r"|stroke|heart attack|appendicitis|infection|bleed|tumou?r|cancer)",
    r"(?:died|passed away)(?! peacefully| comfortably)|death|deceased|killed|murder(?:ed)?"
    r"|fatal|could have died",
    r"(?:let|allowed|left) (?:\w+ ){1,3}fall|(?:told|said|insisted|decided|assumed|blamed)"
    r"\b(?:\W+\w+){0,6}?\W+(?:was |it's |is |on )?(?:just |only )?(?:anxiety|stress"
    r"|panic attacks?|in (?:my|her|his) head)",
    r"injur(?:y|ies|ed|ing)|harmed|(?:fell|fallen|had a fall)(?! asleep| in love| apart"
    r"| through| short| behind| on deaf)|dropped (?:me|him|her|my|the baby)",
    r"infect(?:ion|ions|ed)(?! control| prevention)|sepsis|septic|mrsa|c\.? ?diff|staph"
    r"|bed ?sores?"
    r"|pressure (?:ulcers?|sores?)",
    r"hipaa|privacy (?:violation|breach)|(?:violated|breach(?:ed)?) (?:my|our|his|her) privacy"
    r"|confidentiality|shared my (?:medical |private )?(?:information|records|info|diagnosis)",
    r"abus(?:e|ed|ive)|assault(?:ed)?|molest(?:ed)?|rape[ds]?|inappropriately touched"
    r"|sexual(?:ly)? harass\w*",
    r"report(?:ed|ing)? (?:this|them|you|him|her|the hospital|it|the doctor) to (?:the )?"
    r"(?:state|joint commission|medical board|board|department of health|health department|cms"
    r"|licensing)|joint commission|medical board|state board|department of health",
    r"(?:didn't|did not|never|nobody|no one|not a single (?:person|nurse|doctor)) (?:\w+ ){0,2}"
    r"wash(?:ed)? (?:their|his|her) hands|without (?:washing|gloves|sanitizing)"
    r"|lost track of (?:him|her|them|my \w+|our \w+)|lost (?:him|her|my \w+) in the system"
    r"|(?:nobody|no one) knew where (?:he|she|they|my \w+) (?:was|were)"
    r"|misread (?:my|the|his|her) (?:scans?|x-?rays?|mri|ct|results|ekg|mammogram|biopsy)"
    r"|(?:never|didn't|did not) heal(?:ed)? (?:right|properly|correctly)",
    r"wrong (?:name|name ?band|bracelet|wristband|baby|chart|discharge papers|paperwork|records)"
    r"|someone else's (?:prescription|medications?|meds|results|records|chart|baby|paperwork"
    r"|information|bill)|left (?:a |an )?(?:sponge|instrument|needle|clamp|gauze)"
    r"|(?:exposed (?:me|him|her|us|them|my \w+ )?to|(?:room|bed) with) (?:a |an )?(?:covid"
    r"|flu|contagious|infectious|tb)|counsel|law firm|legal team",
    r"unsafe|dangerous|endanger(?:ed|ing)|life[- ]threatening|surgical (?:error|mistake)"
    r"|botched (?:surgery|procedure|operation)|(?:wrong|unnecessary) (?:surgery|procedure"
    r"|operation)",
)

# Someone on site now. A sentence is "urgent" when it has a PRESENCE_NOW cue and a
# PRESENCE_PLACE cue, or a PRESENCE_SELF cue, and no PRESENCE_PAST time.
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
# Someone writing about their own workplace is not a visitor waiting to be found.
STAFF_SPEAKER = (
    r"(?:i|we) (?:work|worked) (?:here|there|at|in|for)|(?:i'm|im|i am) (?:a|an|the) (?:\w+ )?"
    r"(?:nurse|doctor|employee|staff member|tech|technician|volunteer|resident|physician|np|pa"
    r"|cna|rn|lpn|paramedic|emt|medic)(?: here| there| at| in| on)|as (?:a|an) (?:\w+ )?"
    r"(?:employee|staff member|volunteer|nurse) (?:here|there|at)|my (?:coworkers|co-workers"
    r"|colleagues)"
)

LONG_AGO = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|several|many|a few|few"
    r"|a couple(?: of)?|couple(?: of)?) years? (?:ago|back)|years ago|decades? ago"
    r"|a (?:long time|long while) ago|back in the day|(?:over|more than) a year ago"
    r"|when (?:i|we) (?:was|were) (?:a )?(?:kids?|child|children|little|young|teens?|teenagers?"
    r"|in (?:high|grade) school)|as a (?:kid|child|teenager)"
)
# A year in the text is a past visit when it is two or more years before the review was
# written; after "back in", any earlier year is.
PAST_YEAR = r"(?<![$\d.,])(back in|in|during|of|around|circa) ((?:19|20)\d\d)\b"
RECENT = (
    r"today|tonight|(?<!since )yesterday|this (?:morning|afternoon|evening|week|month|weekend"
    r"|visit|time)|last (?:night|week|weekend|month|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday)|(?:\d+|a few|few|couple(?: of)?|a couple(?: of)?|two|three|four|five"
    r"|six) (?:days|weeks|hours) ago|right now|currently|recently|just (?:got|left|came|had"
    r"|spent|walked)"
)

# Insults aimed at people: harassment, a reason to hide.
INSULTS = (
    r"idiot(?:s|ic)?|moron(?:s|ic)?|imbeciles?|clowns?|losers?|scum(?:bags?)?|dumb ?ass(?:es)?"
    r"|bimbos?|buffoons?|nitwits?|quacks?|fools?|jerks?|hags?|witch(?:es)?|weirdos?|thugs?"
    r"|pieces? of (?:trash|garbage|crap|work|shit)|trash (?:people|humans?|nurses?|doctors?"
    r"|staff)|(?:stupid|dumb|fat|ugly) (?:nurses?|doctors?|staff|people|wom[ae]n|m[ae]n"
    r"|girls?|lady|ladies|receptionists?|employees|cows?|pigs?|slobs?|hags?|witch|bitch(?:es)?)"
    r"|(?:you|u|y'all|(?:(?:ur|your|the|these|those|their) )?(?:doctors|nurses|staff|people"
    r"|employees|workers|receptionists|admins?|administration)) (?:people |guys |all )?(?:are|r)"
    r" (?:all )?(?:a )?(?:bunch of )?(?:\w+ )?"
    r"(?:idiots|morons|clowns|pathetic|useless|trash|garbage|disgusting|worthless|stupid)"
    r"|bunch of (?:\w+ ){0,2}(?:idiots|morons|clowns|cows|pigs|losers|animals|monkeys|fools)"
    r"|go to hell|rot in hell|get a real job"
)
THREATS = (
    r"watch (?:your|ur) back|you'll (?:regret|be sorry|pay)|(?:i|we) know where (?:you|she|he"
    r"|they) (?:live|work|park)|(?:burn|blow|shoot) (?:this place|the place|it|you|them) "
    r"(?:down|up)|shoot up|bomb|kill (?:you|them|her|him|that|every)|coming for (?:you|them"
    r"|her|him)|make (?:you|them|her|him) pay|(?:gonna|going to) (?:hurt|beat|punch|slap"
    r"|strangle) |should (?:all )?be shot|(?:burns?|burned|burnt) (?:down|to the ground)"
    r"|hope (?:you|they|she|he|every(?: one|one) of (?:you|them)|all of (?:you|them)|y'all)"
    r" (?:all )?(?:die|rot|burn|los(?:e|es)|get fired|go out of business|get sued|suffer)"
)
# Baiting: mockery with no substance.
BAIT = r"lol+|lmf?ao+|rofl|(?:ha){2,}h?|😂|🤣|🤡|🙄"
SPAM = (
    r"https?://|www\.|\b\w+\.(?:com|net|ly|io|xyz)\b|click (?:the|my|this) link|dm me"
    r"|crypto|bitcoin|forex|earn \$?\d+|make money|follow me|subscribe"
)
# A profane outburst is short: a longer profane post is an angry review, not bait.
OUTBURST_MAX_WORDS = 10
# All capitals: at least this many letters, this share of them capitals.
CAPS_MIN_LETTERS = 20
CAPS_SHARE = 0.7

# better-profanity words that are not profanity in a hospital review.
PROFANITY_ALLOWED = frozenset({
    # anatomy, bodily functions, diagnoses and care
    "anal", "anus", "areole", "breasts", "crotch", "erect", "erection", "ejaculate",
    "ejaculated", "ejaculation", "facial", "foreskin", "gonad", "gonads", "herp", "herpes",
    "hiv", "hymen", "labia", "leper", "loin", "loins", "lube", "menses", "menstruate",
    "menstruation", "naked", "nipple", "nipples", "nude", "oral", "orally", "organ", "ovary",
    "ovum", "ovums", "pee", "peepee", "penetrate", "penetration", "penile", "penis", "pms",
    "potty", "pubic", "pubis", "rectal", "rectum", "rectus", "semen", "sex", "sexual", "sperm",
    "stroke", "tampon", "teat", "teste", "testes", "testical", "testicle", "testis", "tinkle",
    "urinal", "urine", "uterus", "vag", "vagina", "virgin", "vomit", "vulva", "womb", "nappy",
    "poop", "fart", "transsexual", "lesbians", "gay", "gays", "queer", "queers", "pcp",
    # drugs and intoxication, which ER reviews describe
    "heroin", "meth", "opiate", "opium", "valium", "viagra", "weed", "pot", "ganja", "hemp",
    "peyote", "extacy", "extasy", "reefer", "stoned", "drunk", "vodka", "rum", "hooch",
    "hootch", "souse", "soused", "toke", "skag", "scag",
    # mild words nobody hides a real complaint for
    "damn", "hell", "crap", "suck", "sucked", "sucking", "screw", "screwed", "screwing", "god",
    "omg", "pissed", "strip", "seaman", "seamen", "sandbar", "revue", "maxi", "thrust",
    "toots", "undies", "wad", "whiz", "willies", "steamy", "racy", "prude", "lust", "vulgar",
    "unwed", "pasty", "pawn", "dink", "dinks", "len", "lmao", "lmfao", "masochist",
    # insults: TROLL judges these with their target
    "moron", "stupid", "dummy", "dopey", "doofus", "weirdo", "jerk", "ninny", "nimrod", "thug",
    "scum", "bimbo", "bimbos", "ugly", "fat", "sissy", "tramp",
    # allegations RISK must see, and words THREATS reads in context
    "molest", "rape", "raped", "raper", "raping", "rapist", "kill", "murder",
})

# "Dr. X" where X is not one of our clinicians.
NOT_CLINICIANS = frozenset({
    "seuss", "phil", "oz", "pepper", "who", "google", "house", "strange", "dre", "ruth",
    "scholl", "scholls", "frankenstein", "doolittle", "jekyll", "evil", "quinn", "grey",
    "ratched", "martens", "bronner", "bronner's", "king", "mario", "octopus", "zhivago",
})
# Words after "Nurse" that are a role, not a name.
NURSE_ROLES = frozenset({
    "practitioner", "practitioners", "manager", "managers", "supervisor", "navigator",
    "educator", "anesthetist", "midwife", "midwives", "station", "call", "line", "aide",
    "aides", "assistant", "assistants", "tech", "techs", "staff", "team", "case", "triage",
})
# Ordinary words: "the doctor Never came", "dr said", "Dr. He" name nobody.
NOT_A_NAME = frozenset({
    "dr", "doctor", "doctors",
    "a", "about", "after", "again", "all", "also", "always", "am", "an", "and", "any", "anyone",
    "appointment", "appointments", "are", "as", "asked", "at", "away", "back", "be", "because",
    "been", "before", "being", "both", "but", "by", "came", "can", "come", "could", "did", "do",
    "does", "doing", "done", "down", "during", "each", "even", "ever", "every", "everyone", "few",
    "finally", "first", "for", "from", "gave", "get", "gets", "getting", "give", "go", "goes",
    "going", "gone", "good", "got", "great", "had", "has", "have", "having", "he", "her", "here",
    "him", "his", "how", "i", "if", "ignored", "in", "into", "is", "it", "its", "just", "kept",
    "know", "last", "let", "like", "looked", "made", "make", "many", "may", "me", "might", "more",
    "most", "much", "must", "my", "never", "next", "no", "nobody", "none", "not", "note", "notes",
    "nothing", "now", "nurse", "nurses", "of", "off", "office", "office's", "ok", "okay", "on",
    "once", "one", "only", "or", "ordered", "orders", "other", "our", "out", "over", "please",
    "prescribed", "put", "quickly", "rather", "really", "refused", "right", "said", "same", "saw",
    "say", "says", "see", "seemed", "seems", "she", "should", "since", "so", "some", "someone",
    "staff", "still", "such", "suggested", "take", "talked", "team", "tell", "than", "thank",
    "thanks", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "though", "through", "to", "today", "told", "too", "took", "treated", "tried", "two", "under",
    "until", "up", "us", "very", "visit", "visits", "walked", "wanted", "was", "we", "well",
    "went", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
    "with", "without", "would", "yes", "yesterday", "yet", "you", "your", "yours",
})

THEMES: dict[str, tuple[str, ...]] = {
    "wait_time": (
        "wait", "wait time", "waiting room", "delay", "took forever", "wait forever",
        "waited forever", "forever to", "to be seen", "for hours", "and counting",
        "hours later", "took hours", "long time", "slow", "quick", "quickly", "promptly",
        "right away", "in and out",
    ),
    "billing": (
        "bill", "charge", "overcharge", "invoice", "insurance", "copay", "co pay",
        "deductible", "refund", "payment", "paid", "price", "cost", "out of pocket",
        "collections", "financial", "estimate", "self pay",
        "-charge nurse", "-in charge", "-nurse in charge",
    ),
    "staff_courtesy": (
        "rude", "rudely", "rudeness", "courteous", "courtesy", "polite", "impolite", "respect",
        "disrespect", "disrespectful", "respectful", "attitude", "kind", "kindness", "friendly",
        "unfriendly", "condescending", "dismissive", "compassion", "compassionate", "caring",
        "uncaring", "bedside manner", "treated like", "rolled her eyes", "rolled his eyes",
        "eye roll", "unprofessional", "professional", "sweet", "helpful", "yelled at",
        "snapped at", "sarcastic", "laughed at", "welcoming", "short with", "talked to me like",
        "talked to her like", "talked to him like", "talked to us like", "talked down",
        "-kind of", "-some kind", "-any kind", "-what kind",
    ),
    "communication": (
        "explain", "explanation", "no one told", "nobody told", "informed", "update",
        "communicate", "communication", "call back", "callback", "called back",
        "call me back", "call us back", "called me back", "called us back", "return my call",
        "returned my call", "voicemail", "on hold", "transferred", "listen", "answer",
        "question", "portal", "message", "heard back", "get back to", "follow up",
        "interpreter", "translator", "kept in the dark", "phone call", "answer the phone",
    ),
    "appointment_access": (
        "appointment", "appt", "schedule", "reschedule", "cancel", "booked", "referral",
        "new patient", "first available", "months out", "waitlist", "waiting list",
        "availability", "same day appointment", "walk in", "get in",
    ),
    "cleanliness": (
        "clean", "dirty", "filthy", "unsanitary", "sanitary", "hygiene", "smell", "stink",
        "stench", "stain", "blood on", "roach", "cockroach", "bed bugs", "dust", "dusty", "mold",
        "spotless", "housekeeping", "gross",
    ),
    "parking": (
        "parking", "garage", "valet", "parking lot", "parking fee", "meter", "towed",
        "nowhere to park", "place to park",
    ),
    "food": (
        "food", "meal", "tray", "breakfast", "lunch", "dinner", "cafeteria", "coffee", "snack",
        "menu", "eat", "eating", "ate", "hungry", "starving", "sandwich", "jello",
    ),
    "discharge": (
        "discharge", "sent home", "sent us home", "sent me home", "sent him home",
        "sent her home", "released", "kicked out", "discharge papers", "discharge instructions",
        "against medical advice",
    ),
    "pain_management": (
        "pain medication", "pain meds", "pain management", "pain control", "pain relief",
        "painkiller", "for the pain", "for my pain", "for his pain", "for her pain", "in pain",
        "morphine", "dilaudid", "tylenol", "ibuprofen", "motrin", "agony", "epidural",
        "nothing for pain",
    ),
}
