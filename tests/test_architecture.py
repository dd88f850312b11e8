"""The package's shape, read from the source (``ast``): every ``import`` in every module of ``newsdesk``, at module
level, in functions and under ``TYPE_CHECKING`` alike.

- No import cycles among newsdesk modules.
- One dependency direction, from the top layer down (a module may import its own layer and the layers below)::

      cli, __main__, the package facade (newsdesk/__init__.py)
        → distributed, evaluation, training          (the jobs: never each other)
        → pipelines, batch, sinks                    (batch steps and the local runner)
        → models                                     (topics, summaries, lm)
        → errors, text, runtime, assets, articles, _version

- Inside ``models``: ``topics`` and ``summaries`` never import each other, ``lm`` imports neither, and no model
  module goes through the facades (``newsdesk``, ``newsdesk.models``); no ``.py`` file sits directly in
  ``models/`` but ``__init__.py``.
- No module imports another one's private names (``from x import _name``).

A string that is exactly a module's name (``importlib.import_module("newsdesk.x")``, a registry) counts as an
import of it. The checks are plain functions of an import graph, and the last tests feed them graphs with a cycle
and with an upward import to show that they fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "newsdesk"

# Lowest first; a module belongs to the layer of its longest matching prefix.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "newsdesk.errors",
            "newsdesk.text",
            "newsdesk.runtime",
            "newsdesk.assets",
            "newsdesk.articles",
            "newsdesk._version",
        ),
    ),
    ("models", ("newsdesk.models",)),
    ("runs", ("newsdesk.pipelines", "newsdesk.batch", "newsdesk.sinks")),
    ("jobs", ("newsdesk.distributed", "newsdesk.evaluation", "newsdesk.training")),
    ("top", ("newsdesk.cli", "newsdesk.__main__", "newsdesk")),
]
# Packages of one layer that must not import each other (both ways), and one-way bans.
SIBLINGS = [
    ("newsdesk.distributed", "newsdesk.evaluation", "newsdesk.training"),
    ("newsdesk.models.topics", "newsdesk.models.summaries"),
]
NEVER = [
    ("newsdesk.models.lm", "newsdesk.models.topics"),
    ("newsdesk.models.lm", "newsdesk.models.summaries"),
]
FACADES = ("newsdesk", "newsdesk.models")

Graph = dict[str, set[str]]


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def _imports(path: Path, name: str, known: Iterable[str]) -> list[tuple[str, list[str]]]:
    """``(imported module, names taken from it)`` for every import statement in ``path``."""
    known = set(known)
    is_package = path.name == "__init__.py"
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value and node.value in known:
            out.append((node.value, []))  # imported by name (importlib.import_module, a registry of modules)
        elif isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join([*here, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                # "from pkg import sub" imports the module pkg.sub; "from mod import name" imports mod.
                out.append((full, []) if full in known else (base, [alias.name]))
    return out


def import_graph(root: Path = PACKAGE) -> tuple[Graph, list[str]]:
    """Module → the newsdesk modules it imports, and the private names imported across modules."""
    mods = modules(root)
    graph: Graph = {m: set() for m in mods}
    private: list[str] = []
    for name, path in mods.items():
        for target, names in _imports(path, name, mods):
            while target and target not in mods and "." in target:
                target = target.rsplit(".", 1)[0]  # "import newsdesk.x.y" of a name: the module that holds it
            if target in mods and target != name:
                graph[name].add(target)
                private += [f"{name} imports {target}.{n}" for n in names if n.startswith("_") and n != "__version__"]
    return graph, private


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if _within(module, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), i)
    return None if best is None else best[1]


def violations(graph: Graph) -> list[str]:
    """Every import against the layer rule, between siblings, or through a facade."""
    out = []
    for source, targets in sorted(graph.items()):
        here = layer_of(source)
        if here is None:
            out.append(f"{source} is in no layer: add it to LAYERS in tests/test_architecture.py")
            continue
        for target in sorted(targets):
            there = layer_of(target)
            if there is not None and there > here:
                out.append(f"{source} ({LAYERS[here][0]}) imports {target} ({LAYERS[there][0]}), a layer above it")
            for group in SIBLINGS:
                mine = next((p for p in group if _within(source, p)), None)
                theirs = next((p for p in group if _within(target, p)), None)
                if mine and theirs and mine != theirs:
                    out.append(f"{source} imports {target}: {mine} and {theirs} must not import each other")
            for lower, upper in NEVER:
                if _within(source, lower) and _within(target, upper):
                    out.append(f"{source} imports {target}: {lower} must not import {upper}")
            if target in FACADES and not (source in FACADES or layer_of(source) == len(LAYERS) - 1):
                out.append(f"{source} imports the facade {target}; import the module that defines the name")
    return out


# ---------------------------------------------------------------------------------------------- the package


def test_no_import_cycles() -> None:
    graph, _ = import_graph()
    assert cycles(graph) == []


def test_imports_point_down_the_layers() -> None:
    graph, _ = import_graph()
    assert violations(graph) == []


def test_no_private_names_are_imported_across_modules() -> None:
    _, private = import_graph()
    assert private == []


def test_models_hold_only_sub_packages() -> None:
    loose = sorted(p.name for p in (PACKAGE / "models").glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"put these in models/topics, models/summaries or models/lm: {loose}"
    assert {p.name for p in (PACKAGE / "models").iterdir() if p.is_dir() and p.name != "__pycache__"} == {
        "topics",
        "summaries",
        "lm",
    }


def test_the_graph_is_read_from_every_module() -> None:
    graph, _ = import_graph()
    # A function-level import (the facade's lazy names) and a TYPE_CHECKING one (pipelines) are both edges.
    assert "newsdesk.models.topics" in graph["newsdesk"]
    assert "newsdesk.models.topics.classifier" in graph["newsdesk.pipelines"]
    assert all(layer_of(m) is not None for m in graph)


# ---------------------------------------------------------------------------------------------- the checks fail


def test_a_cycle_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "newsdesk"
    (pkg / "models" / "topics").mkdir(parents=True)
    for init in (pkg, pkg / "models", pkg / "models" / "topics"):
        (init / "__init__.py").write_text("")
    (pkg / "models" / "topics" / "a.py").write_text("def f():\n    from newsdesk.models.topics import b\n")
    (pkg / "models" / "topics" / "b.py").write_text("from newsdesk.models.topics.a import f\n")
    graph, _ = import_graph(pkg)
    assert cycles(graph) == [["newsdesk.models.topics.a", "newsdesk.models.topics.b"]]


def test_an_upward_or_sideways_import_is_found() -> None:
    graph: Graph = {
        "newsdesk.text": {"newsdesk.models.topics.labels"},
        "newsdesk.models.topics.labels": {"newsdesk.evaluation.metrics"},
        "newsdesk.models.lm.generation": {"newsdesk.models.summaries.guard"},
        "newsdesk.models.summaries.engine": {"newsdesk.models.lm.generation"},  # allowed
        "newsdesk.evaluation.metrics": {"newsdesk.training.report", "newsdesk"},
        "newsdesk.models.summaries.guard": {"newsdesk.models.topics.labels"},
        "newsdesk.training.report": set(),
        "newsdesk": set(),
    }
    found = violations(graph)
    assert len(found) == 7, found  # the import of the facade breaks two rules
    assert any("newsdesk.text (base) imports newsdesk.models.topics.labels (models)" in v for v in found)
    assert any("newsdesk.models.lm must not import newsdesk.models.summaries" in v for v in found)
    assert any("summaries.guard imports newsdesk.models.topics.labels: " in v for v in found)
    assert any("the facade newsdesk;" in v for v in found)
