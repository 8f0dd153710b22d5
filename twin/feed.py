"""What the local workspace (`twin.workspace`) reads from the twin and does through it: a
change counter the page long-polls, a person's snapshot of the workspace, and keeping it across
restarts."""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from twin.methods.base import MethodBase, is_top_level
from twin.methods.views import new_trigger_id, public_view
from twin.protocol import ApiError, truthy


class WorkspaceFeed(MethodBase):
    """The local workspace's side of the twin (see the module docstring)."""

    # ---- the local workspace (twin.workspace reads and drives the twin through these) ------
    #
    # The browser page long-polls a change counter rather than asking over and over: every
    # method that changes what a person would see bumps it. `watch_changes` sets this up, so
    # the tests' twins carry none of it.

    def watch_changes(self, clock: Callable[[], float] | None = None) -> None:
        """Count changes from now on (calling it again changes nothing). ``clock`` gives the
        epoch seconds stamped on each new message as its time (the bot's clock in the local
        workspace: the twin's ts values are a counter, not a time)."""
        with self._lock:
            if getattr(self, "_feed", None) is not None:
                return
            self._feed = _Feed(threading.Condition(self._lock), clock or time.time)
            for name in _WATCHED_METHODS:
                self._methods[name] = self._watched(name, self._methods[name])

    def _watched(
        self, name: str, implementation: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def run(params: dict[str, Any]) -> dict[str, Any]:
            answer = implementation(params)  # an ApiError changed nothing: nothing to count
            self._record_change(name, answer, params)
            return answer

        return run

    def _record_change(self, name: str, answer: dict[str, Any],
                       params: dict[str, Any]) -> None:
        feed = self._feed
        feed.version += 1
        if name in ("chat.postMessage", "chat.update", "chat.delete"):
            channel, ts = answer["channel"], answer["ts"]
            feed.message_versions[(channel, ts)] = feed.version
            feed.channel_versions[channel] = feed.version
            if name == "chat.postMessage":
                feed.posted_at[ts] = feed.clock()
                parent = answer["message"].get("thread_ts")
                if parent and parent != ts:  # the parent's reply count changed too
                    feed.message_versions[(channel, parent)] = feed.version
                    if truthy(params.get("reply_broadcast")):  # shown in the channel too
                        feed.broadcasts.add((channel, ts))
        elif name == "chat.postEphemeral":
            feed.posted_at[answer["message_ts"]] = feed.clock()
        elif name == "files.completeUploadExternal":  # the file_share messages it posted
            ids = {f["id"] for f in answer.get("files") or []}
            for channel, messages in self._messages.items():
                for message in messages:
                    if {f["id"] for f in message.get("files") or []} & ids and \
                            message["ts"] not in feed.posted_at:
                        feed.message_versions[(channel, message["ts"])] = feed.version
                        feed.channel_versions[channel] = feed.version
                        feed.posted_at[message["ts"]] = feed.clock()
        feed.condition.notify_all()

    def touch(self) -> int:
        """Count a change the workspace made itself (a modal closed, the clock moved)."""
        with self._lock:
            self._feed.version += 1
            self._feed.condition.notify_all()
            return self._feed.version

    @property
    def version(self) -> int:
        """The change counter (0 until `watch_changes`)."""
        feed = getattr(self, "_feed", None)
        return feed.version if feed is not None else 0

    def wait_for_change(self, since: int, timeout: float,
                        give_up: Callable[[], bool] = lambda: False) -> int:
        """Block until the counter passes ``since``, ``give_up()`` says so (checked whenever
        `wake_waiters` is called) or ``timeout`` seconds pass; return the counter."""
        with self._lock:
            self._feed.condition.wait_for(
                lambda: self._feed.version > since or give_up(), timeout
            )
            return self._feed.version

    def wake_waiters(self) -> None:
        """Make every `wait_for_change` look at its ``give_up`` again."""
        with self._lock:
            self._feed.condition.notify_all()

    def _for_page(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as the page shows it: no metadata, with the time it was posted."""
        shown = {
            key: copy.deepcopy(message[key])
            for key in ("ts", "thread_ts", "reply_count", "text", "blocks", "attachments",
                        "files", "user", "bot_id")
            if key in message
        }
        shown["edited"] = "edited" in message
        shown["posted_at"] = self._feed.posted_at.get(message["ts"])
        return shown

    def workspace_snapshot(
        self,
        viewer: str,
        channel: str | None = None,
        thread_ts: str | None = None,
        since: int | None = None,
        *,
        limit: int | None = None,
        before: str | None = None,
    ) -> dict[str, Any]:
        """What ``viewer`` sees: the top-level messages of ``channel`` (only those changed
        after version ``since`` when given, and the ts of those deleted; else the newest
        ``limit`` of those before ``before``, and how many older ones there are), the thread
        under ``thread_ts``, the viewer's ephemerals, open modal and App Home, and per channel
        its message count and the version of its last change."""
        with self._lock:
            feed = self._feed
            result: dict[str, Any] = {"version": feed.version}
            if channel is not None and channel in self._messages:
                top = [m for m in self._messages[channel]
                       if is_top_level(m) or (channel, m["ts"]) in feed.broadcasts]
                if since is None:
                    if before is not None:
                        top = [m for m in top if Decimal(m["ts"]) < Decimal(before)]
                    older = max(len(top) - limit, 0) if limit is not None else 0
                    top = top[older:]
                    result["older"] = older
                if since is not None:
                    top = [m for m in top
                           if feed.message_versions.get((channel, m["ts"]), 0) > since]
                    present = {m["ts"] for m in self._messages[channel]}
                    result["removed"] = [
                        ts for (where, ts), changed in feed.message_versions.items()
                        if where == channel and changed > since and ts not in present
                    ]
                result["messages"] = [
                    # a thread reply among them is one shown in the channel too
                    {**self._for_page(m), "broadcast": True} if not is_top_level(m)
                    else self._for_page(m)
                    for m in top
                ]
            if channel is not None and thread_ts is not None:
                parent = self._find_message(channel, thread_ts)
                result["thread"] = None if parent is None else {
                    "channel": channel,
                    "parent": self._for_page(parent),
                    "replies": [
                        self._for_page(m) for m in self._messages[channel]
                        if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts
                    ],
                }
            result["ephemerals"] = [
                {**copy.deepcopy(e), "posted_at": feed.posted_at.get(e["message_ts"])}
                for e in self._ephemerals
                if e["user"] == viewer and e["message_ts"] not in feed.dismissed
            ]
            result["modal"] = self.open_view_for(viewer)
            home = self._home_views.get(viewer)
            result["home"] = copy.deepcopy(home) if home else None
            result["channels"] = {
                channel_id: {
                    "messages": sum(1 for m in messages if is_top_level(m)),
                    "version": feed.channel_versions.get(channel_id, 0),
                }
                for channel_id, messages in self._messages.items()
            }
            return result

    def open_view_for(self, user: str) -> dict[str, Any] | None:
        """The modal on top of ``user``'s screen: the newest of theirs not closed."""
        with self._lock:
            closed = self._feed.closed_views
            for view in reversed(self._views.values()):
                if view["user"] == user and view["id"] not in closed:
                    return public_view(view)
            return None

    def close_view(self, view_id: str, *, whole_stack: bool = False) -> None:
        """The person closed a modal (or a submission closed it); ``whole_stack`` closes
        every view pushed on the same root, as ``response_action: clear`` does."""
        with self._lock:
            view = self._views.get(view_id)
            if view is None:
                return
            closing = {view_id}
            if whole_stack:
                closing |= {v["id"] for v in self._views.values()
                            if v["root_view_id"] == view["root_view_id"]}
            self._feed.closed_views |= closing
            self.touch()

    def replace_view(self, view_id: str, view: dict[str, Any]) -> list[str]:
        """``response_action: update``: the modal shows ``view`` instead. Returns Slack's
        error messages when the view would be rejected (the modal then stays as it was)."""
        return self._view_refusal("views.update", {"view_id": view_id, "view": view})

    def push_view(self, user: str, view: dict[str, Any]) -> list[str]:
        """``response_action: push``: ``view`` goes on top of ``user``'s modal."""
        return self._view_refusal("views.push", {"trigger_id": new_trigger_id(user), "view": view})

    def _view_refusal(self, method: str, params: dict[str, Any]) -> list[str]:
        """Run a views.* method; return Slack's error messages if it refused (else none)."""
        with self._lock:
            try:
                self._methods[method](params)
            except ApiError as error:
                return list(error.body.get("response_metadata", {}).get("messages", [])) or [
                    error.body["error"]
                ]
            return []

    def show_ephemeral(self, channel: str, user: str, text: str | None,
                       blocks: Any = None) -> str | None:
        """An answer the app gave in its HTTP response (a slash command's ack with text), which
        Slack shows only to ``user``; returns Slack's error, if it would refuse it."""
        params: dict[str, Any] = {"channel": channel, "user": user, "text": text or ""}
        if blocks is not None:
            params["blocks"] = blocks
        with self._lock:
            try:
                self._methods["chat.postEphemeral"](params)
            except ApiError as error:
                return str(error.body["error"])
            return None

    def dismiss_ephemeral(self, user: str, message_ts: str) -> None:
        with self._lock:
            if any(e["user"] == user and e["message_ts"] == message_ts for e in self._ephemerals):
                self._feed.dismissed.add(message_ts)
                self.touch()

    def open_dm(self, user: str) -> str:
        """The direct-message channel between ``user`` and the app (opened if need be)."""
        with self._lock:
            return self._methods["conversations.open"]({"users": user})["channel"]["id"]

    def ephemeral(self, user: str, message_ts: str) -> dict[str, Any] | None:
        with self._lock:
            found = next((e for e in self._ephemerals
                          if e["user"] == user and e["message_ts"] == message_ts), None)
            return copy.deepcopy(found)

    # ---- keeping the local workspace across restarts -----------------------------------------

    def export_workspace(self) -> dict[str, Any]:
        """The workspace's lasting state (channels, people, messages, App Home views, message
        times) as JSON-ready data; modals and ephemerals are not kept, as in Slack."""
        with self._lock:
            feed = getattr(self, "_feed", None)
            return copy.deepcopy({
                "channels": self.channels,
                "users": self.users,
                "messages": self._messages,
                "home_views": self._home_views,
                "posted_at": feed.posted_at if feed else {},
                "broadcasts": sorted(feed.broadcasts) if feed else [],
            })

    def import_workspace(self, data: dict[str, Any]) -> None:
        """Restore what `export_workspace` gave; new ts and view ids continue after it."""
        with self._lock:
            self.channels.update(copy.deepcopy(data.get("channels") or {}))
            self.users.update(copy.deepcopy(data.get("users") or {}))
            for channel_id, messages in (data.get("messages") or {}).items():
                self._messages[channel_id] = copy.deepcopy(messages)
            self._home_views.update(copy.deepcopy(data.get("home_views") or {}))
            feed = getattr(self, "_feed", None)
            if feed is not None:
                feed.posted_at.update(data.get("posted_at") or {})
                feed.broadcasts |= {(c, ts) for c, ts in data.get("broadcasts") or []}
                feed.version += 1
            stamps = [int(Decimal(m["ts"]) * 1_000_000)
                      for messages in self._messages.values() for m in messages]
            self._last_ts_micros = max([self._last_ts_micros, *stamps])
            view_numbers = [int(v["id"][1:]) for v in self._home_views.values()
                            if str(v.get("id", ""))[1:].isdigit()]
            self._view_counter = itertools.count(max(view_numbers, default=0) + 1)


_WATCHED_METHODS = (
    "chat.postMessage", "chat.update", "chat.delete", "chat.postEphemeral",
    "conversations.open", "conversations.join",
    "views.open", "views.push", "views.update", "views.publish",
    "files.completeUploadExternal",
)


@dataclass
class _Feed:
    """The local workspace's bookkeeping in a `SlackTwin` (see `SlackTwin.watch_changes`)."""

    condition: threading.Condition
    clock: Callable[[], float]
    version: int = 0
    message_versions: dict[tuple[str, str], int] = field(default_factory=dict)
    channel_versions: dict[str, int] = field(default_factory=dict)
    posted_at: dict[str, float] = field(default_factory=dict)
    closed_views: set[str] = field(default_factory=set)
    dismissed: set[str] = field(default_factory=set)
    broadcasts: set[tuple[str, str]] = field(default_factory=set)  # (channel, ts)
