"""Rewrite every reference to moved modules: imports, dotted names in strings, comments and
docstrings (logger names, monkeypatch targets), and `bot/x.py` paths in comments and Markdown.
The mapping is MOVES (modules and packages) and NAME_MOVES (names leaving a module that stays).

    python tools/move_modules.py [--check] [files or folders ...]

Run it after `git mv`: it reads the tree as it is now. Safe to run again, and on files it has
not seen (a branch merged later): a name is rewritten only while it still means the old module.
A module that became a package of the same name (bot.desk → bot.desk.desk) is told apart by
what follows: `bot.desk.desk` or `from bot.desk import desk` name the new module already."""

from __future__ import annotations

import argparse
import ast
import io
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# old → new. A name ending in ".*" is a package moved with everything in it.
MOVES: dict[str, str] = {
    # the shared case vocabulary
    "bot.cases": "bot.core.cases",
    "bot.outcomes": "bot.core.outcomes",
    "bot.case_inputs": "bot.core.case_inputs",
    "bot.case_changes": "bot.core.case_changes",
    "bot.reviews": "bot.core.reviews",
    "bot.windows": "bot.core.windows",
    "bot.reminders": "bot.core.reminders",
    "bot.roles": "bot.core.roles",
    "bot.case_lists": "bot.core.case_lists",
    "bot.search": "bot.core.search",
    # the desk
    "bot.desk": "bot.desk.desk",
    "bot.ingest": "bot.desk.ingest",
    "bot.needs_a_look": "bot.desk.needs_a_look",
    "bot.bursts": "bot.desk.bursts",
    "bot.nudges": "bot.desk.nudges",
    "bot.holding": "bot.desk.holding",
    # intake
    "bot.sources.*": "bot.intake.sources.*",
    "bot.shapes": "bot.intake.shapes",
    "bot.source_clients": "bot.intake.source_clients",
    "bot.pollers": "bot.intake.pollers",
    "bot.pushes": "bot.intake.pushes",
    "bot.importer": "bot.intake.importer",
    # replies
    "bot.reply_flow": "bot.replies.flow",
    "bot.reply_outcomes": "bot.replies.outcomes",
    "bot.reply_targets": "bot.replies.targets",
    "bot.reply_values": "bot.replies.values",
    "bot.reply_checks": "bot.replies.checks",
    "bot.guard": "bot.replies.guard",
    "bot.guard_rules": "bot.replies.guard_rules",
    "bot.replies": "bot.replies.templates",
    "bot.blocks.modals": "bot.replies.modals",
    # reports
    "bot.figures": "bot.reports.figures",
    "bot.periods": "bot.reports.periods",
    "bot.digest": "bot.reports.digest",
    "bot.digest_chart": "bot.reports.digest_chart",
    "bot.reports": "bot.reports.reports",
    "bot.blocks.digest": "bot.reports.blocks",
    # features that own their renderers
    "bot.blocks.oncall": "bot.oncall.blocks",
    "bot.home": "bot.home.home",
    "bot.blocks.home": "bot.home.blocks",
    # the delivery loop leaves the outbox (which keeps the writer); the outbox's old address
    "bot.outbox.delivery": "bot.delivery.loop",
    "bot.outbox.calls": "bot.delivery.calls",
    "bot.outbox.lookup": "bot.delivery.lookup",
    "bot.outbox.leases": "bot.delivery.leases",
    "bot.slack_out": "bot.delivery",
    # issue 18's floors: modules at bot/'s root join the folder that uses them
    "bot.lexicon": "bot.triage.lexicon",
    "bot.language": "bot.replies.language",
    "bot.ids": "bot.blocks.ids",
    # how the program logs is the program's, beside its command line
    "bot.logs": "reviewdesk.logs",
    # test support becomes a package of its own, which bench/ and docs/ import instead of tests/
    "tests.driver": "testing.driver",
    "tests.fakes.*": "testing.fakes.*",
}

