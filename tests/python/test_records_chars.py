"""Fixed-size char fields of records ('S<n>' and 'U<n>') and arrays of records made in
compiled code (typeinfer/RecordRules.cpp, lowering/CodeGenRecord.cpp, runtime/Bytes.cpp),
against NumPy: reading r.name / a[i]['name'] gives bytes (S) or str (U) without the trailing
NULs, writing stores bytes / str truncated or padded with NULs, comparisons with literals;
np.empty / np.zeros with a structured dtype held in a global or taken as a.dtype; and the
UnsupportedErrors of what is not supported (views of char fields over an array)."""

import numpy as np
import pytest

import ember
from ember.errors import TypingError, UnsupportedError

PACKED = np.dtype([("id", "i4"), ("name", "S6"), ("label", "U5"), ("x", "f8")])
ALIGNED = np.dtype([("id", "i4"), ("name", "S6"), ("label", "U5"), ("x", "f8")], align=True)
NAMES = [b"", b"a", b"ab\x00c", b"abcdef", b"\xff\x01"]
LABELS = ["", "x", "h\u00e9llo", "\u4e16\u754c", "a\U0001f600"]


@pytest.fixture(params=[PACKED, ALIGNED], ids=["packed", "aligned"])
def people(request):
    a = np.zeros(len(NAMES), request.param)
    a["id"] = np.arange(len(NAMES))
    a["name"] = NAMES
    a["label"] = LABELS
    a["x"] = np.linspace(0, 1, len(NAMES))
    return a


@ember.jit
def read_fields(a, i):
    return a[i].name, a[i]["label"], a[i].x


def test_reads_match_numpy(people):
    for i in range(len(people)):
        name, label, x = read_fields(people, i)
        assert type(name) is bytes and type(label) is str
        assert (name, label, x) == (people[i]["name"], people[i]["label"], people[i]["x"])


@ember.jit
def count_matches(a):
    n = 0
    for i in range(len(a)):
        if a[i].name == b"abcdef":
            n += 1
        if a[i].label == "x":
            n += 10
        if a[i].name < b"ab":
            n += 100
    return n


def test_comparisons_with_literals(people):
    expected = sum(
        (r["name"] == b"abcdef") + 10 * (r["label"] == "x") + 100 * (r["name"] < b"ab")
        for r in people
    )
    assert count_matches(people) == expected


@ember.jit
def write_fields(a, i, name, label):
    a[i].name = name
    a[i]["label"] = label


@pytest.mark.parametrize(
    "name, label",
    [
        (b"", ""),
        (b"zz", "q"),
        (b"toolongname", "far too long"),
        (b"six666", "\u00e9\u00e9"),
        (b"a\x00", "\U0001f600b"),
    ],
)
def test_writes_truncate_and_pad_as_numpy(people, name, label):
    got, expected = people.copy(), people.copy()
    write_fields(got, 2, name, label)
    expected[2]["name"] = name
    expected[2]["label"] = label
    assert got.tobytes() == expected.tobytes() or all(
        (got[f] == expected[f]).all() for f in got.dtype.names
    )
    for f in got.dtype.names:
        np.testing.assert_array_equal(got[f], expected[f])


@ember.jit
def write_literals(a):
    a[0].name = "lit"  # an ASCII str literal into an S field, as NumPy encodes it
    a[0].label = "lab"
    a[1].name = b"raw"


def test_literal_writes(people):
    write_literals(people)
    assert people[0]["name"] == b"lit" and people[0]["label"] == "lab"
    assert people[1]["name"] == b"raw"


@ember.jit
def write_slice(a, src):
    a[0].name = src[1:4]
    a[1].name = src[::2]


def test_writes_of_bytes_slices(people):
    write_slice(people, b"0123456789")
    assert people[0]["name"] == b"123" and people[1]["name"] == b"02468"


@ember.jit
def non_ascii(a):
    a[0].name = "\u00e9"


@ember.jit
def wrong_value(a):
    a[0].label = b"x"


