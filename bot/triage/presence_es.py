"""Is someone at the hospital now, said in Spanish: the Spanish companion of bot.triage.presence.
A small grammar over each clause: who (estoy, seguimos, mi madre está, tienen a mi abuela), a
present form (estar, seguir, llevar, encontrarse, "he estado", or a note: "Sentada en urgencias",
"Aquí seguimos"), where (urgencias, la sala de espera, el pasillo, una camilla, el cuarto 412, el
quinto piso, a site's name, aquí) and when (ahora mismo, ahorita, todavía, desde anoche, cinco
horas y contando, ya van seis horas). What undoes it is looked for in the same clause: a past
("estuve", "el año pasado", "cuando fui"), a hypothetical or generic reader ("si alguna vez",
"imagínese", "nadie debería"), a plan ("mañana", "la próxima semana"), a habit ("cada vez que",
"siempre"), an end ("ya estamos en casa", "nos dieron de alta"), hearsay ("leí", "dicen que") or
an elsewhere ("en casa", "otro hospital", "en el teléfono"). Staff writing about their own
workplace are not visitors to be found.

It reads text with the accents taken off ("está" and "esta" alike, as people type both), one
character for one, so what it quotes is the review's own words. It imports nothing of ours, so a
bench can load it as it was at any commit. Measured on phrasings it was not tuned on:
bench/README.md (bench/onsite_bench.py --spanish).
"""

from __future__ import annotations

import re
from functools import lru_cache

_FOLD = str.maketrans({"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ü": "u", "ñ": "n",
                       "’": "'", "‘": "'", "“": '"', "”": '"'})


def fold(lower: str) -> str:
    """Lower-cased text without its accents or tildes, one character for one ("niña" reads as
    "nina", as people without a Spanish keyboard type it)."""
    return lower.translate(_FOLD)


# --- Vocabulary --------------------------------------------------------------------------------

_NUMBER = (
    r"(?:\d+(?:[.,]\d+)?|un|una|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce"
    r"|trece|catorce|quince|veinte|treinta|media|varias|muchas|unas|mas de \w+|casi \w+)"
)
_SHORT_SPAN = rf"{_NUMBER}(?: y media)? (?:horas?|hrs?|minutos?|mins?)\b"
_STAY_SPAN = rf"{_NUMBER} (?:dias|noches)\b"
_CLOCK = (r"(?:la una|las \d{1,2}(?::\d\d)?|las (?:dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
          r"|diez|once|doce))(?: (?:de la (?:manana|tarde|noche|madrugada)|am|pm|a\.m\.|p\.m\.))?")
