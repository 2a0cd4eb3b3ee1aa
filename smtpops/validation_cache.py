"""A content-hash cache of validation reports: ``<repository>/.smtpops/cache/validate/``.

Like ruff's and mypy's caches, an entry is found by a key over everything the run reads:

- every config file of the run (its bytes, the path it is shown as, its environment) and,
  when files are named one by one, the other configs of their environments (repository
  rules compare a file with them);
- the repository settings (``configs/environments.yaml``, ``.sops.yaml``);
- the providers (every file of the bundled ``providers/``, or of ``--providers-dir``);
- the schema file;
- the smtpops version and its code (size and modification time of each module, so an
  edited checkout never gets an old answer);
- the caller's options, and the working directory (paths are shown relative to it);
- for a run over folders, the other files the leak scan reads (their bytes; size and
  modification time of one too big to be read).

Beside an entry, a view keeps the text one output format wrote from its report (with the same
key and disk facts), so an unchanged tree is answered with that text at once: nothing is
decoded or written out again (:func:`load_view`).

What a rule learnt about the disk beyond that (:mod:`smtpops.diskfacts`: a ``ca_file`` that
must exist, the schema copy a modeline names) is stored in the entry and asked again before
the entry is used.

The entry holds the report: findings, never a password (messages name fields and lines,
never a secret's value). A corrupt, foreign (other key, format or version) or unreadable
entry is ignored and replaced, never trusted; entries are written atomically; a repository
that cannot be written to simply goes without a cache.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from smtpops import (
    __version__,
    digests,
    discovery,
    diskfacts,
    filenames,
    localstate,
    repopath,
    resources,
)
from smtpops.diagnostics import Diagnostic, Location, Report, RuleInfo, Severity
from smtpops.encryption import scope
from smtpops.records import record
from smtpops.validation_options import Options

FORMAT = 2  # 2: keys are BLAKE2b, views are NUL-separated
FOLDER = ("cache", "validate")
MAX_ENTRIES = 64  # one per distinct run (files named, options); the oldest go first
VIEW_SUFFIX = ".view"  # one output format's text of an entry's report (load_view)
_VIEW_NAME = re.compile(r"[a-z0-9_-]+")
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _tree_files(top: str, suffixes: tuple[str, ...] | None = None) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        found.extend(
            os.path.join(folder, n)
            for n in sorted(files)
            if suffixes is None or n.endswith(suffixes)
        )
    return found


@lru_cache(maxsize=1)
def _code() -> bytes:
    """A fingerprint of smtpops' modules (size and modification time of each)."""
    digest = digests.new()
    for path in _tree_files(_PACKAGE, (".py",)):
        stat = os.stat(path)
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.digest()


def _content(digest: Any, label: str, path: str) -> None:
    """Add a file's bytes (or that it is missing) to ``digest`` under ``label``."""
    try:
        with open(path, "rb", buffering=0) as handle:  # one read, no buffer object per file
            data = handle.read()
    except OSError as exc:  # missing or unreadable: the run will say so; keyed as such
        digest.update(f"{label}\0{type(exc).__name__}\n".encode())
        return
    digest.update(f"{label}\0{len(data)}\0".encode())
    digest.update(data)


def _folder(digest: Any, label: str, top: str) -> None:
    for path in _tree_files(top):
        _content(digest, f"{label}:{os.path.relpath(path, top)}", path)


def _stats(digest: Any, paths: Iterable[str]) -> None:
    for path in paths:
        try:
            stat = os.stat(path)
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{path}\0gone\n".encode())


Folders = dict[str, tuple[str | None, frozenset[str] | None]]


def _link(root: str, path: str, folders: Folders, cwd: str) -> str | None:
    """``repopath.link_in_path(root, path)``, each folder's answer remembered in ``folders``
    with the names in it that are links (``root`` absolute; ``cwd`` the working directory,
    asked once per run, not per file)."""
    full = os.path.normpath(os.path.join(cwd, path))  # abspath, without a getcwd() each
    folder = os.path.dirname(full)
    if not (folder + os.sep).startswith(root.rstrip(os.sep) + os.sep):
        return repopath.link_in_path(root, path)  # not below the root: as it says
    if folder not in folders:
        folders[folder] = (repopath.link_in_path(root, folder), _symlinks(folder))
    found, links = folders[folder]
    if found is not None:
        return found
    if links is None:  # the folder could not be listed: ask about the file itself
        return full if os.path.islink(full) else None
    return full if os.path.basename(full) in links else None


def _symlinks(folder: str) -> frozenset[str] | None:
    """The names in ``folder`` that are symbolic links, from one listing (the entry types
    come with it: no lstat per file); None when it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            return frozenset(e.name for e in entries if e.is_symlink())
    except OSError:
        return None


@record(frozen=True, kw_only=True)
class Entry:
    """Where a run's report is kept, and the key it must carry."""

    path: str
    key: str