# Names that left a module which stays: module → (new module, the names). Only a `from module
# import …` naming nothing else is rewritten (conftest keeps its fixtures, and `-p tests.conftest`
# still means conftest).
NAME_MOVES: dict[str, tuple[str, frozenset[str]]] = {
    "tests.conftest": ("testing.workspace", frozenset({
        "SIGNING_SECRET", "INTAKE_TOKEN", "BOT_TOKEN", "TRIAGE", "PX_NORTH", "PX_SOUTH", "MARIA",
        "SAM", "LEE", "PAT", "START", "populate", "config_data", "make_settings"})),
}

TOP = ("bot", "handlers", "storage", "twin", "tests", "bench", "docs", "local", "reviewdesk",
       "testing", "tools", "app.py", "cli.py", "server.py")
# measurements as they were taken keep their paths; this file keeps its table
KEEP = {"RESULTS.md", "move_modules.py"}
# the top-level packages the moves start from
PACKAGES = sorted({old.split(".")[0] for old in MOVES})
_FIRST = "(?:" + "|".join(map(re.escape, PACKAGES)) + ")"
DOTTED = re.compile(r"(?<![\w.])" + _FIRST + r"(?:\.[A-Za-z_]\w*)+")
PATH = re.compile(r"(?<![\w./-])" + _FIRST + r"(?:/[A-Za-z_]\w*)+(?:\.py|\.toml|/)?")


def _is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").is_file()


def _is_module(module: str) -> bool:
    base = ROOT / module.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _key_for(name: str) -> str | None:
    """The longest old name `name` starts with (a whole dotted part at a time)."""
    best = None
    for old in MOVES:
        bare = old.removesuffix(".*")
        if (name == bare or name.startswith(bare + ".")) and (best is None or len(bare) > len(
                best.removesuffix(".*"))):
            best = old
    return best


def moved(name: str) -> str:
    """`name` (a module, or a module followed by attributes) with the moves applied; unchanged
    when it names the new layout already."""
    old = _key_for(name)
    if old is None:
        return name
    new = MOVES[old]
    bare, rest = old.removesuffix(".*"), name[len(old.removesuffix(".*")):]
    if not _is_module(new.removesuffix(".*")):
        return name  # not moved (yet): a move at a time, each its own commit
    if old.endswith(".*"):
        return new.removesuffix(".*") + rest
    # bot.desk became a package holding bot.desk.desk: `bot.desk.desk…` is new already.
    first = rest[1:].split(".")[0] if rest else ""
    if first and _is_package(bare) and _is_module(f"{bare}.{first}"):
        return name
    return new + rest


# files that are no modules, moved beside their module
FILES = {"bot/guard_rules.toml": "bot/replies/guard_rules.toml"}


def moved_path(path: str) -> str:
    """`bot/reply_flow.py` → `bot/replies/flow.py`, `bot/sources/` → `bot/intake/sources/`."""
    if path in FILES:
        return FILES[path] if (ROOT / FILES[path]).is_file() else path
    if path.endswith(".py"):
        name = path[:-3].replace("/", ".")
        if _key_for(name) is None or (ROOT / path).is_file():
            return path
        new = moved(name)
        return path if new == name else new.replace(".", "/") + ".py"
    name = path.rstrip("/").replace("/", ".")
    old = _key_for(name)
    if old is None or not old.endswith(".*"):
        return path
    return moved(name).replace(".", "/") + ("/" if path.endswith("/") else "")


def _names_moved_module(name: str) -> bool:
    """`name` is a moved module itself (not a function or class in one)."""
    old = _key_for(name)
    return old is not None and old.removesuffix(".*") == name and moved(name) != name


