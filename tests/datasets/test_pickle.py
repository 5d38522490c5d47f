"""The restricted unpickler: plain numbers only, never code, never a crafted memory layout."""

import io
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sknas.datasets._pickle import restricted_load


def load(obj_or_bytes):
    data = obj_or_bytes if isinstance(obj_or_bytes, bytes) else pickle.dumps(obj_or_bytes, protocol=4)
    return restricted_load(io.BytesIO(data))


class RunsCode:
    def __reduce__(self):
        return (eval, ("__import__('os').system('echo pwned')",))


class CraftedDtypeState:
    """numpy.dtype('f8') whose BUILD state describes a void with an object field (a raw pointer)."""

    def __reduce__(self):
        return (np.dtype, ("f8", False, True), (3, "|", None, ("a",), {"a": ("f8", 0)}, 8, 1, 63))


class CraftedScalar:
    """numpy's scalar() fed the bytes of a pointer under an object dtype."""

    def __reduce__(self):
        from numpy._core.multiarray import scalar

        return (scalar, (np.dtype("O"), b"\x00" * 8))


def test_plain_values_and_numeric_scalars_load():
    value = {1: {"valid_perf": np.float64(0.81), "para": np.int64(3), "flag": np.bool_(True), "x": [1.5, "a"]}}
    out = load(value)
    assert out == value and type(out[1]["valid_perf"]) is np.float64 and type(out[1]["para"]) is np.int64


@pytest.mark.parametrize("hostile", [RunsCode(), CraftedDtypeState(), CraftedScalar(), np.dtype("O"),
                                     np.array([(1.0,)], dtype=[("a", "f8")])[0], np.float64])
def test_refused_with_a_value_error(hostile):
    with pytest.raises(ValueError, match="corrupt or not allowed"):
        load(hostile)


def test_a_scalar_with_the_wrong_number_of_bytes_is_refused():
    data = pickle.dumps(np.float64(1.0), protocol=4).replace(b"C\x08", b"C\x07", 1)  # SHORT_BINBYTES length
    with pytest.raises(ValueError):
        load(data[:-2])


def test_a_crafted_table_in_the_data_home_is_refused_not_a_crash(tmp_path):
    """End to end, in a subprocess (a segfault would kill pytest): NAS-Bench-Graph from a crafted data home."""
    (tmp_path / "nasbench_graph").mkdir()
    table = {i: {"valid_perf": 0.5, "perf": 0.5, "latency": 0.1, "para": 0.1} for i in range(3)}
    table[0]["valid_perf"] = CraftedDtypeState()
    (tmp_path / "nasbench_graph" / "cora.bench").write_bytes(pickle.dumps(table, protocol=4))
    code = textwrap.dedent(f"""
        from sknas.datasets import load_nasbench_graph
        try:
            load_nasbench_graph("cora", data_home={str(tmp_path)!r})
        except ValueError as exc:
            print("refused:", exc)
        """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "refused:" in proc.stdout and "modified state" in proc.stdout


def test_a_deeply_nested_key_is_refused_not_a_crash():
    """A dict key that is a tuple nested 1,000,000 deep: hashing it would recurse in C (SIGSEGV)."""
    code = textwrap.dedent("""
        import io
        from sknas.datasets._pickle import restricted_load
        bad = b"\\x80\\x02}" + b")" + b"\\x85" * 1_000_000 + b"K\\x01s."
        try:
            restricted_load(io.BytesIO(bad))
        except ValueError as exc:
            print(exc)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]  # a signal would give a negative return code
    assert "nested more than 32 deep" in out.stdout


WRAP = {"tuple": lambda v: (v,), "list": lambda v: [v], "dict": lambda v: {"k": v},
        "frozenset": lambda v: frozenset([v])}


@pytest.mark.parametrize("kind", list(WRAP))
def test_nesting_is_bounded_whatever_the_container(kind):
    from sknas.datasets._pickle import MAX_DEPTH

    def nest(depth):
        value = 1
        for _ in range(depth):
            value = WRAP[kind](value)
        return value

    assert load({"a": nest(MAX_DEPTH - 1)}) == {"a": nest(MAX_DEPTH - 1)}  # as deep as a table may be: loaded
    with pytest.raises(ValueError, match=f"nested more than {MAX_DEPTH} deep"):
        load({"a": nest(MAX_DEPTH + 5)})
    shared = nest(MAX_DEPTH // 2)  # memoised: every reference to a deep object keeps its depth
    assert load([shared, shared, (shared,)]) == [shared, shared, (shared,)]
    with pytest.raises(ValueError, match="nested more than"):
        load([shared, nest(MAX_DEPTH // 2), WRAP[kind](nest(MAX_DEPTH))])
