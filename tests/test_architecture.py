"""The shape of the code: imports point one way between apps, no module imports itself in a circle, the demo
trainings stay pure torch, and no module grows past a size a reader can hold."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app may import only the apps listed for it: common <- kb <- (quizzes, cards, demos) <- portal.
ALLOWED = {
    "common": set(),
    "kb": {"common"},
    "quizzes": {"common", "kb"},
    "cards": {"common", "kb", "quizzes"},
    "demos": {"common", "kb"},
    "curriculum": {"common", "kb", "quizzes"},
    "study": {"common", "kb", "quizzes", "cards", "demos"},
    "portal": {"common", "kb", "quizzes", "cards", "demos", "study"},
    "workers": set(),
    "config": {"common", "kb", "quizzes", "cards", "demos", "curriculum", "portal", "study", "workers"},
}
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for app in ALLOWED:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                found[dotted.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at the top or inside functions (a lazy import is still a dependency)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _project_imports(path: Path) -> set[str]:
    return {name for name in _imports(path) if name in MODULES}


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_each_app_imports_only_the_apps_below_it(app):
    wrong = {
        f"{module} imports {target}"
        for module, path in MODULES.items()
        if module.split(".")[0] == app
        for target in _project_imports(path)
        if target.split(".")[0] not in ALLOWED[app] | {app}
    }
    assert not wrong, sorted(wrong)


def test_no_import_cycles_between_modules():
    graph = {module: _project_imports(path) - {module} for module, path in MODULES.items()}
    # A package's __init__ is imported with its modules, so "a.b imports a" is not a cycle of our making.
    graph = {module: {t for t in targets if not module.startswith(f"{t}.")} for module, targets in graph.items()}
    cycles, state = [], {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, cycles


def test_demo_trainings_import_no_django_and_no_other_app():
    trainings = (ROOT / "demos" / "trainings").glob("*.py")
    wrong = {
        f"{path.name} imports {name}"
        for path in trainings
        for name in _imports(path)
        if name.split(".")[0] in {"django", "rest_framework", "celery", *ALLOWED}
        and not name.startswith("demos.trainings")
    }
    assert not wrong, sorted(wrong)


def test_no_module_is_longer_than_a_reader_can_hold():
    long = {
        f"{module}: {lines} lines"
        for module, path in MODULES.items()
        if "trainings" not in path.parts and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, sorted(long)
