"""The wheel's build (the project's metadata is in pyproject.toml). templates/, samples/, data/
and reviewdesk.example.toml live at the checkout's top level, as the design lays it out; the
wheel carries them inside its reviewdesk/ package, where bot/shipped.py finds them."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TOP = Path(__file__).resolve().parent
SHIPPED = ("templates", "samples", "data", "reviewdesk.example.toml")


class BuildWithShippedFiles(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them where they are
            return
        target = Path(self.build_lib) / "reviewdesk"
        for name in SHIPPED:
            source, copy = TOP / name, target / name
            if copy.is_dir():  # a file since removed from the checkout must not linger
                shutil.rmtree(copy)
            if source.is_dir():
                shutil.copytree(source, copy,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, copy)


setup(cmdclass={"build_py": BuildWithShippedFiles})
