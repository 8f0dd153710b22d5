"""The house's shape, read from the imports: bot/'s folders are layered (no two import each
other); nothing the product runs, nor bench/, docs/ or testing/, imports the tests, and the tests
import no benchmark (what both use is in testing/); twin/'s modules import no circle.

Imports are read from the source (ast). The layering of bot/'s folders counts imports at module
level, what runs when a module is imported (an import inside a function, or under
`if TYPE_CHECKING:`, is left out); the other checks count every import, wherever it is."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What runs in production (reviewdesk/ once the package exists; twin/ serves the local workspace).
PRODUCT = ("bot", "handlers", "storage", "local", "twin", "reviewdesk", "app.py", "cli.py",
           "server.py")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runs_at_import(tree: ast.Module):
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
        elif isinstance(node, ast.If | ast.With):
            stack.extend([*node.body, *getattr(node, "orelse", [])])
        elif isinstance(node, ast.Try):
            stack.extend([*node.body, *node.orelse, *node.finalbody])
            for handler in node.handlers:
                stack.extend(handler.body)
        else:
            yield node


def imports_at_module_level(root: Path, path: Path) -> set[str]:
    """Every module name a file imports when it is imported; `from a import b` gives a and a.b
    (b may be a module)."""
    return _imports(root, path, _runs_at_import)


def _imports(root: Path, path: Path, nodes) -> set[str]:
    """The module names imported by the statements `nodes` finds in the file's tree."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def folder_imports(root: Path, package: str = "bot") -> set[tuple[str, str]]:
    """(folder, folder) for every folder of `package` importing another at module level."""
    top = root / package
    folders = {p.name for p in top.iterdir() if (p / "__init__.py").is_file()}
    arrows: set[tuple[str, str]] = set()
    for path in top.rglob("*.py"):
        parts = path.relative_to(top).parts
        if len(parts) < 2 or parts[0] not in folders:
            continue
        for name in imports_at_module_level(root, path):
            target = name.split(".")
            if len(target) > 1 and target[0] == package and target[1] in folders \
                    and target[1] != parts[0]:
                arrows.add((parts[0], target[1]))
    return arrows


def mutual(arrows: set[tuple[str, str]]) -> list[str]:
    return sorted(f"bot/{a}/ <-> bot/{b}/" for a, b in arrows if a < b and (b, a) in arrows)


def imports_anywhere(root: Path, path: Path) -> set[str]:
    """Every module name a file imports anywhere in it (in functions, under TYPE_CHECKING); as
    `imports_at_module_level`, `from a import b` gives a and a.b."""
    return _imports(root, path, ast.walk)


def files_under(root: Path, names: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for name in names:
        path = root / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else []
    return found


def product_files(root: Path) -> list[Path]:
    return files_under(root, PRODUCT)


def importers_of(root: Path, files: list[Path], package: str) -> list[str]:
    """`file imports name` for every import of `package` (or a module in it) in `files`."""
    return sorted(
        f"{path.relative_to(root)} imports {name}"
        for path in files for name in imports_anywhere(root, path)
        if name == package or name.startswith(package + ".")
    )


def import_circles(root: Path, package: str) -> list[list[str]]:
    """The modules of `package` that import one another round a circle, each circle sorted
    (the strongly connected components of more than one module, Tarjan's algorithm)."""
    modules = {module_name(root, path): path for path in (root / package).rglob("*.py")}
    arrows = {name: {other for other in imports_anywhere(root, path)
                     if other in modules and other != name}
              for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in sorted(arrows[name]):
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            circle = []
            while True:
                member = stack.pop()
                circle.append(member)
                if member == name:
                    break
            if len(circle) > 1:
                circles.append(sorted(circle))

    for name in sorted(modules):
        if name not in index:
            visit(name)
    return sorted(circles)


def test_no_two_bot_folders_import_each_other():
    arrows = folder_imports(ROOT)
    assert len(arrows) > 10  # the reader reads: bot/'s folders do import one another one way
    assert mutual(arrows) == []


def test_the_product_never_imports_the_tests():
    files = product_files(ROOT)
    assert len(files) > 100
    assert importers_of(ROOT, files, "tests") == []


def test_benchmarks_docs_and_test_support_never_import_the_tests():
    files = files_under(ROOT, ("bench", "docs", "testing"))
    assert len(files) > 15
    assert importers_of(ROOT, files, "tests") == []


def test_the_tests_and_test_support_never_import_the_benchmarks():
    files = files_under(ROOT, ("tests", "testing"))
    assert len(files) > 50
    assert importers_of(ROOT, files, "bench") == []


def test_the_twin_imports_no_circle():
    assert len(list((ROOT / "twin").rglob("*.py"))) > 20
    assert import_circles(ROOT, "twin") == []


def test_the_checks_see_what_they_look_for(tmp_path):
    """The checks above find a pair of folders importing each other, a module importing the
    tests (at module level, or inside a function) and circles of imports (through a type-only
    import, or one inside a function), written the ways code writes imports."""
    bot = tmp_path / "bot"
    for folder, text in {
        "alpha": "from bot.beta.rules import check\n",
        "beta": "if True:\n    from ..alpha import ledger\n",
        "gamma": "import typing\nif typing.TYPE_CHECKING:\n    from bot.alpha import x\n",
    }.items():
        (bot / folder).mkdir(parents=True)
        (bot / folder / "__init__.py").write_text("")
        (bot / folder / "mod.py").write_text(text)
    (bot / "__init__.py").write_text("")
    (tmp_path / "app.py").write_text("import json\nfrom tests.conftest import MARIA\n")
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "b.py").write_text("def run():\n    from tests import data\n")
    twin = tmp_path / "twin"
    (twin / "rules").mkdir(parents=True)
    for module, text in {
        "__init__.py": "",
        "one.py": "from twin import two\n",
        "two.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import twin.one\n",
        "three.py": "from twin.one import x\n",
        "rules/__init__.py": "",
        "rules/a.py": "def f():\n    from .b import g\n",
        "rules/b.py": "from twin.rules import a\n",
    }.items():
        (twin / module).write_text(text)

    assert mutual(folder_imports(tmp_path)) == ["bot/alpha/ <-> bot/beta/"]
    assert ("gamma", "alpha") not in folder_imports(tmp_path)  # TYPE_CHECKING never runs
    app = tmp_path / "app.py"
    assert "tests.conftest" in imports_at_module_level(tmp_path, app)
    assert importers_of(tmp_path, [app, tmp_path / "bench" / "b.py"], "tests") == [
        "app.py imports tests.conftest", "app.py imports tests.conftest.MARIA",
        "bench/b.py imports tests", "bench/b.py imports tests.data"]
    # a circle through a type-only import, and one through an import inside a function
    assert import_circles(tmp_path, "twin") == [["twin.one", "twin.two"],
                                                 ["twin.rules.a", "twin.rules.b"]]
