"""The contributor guide's worked examples run as written: each new piece is one class or one entry."""

import re
from pathlib import Path

import numpy as np

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "extending.rst"


def _blocks(text: str) -> list[str]:
    """The ``.. code-block:: python`` blocks of a reST page, dedented, in order."""
    out = []
    for match in re.finditer(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text):
        out.append("\n".join(line[3:] for line in match.group(1).splitlines()))
    return out


def test_the_guide_examples_run():
    from sknas.compare import METHODS

    namespace: dict = {}
    blocks = _blocks(GUIDE.read_text())
    assert len(blocks) == 4
    try:
        for block in blocks:
            exec(compile(block, str(GUIDE), "exec"), namespace)
    finally:
        METHODS.pop("sknas-pi", None)
    bench, history = namespace["bench"], namespace["history"]
    assert len(history) == 16 and history["predicted"].iloc[10:].notna().all()
    # the neighbourhood proposer's rows are each one decision from an evaluated row
    rows = np.array(history["row"].tolist())
    for i in range(10, 16):
        assert (np.sum(rows[:i] != rows[i], axis=1) == 1).any()
    runs = namespace["runs"]
    assert {r["method"] for r in runs} == {"sknas-pi", "random"} and all(len(r["valid"]) == 12 for r in runs)
    assert bench.space.is_valid(np.concatenate([r["rows"] for r in runs])).all()
