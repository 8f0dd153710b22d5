"""The local workspace's side of the conversation with the app: what a person does on the page
becomes the request Slack would send (signed, shaped as Slack shapes it), and what the twin
holds becomes what that person would see.

Nothing here knows reviewdesk: the app is an address and a signing secret, the clock a small
protocol, and the people and channels come from whoever starts the workspace."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from twin.interactions import (
    FORM_CONTENT_TYPE,
    block_actions_payload,
    escape_command_text,
    form_body_for_payload,
    post_signed,
    slash_command_form,
    view_submission_payload,
)
from twin.names import TEAM_NAME
from twin.problems import add_problem_listener, remove_problem_listener
from twin.rules import view_submission_response_errors
from twin.webapi import SlackTwin
from twin.workspace.payloads import (
    action_for,
    app_home_opened_body,
    find_element,
    state_values,
    view_closed_payload,
    view_refused,
)
from twin.workspace.values import Channel, ClockControl, Person, WorkspaceError

ACK_TIMEOUT_SECONDS = 10.0
"""How long the workspace waits for the app's answer (Slack gives up after 3 s; a loaded test
machine is slower, and the page says how long the answer took)."""


FIRST_MESSAGES = 80
"""A channel opens on its newest messages, as in Slack; older ones come as the person scrolls."""
OLDER_MESSAGES = 100
PROBLEMS_KEPT = 20


def _is_ts(value: Any) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\d{1,12}\.\d{1,6}", value))


@dataclass
class Workspace:
    """One local workspace: a twin, the app it talks to, and the people who use it."""

    twin: SlackTwin
    signing_secret: str
    people: list[Person]
    channels: list[Channel]
    clock: ClockControl | None = None
    events_url: str = ""  # the app's /slack/events, set once its server listens
    command: str = "/reviewdesk"
    escape_command: bool = True  # the command's should_escape (manifest.yml: true)
    app_name: str = "reviewdesk"
    team_name: str = TEAM_NAME
    notes: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # what was loaded, said on the page
    post: Callable[..., tuple[int, dict[str, str], bytes]] = post_signed
    waiting: int = 0  # long-polls waiting now
    _closing: bool = False
    _released: int = 0
    _waiting_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # Messages are stamped with the app's clock (set later, when the app exists).
        self.twin.watch_changes(
            lambda: self.clock.now().timestamp() if self.clock is not None else time.time()
        )
        self.problems: list[dict[str, Any]] = []
        self._problem_count = 0
        add_problem_listener(self._heard_problems)

    def _heard_problems(self, twin: SlackTwin, method: str, problems: list[str]) -> None:
        """What Slack would have refused (or shown broken) is said on the page, not lost."""
        if twin is not self.twin:
            return
        self._problem_count += 1
        self.problems = [*self.problems, {"n": self._problem_count, "method": method,
                                          "problems": problems}][-PROBLEMS_KEPT:]
        self.twin.touch()

    # ---- reading -----------------------------------------------------------------------

    def person(self, user_id: Any) -> Person:
        found = next((p for p in self.people if p.id == user_id), None)
        if found is None:
            raise WorkspaceError("viewer", f"{user_id!r} is not one of this workspace's people")
        return found

    def _channel_ref(self, channel_id: Any, viewer: Person) -> str:
        if channel_id == self.dm_channel(viewer.id) or any(
            c.id == channel_id for c in self.channels
        ):
            return channel_id
        raise WorkspaceError("channel", f"{channel_id!r} is not a channel of this workspace")

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """The twin opens every direct message with a user as D<user id>."""
        return f"D{user_id}"

    def clock_state(self) -> dict[str, Any] | None:
        if self.clock is None:
            return None
        upcoming = self.clock.next_deadline()
        return {
            "now": self.clock.now().timestamp(),
            "ahead_by": self.clock.ahead_by(),
            "next": upcoming[0].timestamp() if upcoming else None,
            "next_what": upcoming[1] if upcoming else None,
            "moving": self.clock.moving(),
        }

    def directory(self) -> dict[str, Any]:
        """Who and what the page names: people, every user the twin knows, channels."""
        with self.twin._lock:
            users = {
                user_id: {"name": user["name"], "real_name": user["real_name"]}
                for user_id, user in self.twin.users.items()
            }
            twin_channels = {cid: c["name"] for cid, c in self.twin.channels.items()}
        users[self.twin.bot_user_id] = {"name": self.app_name, "real_name": self.app_name}
        return {
            "team": self.team_name,
            "app": {"name": self.app_name, "bot_user_id": self.twin.bot_user_id},
            "command": self.command,
            "people": [asdict(p) for p in self.people],
            "users": users,
            "channels": [asdict(c) for c in self.channels],
            "channel_names": twin_channels,
            "notes": self.notes,
            "samples": self.samples,
        }

    def state(self, viewer: Any, channel: Any = None, thread: Any = None,
              since: int | None = None, *, limit: int | None = FIRST_MESSAGES,
              before: str | None = None) -> dict[str, Any]:
        """What ``viewer`` sees now (the newest ``limit`` messages of ``channel``), or what
        changed after version ``since``."""
        person = self.person(viewer)
        channel_id = self._channel_ref(channel, person) if channel else None
        if before is not None and not _is_ts(before):
            raise WorkspaceError("before", "must be a message ts such as 1700000000.000100")
        snapshot = self.twin.workspace_snapshot(
            person.id, channel_id, thread if isinstance(thread, str) and thread else None,
            since, limit=limit, before=before,
        )
        snapshot["clock"] = self.clock_state()
        snapshot["problems"] = self.problems
        snapshot["dm_channel"] = self.dm_channel(person.id)
        if since is None:
            snapshot["directory"] = self.directory()
        return snapshot

    def history(self, viewer: Any, channel: Any, before: Any,
                limit: int = OLDER_MESSAGES) -> dict[str, Any]:
        """Older messages of ``channel``, for a person scrolling up."""
        person = self.person(viewer)
        channel_id = self._channel_ref(channel, person)
        if not _is_ts(before):
            raise WorkspaceError("before", "must be a message ts such as 1700000000.000100")
        snapshot = self.twin.workspace_snapshot(person.id, channel_id, limit=limit,
                                                before=before)
        return {"messages": snapshot.get("messages", []), "older": snapshot.get("older", 0)}

    def wait(self, since: int, timeout: float) -> int:
        """Wait for a change after version ``since`` (a long-poll); `release_waiters` or
        `close` ends every wait at once."""
        released = self._released
        with self._waiting_lock:
            self.waiting += 1
        try:
            return self.twin.wait_for_change(
                since, timeout, lambda: self._closing or self._released != released
            )
        finally:
            with self._waiting_lock:
                self.waiting -= 1

    def release_waiters(self) -> None:
        """Answer every waiting long-poll now: a page that was closed or navigated away
        leaves its poll waiting, and the next page must not wait for a free place."""
        self._released += 1
        self.twin.wake_waiters()

    def close(self) -> None:
        """Let every waiting long-poll answer now (the server is stopping)."""
        self._closing = True
        remove_problem_listener(self._heard_problems)
        self.twin.wake_waiters()

    # ---- sending what people do ------------------------------------------------------------

    def _send(self, body: str, content_type: str) -> tuple[int, bytes, float]:
        if not self.events_url:
            raise RuntimeError("the workspace does not know the app's address yet")
        started = time.monotonic()
        status, _headers, answer = self.post(self.events_url, self.signing_secret, body,
                                             content_type, timeout=ACK_TIMEOUT_SECONDS)
        return status, answer, time.monotonic() - started

    @staticmethod
    def _outcome(status: int, seconds: float) -> dict[str, Any]:
        result: dict[str, Any] = {"status": status, "seconds": round(seconds, 3)}
        if status != 200:
            result["error"] = (f"The app answered HTTP {status}; Slack would show "
                               "\u201cThis app responded with an error\u201d.")
        return result

    def _name_payload(self, payload: dict[str, Any], person: Person) -> dict[str, Any]:
        """Slack names the user and channel in a payload; the builders only know ids."""
        for key in ("user",):
            if isinstance(payload.get(key), dict):
                payload[key]["name"] = payload[key]["username"] = person.name.lower()
        channel = payload.get("channel")
        if isinstance(channel, dict):
            channel["name"] = self._channel_name(channel.get("id"))
        return payload

    def _channel_name(self, channel_id: Any) -> str:
        if isinstance(channel_id, str) and channel_id.startswith("D"):
            return "directmessage"
        known = next((c.name for c in self.channels if c.id == channel_id), None)
        return known or str(channel_id).lower()

    def act(self, viewer: Any, where: Any, block_id: Any, action_id: Any,
            option: Any = None, state: Any = None) -> dict[str, Any]:
        """A click on a button, a choice in a select or an overflow menu: ``where`` is
        {"kind": "message", "channel", "ts"}, {"kind": "ephemeral", "ts"},
        {"kind": "view", "view_id"} or {"kind": "home"}."""
        person = self.person(viewer)
        if not isinstance(where, dict):
            raise WorkspaceError("where", "must say where the element is")
        kind = where.get("kind")
        message: dict[str, Any] | None = None
        view: dict[str, Any] | None = None
        channel_id: str | None = None
        if kind == "message":
            channel_id = self._channel_ref(where.get("channel"), person)
            try:
                message = self.twin.message(channel_id, where.get("ts"))
            except AssertionError:
                raise WorkspaceError("where.ts", "no such message") from None
            blocks = message.get("blocks") or []
        elif kind == "ephemeral":
            message = self.twin.ephemeral(person.id, where.get("ts"))
            if message is None:
                raise WorkspaceError("where.ts", "no such ephemeral message for this person")
            channel_id = message["channel"]
            blocks = message.get("blocks") or []
        elif kind == "view":
            view = self.twin.open_view_for(person.id)
            if view is None or view["id"] != where.get("view_id"):
                raise WorkspaceError("where.view_id", "that modal is not open for this person")
            blocks = view.get("blocks") or []
        elif kind == "home":
            view = self.twin.home_view(person.id)
            if view is None:
                raise WorkspaceError("where", "this person has no App Home view")
            blocks = view.get("blocks") or []
        else:
            raise WorkspaceError("where.kind", "must be message, ephemeral, view or home")

        block, element = find_element(blocks, block_id, action_id)
        action = action_for(block, element, option)
        if view is not None:
            payload = block_actions_payload(
                user_id=person.id, action=action, channel_id=None, message=None,
                container_type="view", view=view, team_id=self.twin.team_id,
                state_values=state_values(state),
            )
        else:
            assert message is not None and channel_id is not None
            payload = block_actions_payload(
                user_id=person.id, action=action, channel_id=channel_id, message=message,
                is_ephemeral=kind == "ephemeral", team_id=self.twin.team_id,
                response_url=self.twin.response_url(user=person.id, channel=channel_id,
                                                    message=message,
                                                    ephemeral=kind == "ephemeral"),
            )
        status, _answer, seconds = self._send(
            form_body_for_payload(self._name_payload(payload, person)), FORM_CONTENT_TYPE
        )
        return self._outcome(status, seconds)

    def submit(self, viewer: Any, view_id: Any, values: Any) -> dict[str, Any]:
        """The person pressed the modal's submit button with its inputs holding ``values``
        (block_id -> action_id -> value, as Slack puts them in ``view.state.values``)."""
        person = self.person(viewer)
        view = self.twin.open_view_for(person.id)
        if view is None or view["id"] != view_id:
            raise WorkspaceError("view_id", "that modal is not open for this person")
        payload = view_submission_payload(user_id=person.id, view=view,
                                          values=state_values(values),
                                          team_id=self.twin.team_id)
        status, answer, seconds = self._send(
            form_body_for_payload(self._name_payload(payload, person)), FORM_CONTENT_TYPE
        )
        result = self._outcome(status, seconds)
        if status != 200:
            return {**result, "outcome": "failed"}
        try:
            response = json.loads(answer) if answer.strip() else {}
        except json.JSONDecodeError:
            return {**result, "outcome": "failed",
                    "error": "The app answered the submission with something other than JSON."}
        refused = view_submission_response_errors(view, response)
        if refused:  # Slack would show the person a generic error and keep the modal open
            self.twin.record_problems("view_submission", refused)
            return {**result, "outcome": "failed",
                    "error": "Slack would refuse the app's answer: " + "; ".join(refused)}
        action = response.get("response_action") if isinstance(response, dict) else None
        if action == "errors":
            return {**result, "outcome": "errors", "errors": response.get("errors") or {}}
        if action == "update":
            problems = self.twin.replace_view(view["id"], response.get("view"))
            return {**result, "outcome": "updated", **view_refused(problems)}
        if action == "push":
            problems = self.twin.push_view(person.id, response.get("view"))
            return {**result, "outcome": "pushed", **view_refused(problems)}
        self.twin.close_view(view["id"], whole_stack=action == "clear")
        return {**result, "outcome": "closed"}

    def close_modal(self, viewer: Any, view_id: Any) -> dict[str, Any]:
        """The person closed the modal; Slack tells the app only when it asked
        (``notify_on_close``)."""
        person = self.person(viewer)
        view = self.twin.open_view_for(person.id)
        if view is None or view["id"] != view_id:
            raise WorkspaceError("view_id", "that modal is not open for this person")
        self.twin.close_view(view["id"])
        if not view.get("notify_on_close"):
            return {"status": 200, "outcome": "closed"}
        payload = view_closed_payload(view, user_id=person.id, user_name=person.name.lower(),
                                      team_id=self.twin.team_id)
        status, _answer, seconds = self._send(form_body_for_payload(payload), FORM_CONTENT_TYPE)
        return {**self._outcome(status, seconds), "outcome": "closed"}

    def run_command(self, viewer: Any, channel: Any, text: Any) -> dict[str, Any]:
        """A slash command typed in the composer. Anything else is not sent: the app only
        hears commands (and people's messages would go nowhere)."""
        person = self.person(viewer)
        channel_id = self._channel_ref(channel, person)
        if not isinstance(text, str) or not text.strip():
            raise WorkspaceError("text", "type a command such as /reviewdesk help")
        command, _, rest = text.strip().partition(" ")
        if not command.startswith("/"):
            return {"status": 0, "error": f"Only slash commands reach {self.app_name} here: "
                                          f"try {self.command} help."}
        if command != self.command:
            return {"status": 0, "error": f"{command} is not a valid command. "
                                          f"This workspace's app answers {self.command}."}
        if channel_id.startswith("D"):
            self.twin.open_dm(person.id)
        form = slash_command_form(command=command, text=self._escaped(rest.strip()),
                                  user_id=person.id, channel_id=channel_id,
                                  team_id=self.twin.team_id)
        form["user_name"] = person.name.lower()
        form["channel_name"] = self._channel_name(channel_id)
        status, answer, seconds = self._send(urlencode(form), FORM_CONTENT_TYPE)
        result = self._outcome(status, seconds)
        if status == 200 and answer.strip():
            # An ack with a message: Slack shows it to the person who typed the command.
            try:
                response = json.loads(answer)
            except json.JSONDecodeError:
                response = {"text": answer.decode("utf-8", "replace")}
            if isinstance(response, dict) and (response.get("text") or response.get("blocks")):
                refused = self.twin.show_ephemeral(channel_id, person.id, response.get("text"),
                                                   response.get("blocks"))
                if refused:
                    result["error"] = f"Slack would refuse the command's answer: {refused}."
        return result

    def _escaped(self, text: str) -> str:
        """The command's text as Slack sends it: with should_escape, what the message box
        recognised (people by name, channels, user groups, links) as Slack's tokens."""
        if not self.escape_command:
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        ours = {person.id for person in self.people}  # before the twin's stock users
        with self.twin._lock:
            users = sorted((dict(user) for user in self.twin.users.values()),
                           key=lambda user: user["id"] not in ours)
            channels = [dict(channel) for channel in self.twin.channels.values()]
            groups = [dict(group) for group in self.twin.usergroups.values()]
        return escape_command_text(text, users=users, channels=channels, usergroups=groups)

    def open_app(self, viewer: Any, tab: Any) -> dict[str, Any]:
        """The person opened the app's Home or Messages tab: Slack sends app_home_opened."""
        person = self.person(viewer)
        if tab not in ("home", "messages"):
            raise WorkspaceError("tab", "must be home or messages")
        channel = self.twin.open_dm(person.id)
        body = app_home_opened_body(user_id=person.id, channel=channel, tab=tab,
                                    home=self.twin.home_view(person.id),
                                    team_id=self.twin.team_id, bot_user_id=self.twin.bot_user_id)
        status, _answer, seconds = self._send(json.dumps(body), "application/json")
        # An app without a listener for the event answers 404; Slack shows nothing for that.
        return {"status": status, "seconds": round(seconds, 3), "dm_channel": channel}

    def dismiss(self, viewer: Any, message_ts: Any) -> dict[str, Any]:
        person = self.person(viewer)
        self.twin.dismiss_ephemeral(person.id, str(message_ts))
        return {"status": 200}

    def move_clock(self, step: Any) -> dict[str, Any]:
        if self.clock is None:
            raise WorkspaceError("step", "this workspace's clock cannot be moved")
        if step not in ("1h", "1d", "next"):
            raise WorkspaceError("step", "must be 1h, 1d or next")
        self.clock.advance(step)
        self.twin.touch()
        return {"status": 200, "clock": self.clock_state()}
