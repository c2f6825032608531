"""House rules the tree must keep (issue 12): no import cycles, no borrowed `_private` names,
no class name defined twice."""

from __future__ import annotations

import ast

import grimp

from clientcenter.settings import PROJECT_ROOT

PACKAGE = "clientcenter"
PACKAGE_DIR = PROJECT_ROOT / PACKAGE

# The one documented exception (docs/architecture.md): routes.register() imports the pages and
# their states inside the function, so that anything may import the path constants.
ROUTES = "clientcenter.routes"
REGISTERED = ("clientcenter.pages", "clientcenter.state")


def _documented(importer: str, imported: str) -> bool:
    return importer == ROUTES and any(
        imported == p or imported.startswith(p + ".") for p in REGISTERED
    )


def _import_edges() -> dict[str, set[str]]:
    # grimp counts every import, at module level or inside a function: a cycle hidden inside
    # a function is still a cycle.
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    edges: dict[str, set[str]] = {}
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if not _documented(importer, imported):
                edges.setdefault(importer, set()).add(imported)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles():
    edges = _import_edges()
    cycles = _cycles(edges)
    report = []
    for component in cycles:
        members = set(component)
        report.append(" ↔ ".join(component))
        for importer in component:
            for imported in sorted(edges[importer] & members):
                report.append(f"    {importer} -> {imported}")
    assert not cycles, "import cycles:\n" + "\n".join(report)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_module_imports_another_modules_private_names():
    borrowed = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = "." * node.level + (node.module or "")
                for alias in node.names:
                    if _is_private(alias.name):
                        where = path.relative_to(PACKAGE_DIR.parent)
                        borrowed.append(
                            f"{where}:{node.lineno}: from {source} import {alias.name}"
                        )
    assert not borrowed, "private names imported across modules:\n" + "\n".join(borrowed)


def test_no_class_name_is_defined_twice():
    # A name defined in two places makes every reader check which one an import means.
    where: dict[str, list[str]] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                spot = f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}"
                where.setdefault(node.name, []).append(spot)
    twice = {name: spots for name, spots in where.items() if len(spots) > 1}
    assert not twice, "class names defined more than once:\n" + "\n".join(
        f"{name}: {', '.join(spots)}" for name, spots in sorted(twice.items())
    )
