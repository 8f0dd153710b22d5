"""Turning an outbox row into the Web API call to make: cards are rendered from the case as it
is now; everything else was rendered when it was written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from bot.blocks.threads import thread_line
from bot.card_views import CardViews
from bot.outbox import Rendered
from bot.outbox.kinds import METADATA_EVENT, UPDATES, UPLOAD, Kind
from bot.text import line
from storage import looks
from storage import repository as repo
from storage.models import OutboxMessage


@dataclass(frozen=True)
class Target:
    """Where a post lands, so that it can be looked for: a channel, or a thread in it."""

    channel: str
    thread_ts: str | None = None

    @property
    def method(self) -> str:
        return "conversations.replies" if self.thread_ts else "conversations.history"


@dataclass(frozen=True)
class Call:
    method: str
    kwargs: dict[str, Any]
    target: Target | None  # where the post lands (None: not a post, or not known until sent)
    dm_user: str | None = None  # post in the DM with this user (opened at send time)
    permalink_of: tuple[str, str] | None = None  # fill "{permalink}" with this message's link
    # fill each placeholder with the link of the message at (channel, ts)
    permalinks: tuple[tuple[str, str, str], ...] = ()
    file_name: str | None = None  # an upload: found again by its file's name, not metadata


class Wait(Exception):
    """The message cannot go yet (its card is not posted); keep it pending."""


class Drop(Exception):
    """The message has nothing left to do (superseded, or the case is gone)."""


class Orphan(Exception):
    """The message belongs to a card whose post failed for good."""


def metadata_of(message: OutboxMessage) -> dict[str, Any]:
    """The metadata a post carries: how a look-up recognises it."""
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {"key": message.dedupe_key, "case_id": message.case_id or 0},
    }


def prepare(session: Session, message: OutboxMessage, views: CardViews) -> Call:
    """The call for `message` (raises Wait, Drop or Orphan when there is none to make now)."""
    kind = Kind(message.kind)
    metadata = metadata_of(message)
    if kind in {Kind.MESSAGE, Kind.DM}:
        payload = message.payload
        kwargs = {"channel": message.channel, "text": payload["text"], "metadata": metadata}
        for key in ("blocks", "attachments"):
            if payload.get(key):
                kwargs[key] = payload[key]
        if kind == Kind.DM:
            return Call("chat.postMessage", kwargs, None, dm_user=payload["user"])
        return Call("chat.postMessage", kwargs, Target(message.channel))
    if kind in {Kind.POST_BATCH, Kind.UPDATE_BATCH}:
        return _prepare_batch(session, message, metadata, views)
    if kind in {Kind.POST_LOOK_LIST, Kind.UPDATE_LOOK_LIST}:
        return _prepare_look_list(session, message, metadata, views)
    if kind == Kind.UPLOAD_FILE:
        payload = message.payload
        kwargs = {"channel": message.channel, "content": payload["content"],
                  "filename": payload["filename"], "title": payload["title"],
                  "alt_txt": payload["alt_text"], "initial_comment": payload["comment"]}
        return Call(UPLOAD, kwargs, Target(message.channel) if message.channel else None,
                    dm_user=payload.get("user"), file_name=payload["filename"])
    if kind == Kind.CASES_DM:
        return _prepare_cases_dm(session, message, metadata)
    if kind == Kind.USERGROUP_SYNC:
        if repo.later_pending(session, message=message):
            raise Drop("a newer sync of the same user group follows")
        payload = message.payload
        return Call("usergroups.users.update",
                    {"usergroup": payload["usergroup"], "users": ",".join(payload["users"])},
                    None)

    case_id = message.case_id
    assert case_id is not None
    case = repo.get_case(session, case_id=case_id)
    if case is None:
        raise Drop(f"case {case_id} no longer exists")

    if kind == Kind.RISK_NOTICE:
        kwargs = message_kwargs(views.risk_notice(case_id), channel=message.channel,
                                metadata=metadata)
        return Call("chat.postMessage", kwargs, Target(message.channel))
    if kind in {Kind.POST_CARD, Kind.POST_PX_CARD}:
        px = kind == Kind.POST_PX_CARD
        if (case.px_card_ts if px else case.card_ts) is not None:
            raise Drop("the card is already posted")
        rendered = (views.px_card if px else views.case_card)(case_id)
        kwargs = message_kwargs(rendered, channel=message.channel, metadata=metadata)
        thread_ts = None if px else _burst_thread(session, case.batch_id)
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        return Call("chat.postMessage", kwargs, Target(message.channel, thread_ts))

    px = kind == Kind.UPDATE_PX_CARD or bool(message.payload.get("px"))
    channel = case.px_card_channel if px else case.card_channel
    ts = case.px_card_ts if px else case.card_ts
    if ts is None:
        post_kind = Kind.POST_PX_CARD if px else Kind.POST_CARD
        if repo.has_pending(session, case_id=case_id, kind=post_kind):
            raise Wait("its card is not posted yet")
        raise Orphan("its card was never posted")
    assert channel is not None
    if kind in UPDATES:
        if repo.later_pending(session, message=message):
            raise Drop("a newer update of the same card follows")
        rendered = (views.px_card if px else views.case_card)(case_id)
        return Call("chat.update", message_kwargs(rendered, channel=channel, ts=ts), None)
    text = message.payload["text"]
    if kind == Kind.CASE_DM:
        return Call("chat.postMessage",
                    {"text": text, "metadata": metadata, "unfurl_links": False},
                    None, dm_user=message.payload["user"], permalink_of=(channel, ts))
    burst_thread = None if px else _burst_thread(session, case.batch_id)
    if burst_thread:
        # A card inside a burst's thread has no thread of its own: its history goes
        # into the burst's thread, named by case number.
        ts, text = burst_thread, str(line("burst_history", case_id=case_id, text=Markup(text)))
    rendered = thread_line(text, nudge=message.payload.get("nudge"))
    kwargs = {"channel": channel, "thread_ts": ts, "text": rendered.text,
              "metadata": metadata, "unfurl_links": False, "unfurl_media": False}
    if rendered.blocks:
        kwargs["blocks"] = rendered.blocks
    if message.payload.get("broadcast"):
        kwargs["reply_broadcast"] = True
    return Call("chat.postMessage", kwargs, Target(channel, ts))


def _prepare_cases_dm(session: Session, message: OutboxMessage, metadata: dict) -> Call:
    """A DM listing several cases: it waits for any of their cards still to be posted; a card
    that will never be (its post failed for good) or whose case is gone gets no link."""
    text = message.payload["text"]
    links = []
    for index, (case_id, px) in enumerate(message.payload["cards"]):
        placeholder = f"{{card:{index}}}"
        case = repo.get_case(session, case_id=case_id)
        channel = case and (case.px_card_channel if px else case.card_channel)
        ts = case and (case.px_card_ts if px else case.card_ts)
        if channel and ts:
            links.append((placeholder, channel, ts))
            continue
        if case is not None and repo.has_pending(
                session, case_id=case_id, kind=Kind.POST_PX_CARD if px else Kind.POST_CARD):
            raise Wait(f"the card of case {case_id} is not posted yet")
        text = text.replace(placeholder, "")
    return Call("chat.postMessage", {"text": text, "metadata": metadata, "unfurl_links": False},
                None, dm_user=message.payload["user"], permalinks=tuple(links))


def _burst_thread(session: Session, batch_id: int | None) -> str | None:
    """The ts of the burst summary a case's card belongs under (None when not in one)."""
    if batch_id is None:
        return None
    batch = repo.get_batch(session, batch_id=batch_id)
    if batch is None or batch.summary_ts is None:
        raise Wait("its burst summary is not posted yet")
    return batch.summary_ts


