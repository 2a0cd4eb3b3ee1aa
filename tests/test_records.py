"""``smtpops.records.record`` behaves as ``@dataclass(..., slots=True)`` for what smtpops uses,
and refuses at definition what it does not implement. Each behaviour is checked against a real
dataclass built from the same class body."""

from __future__ import annotations

import copy
import dataclasses
import keyword
import pickle
import re
import threading
from dataclasses import field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpops.records import record

ROOT = Path(__file__).resolve().parents[1]


def twins(body: dict[str, Any], **options: bool) -> tuple[Any, Any]:
    """The same class body made into a record and into a slotted dataclass."""
    made: Any = record(**options)(type("Sample", (), dict(body)))
    ref: Any = dataclasses.dataclass(slots=True, **options)(type("Sample", (), dict(body)))
    return made, ref


@record(frozen=True, kw_only=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)
    secret: str = field(default="", repr=False)


@record()
class Counter:
    name: str
    hits: list[int] = field(default_factory=list)
    lock: Any = field(default_factory=threading.Lock, repr=False)


def test_init_repr_eq_hash_match_a_dataclass() -> None:
    body = {"__annotations__": {"a": "int", "b": "str", "c": "tuple[int, ...]"}, "b": "x", "c": ()}
    made, ref = twins(body, frozen=True, kw_only=True)
    for kwargs in ({"a": 1}, {"a": 2, "b": "y"}, {"a": 3, "b": "z", "c": (1, 2)}):
        ours, theirs = made(**kwargs), ref(**kwargs)
        assert repr(ours) == repr(theirs)
        assert hash(ours) == hash(theirs)
        assert ours == made(**kwargs)
        assert ours != made(**(kwargs | {"a": -1}))
    assert made.__slots__ == ("a", "b", "c")
    assert made.__match_args__ == ref.__match_args__ == ()
    with pytest.raises(TypeError):
        made(1)  # keyword-only
    with pytest.raises(TypeError):
        made()  # a is required
    with pytest.raises(TypeError):
        made(a=1, d=2)  # no such field


def test_positional_records_take_arguments_in_order() -> None:
    body = {"__annotations__": {"a": "int", "b": "int"}, "b": 5}
    made, ref = twins(body, frozen=True)
    assert repr(made(1)) == repr(ref(1)) and repr(made(1, 2)) == repr(ref(1, 2))
    assert made.__match_args__ == ref.__match_args__ == ("a", "b")
    match made(7, 8):
        case made(a, b):
            assert (a, b) == (7, 8)


def test_frozen_records_refuse_assignment_and_deletion() -> None:
    point = Point(x=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.x
    with pytest.raises(AttributeError):
        object.__setattr__(point, "z", 1)  # slots: no other attribute exists
    assert point.x == 1


def test_mutable_records_assign_and_are_unhashable_as_dataclasses_are() -> None:
    counter = Counter(name="a")
    counter.hits.append(1)
    counter.name = "b"
    assert counter.name == "b" and counter.hits == [1]
    assert Counter.__hash__ is None
    with pytest.raises(TypeError):
        hash(counter)
    with pytest.raises(AttributeError):
        counter.other = 1


def test_default_factories_give_each_record_its_own_value() -> None:
    one, two = Point(x=1), Point(x=2)
    assert one.notes == {} and one.notes is not two.notes
    assert Counter(name="a").lock is not Counter(name="b").lock
    given_notes = {"k": "v"}
    assert Point(x=1, notes=given_notes).notes is given_notes


def test_repr_false_hides_a_field() -> None:
    text = repr(Point(x=1, secret="canary-secret-7"))
    assert "canary-secret-7" not in text
    assert text == "Point(x=1, y=0, tags=(), notes={})"
    assert "lock" not in repr(Counter(name="a"))


def test_pickle_and_copy_round_trip_frozen_and_mutable_records() -> None:
    point = Point(x=1, y=2, tags=("a",), notes={"k": "v"}, secret="s")
    for clone in (pickle.loads(pickle.dumps(point)), copy.deepcopy(point), copy.copy(point)):
        assert clone == point and clone.secret == "s"
    counter = Counter(name="a", hits=[1, 2], lock=None)
    clone = pickle.loads(pickle.dumps(counter))
    assert clone == counter and clone.hits is not counter.hits


def test_dataclasses_functions_work_on_records() -> None:
    point = Point(x=1, notes={"k": "v"})
    assert dataclasses.is_dataclass(point) and dataclasses.is_dataclass(Point)
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "y", "tags", "notes", "secret"]
    assert dataclasses.asdict(point) == {
        "x": 1,
        "y": 0,
        "tags": (),
        "notes": {"k": "v"},
        "secret": "",
    }
    moved = dataclasses.replace(point, y=5)
    assert isinstance(moved, Point) and (moved.x, moved.y, moved.notes) == (1, 5, {"k": "v"})
    assert point.y == 0


