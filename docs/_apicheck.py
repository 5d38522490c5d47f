"""Which public names ``docs/api.rst`` leaves out: used by ``conf.py`` (a warning, an error with ``-W``) and by
``tests/test_docs.py`` (so that a missing name fails the tests, without building the docs)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

#: modules whose ``__all__`` the API reference must cover
PUBLIC_MODULES = [
    "sknas", "sknas.spaces", "sknas.datasets", "sknas.encodings", "sknas.predictors", "sknas.metrics",
    "sknas.proposers", "sknas.search", "sknas.samplers", "sknas.networks", "sknas.plotting", "sknas.compare",
    "sknas.utils",
]
# sknas.hypernet, when present, is documented by the generated _api_hypernet.rst (all of its __all__)

API_RST = Path(__file__).resolve().parent / "api.rst"


def documented_names(api_rst: Path = API_RST) -> set[str]:
    """Fully qualified names listed by ``autosummary`` blocks of ``api.rst``."""
    names, module = set(), None
    in_summary = False
    for line in api_rst.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\.\.\s+(?:current)?module::\s+(\S+)", line)
        if m:
            module = m.group(1)
            continue
        if re.match(r"\.\.\s+autosummary::", line):
            in_summary = True
            continue
        if in_summary:
            if line.strip() and not line.startswith(" "):
                in_summary = False
            elif line.strip() and not line.strip().startswith(":"):
                names.add(f"{module}.{line.strip()}")
    return names


def api_problems(api_rst: Path = API_RST) -> list[str]:
    """One message per name ``api.rst`` lists that does not exist, and per public name (``__all__``) it misses."""
    problems, documented, objects = [], documented_names(api_rst), set()
    for qual in sorted(documented):
        mod, _, attr = qual.rpartition(".")
        try:
            objects.add(id(getattr(importlib.import_module(mod), attr)))
        except (ImportError, AttributeError):
            problems.append(f"api.rst lists {qual}, which does not exist")
    for mod in PUBLIC_MODULES:
        module = importlib.import_module(mod)
        for name in getattr(module, "__all__", []):
            qual = f"{mod}.{name}"
            if qual in documented:
                continue
            obj = getattr(module, name)
            # re-exports (e.g. sknas.ArchitectureRegressor) count when documented under another module,
            # except plain values such as strings and numbers, which are not unique objects
            if id(obj) in objects and not isinstance(obj, (str, int, float, tuple)):
                continue
            problems.append(f"public name {qual} is missing from docs/api.rst")
    return problems
