"""Sphinx configuration of the sknas documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (or ``tox -e docs``).
Besides the usual settings, this file writes two pages' bodies at build time,
under ``docs/_auto/`` (not committed):

* ``_auto/results.rst``: every ``benchmarks/results/*.md`` table (parsed by
  myst-parser) and every ``benchmarks/results/*.png`` plot, so the results page
  always shows what the benchmark scripts last wrote; a missing file is simply
  left out;
* ``_auto/cli.rst``: the ``--help`` text of every ``sknas`` subcommand, read
  from the argument parser of :mod:`sknas.cli`.

It also checks that ``api.rst`` documents every name of every ``__all__`` of
the public modules (a missing name is a warning, hence an error with ``-W``).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# SKNAS_DOCS_RESULTS points the results page at another folder (e.g. to preview a benchmark's output)
RESULTS = Path(os.environ.get("SKNAS_DOCS_RESULTS") or ROOT / "benchmarks" / "results").resolve()
AUTO = DOCS / "_auto"
sys.path.insert(0, str(ROOT))

import sknas  # noqa: E402

# -- project -----------------------------------------------------------------
project = "sknas"
author = "the sknas developers"
copyright = "the sknas developers"
release = sknas.__version__
version = ".".join(release.split(".")[:2])

# -- general -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
# _auto holds fragments included by other pages; examples are literalincluded
exclude_patterns = ["_build", "_auto", "_api_hypernet.rst", "examples", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "Thumbs.db", ".DS_Store"]
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc -----------------------------------------
# api.rst, plus the hypernetwork section that is written below when sknas.hypernet exists
autosummary_generate = ["api.rst", "_api_hypernet.rst"]
autosummary_imported_members = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autodoc_mock_imports: list[str] = []
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
# modest validation: docstrings must use known numpydoc sections (GL06), in the standard order (GL07);
# not GL08 (no docstring), since methods that inherit their docstring (e.g. from Optuna's BaseSampler) count
numpydoc_validation_checks = {"GL06", "GL07"}
numpydoc_validation_exclude = {r"\.set_\w+_request$"}

# -- the example gallery: docs/examples/plot_*.py run at build time, with their output and plots -------------
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "reset_modules": ("matplotlib",),
}

# -- myst (markdown fragments of the results page) ----------------------------
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 0
suppress_warnings = ["myst.header"]

# -- HTML --------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401

    html_theme = "pydata_sphinx_theme"
    html_theme_options = {
        "navigation_with_keys": False,
        "show_prev_next": True,
        "secondary_sidebar_items": ["page-toc"],
        "footer_start": ["copyright"],
        "footer_end": ["sphinx-version"],
    }
except ImportError:  # the docs still build with Sphinx's own theme
    html_theme = "alabaster"
html_title = f"sknas {release}"
html_static_path: list[str] = []
html_show_sourcelink = False


# -- generated fragments ------------------------------------------------------
#: results files in page order, with their section titles; any other *.md follows, titled by its name
RESULT_TITLES = {
    "compare_samplers": "Optuna samplers: the sknas default, PredNAS, GP, TPE, REA, NSGA-II and random on seven "
                        "benchmarks (one run, 30 seeds)",
    "unknown_constraints": "Search under a latency bound known only after each trial",
    "multi_objective": "Accuracy against a cost: hypervolume regret of the fronts found (two objectives)",
    "predictors_nb201": "Predictors: Kendall's tau on NAS-Bench-201",
    "predictors_other": "Predictors on NAS-Bench-Graph, NB101 and NB301",
    "predictors_timing": "Predictor fit and predict seconds",
    "renas_tensor": "The ReNAS feature tensor: as published against the compact layout",
    "gradient_ascent": "Gradient ascent as an acquisition optimiser",
    "prednas_constraints": "Gradient ascent under cost bounds: feasibility and regret",
    "workers": "Many workers on one study",
    "main_job": "The main job's CPU and wall time (sknas compare with its defaults)",
    "docs_build": "The documentation build (tox -e docs) and each gallery example's time",
    "search_cv": "PredictorSearchCV against RandomizedSearchCV and TPE on real training (digits, breast cancer)",
    "hypernetwork": "Hypernetwork evaluator",
    "hypernetwork_bins": "The hypernetwork where the parameter count does not decide (within parameter bins)",
}
RESULT_SOURCES = {
    "compare_samplers": "benchmarks/compare_samplers.py",
    "predictors_nb201": "benchmarks/predictors.py",
    "predictors_other": "benchmarks/predictors_other.py",
    "predictors_timing": "benchmarks/predictors.py",
    "renas_tensor": "benchmarks/renas_tensor.py",
    "unknown_constraints": "benchmarks/unknown_constraints.py",
    "multi_objective": "benchmarks/multi_objective.py",
    "gradient_ascent": "benchmarks/gradient_ascent.py",
    "prednas_constraints": "benchmarks/prednas_constraints.py",
    "workers": "benchmarks/workers.py",
    "main_job": "benchmarks/main_job.sh",
    "docs_build": "benchmarks/docs_build.sh",
    "search_cv": "benchmarks/search_cv.py",
    "hypernetwork": "benchmarks/hypernetwork.py",
    "hypernetwork_bins": "benchmarks/hypernetwork_bins.py",
}


def _write(path: Path, text: str) -> None:
    """Write only when the content changed, so Sphinx does not rebuild needlessly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _demote_headings(md: str) -> str:
    """Turn markdown headings into bold paragraphs: the included tables must not open sections."""
    out, fenced = [], False
    for line in md.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        m = None if fenced else re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        out.append(f"**{m.group(1)}**" if m else line)
    return "\n".join(out) + "\n"