# since a moment of today or of this stay; "desde 2015", "desde hace años" are too long ago
_SINCE = (
    rf"desde (?:{_CLOCK}|anoche|ayer(?: (?:en la|por la) (?:manana|tarde|noche))?"
    rf"|esta (?:manana|madrugada|tarde)|la (?:manana|madrugada|tarde|noche)|el mediodia"
    rf"|temprano|hace {_SHORT_SPAN}|hace {_STAY_SPAN}|que (?:llegamos|llegue|llego|nos trajeron"
    rf"|la trajeron|lo trajeron|ingreso|la ingresaron|lo ingresaron))"
)
_NOW = (
    rf"(?:ahora mismo|ahorita(?: mismo)?|ahora|en este momento|en estos momentos|todavia|aun"
    rf"|ya van {_SHORT_SPAN}|ya son {_CLOCK}|y contando|seguimos|sigo|{_SINCE}"
    rf"|hace {_SHORT_SPAN}|mientras escribo)"
)
# Whom a review speaks for: a relative, a friend, a child.
_COMPANION = (
    r"(?:madre|mama|mami|mamita|padre|papa|papi|papito|esposo|esposa|marido|mujer|pareja|novio"
    r"|novia|hijo|hija|hijos|hijas|hijito|hijita|nino|nina|ninos|bebe|bebes|nene|nena|abuela"
    r"|abuelo|abuelita|abuelito|abuelos|hermano|hermana|tia|tio|primo|prima|sobrino|sobrina"
    r"|nieto|nieta|suegra|suegro|amigo|amiga|familiar|cunado|cunada|hijastro|hijastra"
    r"|mom|dad|mommy|daddy|mai|pai)"
)
_SUBJECT = (
    rf"(?:(?:mi|mis|nuestr[oa]s?) (?:[\w]+ ){{0,2}}?{_COMPANION}(?: de \d+ (?:anos|meses))?"
    rf"|el|ella|ellos|ellas)"
)
# Places inside a hospital
_PLACE_NOUN = (
    r"(?:urgencias|emergencias?|sala de (?:emergencias?|urgencias|espera|partos|recuperacion)"
    r"|la emergencia|er|e\.r\.|ed|triaje|triage|pasillos?|recepcion|admision(?:es)?|registro"
    r"|uci|ucin|nicu|picu|terapia intensiva|cuidados intensivos|unidad(?: de \w+)?"
    r"|piso|planta|cuarto|habitacion|cama|camilla|silla de ruedas|silla(?: de plastico)?"
    r"|sillon|banca|lobby|vestibulo|estacionamiento|entrada(?: de \w+)?|hospital|clinica"
    r"|consultorio|quirofano|recuperacion|maternidad|pediatria|laboratorio|rayos x|farmacia"
    r"|cafeteria|elevadores?|ascensores?|campus|centro medico|observacion|ala \w+"
    r"|area de (?:espera|urgencias|emergencias?|triaje)|modulo|cubiculo|incubadora|neonatos"
    r"|neonatologia|cunero|hallway|stretcher|waiting room|emergency room)"
)
_ORDINAL = (r"(?:primer|primero|segundo|tercer|tercero|cuarto|quinto|sexto|septimo|octavo"
            r"|noveno|decimo|\d+(?:o|er|vo|to)?)")
_NUMBERED = (
    rf"(?:(?:cuarto|habitacion|cama|camilla|cubiculo|modulo|box) (?:numero |no\. |#)?\d+[a-z]?"
    rf"|(?:el )?{_ORDINAL} piso|piso \d+|(?:la )?{_ORDINAL} planta)"
)
_DETERMINER = r"(?:el|la|los|las|su|sus|este|esta|ese|esa|mi|un|una|nuestr[oa]|del|al)"
# "una sala de espera", "un hospital": a place said of anyone, not ours
_ELSEWHERE = (
    r"(?:casa|mi casa|la casa|el trabajo|mi trabajo|la oficina|otro hospital|otra clinica"
    r"|otra sala|otro lugar|otra ciudad|el telefono|telefono|la escuela|el carro|el coche"
    r"|la calle|mi cuarto de casa|mi cama de casa|su casa)"
)
_LOCATIVE = (
    rf"(?:(?:en|dentro de|afuera de|fuera de|frente a|junto a|cerca de|a la entrada de|desde)"
    rf" (?:{_DETERMINER} )?(?:[\w-]+ ){{0,2}}?(?:{_NUMBERED}|{_PLACE_NOUN})\b"
    rf"|\baqui\b|\baca\b)"
)

