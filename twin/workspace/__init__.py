"""The local workspace: the whole desk in a browser, with no Slack app.

`Workspace` turns what a person does on the page into the signed requests Slack would send the
app, and the twin's state into what that person would see; `blueprint` serves the page and its
JSON endpoints from the app's own server. Started by `local/` (`reviewdesk run` without
Slack tokens)."""

from twin.workspace.values import Channel, ClockControl, Person, WorkspaceError
from twin.workspace.web import blueprint
from twin.workspace.workspace import Workspace

__all__ = ["Channel", "ClockControl", "Person", "Workspace", "WorkspaceError", "blueprint"]
