"""Validate config files, folders or the whole ``configs/`` tree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from smtpops.diagnostics import Diagnostic, Report
from smtpops.errors import InputError
from smtpops.validation_options import Options

if TYPE_CHECKING:
    from smtpops import validation_cache

__all__ = ["Options", "errors_before_test", "validate"]


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
    entry: validation_cache.Entry | None = None
    # --base asks git about the history (REPO006): not an input the cache can key on
    if cache and not options.base:
        # a --no-cache run (a pre-commit hook's changed file) needs none of the cache's key
        # lazy(start-up): hashlib, json, the cache's records (~20M instructions)
        from smtpops import validation_cache

        entry = validation_cache.entry_for(paths, options)
    if entry is not None:
        cached = validation_cache.load(entry)
        if cached is not None:
            return cached
    # lazy(start-up): the engine loads every rule (~40 ms); a run the cache answers needs none
    from smtpops import engine

    report, looked_up = engine.validate_recorded(tuple(paths), options, jobs=jobs)
    if entry is not None and keep(report):
        validation_cache.save(entry, report, looked_up)
    return report


def errors_before_test(path: str, *, cache: bool = False) -> tuple[Diagnostic, ...]:
    """The validation errors that keep ``path`` from being tested (empty: it may be tested).
    Raises InputError when the file cannot be read at all.

    ``cache``: answer from the validation cache, and keep a clean report in it (a config
    with errors leaves nothing behind: it was not tested, nothing was written)."""
    report = validate((path,), cache=cache, keep=lambda r: not r.errors and not r.input_error)
    if report.input_error:
        first = report.diagnostics[0] if report.diagnostics else None
        raise InputError(f"{path}: {first.message if first else 'cannot be read'}")
    return report.errors
