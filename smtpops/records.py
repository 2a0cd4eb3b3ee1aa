"""``@record``: smtpops' typed records, the dataclasses its results are, for a fraction of the cost.

On Python 3.11 and 3.12, ``@dataclass`` compiles each method it writes (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``) with its own ``exec``:
about 0.7 ms for a frozen, slotted class, paid by every command at start-up for each of the
dozens of records it imports. ``record`` writes only ``__init__`` as source, and compiles it
on the record's first use (most records a command imports are never made in it); the others are
shared functions that read the fields through one ``operator.attrgetter``. The classes it makes
behave as ``@dataclass(..., slots=True)`` does for what smtpops uses: keyword-only or positional
fields, defaults, ``field(default_factory=..., repr=...)``, equality, hashing of frozen records,
``FrozenInstanceError``, pickling, and ``dataclasses.fields``/``replace``/``asdict``/
``is_dataclass`` (their field table is built by ``dataclasses`` itself on first use).
Anything else a dataclass could be asked for (inheritance, ``ClassVar``, ``init=False``,
``compare=False``, ``__post_init__``) is refused with a TypeError when the class is defined,
never silently ignored.

mypy and editors read ``record`` as a dataclass (``typing.dataclass_transform``).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_SUPPORTED = {"default", "default_factory", "repr"}
_REFUSED_TYPES = ("ClassVar", "typing.ClassVar", "InitVar", "dataclasses.InitVar")
_FACTORY = object()  # the __init__ default of a field that has a default_factory


@dataclass_transform(field_specifiers=(dataclasses.field,))
def record(*, frozen: bool = False, kw_only: bool = False) -> Callable[[type[T]], type[T]]:
    """A class decorator: ``@record(frozen=True, kw_only=True)`` where a dataclass would say
    ``@dataclass(frozen=True, slots=True, kw_only=True)``. Records always have slots."""

    def build(cls: type[T]) -> type[T]:
        return _build(cls, frozen=frozen, kw_only=kw_only)

    return build


def _build(cls: type[T], *, frozen: bool, kw_only: bool) -> type[T]:
    if cls.__bases__ != (object,):
        raise TypeError(f"record {cls.__qualname__}: records do not inherit")
    body = dict(cls.__dict__)
    if "__post_init__" in body:
        raise TypeError(f"record {cls.__qualname__}: __post_init__ is not supported")
    names = list(body.get("__annotations__", {}))
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    hidden: set[str] = set()
    for name in names:
        annotation = str(body["__annotations__"][name])
        if annotation.startswith(_REFUSED_TYPES):
            raise TypeError(f"record {cls.__qualname__}.{name}: {annotation} is not supported")
        if name not in body:
            if (defaults or factories) and not kw_only:
                raise TypeError(
                    f"record {cls.__qualname__}: non-default field {name!r} follows a field "
                    "with a default"
                )
            continue
        value = body.pop(name)
        if isinstance(value, dataclasses.Field):
            _field_options(cls, name, value)
            if not value.repr:
                hidden.add(name)
            if value.default_factory is not dataclasses.MISSING:
                factories[name] = value.default_factory
            elif value.default is not dataclasses.MISSING:
                defaults[name] = value.default
            continue
        if type(value).__hash__ is None:
            raise ValueError(
                f"record {cls.__qualname__}.{name}: mutable default {type(value).__name__} "
                "is not allowed: use field(default_factory=...)"
            )
        defaults[name] = value
    for key in ("__dict__", "__weakref__"):
        body.pop(key, None)
    body["__slots__"] = tuple(names)
    body["__qualname__"] = cls.__qualname__
    body["__init__"] = _first_init(cls.__qualname__, names, defaults, factories, frozen, kw_only)
    body["__match_args__"] = () if kw_only else tuple(names)
    body.update(_methods(cls.__qualname__, names, hidden, frozen))
    body["__dataclass_fields__"] = _Fields(cls, kw_only=kw_only)
    metaclass: Any = type(cls)
    made: type[T] = metaclass(cls.__name__, cls.__bases__, body)
    return made


def _field_options(cls: type, name: str, value: dataclasses.Field[Any]) -> None:
    """Refuses the ``field()`` options records do not implement (a silent difference from a
    dataclass would be worse than an error at import)."""
    plain = dataclasses.field()
    for option in ("init", "compare", "hash", "kw_only", "metadata"):
        if getattr(value, option) != getattr(plain, option):
            raise TypeError(
                f"record {cls.__qualname__}.{name}: field({option}=...) is not supported; "
                f"records support {', '.join(sorted(_SUPPORTED))}"
            )


def _first_init(qualname: str, *spec: Any) -> Callable[..., None]:
    """The ``__init__`` a record starts with: on its first call it compiles the real one
    (:func:`_init`), puts it on the class and hands over. Most records a command imports are
    never made in that run, and compiling an ``__init__`` costs ~0.15 ms."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _init(qualname, *spec)  # spec: _init's arguments after the name
        type.__setattr__(type(self), "__init__", real)  # records do not inherit: the class
        real(self, *args, **kwargs)

    __init__.__qualname__ = f"{qualname}.__init__"
    return __init__


