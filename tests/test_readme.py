"""Every Python block of the README runs as written, each on its own (they are self-contained)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))])
def test_readme_block_runs(code, tmp_path, monkeypatch, one_torch_thread):
    monkeypatch.chdir(tmp_path)  # anything a block writes stays out of the checkout
    exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
