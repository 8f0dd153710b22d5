"""Writing to the outbox: called inside the transaction that makes the change, so the message
and the change commit together or not at all."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sqlmodel import Session

from bot.clock import Clock
from bot.outbox.kinds import Kind, Rendered, case_key, dm_key, usergroup_key
from storage import repository as repo
from storage.models import OutboxMessage


class OutboxWriter:
    """What code that makes messages sees of the outbox: rows added inside its transaction, and
    `wake` after the commit. The delivery loop (bot/delivery/) is one and sends them."""

    clock: Clock

    def wake(self) -> None:
        """The rows are committed: the delivery loop overrides this to send them now."""

    def _add(
        self,
        session: Session,
        kind: Kind,
        *,
        case_id: int | None = None,
        channel: str | None = None,
        payload: dict[str, Any] | None = None,
        ordering_key: str | None = None,
    ) -> OutboxMessage:
        now = self.clock.now()
        message = OutboxMessage(
            dedupe_key=uuid.uuid4().hex,
            case_id=case_id,
            ordering_key=ordering_key or (case_key(case_id) if case_id else "misc"),
            kind=kind,
            channel=channel,
            payload=payload or {},
            next_attempt_at=now,
            created_at=now,
        )
        session.add(message)
        return message

    def _add_many(self, session: Session, kind: Kind, *, case_ids: list[int],
                  channel: str) -> None:
        """One message of `kind` for each case, written in one statement."""
        now = self.clock.now()
        repo.insert_many(session, OutboxMessage, [
            {"dedupe_key": uuid.uuid4().hex, "case_id": case_id, "ordering_key": case_key(case_id),
             "kind": kind, "channel": channel, "payload": {}, "status": "pending", "attempts": 0,
             "uncertain": False, "next_attempt_at": now, "created_at": now}
            for case_id in case_ids
        ])

    def post_cards(self, session: Session, *, case_ids: list[int], channel: str) -> None:
        self._add_many(session, Kind.POST_CARD, case_ids=case_ids, channel=channel)

    def risk_notices(self, session: Session, *, case_ids: list[int], channel: str) -> None:
        self._add_many(session, Kind.RISK_NOTICE, case_ids=case_ids, channel=channel)

    def post_card(self, session: Session, *, case_id: int, channel: str) -> None:
        self._add(session, Kind.POST_CARD, case_id=case_id, channel=channel)

    def update_card(self, session: Session, *, case_id: int) -> None:
        self._add(session, Kind.UPDATE_CARD, case_id=case_id)

    def post_px_card(self, session: Session, *, case_id: int, channel: str) -> None:
        self._add(session, Kind.POST_PX_CARD, case_id=case_id, channel=channel)

    def risk_notice(self, session: Session, *, case_id: int, channel: str) -> None:
        self._add(session, Kind.RISK_NOTICE, case_id=case_id, channel=channel)

    def update_px_card(self, session: Session, *, case_id: int) -> None:
        self._add(session, Kind.UPDATE_PX_CARD, case_id=case_id)

    def thread_reply(self, session: Session, *, case_id: int, text: str, px: bool = False,
                     nudge: str | None = None, broadcast: bool = False) -> None:
        """A line in the card's thread; `nudge` ("<case id>:<window kind>") adds a reminder's
        Snooze and I'm on it buttons; `broadcast` shows it in the channel too."""
        self._add(session, Kind.THREAD_REPLY, case_id=case_id,
                  payload={"text": text, "px": px, "nudge": nudge, "broadcast": broadcast})

    def case_dm(self, session: Session, *, case_id: int, user: str, text: str,
                px: bool = False) -> None:
        """A direct message to `user`; "{permalink}" in `text` becomes the card's link."""
        self._add(session, Kind.CASE_DM, case_id=case_id,
                  payload={"text": text, "user": user, "px": px})

    def cases_dm(self, session: Session, *, user: str, text: str,
                 cards: list[tuple[int, bool]]) -> None:
        """A direct message to `user` about several cases: "{card:N}" in `text` becomes the
        link to the card of cards[N], a (case id, PX card?) pair."""
        self._add(session, Kind.CASES_DM, ordering_key=dm_key(user),
                  payload={"text": text, "user": user, "cards": [list(c) for c in cards]})

    def post_batch(self, session: Session, *, batch_id: int) -> None:
        self._add(session, Kind.POST_BATCH, payload={"batch_id": batch_id},
                  ordering_key=f"batch:{batch_id}")

    def post_look_list(self, session: Session, *, list_id: int) -> None:
        self._add(session, Kind.POST_LOOK_LIST, payload={"list_id": list_id},
                  ordering_key=f"look:{list_id}")

    def update_look_list(self, session: Session, *, list_id: int) -> None:
        self._add(session, Kind.UPDATE_LOOK_LIST, payload={"list_id": list_id},
                  ordering_key=f"look:{list_id}")

    def update_batch(self, session: Session, *, batch_id: int) -> None:
        self._add(session, Kind.UPDATE_BATCH, payload={"batch_id": batch_id},
                  ordering_key=f"batch:{batch_id}")

    def dm(self, session: Session, *, user: str, rendered: Rendered,
           ordering_key: str = "misc") -> None:
        """A direct message to `user` (the DM is opened when it is sent)."""
        self._add(session, Kind.DM, payload={**rendered.kwargs(), "user": user},
                  ordering_key=ordering_key)

    def usergroup_sync(self, session: Session, *, usergroup: str, users: list[str]) -> None:
        """Make `users` the members of the Slack user group `usergroup`; a newer sync of the
        same group supersedes this one while it waits."""
        self._add(session, Kind.USERGROUP_SYNC, payload={"usergroup": usergroup, "users": users},
                  ordering_key=usergroup_key(usergroup))

    def requested_usergroup(self, session: Session, *, usergroup: str) -> list[str] | None:
        """The members last asked for the user group (sent, waiting or refused), if any."""
        row = repo.latest_outbox(session, ordering_key=usergroup_key(usergroup),
                                 kind=Kind.USERGROUP_SYNC)
        return None if row is None else list(row.payload["users"])

    def upload_file(
        self, session: Session, *, content: bytes, filename: str, title: str, alt_text: str,
        comment: str, channel: str | None = None, user: str | None = None,
        ordering_key: str = "misc",
    ) -> None:
        """Share a file in `channel`, or in the DM with `user`, with `comment` above it. The
        file's name should be unique in its channel: after a cut-off upload, the channel is
        searched for it before uploading again."""
        self._add(session, Kind.UPLOAD_FILE, channel=channel, ordering_key=ordering_key,
                  payload={"content": base64.b64encode(content).decode("ascii"),
                           "filename": filename, "title": title, "alt_text": alt_text,
                           "comment": comment, "user": user})

    def message(self, session: Session, *, channel: str, rendered: Rendered,
                ordering_key: str = "misc") -> None:
        self._add(session, Kind.MESSAGE, channel=channel, payload=rendered.kwargs(),
                  ordering_key=ordering_key)
