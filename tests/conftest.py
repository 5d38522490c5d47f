"""Test configuration. The benchmark tables ship inside the package, so the tests need no data home."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The folder of the tables shipped with sknas (tests copy, truncate or corrupt copies of them)."""
    from sknas.datasets import PACKAGE_DATA

    return PACKAGE_DATA


@pytest.fixture(autouse=True)
def _no_data_home(monkeypatch, tmp_path_factory):
    """Every test sees what a new user sees: no SKNAS_DATA, and an empty home folder for ~/sknas_data."""
    monkeypatch.delenv("SKNAS_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.getbasetemp() / "home"))


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny networks run fastest on one torch thread (and do not fight other processes for cores)."""
    from sknas.utils import torch_threads

    with torch_threads(1):
        yield