@ember.jit
def char_view(a):
    return a["name"]


@ember.jit
def char_attr_view(a):
    return a.label


def test_errors_name_the_field(people):
    with pytest.raises(TypingError, match="ASCII"):
        non_ascii(people)
    with pytest.raises(TypingError, match="'label'.*takes a str"):
        wrong_value(people)
    with pytest.raises(UnsupportedError, match="char field 'name'"):
        char_view(people)
    with pytest.raises(UnsupportedError, match="char field 'label'"):
        char_attr_view(people)


# ---- arrays of records made in compiled code --------------------------------------------------

POINT = np.dtype([("x", "f8"), ("y", "f8"), ("tag", "S3")])


@ember.jit
def make_points(n):
    a = np.zeros(n, dtype=POINT)
    for i in range(n):
        a[i].x = i
        a[i].y = 2.0 * i
        a[i].tag = b"p"
    return a


@ember.jit
def like(a):
    b = np.empty(len(a), a.dtype)
    for i in range(len(a)):
        b[i] = a[len(a) - 1 - i]
    return b


def test_np_zeros_of_a_global_dtype():
    a = make_points(4)
    assert a.dtype == POINT and a.shape == (4,)
    np.testing.assert_array_equal(a["x"], np.arange(4.0))
    np.testing.assert_array_equal(a["y"], 2 * np.arange(4.0))
    assert list(a["tag"]) == [b"p"] * 4
    assert make_points(0).shape == (0,)


def test_np_empty_of_a_dtype():
    a = make_points(5)
    b = like(a)
    assert b.dtype == a.dtype
    np.testing.assert_array_equal(b["x"], a["x"][::-1])
    assert list(b["tag"]) == list(a["tag"][::-1])


@ember.jit
def zeros_2d(n):
    return np.zeros((n, 2), POINT)


def test_np_zeros_2d():
    a = zeros_2d(3)
    assert a.shape == (3, 2) and a.dtype == POINT
    assert (a["x"] == 0).all() and (a["tag"] == b"").all()


@ember.jit
def sum_of_made(n):
    a = np.zeros(n, POINT)
    for i in range(n):
        a[i].x = i
    s = 0.0
    for r in a:
        s += r.x
    return s


def test_made_array_not_returned():
    assert sum_of_made(10) == 45.0


def test_no_leaks(meminfo_balance, people):
    for _ in range(3):
        read_fields(people, 1)
        write_fields(people, 1, b"ab", "cd")
        make_points(3)
        sum_of_made(4)
        like(make_points(2))


@ember.jit
def record_list(a):
    return [a[0], a[1]]


@ember.jit
def record_tuple(a):
    return a[0], a[-1]


def test_records_in_containers(people):
    with pytest.raises(UnsupportedError, match="record.*list item"):
        record_list(people)
    first, last = record_tuple(people)
    assert first == people[0] and last == people[-1]


@ember.jit
def records_from_bytes(buf):
    a = np.frombuffer(buf, POINT)
    s = 0.0
    for i in range(len(a)):
        if a[i].tag == b"q":
            s += a[i].x + a[i].y
    return s, a


@ember.jit
def ones_of_records(n):
    return np.ones(n, POINT)


def test_frombuffer_of_records():
    src = np.zeros(4, POINT)
    src["x"], src["y"], src["tag"] = [1, 2, 3, 4], [10, 20, 30, 40], [b"q", b"p", b"q", b"qq"]
    s, a = records_from_bytes(src.tobytes())
    assert s == 44.0
    assert a.dtype == POINT and not a.flags.writeable
    for f in POINT.names:
        np.testing.assert_array_equal(a[f], np.frombuffer(src.tobytes(), POINT)[f])
    with pytest.raises(ValueError, match="multiple of element size"):
        records_from_bytes(src.tobytes()[:-1])
    with pytest.raises(UnsupportedError, match=r"np.ones\(\) of a structured dtype"):
        ones_of_records(2)