# What undoes presence in its clause
_PAST = (
    r"\b(?:estuve|estuvimos|estuvo|estuvieron|estuviste|estaba|estabamos|estaban|estabas"
    r"|fui|fuimos|fue|fueron|pase|pasamos|paso la noche|pasaron|espere|esperaron|estuvimos"
    r"|tardaron|tardo|(?<!que )llegue a|lleve a|llevamos a|llevaron a|me atendieron|nos atendieron"
    r"|ingresaron|internaron|tuve|tuvimos|me trataron|nos trataron|me gritaron|me grito"
    r"|el ano pasado|la semana pasada|el mes pasado|el fin de semana pasado|la otra vez"
    r"|la ultima vez|hace (?:un|una|dos|tres|cuatro|cinco|seis|unos|unas|varios|varias|\d+)"
    r" (?:dias?|semanas?|mes(?:es)?|anos?)(?! que (?:estoy|estamos|esta|estan|seguimos))"
    r"|(?<!desde )(?<!desde el )ayer|(?<!desde )anoche|(?<!desde )el (?:lunes|martes"
    r"|miercoles|jueves|viernes|sabado|domingo)|en (?:enero|febrero|marzo|abril|mayo|junio"
    r"|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)|en (?:19|20)\d\d"
    r"|cuando (?:fui|fuimos|estuve|estuvimos|estaba|estabamos|llegue|llegamos|lleve"
    r"|llevamos|me llevaron|nos llevaron)|antes de ayer|anteayer)\b"
)
# "no estoy en urgencias ahora", "ya no seguimos aquí"
_NEGATED = (
    r"\b(?:no|ya no|nunca|tampoco)(?: \w+)? (?:estoy|estamos|esta|estan|sigo|seguimos|sigue"
    r"|siguen|me encuentro|nos encontramos|se encuentra|llevo|llevamos|lleva|llevan|permanece"
    r"|permanecemos)\b"
)
_HYPOTHETICAL = (
    r"\b(?:si|imaginese|imaginate|imagina|imaginen|ojala|deberia|deberian|nadie deberia"
    r"|en caso de|por si|cuando vayan?|cuando vayas|prepar[ae]nse|preparate|quien sea que"
    r"|cualquiera que|uno no deberia|a nadie)\b"
)
_FUTURE = (
    r"\b(?:(?<!esta )(?<!la )(?<!de la )(?<!por la )(?<!en la )manana(?! (?:mismo )?(?:temprano"
    r" )?estamos)|la proxima (?:semana|vez)|el proximo|voy a (?:ir|estar|volver|tener)"
    r"|vamos a (?:ir|estar|volver|tener)|va a (?:ir|estar)|tengo (?:una )?cita|tengo que (?:volver"
    r"|ir|regresar)|tenemos que (?:volver|ir|regresar)|iremos|ire|estare|estaremos)\b"
)
_HABIT = (
    r"\b(?:cada vez|siempre|normalmente|usualmente|generalmente|por lo general|todas las veces"
    r"|(?:muchas|varias|dos|tres|cuatro|cinco|tantas|\d+|otras) veces"
    r"|(?<!hasta )cuando (?:estoy|estamos|uno esta|vas|vamos|voy|uno va)|antes(?! de\b)"
    r"|cada (?:semana|mes|ano)|(?:desde hace|hace) (?:anos|meses)|vengo a|venimos a"
    r"|paciente (?:de|en) (?:esta|este|su) \w+ desde)\b"
)
_ENDED = (
    r"\b(?:ya (?:estamos|estoy|esta|estan) en (?:casa|la casa)|ya (?:salimos|sali|nos fuimos"
    r"|me fui|se fue)|nos fuimos|me fui|nos salimos|me sali|(?:nos|me|le|la|lo) dieron de alta"
    r"|salimos del|sali del|ya en casa|por fin (?:salimos|nos fuimos|en casa|nos dieron)"
    r"|ya no (?:estamos|estoy))\b"
)
_HEARSAY = (
    r"\b(?:lei|escuche|(?<!nos )(?<!me )(?<!le )dicen que|me dijo que|me dijeron que|segun"
    r"|en las noticias|en el periodico|en facebook|en internet|en las redes|vi en|una amiga"
    r"|un amigo"
    r"|mi vecin[oa] (?:dice|dijo)|cuentan que|se dice)\b"
)
STAFF_SPEAKER = (
    r"\b(?:trabajo (?:aqui|en|para|de)|trabajamos (?:aqui|en|para)|soy (?:un[oa] )?(?:enfermer[oa]"
    r"|doctor(?:a)?|medic[oa]|emplead[oa]|tecnic[oa]|paramedic[oa]|residente|voluntari[oa])"
    r"(?: \w+)? (?:aqui|en|de|del)|como emplead[oa]|mis companer[oa]s de trabajo)\b"
)
_REMOTE = (
    r"\b(?:esperando (?:a )?que (?:me |nos |le )?(?:llamen|llame|devuelvan|contesten|manden"
    r"|envien|den|respondan)|(?:por|en el|al) telefono|en espera en|los resultados|mis resultados"
    r"|la factura|mi factura|una cita|mi cita|la llamada|en linea)\b"
)