def entry_for(paths: Sequence[str], options: Options) -> Entry | None:
    """The cache entry of validating ``paths`` with ``options``; None when the run has no
    repository to keep a cache in. Raises what discovery raises (as the run itself would)."""
    items, configs_dir = discovery.discover(tuple(paths))
    if configs_dir is None:
        return None
    cwd = os.getcwd()
    root = os.path.dirname(os.path.abspath(configs_dir))
    digest = digests.new(b"smtpops validation cache\0")
    digest.update(__version__.encode() + b"\0")
    digest.update(_code())
    digest.update(cwd.encode() + b"\0")
    # repr of plain values (strings, bools, None, tuples of them): stable, and needs no json
    digest.update(repr(sorted(dataclasses.asdict(options).items())).encode() + b"\0")
    digest.update(os.path.abspath(configs_dir).encode() + b"\0")
    _content(digest, "settings", os.path.join(configs_dir, filenames.SETTINGS_FILE))
    _content(digest, "sops", os.path.join(root, ".sops.yaml"))
    _content(digest, "schema", resources.schema_file())
    _folder(digest, "providers", options.providers_dir or resources.data_path("providers"))
    folders: Folders = {}  # folder -> the link it is in, its linked names (one walk per folder)
    for item in items:
        digest.update(f"file\0{item.path}\0{item.environment}\0{item.configs_dir}\n".encode())
        link = _link(root, item.path, folders, cwd)  # FILE010: same bytes through a link
        digest.update(f"link\0{link}\0{os.readlink(link) if link else ''}\n".encode())
        _content(digest, "bytes", item.path)
    whole_tree = not paths or any(os.path.isdir(p) for p in paths)
    if whole_tree:  # the leak scan reads these too
        named = {os.path.normpath(os.path.join(cwd, i.path)) for i in items}  # abspath
        for path in scope.quick_paths(root, configs_dir):  # absolute: root is
            if path in named:
                continue  # its bytes are in already
            try:
                # the scan maps a big file and reads it whole; the key takes its size and
                # modification time instead of hashing its bytes each run
                big = os.path.getsize(path) > scope.MAX_BYTES
            except OSError:
                big = False
            if big:
                _stats(digest, (path,))
            else:
                _content(digest, f"scanned:{path}", path)
    else:
        for other in discovery.neighbours(items):
            _content(digest, f"neighbour:{other.path}", other.path)
    name = digest.hexdigest()
    return Entry(path=os.path.join(localstate.top(root), *FOLDER, f"{name}.json"), key=name)


def _diagnostic(raw: dict[str, Any]) -> Diagnostic:
    return Diagnostic(
        **(raw | {"severity": Severity(raw["severity"]), "location": Location(**raw["location"])})
    )


def _rule(raw: dict[str, Any]) -> RuleInfo:
    return RuleInfo(
        **(raw | {"severity": Severity(raw["severity"]), "references": tuple(raw["references"])})
    )


def _encode(value: Any) -> Any:
    if isinstance(value, Severity):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    return value


def _decode(raw: dict[str, Any], rules: list[dict[str, Any]]) -> Report:
    fields = {f.name for f in dataclasses.fields(Report)}
    if set(raw) | {"rules"} != fields:
        raise ValueError("not this version's report")
    # every sequence field holds diagnostics (diagnostics, hidden) or strings (files)
    values: dict[str, Any] = {
        name: tuple(_diagnostic(v) if isinstance(v, dict) else str(v) for v in value)
        if isinstance(value, list)
        else value
        for name, value in raw.items()
    }
    values["rules"] = tuple(_rule(r) for r in rules)
    return Report(**values)


def _catalogue_path(entry: Entry) -> str:
    """The rule catalogue every report carries (for SARIF): the same for one smtpops, so it
    is kept once, beside the entries, under the code's fingerprint."""
    return os.path.join(os.path.dirname(entry.path), f"rules-{_code().hex()[:32]}.json")


def _read_json(path: str) -> Any:
    # lazy(start-up): json (~2.7 ms); a run that a view answers reads no JSON
    import json

    with open(path, "rb") as handle:
        return json.loads(handle.read())


def load(entry: Entry) -> Report | None:
    """The cached report, or None (no entry, or one that is corrupt, foreign or stale)."""
    found = load_recorded(entry)
    return found[0] if found is not None else None


