"""The import graph of sknas runs one way: each subpackage imports only the layers below it.

spaces -> encodings -> predictors -> acquisitions -> proposers -> search / samplers / pruners -> compare / cli, with
datasets, networks and hypernet above spaces. Every ``import`` statement counts, including those inside functions
(a lazy import is still a dependency), so a cycle cannot hide behind one.
"""

import ast
from pathlib import Path

import pytest

import sknas

ROOT = Path(sknas.__file__).parent

#: what each subpackage (or top-level module) may import from sknas
ALLOWED = {
    "utils": set(),
    "metrics": {"utils"},
    "spaces": {"utils"},
    "encodings": {"spaces", "utils"},
    "datasets": {"spaces", "utils"},
    "networks": {"spaces", "utils"},
    "hypernet": {"spaces", "encodings", "networks", "utils"},
    "predictors": {"spaces", "encodings", "metrics", "utils"},
    # acquisitions score predictions; the multi-objective one fits a predictor per objective
    "acquisitions": {"metrics", "predictors", "utils"},
    # proposers know predictors only through the Predictor protocol; they move in the relaxed rows of encodings
    "proposers": {"acquisitions", "spaces", "encodings", "utils"},
    "search": {"acquisitions", "spaces", "encodings", "metrics", "predictors", "proposers", "utils"},
    "samplers": {"spaces", "predictors", "proposers", "search", "utils"},
    # pruners judge reports with the search layer's short -> full training map
    "pruners": {"search", "utils"},
    "plotting": {"metrics", "utils"},
    "compare": {"datasets", "spaces", "metrics", "predictors", "acquisitions", "proposers", "search", "samplers",
                "pruners", "utils", "__init__"},
    "cli": {"datasets", "compare", "metrics", "plotting", "predictors", "search", "utils", "__init__"},
    "__init__": {"predictors", "search"},
}


def _imports(path: Path) -> set[str]:
    """The sknas subpackages or modules a file imports (first component below ``sknas``)."""
    package = path.relative_to(ROOT).parts[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package)[: len(package) - (node.level - 1)] if node.level > 1 else list(package)
            if node.module:
                target = base + node.module.split(".")
            else:  # "from . import x": a module of the package, or a name of its __init__
                name = node.names[0].name
                is_module = (ROOT.joinpath(*base, name)).is_dir() or (ROOT.joinpath(*base, name + ".py")).is_file()
                target = base + [name] if is_module else base
            out.add(target[0] if target else "__init__")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sknas"):
            parts = node.module.split(".")
            out.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("sknas.")}
    return out


FILES = sorted(p for p in ROOT.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way(path):
    layer = path.relative_to(ROOT).parts[0].removesuffix(".py")
    imported = _imports(path) - {layer}
    assert imported <= ALLOWED[layer], f"{layer} imports {sorted(imported - ALLOWED[layer])}"


def test_spaces_do_not_import_torch():
    """Spaces build their differentiable views from the tensor they are given (check_space excepted)."""
    for path in (ROOT / "spaces").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] == "torch" for n in names):
                assert path.name == "_checks.py", f"{path.name} imports torch"
