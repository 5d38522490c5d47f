"""The documentation's promises that can be checked without building it."""

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_public_name_is_in_the_api_reference():
    spec = importlib.util.spec_from_file_location("_apicheck", DOCS / "_apicheck.py")
    apicheck = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(apicheck)
    assert apicheck.api_problems() == []


def test_the_cli_guide_marks_the_default_methods():
    """docs/guide/cli.rst stars the methods sknas compare runs by default: those of METHODS."""
    import re

    from sknas.compare import METHODS

    starred = set(re.findall(r"^   \* - ``([\w-]+)`` \\\*$", (DOCS / "guide" / "cli.rst").read_text(), re.M))
    assert starred == {m for m, spec in METHODS.items() if spec.default}
