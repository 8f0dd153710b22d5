"""How the lists people work from hold up at a hospital system's scale: the Home tab's publish
for a person, `/reviewdesk open`, `due` and `find <word>`, each timed (p99) with 100,000
stored cases against the same with 1,000, measured in the same run on the same machine.

    .venv/bin/python bench/lists_bench.py [--small 1000] [--large 100000] [--repeats 200]

The stored cases are written through storage (repository.insert_many, and the intake's own
keep_deadlines for the open ones' next deadline), a mix like a desk's after years: 97 % closed
over the two years before, their windows met or stopped; 3 % open: two in five answered in the
last two months but not closed, the rest from the last two weeks, most of them past their
deadline, some due within hours (on-site and risk reviews have the 2 h urgent window), some
escalated to PX; half of them claimed. The bot is built as
`reviewdesk run` builds it (app.create_app) on a copy of that database, with the Slack twin
in a process of its own taking views.publish; each figure is the bot's work for one request:
`Home.publish(user)` (read, render, views.publish, record), also just after another person
claimed or released a case (so nothing read before can be reused), and `Commands.answer(...)`
(read and render the private answer). The goals (issue 17 §11): p99 <= 300 ms and 100k/1k <= 1.5.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from support import CONFIG, TEXTS, median, percentile, twin_process  # noqa: E402

OPEN_SHARE = 0.03
PEOPLE = ["U0MARIA", "U0SAM", "U0LEE", "U0PAT", "U0KIM", "U0ROB"]
USER = "U0MARIA"  # whose Home is published
FIND_WORD = "billing"  # in one review text of eight
ON_SITE = "I'm in your ER waiting room right now and nobody has seen my son for four hours."
RISK = "They gave my mother the wrong medication and we are calling a lawyer."
CHUNK = 5_000


@dataclass(frozen=True)
class Figure:
    """One operation's p99 (and median) at both sizes, in seconds."""

    name: str
    small: float
    large: float
    small_p50: float
    large_p50: float

    @property
    def ratio(self) -> float:
        return self.large / self.small


