"""Imports only go down the layers written in README.md (Architecture), and no package imports itself back.

The graph is grimp's: every `import` statement of every module, wherever it stands — at the top, inside a
function, or under `if TYPE_CHECKING:` (an annotation that names an upper layer is a dependency too). A
chain through other modules counts like a direct import.
"""
from __future__ import annotations

import grimp
import pytest

# From the top down. A package may import from the layers below it, never from one above it; packages
# listed together with `independent=True` may not import each other.
LAYERS = (
    grimp.Layer("models", "demo", "maintenance", "volume", independent=True),  # and the app factory, consult/__init__.py
    grimp.Layer("portal"),
    grimp.Layer("api", "diagnostic", independent=True),  # open-data API; territory-wide files and their jobs
    grimp.Layer("synthesis"),
    grimp.Layer("surveys", "groups", "proposals", independent=True),
    grimp.Layer("accounts"),
    grimp.Layer("territories"),
    grimp.Layer("exports"),
    grimp.Layer("core", "errors", "extensions", "i18n", independent=False),
)


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("consult", cache_dir=None, exclude_type_checking_imports=False)


def upward_imports(graph: grimp.ImportGraph) -> list[str]:
    """Each import that goes up (or across independent packages), with the lines that make it."""
    problems = []
    for dependency in graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers={"consult"}):
        for route in dependency.routes:
            for head in route.heads:
                for tail in route.tails:
                    chain = graph.find_shortest_chain(importer=head, imported=tail) or (head, tail)
                    steps = []
                    for importer, imported in zip(chain, chain[1:]):
                        lines = [d["line_number"] for d in graph.get_import_details(importer=importer,
                                                                                   imported=imported)]
                        steps.append(f"{importer}:{','.join(map(str, lines))} -> {imported}")
                    problems.append(f"{dependency.importer} -> {dependency.imported}: " + "; ".join(steps))
    return sorted(set(problems))


def package_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Cycles between the packages directly under consult (e.g. accounts -> territories -> accounts)."""
    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if package(imported) != package(module):
                edges.setdefault(package(module), set()).add(package(imported))
    cycles, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        for target in sorted(edges.get(node, ())):
            if target in path:
                cycles.append(path[path.index(target):] + [target])
            elif target not in done:
                visit(target, [*path, target])
        done.add(node)

    for start in sorted(edges):
        if start not in done:
            visit(start, [start])
    return cycles


@pytest.fixture(scope="module")
def graph():
    return _graph()


def test_every_package_has_its_place_in_the_layers(graph):
    placed = {name for layer in LAYERS for name in layer.module_tails}
    children = {module.split(".")[1] for module in graph.find_children("consult")}
    assert children - placed == set(), "add the new package to LAYERS and to README.md's diagram"


def test_imports_only_go_down(graph):
    assert upward_imports(graph) == []


def test_no_package_imports_itself_back(graph):
    assert package_cycles(graph) == []


def test_nothing_imports_the_app_factory(graph):
    assert graph.find_modules_that_directly_import("consult") == set()


@pytest.mark.parametrize("importer, imported", [
    ("consult.territories.permissions", "consult.accounts.models"),  # up one layer
    ("consult.core.text", "consult.portal.home"),  # from the bottom to the top
    ("consult.groups.services", "consult.surveys.models"),  # across independent capabilities
])
def test_an_upward_import_is_reported(graph, importer, imported):
    """The check can fail: add one import that breaks the order to a copy of the real graph."""
    broken = _graph()
    broken.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    assert [problem for problem in upward_imports(broken) if f"{importer}:1 -> {imported}" in problem]


def test_a_cycle_between_packages_is_reported():
    broken = _graph()
    broken.add_import(importer="consult.core.models", imported="consult.errors", line_number=1,
                      line_contents="import consult.errors")
    broken.add_import(importer="consult.errors", imported="consult.core.models", line_number=1,
                      line_contents="import consult.core.models")
    assert ["consult.core", "consult.errors", "consult.core"] in package_cycles(broken)
