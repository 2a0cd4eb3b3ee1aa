"""Use case: render the active config of an environment in a format, and write it safely.

A plaintext-carrying artefact (the password, or an OAuth2 config's fresh access token) goes to
a stream the caller chose, or to a file created 0600 atomically, never to a path inside the
repository. A format that cannot sign in with a token is refused before one is asked for
(``Format.oauth``). A SOPS-encrypted one
(``k8s-secret``) may be written into the repository (a folder Flux watches); an existing
file with the same digest is kept as it is.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

from smtpops import atomic
from smtpops.delivery import source as sources
from smtpops.delivery import values
from smtpops.delivery.formats import FORMATS, Context, Format, OutputFile
from smtpops.errors import UsageError
from smtpops.gitops import workspace
from smtpops.gitops.workspace import Workspace
from smtpops.records import record
from smtpops.services import access_token


@record(frozen=True, kw_only=True)
class RenderResult:
    """A rendered artefact. ``files`` may hold the plaintext password or an access token:
    never log them."""

    format: str
    config: str
    digest: str
    files: tuple[OutputFile, ...]
    plaintext: bool
    root: str  # the repository it came from
    written: tuple[str, ...] = ()
    unchanged: bool = False

    @property
    def text(self) -> str:
        return "".join(f.data.decode("utf-8") for f in self.files)


def get_format(name: str) -> Format:
    found = FORMATS.get(name)
    if found is None:
        raise UsageError(
            f"'{name}' is not a render format", hint=f"Use one of: {', '.join(FORMATS)}."
        )
    return found


def parse_options(fmt: Format, pairs: tuple[str, ...]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in fmt.options:
            takes = ", ".join(fmt.options) or "no options"
            raise UsageError(
                f"--option {pair}: the {fmt.name} format takes {takes}",
                hint="Write --option NAME=VALUE.",
            )
        options[key] = value
    return options


def render(
    env: str,
    fmt_name: str,
    *,
    rev: str | None = None,
    options: Mapping[str, str] | None = None,
    ws: Workspace | None = None,
) -> RenderResult:
    fmt = get_format(fmt_name)
    ws = ws or workspace.open_at()
    src = sources.load_active(env, rev=rev, ws=ws)
    sources.check_valid(src)
    delivery = values.from_source(src)
    handed = access_token.for_delivery(src, delivery, fmt.oauth, f"the {fmt.name} format")
    password = sources.decrypt(src)
    rendered = fmt.render(
        Context(
            delivery=delivery,
            source=src,
            password=password,
            options=dict(options or {}),
            token=handed.token,
            credentials=handed.credentials,
        )
    )
    return RenderResult(
        format=fmt.name,
        config=delivery.config,
        digest=delivery.digest,
        files=rendered.files,
        plaintext=rendered.plaintext,
        root=ws.repo.root,
    )


def inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def write(result: RenderResult, output: str) -> RenderResult:
    """Write ``result`` to ``output`` (a file, or a folder for several files)."""
    fmt = get_format(result.format)
    if result.plaintext and inside(output, result.root):
        raise UsageError(
            f"{output} is inside the repository, and the {result.format} output holds the "
            "password (or access token) in plain text",
            hint="Write it outside the repository (e.g. /etc/crm/smtp), or pipe stdout.",
        )
    if fmt.directory:
        if os.path.exists(output) and not os.path.isdir(output):
            raise UsageError(f"{output} is a file; the {fmt.name} format writes a folder")
        os.makedirs(output, mode=0o700, exist_ok=True)
        paths = []
        for item in result.files:
            path = os.path.join(output, item.name)
            atomic.write_bytes(path, item.data, mode=item.mode)
            paths.append(path)
        return dataclasses.replace(result, written=tuple(paths))
    if os.path.isdir(output):
        raise UsageError(f"{output} is a folder", hint="Name the file to write, e.g. smtp.env.")
    (item,) = result.files
    if fmt.digest_of and os.path.isfile(output):
        with open(output, "rb") as handle:
            if fmt.digest_of(handle.read()) == result.digest:
                return dataclasses.replace(result, written=(output,), unchanged=True)
    atomic.write_bytes(output, item.data, mode=item.mode)
    return dataclasses.replace(result, written=(output,))


def render_options(fmt_name: str, output: str | None, options: dict[str, str]) -> dict[str, str]:
    """Defaults that depend on where the output goes (the postfix map folder)."""
    fmt = get_format(fmt_name)
    if fmt.directory and output and "directory" in fmt.options:
        options.setdefault("directory", os.path.abspath(output))
    return options