def _init(
    qualname: str,
    names: list[str],
    defaults: dict[str, Any],
    factories: dict[str, Callable[[], Any]],
    frozen: bool,
    kw_only: bool,
) -> Callable[..., None]:
    """The one method written as source, so that a call costs what a dataclass's does."""
    scope: dict[str, Any] = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    params, lines = [], []
    for name in names:
        if name in factories:
            scope[f"_f_{name}"] = factories[name]
            params.append(f"{name}=_FACTORY")
            value = f"_f_{name}() if {name} is _FACTORY else {name}"
        elif name in defaults:
            scope[f"_d_{name}"] = defaults[name]
            params.append(f"{name}=_d_{name}")
            value = name
        else:
            params.append(name)
            value = name
        lines.append(
            f"    _set(self, {name!r}, {value})" if frozen else f"    self.{name} = {value}"
        )
    star = "*, " if kw_only and params else ""
    source = f"def __init__(self, {star}{', '.join(params)}):\n" + ("\n".join(lines) or "    pass")
    exec(source, scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{qualname}.__init__"
    return init


def _methods(qualname: str, names: list[str], hidden: set[str], frozen: bool) -> dict[str, Any]:
    """``__repr__``, ``__eq__``, ``__hash__`` and the frozen guards, without compiling source."""
    values = _getter(names)
    shown = [name for name in names if name not in hidden]
    shown_values = _getter(shown)
    short = qualname

    def __repr__(self: Any) -> str:
        parts = zip(shown, shown_values(self), strict=True)
        return f"{short}(" + ", ".join(f"{name}={value!r}" for name, value in parts) + ")"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(values(self) == values(other))
        return NotImplemented

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return values(self)

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    methods: dict[str, Any] = {
        "__repr__": __repr__,
        "__eq__": __eq__,
        "__getstate__": __getstate__,
        "__setstate__": __setstate__,
    }
    if frozen:

        def __hash__(self: Any) -> int:
            return hash(values(self))

        def __setattr__(self: Any, name: str, value: object) -> None:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

        def __delattr__(self: Any, name: str) -> None:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

        methods |= {"__hash__": __hash__, "__setattr__": __setattr__, "__delattr__": __delattr__}
    else:
        methods["__hash__"] = None  # as a dataclass with eq and without frozen: unhashable
    for name, method in methods.items():
        if method is not None:
            method.__qualname__ = f"{qualname}.{name}"
    return methods


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function returning the named attributes as a tuple, whatever their number."""
    if not names:
        return lambda _: ()
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return operator.attrgetter(*names)


class _Fields:
    """The ``__dataclass_fields__`` of a record, made by ``dataclasses`` itself from the class's
    original body the first time ``dataclasses.fields``/``replace``/``asdict`` asks for it, then
    kept on the class. Start-up pays nothing for it."""

    def __init__(self, cls: type, *, kw_only: bool) -> None:
        self.body = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
        self.name = cls.__name__
        self.kw_only = kw_only

    def __get__(self, obj: object, owner: type) -> dict[str, dataclasses.Field[Any]]:
        # the field table only: no methods are written for the twin (they are record's own)
        twin: Any = dataclasses.dataclass(init=False, repr=False, eq=False, kw_only=self.kw_only)(
            type(self.name, (), dict(self.body))
        )
        fields: dict[str, dataclasses.Field[Any]] = twin.__dataclass_fields__
        type.__setattr__(owner, "__dataclass_fields__", fields)
        return fields
