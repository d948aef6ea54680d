"""The build steps the deploy files and docs run import what exists: ``docker build`` and the documented
build step ran ``from moderation.classifiers.detector.lm import …`` months after the module moved."""
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMPORT = re.compile(r"from ([\w.]+) import ([\w, ]+)")
FILES = ["deploy/Dockerfile", "docs/deploy.md", "Makefile", "README.md"]


def python_snippets(path: Path) -> list[str]:
    """The code of every ``python -c "…"`` in the file."""
    return re.findall(r"python3? -c\s*\\?\s*\"([^\"]+)\"", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", FILES)
def test_every_python_c_step_imports_names_that_exist(name):
    imports = [m for snippet in python_snippets(ROOT / name) for m in IMPORT.findall(snippet)]
    for module, names in imports:
        loaded = importlib.import_module(module)
        for attr in (n.strip() for n in names.split(",")):
            assert hasattr(loaded, attr), f"{name}: {module} has no {attr}"


@pytest.mark.parametrize("name", ["deploy/Dockerfile", "docs/deploy.md", "Makefile"])
def test_the_files_have_such_steps_so_the_check_reads_something(name):
    assert any(IMPORT.search(s) for s in python_snippets(ROOT / name))