def _prepare_batch(session: Session, message: OutboxMessage, metadata: dict,
                   views: CardViews) -> Call:
    batch_id = message.payload["batch_id"]
    batch = repo.get_batch(session, batch_id=batch_id)
    if batch is None:
        raise Drop(f"burst {batch_id} no longer exists")
    return _post_or_update(session, message, metadata, post=message.kind == Kind.POST_BATCH,
                           channel=batch.channel, ts=batch.summary_ts,
                           render=lambda: views.batch_summary(batch_id))


def _prepare_look_list(session: Session, message: OutboxMessage, metadata: dict,
                       views: CardViews) -> Call:
    list_id = message.payload["list_id"]
    look_list = looks.get_list(session, list_id=list_id)
    if look_list is None:
        raise Drop(f"look list {list_id} no longer exists")
    return _post_or_update(session, message, metadata,
                           post=message.kind == Kind.POST_LOOK_LIST, channel=look_list.channel,
                           ts=look_list.ts, render=lambda: views.look_list(list_id))


def _post_or_update(session: Session, message: OutboxMessage, metadata: dict, *, post: bool,
                    channel: str, ts: str | None, render: Callable[[], Rendered]) -> Call:
    """A message posted once and then updated in place (a burst's summary, a day's "Needs a
    look"), rendered as it is when it goes out."""
    if post:
        if ts is not None:
            raise Drop("it is already posted")
        return Call("chat.postMessage",
                    message_kwargs(render(), channel=channel, metadata=metadata),
                    Target(channel))
    if ts is None:
        raise Wait("it is not posted yet")
    if repo.later_pending(session, message=message):
        raise Drop("a newer update of the same message follows")
    return Call("chat.update", message_kwargs(render(), channel=channel, ts=ts), None)


def message_kwargs(
    rendered: Rendered, *, channel: str | None, ts: str | None = None,
    metadata: dict | None = None,
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "channel": channel,
        "blocks": rendered.blocks,
        **rendered.kwargs(),
        "unfurl_links": False,
        "unfurl_media": False,
    }
    if ts:
        kwargs["ts"] = ts
        del kwargs["unfurl_links"], kwargs["unfurl_media"]
    if metadata:
        kwargs["metadata"] = metadata
    return kwargs
