"""Validate config files, folders or the whole ``configs/`` tree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from smtpops.diagnostics import Diagnostic, Report
from smtpops.errors import InputError
from smtpops.validation_options import Options

if TYPE_CHECKING:
    from smtpops import validation_cache

__all__ = ["Options", "errors_before_test", "validate", "validate_rendered"]


def validate(
    paths: Sequence[str] = (),
    options: Options | None = None,
    *,
    cache: bool = False,
    keep: Callable[[Report], bool] = lambda report: True,
    jobs: int | None = None,
) -> Report:
    """Validate the files or folders named (none: the whole ``configs/`` tree).

    ``cache``: answer from, and keep the report in, the repository's validation cache
    (:mod:`smtpops.validation_cache`); a run it cannot answer loads the engine. ``keep``
    says which reports are worth keeping; ``jobs``: how many processes check the files
    (:mod:`smtpops.fanout`), which changes nothing in the report."""
    options = options or Options()
    entry = _entry(paths, options) if cache else None
    return _checked(paths, options, entry, keep=keep, jobs=jobs)[0]


def validate_rendered(
    paths: Sequence[str],
    options: Options,
    *,
    view: str,
    render: Callable[[Report], tuple[str, int]],
    cache: bool = False,
    jobs: int | None = None,
) -> tuple[str, int]:
    """:func:`validate`, then ``render`` of the report: one output format's text and the exit
    code. With ``cache``, that text is kept too, under ``view`` (a name for the format and
    what it shows, e.g. ``json-info``), so an unchanged tree is answered without decoding
    the report and writing it out again (half of a warm run over 1,000 configs)."""
    entry = _entry(paths, options) if cache else None
    if entry is not None:
        # lazy(start-up): loaded already by _entry; named here for this function
        from smtpops import validation_cache

        kept = validation_cache.load_view(entry, view)
        if kept is not None:
            return kept
    report, looked_up = _checked(paths, options, entry, keep=lambda report: True, jobs=jobs)
    text, code = render(report)
    if entry is not None:
        validation_cache.save_view(entry, view, text, code, looked_up)
    return text, code


def _entry(paths: Sequence[str], options: Options) -> validation_cache.Entry | None:
    """The run's cache entry; None for a run the cache cannot key on (--base asks git about
    the history, REPO006) or that has no repository to keep a cache in."""
    if options.base:
        return None
    # a --no-cache run (a pre-commit hook's changed file) needs none of the cache's key
    # lazy(start-up): the cache's key code (digests, the leak scan's file list, records)
    from smtpops import validation_cache

    return validation_cache.entry_for(paths, options)


def _checked(
    paths: Sequence[str],
    options: Options,
    entry: validation_cache.Entry | None,
    *,
    keep: Callable[[Report], bool],
    jobs: int | None,
) -> tuple[Report, dict[str, str]]:
    """The report (from ``entry`` when it holds it) and the disk facts it depended on."""
    if entry is not None:
        # lazy(start-up): loaded already by _entry; named here for this function
        from smtpops import validation_cache

        cached = validation_cache.load_recorded(entry)
        if cached is not None:
            return cached
    # lazy(start-up): the engine loads every rule (~40 ms); a run the cache answers needs none
    from smtpops import engine

    report, looked_up = engine.validate_recorded(tuple(paths), options, jobs=jobs)
    if entry is not None and keep(report):
        validation_cache.save(entry, report, looked_up)
    return report, looked_up


def errors_before_test(path: str, *, cache: bool = False) -> tuple[Diagnostic, ...]:
    """The validation errors that keep ``path`` from being tested (empty: it may be tested).
    Raises InputError when the file cannot be read at all.

    ``cache``: answer from the validation cache, and keep a clean report in it (a config
    with errors leaves nothing behind: it was not tested, nothing was written). A clean
    report is kept with an empty view (``CLEAN``) beside it, so that a repeated test of an
    unchanged config learns it is clean without decoding the report."""
    options = Options()
    entry = _entry((path,), options) if cache else None
    if entry is not None:
        # lazy(start-up): loaded already by _entry; named here for this function
        from smtpops import validation_cache

        if validation_cache.load_view(entry, CLEAN) is not None:
            return ()
    report, looked_up = _checked((path,), options, entry, keep=_clean, jobs=None)
    if report.input_error:
        first = report.diagnostics[0] if report.diagnostics else None
        raise InputError(f"{path}: {first.message if first else 'cannot be read'}")
    if entry is not None and _clean(report):
        validation_cache.save_view(entry, CLEAN, "", 0, looked_up)
    return report.errors


CLEAN = "clean"  # the view kept for a config that may be tested: no errors, readable


def _clean(report: Report) -> bool:
    return not report.errors and not report.input_error
