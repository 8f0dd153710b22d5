"""The word lists behind bot.triage's labels and keyword themes: risk, past visits, trolling,
profanity exceptions, clinician names and theme keywords (someone on site now has a grammar of
its own: bot.triage.presence). Data only; bot.triage compiles and applies them. Whether a
review is a complaint is the trained model's call (bot.triage.model), not these lists'.

Where the judgement comes from:
- NEGATORS, NEGATION_BLOCKERS, INTENSIFIER_VERBS: ordinary English negation ("not rude",
  "no one was rude") and its usual exceptions ("never been treated so rudely",
  "can't believe how rude", "not only rude").
- RISK: the language our domain notes route to risk management and legal ("If the issue has
  medical risk, then legal and risk become involved"): lawyers and lawsuits, malpractice,
  medication and diagnostic errors, death, injury, infection, privacy breaches, abuse,
  complaints to regulators, and the Joint Commission's sentinel events and patient-safety goals
  (wrong patient or site, retained objects, falls, pressure injuries, infection exposure).
- LONG_AGO / RECENT: "Past experiences (an old visit) carry insight but lower urgency."
- INSULTS, THREATS, BAIT, SPAM: the moderation thread's trolls ("ignoring a troll could be your
  best tactic") and Mayo's hide rule (profane, harassing, spam).
- PROFANITY_ALLOWED: better-profanity's list is written for general chat and flags words that
  are ordinary in a hospital (anatomy, bodily functions, diagnoses, drugs, "stroke", "PCP"),
  mild words for which no team would hide a real complaint ("damn", "sucks", "screwed up"),
  insults that TROLL judges with their target, and allegations that RISK must see instead.
- NOT_CLINICIANS, NOT_A_NAME, NURSE_ROLES: "Dr. Seuss" and "Dr. Google" are not our staff;
  "the doctor never came" names nobody.
- THEMES: the tip-sheet themes of our domain notes (wait times, appointments, billing, staff
  courtesy), the HCAHPS inpatient survey's dimensions (communication, pain, discharge,
  medicines), and what reviews often add (cleanliness, parking, food). The model learns all but
  billing and pain from the NHS framework's labels too (bot.triage.nhs.THEME_COLUMNS); the
  NHS does not bill, so billing and insurance are keywords only. A keyword starting with "-"
  is an exclusion: where it matches, the theme's other keywords are not looked for ("charge
  nurse" is not billing). One starting with "=" is matched as written, not at its stem:
  "helpful" and "caring" stem to "help" and "care", which say nothing about courtesy.

Patterns are regular expressions over lower-cased text whose apostrophes are plain ('), and
are matched on word boundaries. NUM and NUM_MANY stand for a counted amount. How well the
labels and themes do on text they were not tuned on: bench/README.md.
"""

from __future__ import annotations

NUM_MANY = (
    r"(?:[2-9]|[1-9]\d|\d+\.\d|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|several|many|a few|a couple(?: of)?|couple(?: of)?|multiple)\+?"
)
NUM = rf"(?:{NUM_MANY}|an?|one|1)"
HOURS = r"(?:hours?|hrs?)"

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
        "collections", "financial", "estimate", "self pay", "coverage", "insurance claim",
        "in network", "out of network", "medicaid", "medicare",
        "-charge nurse", "-in charge", "-nurse in charge",
    ),
    "staff_courtesy": (
        "rude", "rudely", "rudeness", "courteous", "courtesy", "polite", "impolite", "respect",
        "disrespect", "disrespectful", "respectful", "attitude", "kind", "kindness", "friendly",
        "unfriendly", "condescending", "dismissive", "compassion", "compassionate", "=caring",
        "uncaring", "bedside manner", "treated like", "rolled her eyes", "rolled his eyes",
        "eye roll", "unprofessional", "professional", "sweet", "=helpful", "=unhelpful",
        "lovely staff", "lovely nurse", "lovely doctor", "lovely people", "lovely team",
        "yelled at",
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
        "nowhere to park", "place to park", "shuttle", "transport", "transportation", "taxi",
        "uber", "lyft",
    ),
    "food": (
        "food", "meal", "tray", "breakfast", "lunch", "dinner", "cafeteria", "coffee", "snack",
        "menu", "eat", "eating", "ate", "hungry", "starving", "sandwich", "jello",
    ),
    "discharge": (
        "discharge", "sent home", "sent us home", "sent me home", "sent him home",
        "sent her home", "released", "kicked out", "discharge papers", "discharge instructions",
        "against medical advice", "follow up care",
    ),
    "medication": (
        "medication", "medicine", "meds", "prescription", "prescribed", "pharmacy", "pharmacist",
        "tablet", "pill", "dose", "dosage", "refill", "inhaler", "insulin", "antibiotic",
    ),
    "pain_management": (
        "pain medication", "pain meds", "pain management", "pain control", "pain relief",
        "painkiller", "for the pain", "for my pain", "for his pain", "for her pain", "in pain",
        "morphine", "dilaudid", "tylenol", "ibuprofen", "motrin", "agony", "epidural",
        "nothing for pain",
    ),
}