# --- The grammar -------------------------------------------------------------------------------

_FIRST_PERSON = (
    r"(?:estoy|estamos|estemos|sigo|seguimos|sigamos|llevo|llevamos|me encuentro|nos encontramos"
    r"|ando|andamos|(?:vamos|voy) a seguir|permanezco|permanecemos|aguardo|aguardamos"
    r"|mientras esper(?:o|amos)|me dirijo a (?:ustedes|usted)"
    r"|he estado|hemos estado|me tienen|nos tienen|escribo(?: esto)?|les escribo|estoy escribiendo)"
)
_THIRD_PERSON = (
    r"(?:esta|estan|sigue|siguen|lleva|llevan|se encuentra|se encuentran|anda|ha estado"
    r"|han estado|permanece|permanecen|aguarda|aguardan)"
)
_POSTURE = r"(?:sentad[oa]s?|acostad[oa]s?|tirad[oa]s?|parad[oa]s?|esperando|internad[oa]s?" \
           r"|hospitalizad[oa]s?|ingresad[oa]s?)"
_RULES = {
    # "estoy en urgencias", "llevamos tres horas en la sala de espera", "sigo aquí"
    "first_person": rf"\b{_FIRST_PERSON}\b(?: [\w]+){{0,8}}? {_LOCATIVE}",
    # "mi madre está en el pasillo", "mi hijo está aquí con 40 de fiebre"
    "companion": rf"\b{_SUBJECT} (?:todavia |aun |ya |ahora |tambien )?{_THIRD_PERSON}\b"
                 rf"(?: [\w]+){{0,6}}? {_LOCATIVE}",
    # "tienen a mi abuela en una camilla en el pasillo"
    "kept": rf"\b(?:tienen|dejaron|pusieron) a (?:mi|nuestr[oa]) (?:[\w]+ ){{0,2}}?{_COMPANION}"
            rf"\b(?: [\w]+){{0,4}}? {_LOCATIVE}",
    # "mi padre está internado", "estoy hospitalizada"
    "inpatient": rf"\b(?:{_SUBJECT} (?:todavia |aun |ya )?(?:esta|sigue)|estoy|sigo)"
                 rf" (?:internad[oa]|hospitalizad[oa]|ingresad[oa]|en observacion)\b",
    # "hace seis horas que estamos aquí"
    "for_hours": rf"\bhace {_SHORT_SPAN} que (?:estamos|estoy|esperamos|espero|seguimos|sigo"
                 rf"|esta|estan|llevamos|llegamos|llegue|llego)\b",
    # "(mi papá se cayó en casa) y ahora está en la camilla 6", with someone named in the review
    "now_there": rf"^(?:y )?(?:ahora|ahorita|todavia|aun|ya) (?:esta|estan|sigue|siguen)\b"
                 rf"(?: [\w]+){{0,4}}? {_LOCATIVE}",
    # "llevamos 3 horas esperando", "ya van siete horas aquí", "llevamos desde anoche aquí"
    "duration": rf"\b(?:llevo|llevamos|lleva|llevan)(?: (?:ya|casi|mas de))? (?:{_SHORT_SPAN}"
                rf"|{_SINCE}|toda la (?:noche|manana|tarde)|todo el dia)(?: \w+){{0,3}}?"
                rf" (?:esperando|aqui|aca|sentad[oa]s?|acostad[oa]s?|{_LOCATIVE})",
    # "cinco horas en urgencias y contando", "ya van siete horas aquí"
    "running": rf"(?:^(?:ya )?(?:van |llevamos )?{_SHORT_SPAN}(?: [\w]+){{0,3}}? {_LOCATIVE}"
               rf"|\bya van {_SHORT_SPAN}(?: [\w]+){{0,3}}? {_LOCATIVE}"
               rf"|{_LOCATIVE}(?: [\w]+){{0,4}}? y contando)",
    # "Sentada en urgencias desde hace 3 horas", "En urgencias ahora mismo", "Aquí en la sala"
    "note": rf"^(?:(?:ahora |ahorita |aun |todavia )?{_POSTURE} )?(?:{_LOCATIVE})"
            rf"(?: [\w]+){{0,8}}? (?:{_NOW}|{_SHORT_SPAN}|y nada|ni agua|nadie)",
    "posture": rf"^{_POSTURE}(?: [\w]+){{0,3}}? {_LOCATIVE}",
    "here_now": r"^(?:aqui|aca) (?:en|sigo|seguimos|estoy|estamos|esperando)\b",
    # "todavía en urgencias, 8 horas después", "aún seguimos esperando aquí"
    "still": rf"^(?:todavia|aun|sigo|seguimos)(?: \w+){{0,3}}? {_LOCATIVE}",
    # "por favor manden a alguien a la sala de espera", "alguien que venga al cuarto 12"
    "appeal": rf"\b(?:manden|mande|envien|envie|que venga|que vengan|vengan|venga)\b"
              rf"(?: \w+){{0,4}}? (?:a|al) (?:{_DETERMINER} )?(?:[\w-]+ ){{0,2}}?"
              rf"(?:{_NUMBERED}|{_PLACE_NOUN})\b",
}
_HINT = re.compile(
    r"\b(?:estoy|estamos|sigo|seguimos|sigue|siguen|llevo|llevamos|lleva|llevan|esta|estan"
    r"|encuentro|encontramos|encuentra|ando|andamos|estado|tienen|dejaron|pusieron|escribo"
    r"|internad[oa]|hospitalizad[oa]|ingresad[oa]|hace|sentad[oa]s?|acostad[oa]s?|tirad[oa]s?"
    r"|esperando|aqui|aca|todavia|aun|urgencias|emergencias?|manden|mande|envien|venga"
    r"|vengan|camilla|pasillo|sala)\b"
)
_SHORTHAND = {"aki": "aqui", "aka": "aca", "urjencias": "urgencias", "emerjencia": "emergencia",
              "emerjencias": "emergencias", "toy": "estoy", "tamos": "estamos", "ija": "hija",
              "ijo": "hijo", "q": "que", "xq": "porque", "orita": "ahorita", "horita": "ahorita",
              "aorita": "ahorita", "ospital": "hospital", "yeva": "lleva", "yevamos": "llevamos",
              "yevo": "llevo", "tmb": "tambien", "pasiyo": "pasillo"}
