"""The import rules of docs/architecture.md, checked on the source (no imports are executed).

Every ``import`` statement in ``disclosure/`` and ``moderation/`` counts, including the ones inside function
bodies: an import deferred into a function still ties the two modules together, and deferring it is how a
loop hides. Only imports under ``if TYPE_CHECKING:`` are left out (they never run).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("disclosure", "moderation")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            modules[module_name(path)] = path
    return modules


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def imported_modules(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules that ``name`` imports: ``from a import b`` counts as ``a.b`` when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = app_modules()
    return {name: imported_modules(name, path, known) for name, path in known.items()}


def _offences(graph, source_prefix: str, target_prefixes: tuple[str, ...]) -> list[str]:
    def under(module: str, prefix: str) -> bool:
        return module == prefix or module.startswith(prefix + ".")

    return sorted(f"{source} imports {target}" for source, targets in graph.items() if under(source, source_prefix)
                  for target in targets if any(under(target, prefix) for prefix in target_prefixes))


def test_disclosure_imports_neither_moderation_nor_the_demo(graph):
    assert _offences(graph, "disclosure", ("moderation", "forum", "config")) == []


def test_moderation_never_imports_the_host_forum_or_the_demo_project(graph):
    assert _offences(graph, "moderation", ("forum", "config")) == []


def test_services_and_selectors_never_import_the_web_layer(graph):
    web = ("moderation.api", "moderation.views", "moderation.compliance.views", "moderation.tasks", "django.http",
           "rest_framework")
    assert _offences(graph, "moderation.services", web) == []
    assert _offences(graph, "moderation.selectors", web) == []
    assert _offences(graph, "moderation.policy", web) == []


def test_tasks_never_import_the_api_layer(graph):
    assert _offences(graph, "moderation.tasks", ("moderation.api",)) == []


def test_the_read_side_lives_in_selectors_not_in_services():
    services = {path.stem for path in (ROOT / "moderation" / "services").glob("*.py")}
    assert not services & {"queue", "stats"}, "queue and stats queries are selectors (moderation/selectors/)"


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root] & graph.keys())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child] & graph.keys()))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        components.append(sorted(component))
    return components


def test_no_import_loops_between_modules_of_the_two_apps(graph):
    assert strongly_connected_components(graph) == []


def test_the_loop_finder_finds_a_loop():
    assert strongly_connected_components({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected_components({"a": {"b"}, "b": set()}) == []


def test_the_host_forum_uses_only_the_public_surface():
    """forum/ and config/ are the example host: they import the two apps only through disclosure.public and
    moderation.public (config/wsgi.py and config/celery.py's start-up refusals included)."""
    known = app_modules()
    offences = []
    for path in sorted([*(ROOT / "forum").rglob("*.py"), *(ROOT / "config").rglob("*.py")]):
        if "migrations" in path.parts:
            continue
        for target in imported_modules(module_name(path), path, known):
            if target.split(".")[0] in APPS and target not in ("disclosure.public", "moderation.public"):
                offences.append(f"{module_name(path)} imports {target}")
    assert offences == []


def test_the_version_is_written_once():
    import tomllib

    import disclosure
    import moderation

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" in project.get("dynamic", [])
    assert disclosure.__version__ == moderation.__version__
    assert (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").count(f"## {moderation.__version__}") == 1