def _stamp(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def build(path: Path, count: int, *, seed: int = 17) -> dict[str, int]:
    """A migrated SQLite database at `path` holding `count` cases (see the module's doc);
    returns how many are open, missed, due within 4 h and claimed by USER."""
    from bot.core.deadlines import keep_deadlines
    from storage import repository as repo
    from storage.db import Database, migrate
    from storage.models import Case, CaseEvent, CaseWindow, Review

    rnd = random.Random(seed)
    now = datetime.now(UTC)
    database = Database.from_url(f"sqlite:///{path}")
    migrate(database.engine)
    opened = max(1, round(count * OPEN_SHARE))
    facts = {"open": opened, "missed": 0, "due_4h": 0, "answered": 0, "mine": 0}
    open_ids: list[int] = []
    for start in range(1, count + 1, CHUNK):
        reviews, cases, windows, events = [], [], [], []
        for n in range(start, min(count, start + CHUNK - 1) + 1):
            is_open = n > count - opened
            labels: list[str] = []
            text = TEXTS[n % len(TEXTS)]
            kind, length = "first_response", timedelta(hours=24)
            if rnd.random() < 0.05:
                labels, text, kind, length = ["urgent"], ON_SITE, "urgent", timedelta(hours=2)
            elif rnd.random() < 0.03:
                labels, text, kind, length = ["risk"], RISK, "urgent", timedelta(hours=2)
            answered = is_open and rnd.random() < 0.4  # replied to, not closed yet
            if answered:
                ago = timedelta(days=rnd.uniform(1, 60))
            elif is_open:
                # the last two weeks; a third of them within the last day
                ago = timedelta(hours=rnd.uniform(0, 24)) if rnd.random() < 0.35 else \
                    timedelta(days=rnd.uniform(1, 14))
            else:
                ago = timedelta(days=rnd.uniform(14, 730))
            at = now - ago
            reviews.append({
                "id": n, "source": rnd.choice(["google", "google", "facebook", "yelp"]),
                "external_id": f"bench-{n}", "site": rnd.choice(["north", "north", "south"]),
                "author": f"Reviewer {n}", "rating": rnd.choice([1, 1, 2]),
                "text": f"{text} (visit {n})", "url": f"https://maps.example/review/{n}",
                "recommendation": None, "created_at": _stamp(at), "received_at": _stamp(at),
                "updated_at": _stamp(at),
                "triage": {"negative": True, "labels": labels, "themes": []}})
            claimant = rnd.choice(PEOPLE) if (not is_open or rnd.random() < 0.5) else None
            status = "open" if is_open else rnd.choice(["resolved", "hidden", "ignored"])
            closed_at = None if is_open else at + timedelta(hours=rnd.uniform(1, 30))
            escalated = not answered and rnd.random() < 0.1
            cases.append({
                "id": n, "review_id": n, "status": status, "site": reviews[-1]["site"],
                "version": 1, "claimant_id": claimant,
                "claimed_at": _stamp(at + timedelta(minutes=30)) if claimant else None,
                "px_claimant_id": rnd.choice(PEOPLE) if escalated and rnd.random() < 0.5
                else None,
                "escalated_by": claimant if escalated else None,
                "closed_by": None if is_open else rnd.choice(PEOPLE),
                "closed_at": _stamp(closed_at) if closed_at else None,
                "card_channel": "C0TRIAGE", "card_ts": f"{int(at.timestamp())}.{n:06d}",
                "created_at": _stamp(at), "updated_at": _stamp(at)})
            first_due = at + length
            met = at + timedelta(hours=rnd.uniform(0.5, 20)) if answered or not is_open \
                else None
            windows.append({"case_id": n, "kind": kind, "started_at": _stamp(at),
                            "due_at": _stamp(first_due),
                            # a reply after the deadline meets nothing; closing stops it
                            "met_at": _stamp(met) if met and (answered or met <= first_due)
                            else None,
                            "stopped_at": _stamp(closed_at) if closed_at and met > first_due
                            else None})
            if escalated:
                px_at = at + timedelta(hours=2)
                windows.append({"case_id": n, "kind": "px_followup", "started_at": _stamp(px_at),
                                "due_at": _stamp(px_at + timedelta(hours=72)), "met_at": None,
                                "stopped_at": _stamp(closed_at) if closed_at else None})
            events.append({"case_id": n, "actor": "system", "action": "opened",
                           "details": {}, "created_at": _stamp(at), "request_key": None})
            if claimant:
                events.append({"case_id": n, "actor": claimant, "action": "claimed",
                               "details": {}, "created_at": _stamp(at + timedelta(minutes=30)),
                               "request_key": None})
            if closed_at:
                events.append({"case_id": n, "actor": cases[-1]["closed_by"], "action": status,
                               "details": {}, "created_at": _stamp(closed_at),
                               "request_key": None})
            if is_open:
                open_ids.append(n)
                due = min((w["due_at"] for w in windows if w["case_id"] == n
                           and not (w["met_at"] or w["stopped_at"])), default=None)
                facts["missed"] += due is not None and due <= now
                facts["due_4h"] += due is not None and now < due <= now + timedelta(hours=4)
                facts["answered"] += due is None
                facts["mine"] += USER in (claimant, cases[-1]["px_claimant_id"])
        with database.session() as session:
            repo.insert_many(session, Review, reviews)
            repo.insert_many(session, Case, cases)
            repo.insert_many(session, CaseWindow, windows)
            repo.insert_many(session, CaseEvent, events)
            session.commit()
    with database.session() as session:
        for start in range(0, len(open_ids), 500):
            keep_deadlines(session, open_ids[start:start + 500])
        session.commit()
    database.dispose()
    return facts


class Bot:
    """The bot as `reviewdesk run` builds it, on a copy of a stored database."""

    def __init__(self, stored: Path, workdir: Path, base_url: str):
        from sqlmodel import col, select

        from app import create_app
        from bot.config import Settings, load_config
        from storage.db import Database
        from storage.models import Case

        database = workdir / f"copy-{stored.name}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(stored, database)
        (workdir / "lists.toml").write_text(CONFIG + '[[sites]]\nid = "south"\nname = "South '
                                            'clinic"\npx_channel = "C0PXNORTH"\n')
        self.config = load_config(workdir / "lists.toml")
        settings = Settings(slack_bot_token="xoxb-bench-token", slack_signing_secret="unused",
                            slack_api_base_url=base_url, port=0)
        self.db = Database.from_url(f"sqlite:///{database}")
        service = create_app(settings, self.config, db=self.db)
        assert service.home is not None
        self.home = service.home
        self.clock = service.clock
        assert service.commands is not None
        self.commands = service.commands
        self.desk = service.desk
        self.home.opened(USER)
        with self.db.session() as session:
            self.changing = session.exec(select(Case.id).where(
                Case.status == "open", col(Case.claimant_id).is_(None))).first()
        self.claimed = False

    def change(self) -> None:
        """Someone else claims (or releases) an open case: an event, as after any click."""
        (self.desk.release if self.claimed else self.desk.claim)(self.changing, "U0SAM")
        self.claimed = not self.claimed

    def operations(self) -> dict[str, tuple[Callable[[], object] | None, Callable[[], object]]]:
        """Each operation: what comes before it, untimed (or None), and the operation."""
        from bot.reports.periods import week_of

        def lists() -> object:
            return self.home.lists.sections(USER, self.clock.now(), {}, size=8)

        def figures() -> object:
            return self.home.reports.figures(week_of(self.clock.now(), self.config.timezone))

        return {
            "home": (None, lambda: self.home.publish(USER)),
            "home after a change": (self.change, lambda: self.home.publish(USER)),
            "open": (None, lambda: self.commands.answer("open", USER)),
            "due": (None, lambda: self.commands.answer("due", USER)),
            "find": (None, lambda: self.commands.answer(f"find {FIND_WORD}", USER)),
            # what the Home tab's publish spends its time on, for the notes
            "home: its case lists": (None, lists),
            "home: the week's figures": (None, figures),
        }


def measure(bots: list[Bot], repeats: int) -> list[dict[str, list[float]]]:
    """Each operation's times on each bot, taking turns (small, large, small, …) so that what
    else the machine does weighs on both alike."""
    found: list[dict[str, list[float]]] = [{} for _ in bots]
    operations = [bot.operations() for bot in bots]
    for name in operations[0]:
        for ops in operations:
            ops[name][1]()  # a first call warms the connection, as a running bot's is
        for _ in range(repeats):
            for ops, times in zip(operations, found, strict=True):
                before, operation = ops[name]
                if before is not None:
                    before()
                started = time.perf_counter()
                operation()
                times.setdefault(name, []).append(time.perf_counter() - started)
    return found


LABELS = {
    "home": "Home tab publish for a person",
    "home after a change": "Home tab publish for a person, just after a case changed",
    "open": "`/reviewdesk open`",
    "due": "`/reviewdesk due`",
    "find": f"`/reviewdesk find {FIND_WORD}`",
}


def run(workdir: Path, small: int, large: int, repeats: int) -> tuple[list[Figure],
                                                                          dict[int, dict]]:
    """Figures for the four operations (and the Home's parts), and the stored mixes."""
    mixes = {}
    for size in (small, large):
        stored = workdir / f"lists-{size}.db"
        if not stored.exists():
            mixes[size] = build(stored, size)
    with twin_process(workdir) as base_url:
        bots = [Bot(workdir / f"lists-{size}.db", workdir, base_url) for size in (small, large)]
        try:
            times = measure(bots, repeats)
        finally:
            for bot in bots:
                bot.db.dispose()
    figures = [Figure(name, percentile(times[0][name], 0.99), percentile(times[1][name], 0.99),
                      median(times[0][name]), median(times[1][name])) for name in times[0]]
    return figures, mixes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reviewdesk-lists-") as directory:
        started = time.perf_counter()
        figures, mixes = run(Path(directory), args.small, args.large, args.repeats)
        elapsed = time.perf_counter() - started
    for size, mix in mixes.items():
        print(f"{size:,} stored cases: {mix['open']:,} open ({mix['missed']:,} past a deadline, "
              f"{mix['due_4h']:,} due within 4 h, {mix['answered']:,} answered with no "
              f"deadline left), {mix['mine']:,} held by {USER}")
    print(f"\n| operation (p99 of {args.repeats}) | {args.large:,} stored | {args.small:,} "
          "stored | ratio | goal |")
    print("|---|---|---|---|---|")
    for figure in figures:
        goal = "" if ":" in figure.name else "≤ 300 ms, ≤ 1.5×"
        print(f"| {LABELS.get(figure.name, figure.name)} | {figure.large * 1000:.1f} ms "
              f"(p50 {figure.large_p50 * 1000:.1f}) | {figure.small * 1000:.1f} ms "
              f"(p50 {figure.small_p50 * 1000:.1f}) | {figure.ratio:.2f}× | {goal} |")
    print(f"\n({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