_SHORT_WORD = re.compile(r"\b(?:" + "|".join(_SHORTHAND) + r")\b")


def _written_out(text: str) -> str:
    """Texting and common misspellings written out ("aki toy en urjencias")."""
    return _SHORT_WORD.sub(lambda word: _SHORTHAND[word.group()], text)


_SENTENCE_END = re.compile(r"[.!?¡¿…]+|\n+")
_CLAUSE_BREAK = re.compile(
    r"\s*[,;:()]\s*|\s+[-–—]+\s+|(?<!\bhasta)\s+(?=(?:pero|aunque|porque|cuando|mientras"
    r"|despues de que"
    r"|hasta que|si|luego|entonces|o sea)\b)|\s+(?=y (?:ahora|ahorita|todavia|aun|ya)"
    r" (?:esta|estan|sigue|siguen|estamos|estoy|seguimos|sigo|llevamos|llevo)\b)"
)


class _Grammar:
    """The rules compiled when first used (a command that never triages pays nothing)."""

    def __init__(self) -> None:
        self.rules = {name: re.compile(pattern) for name, pattern in _RULES.items()}
        self.undoing = {name: re.compile(pattern) for name, pattern in (
            ("negated", _NEGATED), ("past", _PAST), ("hypothetical", _HYPOTHETICAL),
            ("future", _FUTURE), ("habit", _HABIT), ("ended", _ENDED), ("hearsay", _HEARSAY))}
        self.elsewhere = re.compile(rf"\b(?:en|desde|a|al) (?:{_DETERMINER} )?{_ELSEWHERE}\b"
                                    rf"|\b(?:otro hospital|otra clinica|otra ciudad|otro estado"
                                    rf"|otro pais|(?:ciudad|pueblo|hospital|clinica) vecin[oa]"
                                    rf"|de al lado)\b")
        self.remote = re.compile(_REMOTE)
        self.companion = re.compile(rf"\b(?:mi|mis|nuestr[oa]s?) (?:\w+ ){{0,2}}?{_COMPANION}\b")
        self.staff = re.compile(STAFF_SPEAKER)
        self.generic = re.compile(r"\ben (?:un|una) (?:\w+ )?(?:hospital|clinica|sala de (?:espera"
                                  r"|emergencias?|urgencias)|urgencias|emergencias?)\b")
        self.lasted = re.compile(rf"\b(?:{_SHORT_SPAN}|{_STAY_SPAN}|{_SINCE}|y contando"
                                 rf"|ya van|todavia|aun|sigo|seguimos|toda la noche)")


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    return _Grammar()


