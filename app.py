"""The app's entry at the checkout's top level: the wiring is reviewdesk/app.py (the installed
package; this file is not in the wheel), re-exported here; `python app.py run` starts the bot
as `reviewdesk run` does."""

from reviewdesk.app import ReviewDesk, create_app, web_client

__all__ = ["ReviewDesk", "create_app", "main", "web_client"]


def main(argv: list[str] | None = None) -> int:
    from reviewdesk.cli import main as command

    return command(argv)


if __name__ == "__main__":
    import sys

    sys.exit(main())