def load_recorded(entry: Entry) -> tuple[Report, dict[str, str]] | None:
    """The cached report and the disk facts it depended on (what ``save`` was given), or
    None (no entry, or one that is corrupt, foreign or stale)."""
    try:
        data = _read_json(entry.path)
        if not isinstance(data, dict) or not _current(
            entry, data.get("format"), data.get("smtpops"), data.get("key"), data["looked_up"]
        ):
            return None
        rules = _read_json(_catalogue_path(entry))
        if not isinstance(rules, dict) or rules.get("key") != _code().hex():
            return None
        return _decode(data["report"], rules["rules"]), dict(data["looked_up"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _current(entry: Entry, fmt: object, version: object, key: object, facts: Any) -> bool:
    """Whether a head (an entry's or a view's) with this format, smtpops version, key and
    disk facts belongs to ``entry``, and every fact it records is still true."""
    if fmt != FORMAT or version != __version__ or key != entry.key:
        return False
    return all(diskfacts.still(path, learnt) for path, learnt in facts.items())


def _view_path(entry: Entry, view: str) -> str:
    if not _VIEW_NAME.fullmatch(view):
        raise ValueError(f"not a view name: {view!r}")  # a programming error, not input
    return entry.path.removesuffix(".json") + f".{view}{VIEW_SUFFIX}"


_VIEW_MAGIC = "smtpops view"
_VIEW_FIELDS = 8  # magic, format, version, key, view, exit code, body bytes, facts


def load_view(entry: Entry, view: str) -> tuple[str, int] | None:
    """The output kept under ``view`` for the run ``entry`` stands for: the text one format
    wrote and the exit code it came with; None when there is none or it is corrupt, torn,
    foreign or stale (checked as :func:`load` checks an entry).

    A view is its head, fields separated by NUL (which no path holds), then the text:
    ``magic, format, version, key, view, exit code, length of the text, number of facts,
    (path, what was learnt) for each fact, text``."""
    path = _view_path(entry, view)  # outside the try: a bad name is a programming error
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
        head = raw.split(b"\0", _VIEW_FIELDS)
        magic, fmt, version, key, name, code, size, facts = (
            f.decode("utf-8", "surrogatepass") for f in head[:_VIEW_FIELDS]
        )
        count = int(facts)
        fields = raw.split(b"\0", _VIEW_FIELDS + 2 * count)
        body = fields[-1]
        learnt = [f.decode("utf-8", "surrogatepass") for f in fields[_VIEW_FIELDS:-1]]
        if len(fields) != _VIEW_FIELDS + 2 * count + 1 or name != view or int(size) != len(body):
            return None
        looked_up = dict(zip(learnt[::2], learnt[1::2], strict=True))
        if magic != _VIEW_MAGIC or not _current(entry, int(fmt), version, key, looked_up):
            return None
        return body.decode("utf-8", "surrogatepass"), int(code)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save_view(
    entry: Entry, view: str, text: str, exit_code: int, looked_up: dict[str, str]
) -> None:
    """Keep ``text`` and ``exit_code`` under ``view`` beside ``entry`` (atomically), with the
    disk facts the report depended on; a failure to write is no error."""
    # lazy(start-up): atomic loads tempfile; only a run that missed the view writes
    from smtpops import atomic

    target = _view_path(entry, view)
    body = text.encode("utf-8", "surrogatepass")
    head = [_VIEW_MAGIC, str(FORMAT), __version__, entry.key, view, str(exit_code)]
    head += [str(len(body)), str(len(looked_up))]
    for path, learnt in looked_up.items():
        head += [path, learnt]
    if any("\0" in field for field in head):
        return  # a NUL in a path cannot be kept apart from the next field: go without
    try:
        localstate.make_dir(os.path.dirname(entry.path))
        data = "\0".join([*head, ""]).encode("utf-8", "surrogatepass") + body
        atomic.write_bytes(target, data, durable=False)
    except (OSError, ValueError):
        return


def save(entry: Entry, report: Report, looked_up: dict[str, str]) -> None:
    """Keep ``report`` under ``entry`` (atomically); a failure to write is no error."""
    # lazy(start-up): atomic loads tempfile, json ~2.7 ms; only a run that missed writes
    import json

    # lazy(start-up): atomic loads tempfile (see above)
    from smtpops import atomic

    document = {
        "format": FORMAT,
        "smtpops": __version__,
        "key": entry.key,
        "looked_up": looked_up,
        "report": {k: v for k, v in _encode(report).items() if k != "rules"},
    }
    folder = os.path.dirname(entry.path)
    try:
        localstate.make_dir(folder)
        catalogue = _catalogue_path(entry)
        if not os.path.exists(catalogue):
            rules = {"key": _code().hex(), "rules": _encode(report.rules)}
            atomic.write_text(catalogue, json.dumps(rules), durable=False)
        # ASCII: lone surrogates survive; not durable: a torn entry is corrupt, so ignored
        atomic.write_text(entry.path, json.dumps(document), durable=False)
        _prune(folder)
    except (OSError, ValueError):
        return


def _prune(folder: str) -> None:
    # rules-* and views go too, in turn (a view is no use without its entry's key anyway)
    localstate.prune(folder, (".json", VIEW_SUFFIX), MAX_ENTRIES)
