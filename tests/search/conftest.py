import pytest

from sknas.datasets import load_nasbench201


@pytest.fixture(scope="module")
def bench(data_home):
    """NAS-Bench-201 on cifar10-valid, the table shipped with sknas."""
    return load_nasbench201("cifar10-valid")
