"""The house rules of docs/architecture.md that a machine can check: no file over 400 lines, no
function over 60, no import cycle between bumpdiff's modules, every declared dependency used and
every used one declared."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src" / "bumpdiff"
FILES = sorted(SRC.rglob("*.py"))

# distribution name (pyproject) -> the module it is imported as
IMPORT_NAME = {
    "scikit-learn": "sklearn",
    "scikit-image": "skimage",
    "umap-learn": "umap",
    "pyyaml": "yaml",
}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, at the top or inside functions."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_no_file_over_400_lines_and_no_function_over_60():
    assert FILES
    long_files = [str(p) for p in FILES if len(p.read_text().splitlines()) > 400]
    long_functions = []
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if node.end_lineno - start + 1 > 60:
                    long_functions.append(f"{path.name}:{node.name}")
    assert not long_files and not long_functions


def test_no_import_cycle_between_modules():
    modules = {_module(p): p for p in FILES}
    graph = {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, node])):
                return cycle
        state[node] = 2
        return None

    cycles = [c for name in sorted(graph) if name not in state and (c := visit(name, []))]
    assert not cycles, " → ".join(cycles[0])


# declared for a library that imports them itself: pyarrow is pandas' Parquet engine,
# tensorboard is what torch.utils.tensorboard writes with (store/tensorboard.py)
USED_THROUGH = {"pyarrow", "tensorboard"}


def test_dependencies_declared_are_used_and_used_are_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = [dep for name, deps in project["optional-dependencies"].items() if name != "dev"
                for dep in deps]  # fmt: skip
    declared = {
        re.split(r"[<>=!~\[ ]", dep)[0].lower() for dep in [*project["dependencies"], *optional]
    }
    declared_modules = {IMPORT_NAME.get(d, d.replace("-", "_")) for d in declared} - USED_THROUGH
    used = set()
    for path in FILES:
        used |= {m.split(".")[0] for m in _imports(path)}
    third_party = used - set(sys.stdlib_module_names) - {"bumpdiff", "__future__"}
    assert third_party - declared_modules == set(), "used but not declared"
    assert declared_modules - third_party == set(), "declared but not used"


# The layers, top to bottom (docs/architecture.md, "Package map"): a package or top-level module
# imports only from those of a lower rank. ``bumpdiff`` itself (the version) is below them all.
LAYERS = {
    "config": 0,
    "data": 1,
    "diffusion": 2,
    "store": 3,
    "devices": 3,
    "scoring": 3,
    "probe": 4,
    "training": 5,
    "analysis": 6,
    "report": 7,
    "api": 7,  # a run folder read from Python: store and analysis below it
    "version": 0,
    "experiments": 8,
    "sweep": 9,
    "bench": 10,
    "cli": 11,
    "__main__": 12,
}
MAX_TOP_MODULES = 6  # __init__, __main__, cli, devices, api, version


def _upward_imports(edges: set[tuple[str, str]]) -> list[str]:
    """The edges (importer's layer, imported layer) that import from a layer not below."""
    return sorted(f"{a} → {b}" for a, b in edges if a != b and LAYERS[b] >= LAYERS[a])


def _layer_edges() -> set[tuple[str, str]]:
    edges = set()
    for path in FILES:
        layer = path.relative_to(SRC).parts[0].removesuffix(".py")
        if layer == "__init__":
            continue
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] == "bumpdiff" and len(parts) > 1 and parts[1] in LAYERS:
                edges.add((layer, parts[1]))
    return edges


def test_every_package_imports_only_from_the_layers_below_it():
    tops = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in FILES} - {"__init__"}
    assert tops == set(LAYERS), "a new package or top-level module needs its place in LAYERS"
    assert not _upward_imports(_layer_edges())


def test_the_layer_check_sees_an_upward_import():
    """The control: a store module importing the analysis, or data importing the network."""
    assert _upward_imports({("store", "analysis"), ("data", "diffusion"), ("cli", "config")}) == [
        "data → diffusion",
        "store → analysis",
    ]


def test_few_modules_at_the_top_of_the_package():
    top = [p.name for p in SRC.glob("*.py")]
    assert len(top) <= MAX_TOP_MODULES, top


def test_tests_mirror_the_source_layout():
    """src/bumpdiff/<dir>/<name>.py is tested in tests/<dir>/test_<name>.py (docs/architecture.md,
    "Package map")."""
    missing = []
    for path in FILES:
        if path.name in ("__init__.py", "__main__.py"):
            continue
        rel = path.relative_to(SRC)
        test = ROOT / "tests" / rel.parent / f"test_{rel.name}"
        if not test.is_file():
            missing.append(str(test.relative_to(ROOT)))
    assert not missing