def _underline(title: str, char: str) -> str:
    return f"{title}\n{char * len(title)}\n"


def write_results_fragment() -> None:
    """``_auto/results.rst``: the markdown tables and PNG plots of ``benchmarks/results``."""
    tables = sorted(RESULTS.glob("*.md")) if RESULTS.is_dir() else []
    plots = sorted(RESULTS.glob("*.png")) if RESULTS.is_dir() else []
    order = {name: k for k, name in enumerate(RESULT_TITLES)}
    tables.sort(key=lambda p: (order.get(p.stem, len(order)), p.stem))
    parts = []
    if not tables and not plots:
        parts.append(".. note::\n\n   No results yet: ``benchmarks/results/`` holds no ``.md`` or ``.png`` file.\n")
    for md in tables:
        copy = AUTO / "results" / md.name
        _write(copy, _demote_headings(md.read_text(encoding="utf-8")))
        title = RESULT_TITLES.get(md.stem, md.stem.replace("_", " ").capitalize())
        parts.append(_underline(title, "-"))
        src = RESULT_SOURCES.get(md.stem)
        origin = f"Written by ``{src}`` to " if src else "From "
        parts.append(f"{origin}``benchmarks/results/{md.name}``.\n")
        parts.append(f".. include:: _auto/results/{md.name}\n   :parser: myst_parser.sphinx_\n")
    if plots:
        parts.append(_underline("Plots", "-"))
        for png in plots:
            rel = Path(os.path.relpath(png, DOCS)).as_posix()  # relative to results.rst, which includes this
            caption = png.stem.replace("_", " ")
            parts.append(f".. figure:: {rel}\n   :width: 90%\n\n   ``{png.name}``: {caption}\n")
    _write(AUTO / "results.rst", "\n".join(parts))


def write_cli_fragment() -> None:
    """``_auto/cli.rst``: ``sknas --help`` and the help of every subcommand."""
    import argparse

    from sknas import cli

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = cli._parser()
        parts = [_underline("sknas", "~"), "::\n", _indent(parser.format_help())]
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        for action in subs:
            for name, sub in action.choices.items():
                parts += [_underline(f"sknas {name}", "~"), "::\n", _indent(sub.format_help())]
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    _write(AUTO / "cli.rst", "\n".join(parts))


def _indent(text: str) -> str:
    return "\n".join(("   " + line) if line.strip() else "" for line in text.rstrip().splitlines()) + "\n"


HYPERNET_PLACEHOLDER = """\
.. note::

   **Being built.** The hypernetwork evaluator (``sknas.hypernet``, ADWPNAS:
   one hypernetwork predicts the weights of any architecture, so candidates
   are scored without training) is under development and not part of this
   installation yet. This section fills in by itself once the subpackage
   exists.
"""


def write_hypernet_fragments() -> None:
    """The hypernetwork guide body and API section when ``sknas.hypernet`` exists, else a placeholder."""
    try:
        hypernet = importlib.import_module("sknas.hypernet")
    except ImportError:
        hypernet = None
    if hypernet is None:
        _write(AUTO / "hypernet_guide.rst", HYPERNET_PLACEHOLDER)
        api = _underline(":mod:`sknas.hypernet`: hypernetwork evaluator", "=") + "\n" + HYPERNET_PLACEHOLDER
    else:
        _write(AUTO / "hypernet_guide.rst", (DOCS / "guide" / "hypernet_body.txt").read_text(encoding="utf-8"))
        names = "\n".join(f"   {n}" for n in hypernet.__all__)
        api = (_underline(":mod:`sknas.hypernet`: hypernetwork evaluator", "=")
               + "\n.. automodule:: sknas.hypernet\n   :no-members:\n   :no-index:\n\n"
               + ".. currentmodule:: sknas.hypernet\n\nUser guide: :ref:`hypernet`.\n\n"
               + f".. autosummary::\n   :toctree: generated/\n\n{names}\n")
    _write(DOCS / "_api_hypernet.rst", api)


write_results_fragment()
write_cli_fragment()
write_hypernet_fragments()


# -- API coverage check (docs/_apicheck.py, also run by tests/test_docs.py) -------------------------------------
sys.path.insert(0, str(DOCS))

from _apicheck import api_problems  # noqa: E402


def check_api_coverage(app) -> None:
    """Warn about every public name (``__all__``) that ``api.rst`` does not document."""
    from sphinx.util import logging

    logger = logging.getLogger("sknas.api-coverage")
    for problem in api_problems():
        logger.warning(problem)


def skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods (their docstrings link into sklearn's docs)."""
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def setup(app):
    app.connect("builder-inited", check_api_coverage)
    app.connect("autodoc-skip-member", skip_member)
