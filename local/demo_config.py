"""The configuration as the local workspace runs it: the user's, with what a demo needs added in
memory only (people where it names none, a risk channel, the sample sources' locations mapped to
sites), and the people and channels the page offers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from bot.config import Config, parse_config
from twin.workspace import Channel, Person

# Demo people, added in memory where the configuration names nobody for the part.
SOCIAL_TEAM = (("U0MARIA", "Maria"), ("U0SAM", "Sam"))
PX_NAMES = ("Pat", "Robin", "Jordan", "Casey", "Alex", "Quinn")
ON_CALL_ADMIN = ("U0LEE", "Lee")
LOCAL_RISK_CHANNEL = "C0LOCALRISK"

# Where the sample files' own ids point (samples/README.md).
SAMPLE_GOOGLE_LOCATIONS = ("accounts/108/locations/2201", "accounts/108/locations/2202")
SAMPLE_FACEBOOK_PAGE = "1122334455"
SAMPLE_PODIUM_LOCATION = "loc-north"
# The site names the sample reviews give (canonical JSON and the CSV export), for the first
# site and the last: reviews naming a site the config does not know are refused.
SAMPLE_SITE_NAMES = (("north", "North Campus"), ("south", "South Clinic"))


@dataclass(frozen=True)
class LocalSetup:
    config: Config
    people: list[Person]
    channels: list[Channel]
    notes: list[str] = field(default_factory=list)


def _user_name(user_id: str) -> str:
    return f"member {user_id[-4:]}"


def _names(people: dict[str, Person], user_ids: list[str]) -> str:
    names = [people[user_id].name if user_id in people else user_id for user_id in user_ids]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def local_setup(config: Config) -> LocalSetup:
    """The configuration with what a demo needs (in memory), the people the person picker
    offers, the channels the page shows, and sentences saying what was added."""
    data = config.model_dump(mode="python")
    rotation_tz = config.rotation.timezone
    people: dict[str, Person] = {}
    notes: list[str] = []
    added: list[str] = []

    def add(user_id: str, name: str, role: str) -> None:
        if user_id in people:
            current = people[user_id]
            people[user_id] = dataclasses.replace(current, role=f"{current.role}, {role}")
        else:
            people[user_id] = Person(user_id, name, role, rotation_tz)

    for user_id, name in SOCIAL_TEAM:
        add(user_id, name, "Social team")
    added.append(" and ".join(name for _, name in SOCIAL_TEAM) + " (social team)")

    names = iter(PX_NAMES)
    for index, site in enumerate(data["sites"]):
        if site["px_contacts"]:
            for user_id in site["px_contacts"]:
                add(user_id, _user_name(user_id), f"PX · {site['name']}")
            continue
        name = next(names, f"PX{index + 1}")
        user_id = f"U0{name.upper()}"
        site["px_contacts"] = [user_id]
        if site.get("on_site_contact") is None:
            site["on_site_contact"] = user_id
        add(user_id, name, f"PX · {site['name']}")
        added.append(f"{name} (PX, {site['name']})")

    rotation = data["rotation"]
    if not rotation["members"]:
        admin_id, admin_name = ON_CALL_ADMIN
        rotation["members"] = [admin_id, SOCIAL_TEAM[1][0]]
        rotation["admins"] = list(dict.fromkeys([*rotation["admins"], admin_id]))
        rotation["lead"] = rotation["lead"] or admin_id
        add(admin_id, admin_name, "On call · rotation admin")
        added.append(f"{admin_name} (on call, rotation admin; {SOCIAL_TEAM[1][1]} is next)")
    else:
        for user_id in rotation["members"]:
            role = "Rotation admin" if user_id in rotation["admins"] else "On-call rotation"
            add(user_id, _user_name(user_id), role)
        for user_id in rotation["admins"]:
            if user_id not in rotation["members"]:
                add(user_id, _user_name(user_id), "Rotation admin")
    if len(added) > 1:
        notes.append("People for this run only (your configuration names none for these "
                      "parts): " + "; ".join(added) + ".")

    # Roles, where [roles] names nobody, so the page shows what each part may do: the social
    # team hides and ignores, PX staff take the PX follow-ups, the rotation's admins change it.
    roles = data["roles"]
    if not (roles["social_team"] or roles["px_staff"] or roles["admins"]):
        px_staff = list(dict.fromkeys(user for site in data["sites"]
                                      for user in site["px_contacts"]))
        roles.update(social_team=[user_id for user_id, _ in SOCIAL_TEAM], px_staff=px_staff,
                     admins=list(rotation["admins"]))
        notes.append(
            "Roles for this run only ([roles] names nobody): the social team "
            f"({_names(people, roles['social_team'])}) hides and ignores cases, PX staff "
            f"({_names(people, px_staff) or 'nobody'}) take Patient Experience follow-ups, the "
            f"rotation's admins ({_names(people, roles['admins']) or 'nobody'}) change the "
            "on-call rotation; anyone else is told who may.")

    if not data["slack"].get("risk_channel"):
        data["slack"]["risk_channel"] = LOCAL_RISK_CHANNEL
        notes.append("#review-risk is added for this run: the configuration names no risk "
                     "channel.")

    # The sample files' locations and pages, so their reviews land on a site.
    sites = data["sites"]
    google = data["sources"]["google"]
    known = {location["name"] for location in google["locations"]}
    for location, site in zip(SAMPLE_GOOGLE_LOCATIONS, (sites[0], sites[-1]), strict=True):
        if location not in known:
            google["locations"].append({"name": location, "site": site["id"]})
    facebook = data["sources"]["facebook"]
    if not any(page["page_id"] == SAMPLE_FACEBOOK_PAGE for page in facebook["pages"]):
        facebook["pages"].append({"page_id": SAMPLE_FACEBOOK_PAGE, "site": sites[-1]["id"]})
    for site, names in zip((sites[0], sites[-1]),
                           ((SAMPLE_PODIUM_LOCATION, *SAMPLE_SITE_NAMES[0]), SAMPLE_SITE_NAMES[1]),
                           strict=True):
        unknown = [name for name in names if config.site(name) is None]
        site["aliases"] = [*site["aliases"], *unknown]

    local = parse_config(data)
    channels = [Channel(local.slack.triage_channel, "review-triage",
                        "Every new negative review, as a case card")]
    for site in local.sites:
        if all(c.id != site.px_channel for c in channels):
            channels.append(Channel(site.px_channel, f"px-{site.id}",
                                    f"Patient Experience follow-ups for {site.name}"))
    risk = local.slack.risk_channel
    if risk and all(c.id != risk for c in channels):
        channels.append(Channel(risk, "review-risk",
                                "Copies of cases with legal or medical-risk language"))
    if local.rotation.channel and all(c.id != local.rotation.channel for c in channels):
        channels.append(Channel(local.rotation.channel, "on-call", "On-call hand-offs"))
    notes.append("Nothing here reaches Slack: the Slack twin on this machine plays Slack, and "
                 "your files are not changed.")
    return LocalSetup(local, list(people.values()), channels, notes)
