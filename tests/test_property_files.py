"""Property tests (hypothesis) of the two parsers of untrusted text: the restricted unpickler of benchmark files
and DARTS genotype strings. Whatever the input, nested or oversized, they return or raise ``ValueError`` /
``TypeError`` with a short message: never another exception, never a crash, never a large allocation."""

import pickle
import struct
import tracemalloc
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sknas.datasets._pickle import MAX_DEPTH, restricted_load
from sknas.spaces import DARTSSpace

SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
#: bytes a parser may allocate on the way to an answer, however hostile its input (the inputs here are < 2 MB)
MEMORY_LIMIT = 100_000_000


def _answer(fn, *args):
    """``fn(*args)``: its result or its (ValueError / TypeError) exception, with the peak of traced memory."""
    tracemalloc.start()
    try:
        result = fn(*args)
    except (ValueError, TypeError) as exc:
        result = exc
        assert len(str(exc)) < 2000, "the message echoes its input"
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"{peak / 1e6:.0f} MB allocated"
    return result


# ----------------------------------------------------------------------------------------------- pickles
PLAIN = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                  st.text(max_size=5), st.binary(max_size=5))


def _nest(depth: int, kind: str, leaf):
    for _ in range(depth):
        leaf = {"tuple": lambda x: (x,), "list": lambda x: [x], "dict": lambda x: {0: x},
                "key": lambda x: {(x,) if not isinstance(x, (list, dict)) else 0: 1}, "set": lambda x: frozenset([x])
                }[kind](leaf)
    return leaf


@settings(max_examples=60, **SETTINGS)
@given(value=st.recursive(PLAIN, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                         st.dictionaries(st.integers(0, 9), inner, max_size=3)),
                          max_leaves=20),
       depth=st.integers(0, 2 * MAX_DEPTH), kind=st.sampled_from(["tuple", "list", "dict", "key", "set"]),
       protocol=st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_nested_plain_values_load_or_are_refused(value, depth, kind, protocol):
    """Containers nested up to MAX_DEPTH come back equal; deeper ones are a ValueError, never a crash."""
    obj = _nest(depth, kind, value if kind in ("tuple", "list", "dict") else 1)
    out = _answer(restricted_load, BytesIO(pickle.dumps(obj, protocol=protocol)))
    if isinstance(out, Exception):  # too deep, or (before protocol 4) a global for bytes or frozenset: refused
        assert isinstance(out, ValueError), out
        assert _depth(obj) > MAX_DEPTH or protocol < 4, out
    else:
        assert out == obj and _depth(obj) <= MAX_DEPTH


def _depth(obj) -> int:
    """How deep containers nest in ``obj`` (a scalar: 0), as the unpickler counts."""
    if isinstance(obj, dict):
        return 1 + max((max(_depth(k), _depth(v)) for k, v in obj.items()), default=0)
    if isinstance(obj, (tuple, list, frozenset)):
        return 1 + max((_depth(x) for x in obj), default=0)
    return 0


#: pickle opcodes a stream is made of: containers, marks, memo, stack moves, numbers, strings, stop
OPCODES = [b"(", b")", b"]", b"}", b"\x8f", b"\x85", b"\x86", b"\x87", b"t", b"l", b"d", b"\x91", b"a", b"e",
           b"s", b"u", b"\x90", b"0", b"1", b"2", b"\x94", b"h\x00", b"q\x00", b"K\x01", b"J\xff\xff\xff\x7f",
           b"N", b"\x88", b"G" + struct.pack(">d", 1.5), b"\x8c\x01a", b"\x8a\x01\x01", b"."]


@settings(max_examples=50, **SETTINGS)
@given(head=st.lists(st.sampled_from(OPCODES), max_size=12), block=st.lists(st.sampled_from(OPCODES), max_size=4),
       repeat=st.one_of(st.integers(0, 50), st.integers(1000, 100_000)),
       tail=st.lists(st.sampled_from(OPCODES), max_size=12), protocol_header=st.booleans())
