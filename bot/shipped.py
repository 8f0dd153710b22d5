"""Where the files shipped with the code are. templates/, samples/, data/ and
reviewdesk.example.toml sit at the checkout's top level; a wheel carries them inside the
reviewdesk package (setup.py copies them there), found beside this package once installed."""

from __future__ import annotations

from pathlib import Path

_TOP = Path(__file__).resolve().parents[1]  # the checkout, or site-packages once installed


def shipped(name: str) -> Path:
    """The shipped file or folder `name`: the installed package's copy, else the checkout's."""
    installed = _TOP / "reviewdesk" / name
    return installed if installed.exists() else _TOP / name
