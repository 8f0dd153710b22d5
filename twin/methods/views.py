"""views.*: modals opened, pushed and updated by trigger_id (and a view_submission's answer),
and App Home views published, through Slack's view rules."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from twin import rules
from twin.methods.base import MethodBase, stamp_block_ids
from twin.names import APP_ID, BOT_ID
from twin.protocol import ApiError

TRIGGER_TTL_SECONDS = 3.0
"""How long Slack honours a trigger_id (only enforced with ``expire_trigger_ids=True``)."""


def new_trigger_id(user_id: str, *, issued_at: float | None = None) -> str:
    """Mint a trigger_id for an interaction by ``user_id``, as Slack puts in payloads.

    The format is ``"<issued ms>.<user id>.<hex>"``: `SlackTwin` reads the user back from it
    (so an opened view knows whose it is) and, with ``expire_trigger_ids=True``, its age.
    ``issued_at`` (epoch seconds) lets a test mint an already expired trigger.
    """
    issued = time.time() if issued_at is None else issued_at
    return f"{int(issued * 1000)}.{user_id}.{secrets.token_hex(8)}"


def parse_trigger_id(trigger_id: str) -> tuple[float | None, str | None]:
    """Return (issued at, user id) of a trigger minted by `new_trigger_id`, else (None, None)."""
    parts = trigger_id.split(".")
    if len(parts) == 3 and parts[0].isdigit():
        return int(parts[0]) / 1000, parts[1]
    return None, None


def public_view(view: dict[str, Any]) -> dict[str, Any]:
    """A stored view as the API returns it (without the fake's own bookkeeping)."""
    return {k: copy.deepcopy(v) for k, v in view.items() if k not in ("trigger_id", "user")}


class ViewMethods(MethodBase):
    """views.open, views.push, views.update, views.publish, and a view_submission's answer."""

    def _checked_view(self, params: dict[str, Any], surface: str) -> dict[str, Any]:
        """Apply Slack's view rules (`twin.rules.check_view`): raise ``invalid_arguments``
        with Slack's reasons, or return a copy of the view; problems are recorded."""
        outcome = rules.check_view(params.get("view"), "home" if surface == "home" else "modal")
        self._record(outcome.problems())
        if outcome.error:
            raise ApiError.rejected(outcome)
        view = copy.deepcopy(params["view"])
        stamp_block_ids(view.get("blocks"))
        return view

    def _usable_trigger(self, params: dict[str, Any]) -> tuple[str, str | None]:
        """Check the request's trigger_id; return it and the user it belongs to (if known)."""
        trigger_id = params.get("trigger_id") or params.get("interactivity_pointer")
        if not trigger_id or trigger_id in self._used_trigger_ids:
            raise ApiError("invalid_trigger_id")
        issued_at, user_id = parse_trigger_id(trigger_id)
        if (
            self.expire_trigger_ids
            and issued_at is not None
            and time.time() - issued_at > TRIGGER_TTL_SECONDS
        ):
            raise ApiError("expired_trigger_id")
        return trigger_id, user_id

    def _view_record(self, view_id: str, surface: str, view: dict[str, Any]) -> dict[str, Any]:
        """What every stored view has, modal or Home tab: its ids, blocks, metadata, an empty
        state and a fresh hash."""
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": surface,
            "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._next_hash(),
        }

    def _store_modal(
        self, params: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        trigger_id, user_id = self._usable_trigger(params)
        view = self._checked_view(params, "modal")
        self._used_trigger_ids.add(trigger_id)  # spent only by a call that succeeds
        view_id = f"V{next(self._view_counter):08d}"
        stored = {
            **self._view_record(view_id, "modal", view),
            "title": view["title"],
            "submit": view.get("submit"),
            "close": view.get("close"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": previous["root_view_id"] if previous else view_id,
            "previous_view_id": previous["id"] if previous else None,
            "app_id": APP_ID,
            "app_installed_team_id": self.team_id,
            "bot_id": BOT_ID,
            "trigger_id": trigger_id,
            "user": user_id,
        }
        self._views[view_id] = stored
        return {"ok": True, "view": public_view(stored)}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._store_modal(params)

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        """Push onto the stack of the user's latest modal (the trigger says whose it is)."""
        _, user_id = parse_trigger_id(str(params.get("trigger_id") or ""))
        previous = next(
            (v for v in reversed(self._views.values()) if user_id and v["user"] == user_id),
            None,
        )
        return self._store_modal(params, previous)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("view_id"):
            stored = self._views.get(params["view_id"])
        else:
            external_id = params.get("external_id")
            stored = next(
                (
                    v
                    for v in self._views.values()
                    if external_id and v["external_id"] == external_id
                ),
                None,
            )
        if stored is None:
            raise ApiError("not_found")
        if params.get("hash") and params["hash"] != stored["hash"]:
            raise ApiError("hash_conflict")
        view = self._checked_view(params, "modal")
        stored.update(
            blocks=view["blocks"],
            title=view["title"],
            submit=view.get("submit"),
            close=view.get("close"),
            private_metadata=view.get("private_metadata", ""),
            callback_id=view.get("callback_id", ""),
            external_id=view.get("external_id", stored["external_id"]),
            state={"values": {}},
            hash=self._next_hash(),
        )
        return {"ok": True, "view": public_view(stored)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if user_id not in self.users:
            raise ApiError("user_not_found")
        current = self._home_views.get(user_id)
        if current is not None and params.get("hash") and params["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._checked_view(params, "home")
        home = {
            **self._view_record(current["id"] if current else f"V{next(self._view_counter):08d}",
                                "home", view),
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        }
        self._home_views[user_id] = home
        return {"ok": True, "view": copy.deepcopy(home)}

    def answer_submission(self, view_id: str, answer: Any, *, seen_hash: str | None) -> None:
        """What Slack does with an app's ``view_submission`` ack: ``response_action: update``
        replaces the modal (keeping its id; a new hash), ``clear`` closes the stack. An
        acknowledgement is applied before anything the app sends after it, so it is skipped
        when the modal has changed since ``seen_hash`` (the app's own views.update came
        first)."""
        if not isinstance(answer, dict):
            return
        action = answer.get("response_action")
        with self._lock:
            stored = self._views.get(view_id)
            if stored is None or (seen_hash is not None and stored["hash"] != seen_hash):
                return
            if action == "update" and isinstance(answer.get("view"), dict):
                if rules.check_view(answer["view"], "modal").error:
                    return  # the driver records why; Slack would keep the old view
                view = copy.deepcopy(answer["view"])
                stamp_block_ids(view.get("blocks"))
                stored.update(
                    blocks=view["blocks"], title=view["title"], submit=view.get("submit"),
                    close=view.get("close"),
                    private_metadata=view.get("private_metadata", ""),
                    callback_id=view.get("callback_id", ""), state={"values": {}},
                    hash=self._next_hash(),
                )
