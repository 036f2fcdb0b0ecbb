"""The apps depend one way (README, "Layout"): read from the source, not from a running Django.

Every `import` and `from … import` of the project's modules is an edge from the app it is in to
the app it names, wherever it stands (a function-level import counts as much as one at the top).
A model named by a string ("guides.Level") is not an import.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each app and the apps it may import. `core` is what every app may use; `config` (settings and
# URLs) puts the apps together and no app imports it.
MAY_IMPORT = {
    "core": set(),
    "accounts": {"core"},
    "guides": {"core"},
    "inbox": {"core", "accounts"},
    "reviews": {"core", "accounts", "guides", "inbox"},
    "demo": {"core", "accounts", "guides", "inbox", "reviews"},
    "config": {"core", "accounts", "guides", "inbox", "reviews", "demo"},
}


def project_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "scripts"}


def imports_between_apps() -> list[tuple[str, str, str]]:
    """(app, imported app, "file:line import …") for every import of one app by another."""
    found = []
    for app in sorted(MAY_IMPORT):
        for path in sorted((ROOT / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    target = name.split(".")[0]
                    if target in MAY_IMPORT and target != app:
                        where = f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
                        found.append((app, target, where))
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle of the graph once, as the apps along it, starting from its smallest name."""
    found = set()

    def walk(path: list[str]) -> None:
        for following in sorted(edges.get(path[-1], ())):
            if following == path[0]:
                found.add(tuple(path))
            elif following not in path and following > path[0]:
                walk([*path, following])

    for start in sorted(edges):
        walk([start])
    return [list(cycle) for cycle in sorted(found)]


def test_every_app_is_placed_in_the_layout():
    assert project_packages() == set(MAY_IMPORT), (
        "Say in MAY_IMPORT (and README's Layout) which apps a new app may import."
    )


def test_no_app_imports_an_app_below_it_in_the_layout():
    offending = [
        where for app, target, where in imports_between_apps() if target not in MAY_IMPORT[app]
    ]
    assert not offending, "Imports against the layout:\n" + "\n".join(offending)


def test_the_import_graph_between_apps_has_no_cycle():
    found = imports_between_apps()
    edges: dict[str, set[str]] = {}
    for app, target, _ in found:
        edges.setdefault(app, set()).add(target)
    report = []
    for cycle in cycles(edges):
        steps = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
        report.append(" → ".join([*cycle, cycle[0]]))
        report.extend(f"  {where}" for app, target, where in found if (app, target) in steps)
    assert not report, "Apps that import each other:\n" + "\n".join(report)


def test_the_cycle_finder_finds_a_cycle_and_only_one():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
