"""Messages about the on-call rotation: `/reviewdesk oncall` answers and hand-off announcements,
built from the rotation's typed values (bot/oncall/values.py); the words are in lines.j2."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from blockkit.core import Component

from bot.blocks.kit import context, divider, message, section, sections
from bot.blocks.lists import case_line
from bot.config import Rotation
from bot.oncall.values import Handoff, Override, RotationStatus
from bot.outbox import Rendered
from bot.text import line

OVERRIDES_LISTED = 10


def local_time(moment: datetime, timezone: str) -> str:
    """A moment as the rotation's people read it: "Fri 27 Nov 17:00"."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _status_blocks(status: RotationStatus) -> list[Component]:
    rotation = status.rotation
    zone = rotation.timezone
    covering = status.covering
    head = [str(line("oncall_now", user=status.on_call, base=status.base,
                     covering_until_local=local_time(covering.ends_at, zone)
                     if covering else None))]
    if status.next_on_call:
        head.append(str(line("oncall_next", user=status.next_on_call,
                             at_local=local_time(status.next_at, zone))))
    blocks = [section("\n".join(head))]

    week = [str(line("oncall_week_heading"))]
    week += [
        str(line("oncall_shift", starts_local=local_time(shift.starts_at, zone),
                 ends_local=local_time(shift.ends_at, zone), user=shift.user_id,
                 override=shift.override is not None))
        for shift in status.shifts
    ]
    blocks += sections(week)

    if status.overrides:
        listed = [str(line("oncall_overrides_heading"))]
        listed += [_override_line(override, zone)
                   for override in status.overrides[:OVERRIDES_LISTED]]
        blocks += sections(listed)

    blocks.append(context(str(line(
        "oncall_footer", order=status.order, admins=list(rotation.admins), lead=rotation.lead,
        timezone=zone, weekday=rotation.handoff_weekday,
        handoff_time=rotation.handoff_time,
    ))))
    return blocks


def _override_line(override: Override, zone: str) -> str:
    return str(line("oncall_override", user=override.user_id,
                    starts_local=local_time(override.starts_at, zone),
                    ends_local=local_time(override.ends_at, zone),
                    created_by=override.created_by))


def status_message(status: RotationStatus) -> Rendered:
    """`/reviewdesk oncall`: now, next, the week ahead, overrides."""
    text = str(line("oncall_now", user=status.on_call, base=status.base,
                    covering_until_local=None))
    return message(text, _status_blocks(status))


def done_message(action: str, facts: dict[str, Any], status: RotationStatus) -> Rendered:
    """A change went through: say what changed, then show the rotation as it is now."""
    zone = status.rotation.timezone
    facts = dict(facts)
    for key in ("starts_at", "ends_at"):
        if key in facts:
            facts[key.replace("_at", "_local")] = local_time(facts.pop(key), zone)
    text = str(line("oncall_done", action=action, facts=facts))
    return message(text, [section(text), divider(), *_status_blocks(status)])


def refusal_message(text: str) -> Rendered:
    return message(text, [section(text)])


def help_message(rotation: Rotation) -> Rendered:
    text = str(line("oncall_help", timezone=rotation.timezone,
                    handoff_time=rotation.handoff_time))
    return message(str(line("oncall_help_fallback")), [section(text)])


def handoff_message(handoff: Handoff, *, direct: bool = False) -> Rendered:
    """The hand-off announcement: who is on call now, and the open cases with deadlines.
    `direct` words it for the new on-call person's DM."""
    headline = str(line("oncall_handoff", user=handoff.on_call, base=handoff.base,
                        until=handoff.until, override_ends=handoff.override_ends, direct=direct))
    blocks = [section(headline)]
    if not handoff.cases:
        blocks.append(section(str(line("oncall_no_open_cases"))))
    else:
        lines = [str(line("oncall_cases_heading", total=handoff.total))]
        lines += [case_line(case, handoff.handoff_at) for case in handoff.cases]
        if handoff.total > len(handoff.cases):
            lines.append(str(line("oncall_more_cases", count=handoff.total - len(handoff.cases))))
        blocks += sections(lines)
    return message(headline, blocks)
