"""users.* and usergroups.*: the workspace's people and user groups, set up and looked up."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from twin.methods.base import MethodBase
from twin.protocol import ApiError, truthy


class PeopleMethods(MethodBase):
    """People and user groups set up, users.info and usergroups.list, .users.list,
    .users.update."""

    def add_user(
        self, user_id: str, name: str, real_name: str | None = None, tz: str = "America/Chicago"
    ) -> dict[str, Any]:
        """Create (or replace) a user; ``tz_offset``/``tz_label`` are derived from ``tz`` now."""
        local_now = datetime.now(UTC).astimezone(ZoneInfo(tz))
        offset = local_now.utcoffset()
        user = {
            "id": user_id,
            "name": name,
            "real_name": real_name or name.title(),
            "tz": tz,
            "tz_label": local_now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def add_usergroup(
        self, usergroup_id: str, handle: str, users: Iterable[str] = (), *,
        name: str | None = None, editable: bool = True, disabled: bool = False,
    ) -> dict[str, Any]:
        """Create (or replace) a user group (Slack calls it a subteam; ids start with S).
        ``editable=False`` is a workspace whose settings keep the bot from changing its
        members (``usergroups.users.update`` answers ``permission_denied``)."""
        group = {
            "id": usergroup_id,
            "team_id": self.team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": name or handle.replace("-", " ").title(),
            "description": "",
            "handle": handle,
            "is_external": False,
            "date_create": 1_700_000_000,
            "date_update": 1_700_000_000,
            "date_delete": 1_700_000_500 if disabled else 0,
            "auto_type": None,
            "created_by": "USLACKBOT",
            "updated_by": "USLACKBOT",
            "deleted_by": None,
            "prefs": {"channels": [], "groups": []},
            "users": list(users),
            "editable": editable,
        }
        with self._lock:
            self.usergroups[usergroup_id] = group
        return group

    def usergroup_members(self, usergroup_id: str) -> list[str]:
        """The user group's members as they are now."""
        with self._lock:
            return list(self.usergroups[usergroup_id]["users"])

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user"))
        if user is None:
            raise ApiError("user_not_found")
        return {
            "ok": True,
            "user": {
                **user,
                "team_id": self.team_id,
                "deleted": False,
                "is_bot": False,
                "is_admin": False,
                "profile": {
                    "real_name": user["real_name"],
                    "real_name_normalized": user["real_name"],
                    "display_name": user["name"],
                    "display_name_normalized": user["name"],
                    "team": self.team_id,
                },
            },
        }

    # ---- usergroups.* ---------------------------------------------------------------------
    # Shapes and errors as docs.slack.dev/reference/methods/usergroups.list,
    # usergroups.users.list and usergroups.users.update give them (a group is a "subteam").

    def _usergroup(self, params: dict[str, Any], missing: str = "invalid_arguments"
                   ) -> dict[str, Any]:
        if not params.get("usergroup"):
            raise ApiError(missing)
        group = self.usergroups.get(params["usergroup"])
        if group is None:
            raise ApiError("no_such_subteam")
        return group

    @staticmethod
    def _public_usergroup(group: dict[str, Any], *, users: bool, count: bool) -> dict[str, Any]:
        shown = {k: copy.deepcopy(v) for k, v in group.items() if k not in ("users", "editable")}
        if users:
            shown["users"] = list(group["users"])
        if count:
            shown["user_count"] = len(group["users"])
        return shown

    def _usergroups_list(self, params: dict[str, Any]) -> dict[str, Any]:
        groups = [g for g in self.usergroups.values()
                  if truthy(params.get("include_disabled")) or not g["date_delete"]]
        return {"ok": True, "usergroups": [
            self._public_usergroup(g, users=truthy(params.get("include_users")),
                                   count=truthy(params.get("include_count")))
            for g in groups
        ]}

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = self._usergroup(params)
        if group["date_delete"] and not truthy(params.get("include_disabled")):
            raise ApiError("no_such_subteam")
        return {"ok": True, "users": list(group["users"])}

    def _usergroups_users_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """Replace the group's members. Slack cannot empty a group (``no_users_provided``),
        refuses ids it does not know (``invalid_users``) and, when the workspace keeps apps
        from managing user groups, answers ``permission_denied``."""
        group = self._usergroup(params, missing="missing_argument")
        raw = params.get("users")
        users = raw if isinstance(raw, list) else str(raw or "").split(",")
        users = [str(user).strip() for user in users if str(user).strip()]
        if not users:
            raise ApiError("no_users_provided")
        if any(user not in self.users for user in users):
            raise ApiError("invalid_users")
        if not group["editable"]:
            raise ApiError("permission_denied")
        group["users"] = list(dict.fromkeys(users))
        group["date_update"] = int(time.time())
        group["updated_by"] = self.bot_user_id
        return {"ok": True, "usergroup": self._public_usergroup(
            group, users=True, count=truthy(params.get("include_count")))}
