"""What every format is: a name, whether its output carries the plaintext password, and a
render function from a :class:`Context` to :class:`Rendered` files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from smtpops.delivery.source import Source
from smtpops.delivery.values import Delivery
from smtpops.errors import InputError, UsageError
from smtpops.model import parse_duration
from smtpops.secret import Secret

SUPPORTED_AUTH = ("LOGIN", "PLAIN", "CRAM-MD5")


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    delivery: Delivery
    source: Source
    password: Secret | None
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputFile:
    name: str  # a file name (no folders)
    data: bytes
    mode: int = 0o644
    plaintext: bool = False  # holds the plaintext password


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    files: tuple[OutputFile, ...]

    @property
    def plaintext(self) -> bool:
        return any(f.plaintext for f in self.files)


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    name: str
    summary: str
    render: Callable[[Context], Rendered]
    plaintext: bool  # the output carries the plaintext password
    directory: bool = False  # several files: --output DIR only
    options: tuple[str, ...] = ()  # names accepted by --option NAME=VALUE
    digest_of: Callable[[bytes], str | None] | None = None  # nondeterministic output only


def single(name: str, text: str, *, plaintext: bool) -> Rendered:
    mode = 0o600 if plaintext else 0o644
    return Rendered(
        files=(OutputFile(name=name, data=text.encode("utf-8"), mode=mode, plaintext=plaintext),)
    )


def refuse_auth(ctx: Context, fmt: str, allowed: tuple[str, ...] = SUPPORTED_AUTH) -> None:
    """A sign-in method the target cannot express is an error, never a silent fallback."""
    auth = ctx.delivery.auth_protocol
    if auth not in allowed:
        raise InputError(
            f"{ctx.delivery.config}: the {fmt} format cannot sign in with {auth}",
            hint=f"Use one of {', '.join(allowed)} for this consumer, or the json/env format.",
        )


def option(ctx: Context, name: str, default: str) -> str:
    return ctx.options.get(name) or default


def seconds_value(options: Mapping[str, str], name: str, default: int) -> int:
    raw = options.get(name)
    if raw is None:
        return default
    value = parse_duration(raw)
    if value is None or value <= 0:
        raise UsageError(
            f"{name}={raw}: expected a number of seconds (e.g. 300 or 300s)",
            hint=f"Write e.g. {name}=300.",
        )
    return value