def _rewrite_from(node: ast.ImportFrom, lines: list[str]) -> None:
    """Rewrite one `from X import …` statement in `lines` when it names a moved module."""
    if node.level or not node.module or node.module.split(".")[0] not in PACKAGES:
        return
    module = node.module
    names = [(a.name, a.asname) for a in node.names]
    if module in NAME_MOVES:
        target, moved_names = NAME_MOVES[module]
        if _is_module(target) and all(n in moved_names for n, _ in names):
            pattern = re.compile(r"\bfrom\s+" + re.escape(module) + r"(\s+import\b)")
            first = node.lineno - 1
            lines[first] = pattern.sub(lambda m: f"from {target}{m.group(1)}", lines[first],
                                       count=1)
        return
    # `from bot import replies` / `from bot.blocks import oncall as blocks`: a moved submodule.
    split = [(n, a) for n, a in names if _names_moved_module(f"{module}.{n}")]
    # `from bot.desk import desk, ingest` names modules of the new package: it stays.
    if not split and _is_package(module) and all(_is_module(f"{module}.{n}") for n, _ in names):
        return
    new_module = moved(module)
    if not split:
        if new_module == module:
            return
        first = node.lineno - 1
        pattern = re.compile(r"\bfrom\s+" + re.escape(module) + r"(\s+import\b)")
        lines[first] = pattern.sub(lambda m: f"from {new_module}{m.group(1)}", lines[first],
                                   count=1)
        return
    indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
    out: list[str] = []
    kept = [(n, a) for n, a in names if (n, a) not in split]
    if kept:
        out.append(indent + f"from {new_module} import " + ", ".join(
            n if a is None else f"{n} as {a}" for n, a in kept) + "\n")
    for n, a in split:
        parent, _, last = moved(f"{module}.{n}").rpartition(".")
        alias = a or n
        out.append(indent + f"from {parent} import {last}"
                   + ("" if alias == last else f" as {alias}") + "\n")
    tail = lines[node.end_lineno - 1][node.end_col_offset:]
    if tail.strip():
        out[-1] = out[-1].rstrip("\n") + tail
    lines[node.lineno - 1: node.end_lineno] = out


def rewrite_python(text: str) -> str:
    """Strings, comments and `import bot.x` lines first (names there are whole dotted names;
    in code, `bot.desk` may be a test's fixture called bot), then `from` statements."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    spans: list[tuple[int, int]] = []
    kinds = {tokenize.STRING, tokenize.COMMENT}
    kinds |= {getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in kinds:
            spans.append((offsets[tok.start[0] - 1] + tok.start[1],
                          offsets[tok.end[0] - 1] + tok.end[1]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            spans.append((offsets[node.lineno - 1] + node.col_offset,
                          offsets[node.end_lineno - 1] + node.end_col_offset))
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + rewrite_text(text[start:end]) + text[end:]
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    froms = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    for node in sorted(froms, key=lambda n: n.lineno, reverse=True):
        _rewrite_from(node, lines)
    return "".join(lines)


def rewrite_text(text: str) -> str:
    text = DOTTED.sub(lambda m: moved(m.group(0)), text)
    return PATH.sub(lambda m: moved_path(m.group(0)), text)


def files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in paths or [str(ROOT / t) for t in TOP] + [str(ROOT / "README.md")]:
        path = Path(p)
        if path.is_dir():
            found += [f for f in path.rglob("*") if f.suffix in {".py", ".md"}
                      and ".venv" not in f.parts and f.is_file() and f.name not in KEEP]
        elif path.is_file():
            found.append(path)
    return sorted(set(found))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--check", action="store_true", help="list what would change; exit 1")
    args = parser.parse_args(argv)
    changed: list[Path] = []
    for f in files(args.paths):
        text = f.read_text(encoding="utf-8")
        new = rewrite_python(text) if f.suffix == ".py" else rewrite_text(text)
        if new != text:
            changed.append(f)
            if not args.check:
                f.write_text(new, encoding="utf-8")
    for f in changed:
        print(f.relative_to(ROOT))
    py = [str(f) for f in changed if f.suffix == ".py"]
    ruff = shutil.which("ruff") or str(ROOT / ".venv/bin/ruff")
    if py and not args.check and Path(ruff).exists():
        # the moved names sort differently: let ruff put each import block in order again
        subprocess.run([ruff, "check", "--quiet", "--fix", "--select", "I001", *py], check=False)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
