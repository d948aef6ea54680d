"""The detector is a Django-free package: the runtime needs numpy (and the ``lm`` extra), nothing of Django,
and training/evaluation tools (scikit-learn, matplotlib) only inside ``moderation.detector.train``."""
import ast
import subprocess
import sys
from pathlib import Path

import moderation.detector

PACKAGE = Path(moderation.detector.__file__).parent

_BLOCK = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED!r}:
            raise ImportError("blocked for this test: " + name)
sys.meta_path.insert(0, _Block())
"""


def _run_blocked(blocked: set[str], code: str) -> subprocess.CompletedProcess:
    script = _BLOCK.replace("{BLOCKED!r}", repr(blocked)) + code
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=PACKAGE.parents[1])


def test_the_detector_scores_text_with_django_scikit_learn_and_matplotlib_unimportable():
    proc = _run_blocked({"django", "rest_framework", "celery", "sklearn", "matplotlib", "disclosure"}, """
from moderation.detector import detect
from moderation.detector.train import training, evaluation, data  # importable; heavy deps load lazily
r = detect("I think the kettle is fine, it just takes a while to boil when the tank is full. " * 8, use_lm=False)
assert r.status == "ok" and r.verdict in ("flag", "no_evidence"), r
assert not any(m.split(".")[0] in ("django", "sklearn", "matplotlib") for m in sys.modules)
print("ok")
""")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_of_the_detector_package_imports_django_or_the_rest_of_the_project():
    for path in PACKAGE.rglob("*.py"):
        imported = _imported_modules(path)
        assert not imported & {"django", "rest_framework", "celery", "disclosure", "forum", "config"}, path
        assert "moderation" not in imported or path.name == "build.py", path  # relative imports only


def test_scikit_learn_and_matplotlib_are_used_only_by_the_training_tools():
    for path in PACKAGE.rglob("*.py"):
        if "train" in path.relative_to(PACKAGE).parts:
            continue
        assert not _imported_modules(path) & {"sklearn", "matplotlib", "scipy"}, path
