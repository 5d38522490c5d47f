"""Test configuration: point the data home at the shared benchmark tables when none is set."""

import os
from pathlib import Path

import pytest

_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if not os.environ.get("SKNAS_DATA") and _SHARED.is_dir():
    os.environ["SKNAS_DATA"] = str(_SHARED)


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The data home holding the real benchmark tables (fails loudly when absent)."""
    path = Path(os.environ.get("SKNAS_DATA", ""))
    if not (path / "nasbench201.csv.gz").is_file():
        pytest.fail(f"benchmark tables not found in SKNAS_DATA={path!s}; set it to the shared data folder")
    return path


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny networks run fastest on one torch thread (and do not fight other processes for cores)."""
    from sknas.utils import torch_threads

    with torch_threads(1):
        yield
