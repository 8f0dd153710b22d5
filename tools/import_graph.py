"""The import graph of a package, counted by rooms: a room is a module at the package's root or
a folder under it. Prints rooms, floors (the longest chain of imports between rooms, in rooms)
and arrows (room → room edges), and the folder pairs that import each other.

    python tools/import_graph.py [bot] [--all-levels] [--list] [--chain]

Module-level imports only unless --all-levels (imports inside functions count too)."""

from __future__ import annotations

import argparse
import ast
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path, *, all_levels: bool) -> set[str]:
    """The absolute module names one file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = ast.walk(tree) if all_levels else _module_level(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{alias.name}" for alias in node.names)
    return found


def _module_level(tree: ast.Module):
    """Statements run at import: the module body and its if/try blocks, not functions; an
    `if TYPE_CHECKING:` block is left out (it never runs)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.If | ast.Try | ast.With):
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    stack.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])
            continue
        yield node


def room_of(module: str, package: str) -> str | None:
    parts = module.split(".")
    if parts[0] != package or len(parts) < 2:
        return None
    return ".".join(parts[:2])


def graph(package: str, *, all_levels: bool) -> tuple[set[str], set[tuple[str, str]]]:
    files = sorted((ROOT / package).rglob("*.py"))
    modules = {module_name(f) for f in files}
    rooms = {room_of(m, package) for m in modules} - {None}
    edges: set[tuple[str, str]] = set()
    for f in files:
        src = room_of(module_name(f), package)
        if src is None:
            continue
        for name in imported_names(f, all_levels=all_levels):
            # `from bot.x import y` names bot.x.y, which may be a function: keep known rooms.
            dst = room_of(name, package)
            if dst in rooms and dst != src:
                edges.add((src, dst))
    return rooms, edges


def floors(rooms: set[str], edges: set[tuple[str, str]]) -> int:
    """The longest chain, in rooms; rooms in a cycle are counted once each (condensed)."""
    out: dict[str, set[str]] = {r: set() for r in rooms}
    for a, b in edges:
        out[a].add(b)

    @cache
    def height(room: str, seen: frozenset[str] = frozenset()) -> int:
        nxt = [height(b, seen | {room}) for b in out[room] if b not in seen and b != room]
        return 1 + max(nxt, default=0)

    return max((height(r) for r in rooms), default=0)


def longest_chain(rooms: set[str], edges: set[tuple[str, str]]) -> list[str]:
    """One longest chain of imports between rooms, top room first (as `floors` counts it)."""
    out: dict[str, set[str]] = {r: set() for r in rooms}
    for a, b in edges:
        out[a].add(b)

    @cache
    def chain(room: str, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
        below = [chain(b, seen | {room}) for b in sorted(out[room]) if b not in seen]
        return (room, *max(below, key=len, default=()))

    return list(max((chain(r) for r in sorted(rooms)), key=len, default=()))


def mutual_pairs(edges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, b in edges if a < b and (b, a) in edges)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", default="bot")
    parser.add_argument("--all-levels", action="store_true")
    parser.add_argument("--list", action="store_true", help="print every arrow")
    parser.add_argument("--chain", action="store_true", help="print a longest chain")
    args = parser.parse_args(argv)
    rooms, edges = graph(args.package, all_levels=args.all_levels)
    print(f"{args.package}: {len(rooms)} rooms, {floors(rooms, edges)} floors, "
          f"{len(edges)} arrows")
    folders = sorted(r for r in rooms if (ROOT / r.replace(".", "/")).is_dir())
    print(f"folders: {len(folders)}; modules at the root: {len(rooms) - len(folders)}")
    pairs = mutual_pairs(edges)
    print("rooms importing each other:", ", ".join(f"{a}↔{b}" for a, b in pairs) or "none")
    if args.chain:
        print("longest chain:", " → ".join(r.split(".", 1)[1] for r in longest_chain(rooms, edges)))
    if args.list:
        for a, b in sorted(edges):
            print(f"  {a} -> {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