def warm_up() -> None:
    """Compile the rules now rather than on the first review."""
    _grammar()


@lru_cache(maxsize=32)
def _site_names(sites: tuple[str, ...]) -> re.Pattern[str] | None:
    """The sites' names (either word order: "North campus" is "el campus North" in Spanish),
    read as a place: "en el campus"."""
    names: set[str] = set()
    for name in sites:
        words = fold(name.lower()).split()
        if words:
            names |= {" ".join(words), " ".join(reversed(words))}
    if not names:
        return None
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(n) for n in
                                                   sorted(names, key=len, reverse=True))
                      + r")(?![\w'])")


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def reading(lower: str, sites: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """(the cue, its sentence in the review's own words) when the text says, in Spanish, that
    someone is on site now; the cue names the rule that fired, for the bench."""
    text = fold(lower)
    if not _HINT.search(_written_out(text)):
        return None
    grammar = _grammar()
    if grammar.staff.search(text):
        return None
    names = _site_names(sites)
    companions = bool(grammar.companion.search(text))
    for start, end in _sentences(text):
        sentence = _written_out(text[start:end])  # quoted from the review's own words below
        if not _HINT.search(sentence):
            continue
        if names is not None:  # same length: "el campus" keeps the sentence's offsets apart
            sentence = names.sub(lambda m: ("campus " + "x" * len(m.group()))[:len(m.group())],
                                 sentence)
        if grammar.undoing["hearsay"].search(sentence):  # "según mi vecina, en urgencias …"
            continue
        for clause in _CLAUSE_BREAK.split(" ".join(sentence.split())):
            cue = _clause_cue(clause.strip(), grammar, companions)
            if cue:
                return cue, " ".join(lower[start:end].split())
    return None


def _clause_cue(clause: str, grammar: _Grammar, companions: bool) -> str | None:
    if not clause or not _HINT.search(clause):
        return None
    for name, rule in grammar.rules.items():
        found = rule.search(clause)
        if found is None or (name == "now_there" and not companions):
            continue
        said = found.group()
        if grammar.elsewhere.search(clause) or grammar.generic.search(said):
            return None
        if grammar.remote.search(clause) and name in ("first_person", "duration", "note",
                                                      "for_hours"):
            return None
        if any(pattern.search(clause) for pattern in grammar.undoing.values()):
            return None
        return name
    return None


def on_site_now(lower: str, sites: tuple[str, ...] = ()) -> str | None:
    """The sentence saying, in Spanish, that the reviewer or someone with them is at the hospital
    now; `sites`, the desk's site names and aliases."""
    found = reading(lower, sites)
    return found[1] if found else None


def has_lasted(sentence: str) -> bool:
    """Whether the on-site sentence says they have been there a while: a wait."""
    return bool(_grammar().lasted.search(fold(sentence.lower())))