def test_what_records_do_not_implement_is_refused_when_the_class_is_defined() -> None:
    def define(annotations: dict[str, str], **body: Any) -> None:
        record(frozen=True)(type("Bad", (), {"__annotations__": annotations, **body}))

    with pytest.raises(ValueError, match="mutable default list"):
        define({"a": "list[int]"}, a=[])
    with pytest.raises(TypeError, match="non-default field 'b' follows"):
        define({"a": "int", "b": "int"}, a=1)
    with pytest.raises(TypeError, match=re.escape("field(compare=...) is not supported")):
        define({"a": "int"}, a=field(default=1, compare=False))
    with pytest.raises(TypeError, match=re.escape("field(init=...) is not supported")):
        define({"a": "int"}, a=field(default=1, init=False))
    with pytest.raises(TypeError, match="ClassVar"):
        define({"a": "ClassVar[int]"}, a=1)
    with pytest.raises(TypeError, match="__post_init__"):
        define({"a": "int"}, __post_init__=lambda self: None)
    with pytest.raises(TypeError, match="do not inherit"):
        record()(type("Child", (Point,), {"__annotations__": {}}))


names = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), unique=True, max_size=6)
values = st.one_of(st.integers(), st.text(max_size=5), st.none(), st.tuples(st.integers()))


@given(names=names, data=st.data(), frozen=st.booleans(), kw_only=st.booleans())
def test_any_field_list_behaves_as_the_dataclass_of_the_same_body(
    names: list[str], data: st.DataObject, frozen: bool, kw_only: bool
) -> None:
    names = [n for n in names if not keyword.iskeyword(n) and n != "self"]
    required = data.draw(st.integers(0, len(names)))
    defaults = {n: data.draw(values) for n in names[required:]}
    body = {"__annotations__": dict.fromkeys(names, "object"), **defaults}
    made, ref = twins(body, frozen=frozen, kw_only=kw_only)
    given_values = {n: data.draw(values) for n in names[:required]}
    given_values |= {n: data.draw(values) for n in names[required:] if data.draw(st.booleans())}
    ours, theirs = made(**given_values), ref(**given_values)
    assert repr(ours) == repr(theirs)
    assert [getattr(ours, n) for n in names] == [getattr(theirs, n) for n in names]
    assert ours == made(**given_values)
    if frozen:
        assert hash(ours) == hash(theirs)
    assert copy.deepcopy(ours) == ours  # __reduce_ex__, as pickle uses it
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)


def test_the_package_defines_its_records_with_record_not_dataclass() -> None:
    """One way to define a record, so start-up pays the cheap one everywhere."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "smtpops").rglob("*.py"))
        if path.name != "records.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.match(r"\s*@(dataclasses\.)?dataclass\b", line)
    ]
    assert offenders == [], "use @record from smtpops.records: " + ", ".join(offenders)


def test_the_first_call_compiles_the_real_init_and_checks_as_it_does() -> None:
    """A record's ``__init__`` is compiled on its first call; even a wrong first call gets
    the real one's TypeError, and after it the class holds the compiled ``__init__``."""
    made, _ = twins({"__annotations__": {"a": "int"}}, frozen=True, kw_only=True)
    placeholder = made.__init__
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'b'"):
        made(b=1)
    assert made.__init__ is not placeholder
    assert made.__init__.__qualname__ == "Sample.__init__"
    assert made(a=1).a == 1