def test_crafted_opcode_streams_are_refused_cleanly(head, block, repeat, tail, protocol_header):
    """Streams of opcodes, a block of them repeated up to 100,000 times (a 150 kB file nesting 1,000,000 deep
    killed the process): a value or a ValueError, within bounded memory."""
    data = (b"\x80\x04" if protocol_header else b"") + b"".join(head) + b"".join(block) * repeat + b"".join(tail)
    out = _answer(restricted_load, BytesIO(data[:2_000_000]))
    assert not isinstance(out, TypeError), out  # restricted_load turns every refusal into a ValueError


@settings(max_examples=60, **SETTINGS)
@given(opcode=st.sampled_from([b"X", b"B", b"C", b"T", b"\x8d", b"\x8e", b"\x96", b"\x8b", b"V", b"S", b"I", b"L"]),
       length=st.sampled_from([0, 1, 255, 2**31 - 1, 2**32 - 1, 2**63 - 1]), body=st.binary(max_size=16))
def test_oversized_lengths_allocate_nothing(opcode, length, body):
    """An opcode announcing a string, bytes or integer of up to 2**63 bytes, with a few bytes behind it."""
    size = {b"X": "<I", b"B": "<I", b"C": "<B", b"T": "<I", b"\x8d": "<Q", b"\x8e": "<Q", b"\x96": "<Q", b"\x8b": "<i"}
    if opcode in size:
        fmt = size[opcode]
        head = opcode + struct.pack(fmt, min(length, 2 ** (8 * struct.calcsize(fmt) - (fmt == "<i")) - 1))
    else:  # text opcodes: a decimal number as long as the length says, cut to 100 kB
        head = opcode + b"9" * min(length, 100_000) + b"\n"
    out = _answer(restricted_load, BytesIO(b"\x80\x04" + head + body + b"."))
    assert not isinstance(out, TypeError), out


# ----------------------------------------------------------------------------------------------- genotypes
OPS = ["sep_conv_3x3", "max_pool_3x3", "skip_connect", "none", "conv_7x1_1x7", "x" * 100_000, "", "'", "\\"]
INPUTS = st.one_of(st.integers(0, 5), st.integers(-10**30, 10**30), st.just("9" * 5000), st.just("1.5"),
                   st.just("None"), st.just("[0]"))


def _pairs(draw_ops, draw_inputs) -> str:
    return "[" + ", ".join(f"({op!r}, {src})" for op, src in zip(draw_ops, draw_inputs)) + "]"


@st.composite
def genotypes(draw):
    cells = [_pairs(draw(st.lists(st.sampled_from(OPS), min_size=0, max_size=9)),
                    [str(i) for i in draw(st.lists(INPUTS, min_size=9, max_size=9))]) for _ in range(2)]
    concat = [draw(st.sampled_from([
        "[2, 3, 4, 5]", "range(2, 6)", "range(0, 30000000)", "range(0, 10**100)", f"range(0, {10**100})",
        "range(2, 6, 0)", "range(*x)", "[" + "2, " * 100_000 + "]", "[" * 40 + "2" + "]" * 40,
        "list(range(2, 6))", "range(1e9)", "range(-2**63, 2**63)"]))
        for _ in range(2)]
    text = f"Genotype(normal={cells[0]}, normal_concat={concat[0]}, reduce={cells[1]}, reduce_concat={concat[1]})"
    cut = draw(st.one_of(st.none(), st.integers(0, len(text))))
    junk = draw(st.sampled_from(["", "(" * 200_000, "[" * 1000, ")", "Genotype(", "\x00", "#", "\n" * 3]))
    return (text if cut is None else text[:cut]) + junk


@settings(max_examples=40, **SETTINGS)
@given(text=genotypes())
def test_genotype_strings_parse_or_are_refused(text):
    space = DARTSSpace()
    out = _answer(space.from_string, text)
    if not isinstance(out, Exception):
        assert space.is_valid(out[None]).all() and space.from_string(space.to_string(out)).tolist() == out.tolist()


@pytest.mark.parametrize("text", ["[" * 1_000_000, "Genotype(" + "(" * 1_000_000, "Genotype(normal=" + "[" * 100_000])
def test_deeply_nested_genotype_strings(text):
    out = _answer(DARTSSpace().from_string, text)
    assert isinstance(out, ValueError)
