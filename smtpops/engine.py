"""The validation engine: load → schema → file rules → repository rules → selection.

Severity and selection are resolved here and only here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from smtpops import (
    discovery,
    fanout,
    repopath,
    rules,
    schema,
    settings,
    suppressions,
    yamlio,
)
from smtpops.diagnostics import Diagnostic, Location, Report, Severity
from smtpops.model import Config
from smtpops.providers import Provider, catalog, detect
from smtpops.records import record
from smtpops.rules.context import BaseChange, ConfigContext, RepoContext
from smtpops.rules.registry import RULES, Hit, Rule, field_rule
from smtpops.secret import Secret, plaintext_secrets, scrub_all
from smtpops.validation_options import Options

__all__ = ["Options", "Run", "validate", "validate_recorded"]

_LOAD_RULES = {
    "syntax": "FILE001",
    "duplicate": "FILE002",
    "aliases": "FILE003",
    "size": "FILE004",
    "tag": "FILE006",
    "encoding": "FILE007",
    "depth": "FILE009",
}


def _link_problem(item: discovery.ConfigFile, folders: dict[str, str | None]) -> str | None:
    """Why a config file must not be read: it is a symbolic link (or in a linked folder).
    ``folders`` remembers, for the run, which folders were found to be (in) links."""
    root = os.path.dirname(item.configs_dir) if item.configs_dir else os.path.dirname(item.path)
    link: str | None = item.path if os.path.islink(item.path) else None
    if link is None:
        folder = os.path.dirname(os.path.abspath(item.path))
        if folder not in folders:
            folders[folder] = repopath.link_in_path(root, folder)
        link = folders[folder]
    if link is None or not os.path.exists(item.path):
        return None  # a dangling link cannot be read at all: FILE008 says so
    return f"the config file is a symbolic link (to {os.readlink(link)}); it was not read"


@record()
class _Pending:
    rule: Rule
    hit: Hit
    path: str
    location: Location
    environment: settings.Environment | None


def _matches(rule: Rule, ids: Iterable[str]) -> bool:
    return any(i.upper() in (rule.id, rule.area) for i in ids)


class _Resolver:
    def __init__(self, selection: settings.RuleSelection, options: Options) -> None:
        self.selection = selection
        self.options = options
        self._cache: dict[tuple[str, str | None], Severity | None] = {}

    def severity(self, rule: Rule, env: settings.Environment | None) -> Severity | None:
        """The severity a rule has in an environment, or None when it is switched off."""
        key = (rule.id, env.name if env else None)
        if key not in self._cache:
            self._cache[key] = self._severity(rule, env)
        return self._cache[key]

    def _severity(self, rule: Rule, env: settings.Environment | None) -> Severity | None:
        policy = env.policy if env else settings.RELAXED
        base = rule.severity
        if any(policy.flag(flag) for flag in rule.escalate_when):
            base = Severity.ERROR
        locked = rule.security and base is Severity.ERROR and policy.protected
        if self.options.select and not _matches(rule, self.options.select):
            return None
        if not locked and _matches(rule, (*self.selection.ignore, *self.options.ignore)):
            return None
        override = self.selection.severity.get(rule.id) or self.selection.severity.get(rule.area)
        if override and not locked:
            base = Severity(override)
        if base is Severity.WARNING and self.selection.warnings_as_errors:
            base = Severity.ERROR
        return base


def _location(doc: yamlio.Document | None, path: str, hit: Hit) -> Location:
    field = ".".join(str(p) for p in hit.field) or None
    if doc is None:
        return Location(path=path, line=hit.line, field=field)
    mark = None
    if hit.line is None and hit.field:
        mark = (doc.keys.get(hit.field) if hit.at_key else None) or doc.mark(hit.field)
    if mark:
        return Location(path=path, line=mark.line, column=mark.column, field=field)
    return Location(path=path, line=hit.line or 1, column=1 if not hit.line else None, field=field)


class Run:
    """One validation run over a set of config files."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        self._folders: dict[str, str | None] = {}  # folder -> the link it is in, for the run
        self.providers: dict[str, Provider] = catalog(self.options.providers_dir)
        self.pending: list[_Pending] = []
        self.docs: dict[str, yamlio.Document] = {}
        self.contexts: list[ConfigContext] = []
        self.input_error = False
        self.repo: RepoContext | None = None

    def _add(self, rule_id: str, hit: Hit, path: str, env: settings.Environment | None) -> None:
        self.add_located(RULES[rule_id], hit, path, _location(self.docs.get(path), path, hit), env)

    def add_located(
        self,
        rule: Rule,
        hit: Hit,
        path: str,
        location: Location,
        env: settings.Environment | None,
    ) -> None:
        """A finding whose location is already known (found by a worker process)."""
        self.pending.append(_Pending(rule, hit, path, location, env))

    def check_file(self, item: discovery.ConfigFile, env: settings.Environment | None) -> None:
        path = item.path
        problem = _link_problem(item, self._folders)
        if problem:
            self._add("FILE010", Hit(message=problem, line=1), path, env)
            return
        try:
            doc = yamlio.load_path(path)
        except OSError as exc:
            self.input_error = True
            self._add("FILE008", Hit(message=f"cannot read the file ({exc.strerror})"), path, env)
            return
        except yamlio.LoadError as exc:
            line = exc.mark.line if exc.mark else 1
            self._add(_LOAD_RULES[exc.kind], Hit(message=exc.message, line=line), path, env)
            return
        self.docs[path] = doc
        self.check_document(path, doc, env, item.configs_dir)

    def check_document(
        self,
        path: str,
        doc: yamlio.Document,
        env: settings.Environment | None,
        configs_dir: str | None,
    ) -> ConfigContext | None:
        self.docs[path] = doc
        if not isinstance(doc.data, dict):
            self._add("FILE005", Hit(line=1), path, env)
            return None
        for problem in schema.check(doc.data):
            if problem.unknown:
                hint = (
                    f"Did you mean '{problem.suggestion}'? Rename the field."
                    if problem.suggestion
                    else "Remove the field, or check its spelling against `smtpops rules SCHEMA001`."
                )
                self._add(
                    "SCHEMA001",
                    Hit(field=problem.path, message=problem.message, hint=hint, at_key=True),
                    path,
                    env,
                )
                continue
            record = field_rule(problem.field or "") or RULES["SCHEMA002"]
            self._add(
                record.id,
                Hit(field=problem.path or (problem.field or "",), message=problem.message),
                path,
                env,
            )
        config = Config.from_raw(doc.data)
        provider = self.providers.get(config.provider or "") if config.provider else None
        if provider is None and not config.provider and config.host:
            provider = detect(config.host.strip(), self.providers)
        ctx = ConfigContext(
            path=path,
            doc=doc,
            raw=doc.data,
            config=config,
            environment=env,
            provider=provider,
            providers=self.providers,
            repo_root=os.path.dirname(configs_dir) if configs_dir else None,
        )
        for rule_id, check in rules.FILE_CHECKS:
            for hit in check(ctx):
                self._add(rule_id, hit, path, env)
        self.contexts.append(ctx)
        return ctx

    def check_repository(self, repo: RepoContext, only: set[str] | None = None) -> None:
        """Run the repository rules; with ``only``, keep the findings about those files."""
        self.repo = repo
        envs = {ctx.path: ctx.environment for ctx in repo.files}
        for rule_id, check in rules.REPO_CHECKS:
            for hit in check(repo):
                path = hit.path or (repo.settings.path or "configs")
                if only is None or path in only:
                    self._add(rule_id, hit, path, envs.get(path) or _folder_env(repo, path))

    def neighbour(self, item: discovery.ConfigFile, env: settings.Environment | None) -> None:
        """Load a file of the same environment only so the repository rules see it: its own
        findings are not reported (it was not asked for)."""
        try:
            doc = yamlio.load_path(item.path)
        except (OSError, yamlio.LoadError):
            return
        if not isinstance(doc.data, dict):
            return
        self.contexts.append(
            ConfigContext(
                path=item.path,
                doc=doc,
                raw=doc.data,
                config=Config.from_raw(doc.data),
                environment=env,
                provider=None,
                providers=self.providers,
                repo_root=os.path.dirname(item.configs_dir) if item.configs_dir else None,
            )
        )

    def report(
        self, selection: settings.RuleSelection, files: Iterable[str], root: str | None = None
    ) -> Report:
        resolver = _Resolver(selection, self.options)
        by_file: dict[str, list[suppressions.Suppression]] = {
            path: suppressions.parse(doc.text) for path, doc in self.docs.items()
        }
        # by (file, covered line): each finding looks at its own line's suppressions only, not
        # at every suppression of its file (quadratic in a file of commented lines)
        by_line: dict[tuple[str, int], list[suppressions.Suppression]] = {}
        for path, sups in by_file.items():
            for sup in sups:
                by_line.setdefault((path, sup.target), []).append(sup)
        hidden: dict[str, tuple[Secret, ...]] = {}  # per file with a finding, found once
        out: list[Diagnostic] = []
        shown_once: dict[tuple[str, str], int] = {}  # notes shown once → how many more files
        for item in sorted(self.pending, key=lambda p: (p.path, p.location.line or 0)):
            severity = resolver.severity(item.rule, item.environment)
            if severity is None:
                continue
            env_name = item.environment.name if item.environment else None
            suppressed = False
            line = item.location.line
            for sup in by_line.get((item.path, line), ()) if line is not None else ():
                if sup.covers(item.rule.id, item.rule.area, item.location.line):
                    policy = item.environment.policy if item.environment else settings.RELAXED
                    if item.rule.security and severity is Severity.ERROR and policy.protected:
                        sup.used.add("\0refused")
                        continue
                    sup.used.add(item.rule.id)
                    suppressed = bool(sup.reason)
            if suppressed:
                continue
            if item.hit.once:
                key = (item.rule.id, item.hit.message or "")
                if key in shown_once:
                    shown_once[key] += 1
                    continue
                shown_once[key] = 0
            secrets = hidden.get(item.path)
            if secrets is None:
                doc = self.docs.get(item.path)
                secrets = hidden[item.path] = plaintext_secrets(doc.data) if doc else ()
            out.append(
                Diagnostic(
                    rule_id=item.rule.id,
                    severity=severity,
                    message=scrub_all(item.hit.message or item.rule.message, secrets),
                    hint=scrub_all(item.hit.hint or item.rule.hint, secrets),
                    location=item.location,
                    environment=env_name,
                )
            )
        out = [_also_in(d, shown_once) for d in out]
        out.extend(self._suppression_findings(by_file, resolver))
        return Report(
            diagnostics=tuple(sorted(out, key=Diagnostic.sort_key)),
            files=tuple(files),
            strict=self.options.strict,
            input_error=self.input_error,
            rules=rules.CATALOGUE,
            root=root,
        )

    def _suppression_findings(
        self, by_file: dict[str, list[suppressions.Suppression]], resolver: _Resolver
    ) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for path, sups in by_file.items():
            for sup in sups:
                problems: list[tuple[str, str | None]] = []
                unknown = [i for i in sup.ids if i not in RULES and not rules.is_area(i)]
                if unknown:
                    problems.append(
                        ("SUPP003", f"unknown rule ID(s) {', '.join(unknown)} in suppression")
                    )
                if not sup.reason:
                    problems.append(("SUPP001", None))
                if "\0refused" in sup.used:
                    problems.append(("SUPP004", None))
                elif not sup.used and not unknown:
                    problems.append(("SUPP002", None))
                for rule_id, message in problems:
                    severity = resolver.severity(RULES[rule_id], None)
                    if severity is None:
                        continue
                    found.append(
                        Diagnostic(
                            rule_id=rule_id,
                            severity=severity,
                            message=message or RULES[rule_id].message,
                            hint=RULES[rule_id].hint,
                            location=Location(path=path, line=sup.line, column=sup.column),
                        )
                    )
        return found


def _folder_env(repo: RepoContext, path: str) -> settings.Environment | None:
    """The environment of a path under configs/ that is no file of the run (a removed one)."""
    if not repo.configs_dir:
        return None
    rel = os.path.relpath(os.path.abspath(path), repo.configs_dir)
    folder = rel.split(os.sep)[0]
    return None if rel.startswith("..") or folder == rel else repo.settings.environment(folder)


def _also_in(d: Diagnostic, shown_once: dict[tuple[str, str], int]) -> Diagnostic:
    more = shown_once.get((d.rule_id, d.message))
    if not more:
        return d
    files = "file" if more == 1 else "files"
    return dataclasses.replace(d, message=f"{d.message} (also applies to {more} more {files})")


def _in_configs_root(path: str) -> bool:
    parent = os.path.dirname(os.path.abspath(path))
    return os.path.basename(parent) == "configs" or os.path.exists(
        os.path.join(parent, settings.SETTINGS_FILE)
    )


_gc_lock = threading.Lock()
_gc_paused = 0  # runs inside _no_cyclic_gc now (runs may overlap in threads)
_gc_was_enabled = False


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector during a run. A run builds many small objects that
    it keeps to the end; the collector re-scanned them again and again (a quarter of the time
    of a 5,000-file run), yet found almost nothing: a run makes next to no reference cycles
    (about 1,300 objects in 5,000 files), and reference counting frees everything else.

    The collector is process-wide, so the pause is counted: the first run to enter pauses it,
    the last to leave restores what it was, even when runs overlap in threads (the web page,
    ``test --env``), and an exception restores it too."""
    global _gc_paused, _gc_was_enabled
    with _gc_lock:
        if _gc_paused == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_paused += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_paused -= 1
            if _gc_paused == 0 and _gc_was_enabled:
                gc.enable()


def validate(
    paths: tuple[str, ...], options: Options | None = None, *, jobs: int | None = None
) -> Report:
    """Validate the files (or folders) named, or the whole configs/ tree."""
    return validate_recorded(paths, options, jobs=jobs)[0]


def validate_recorded(
    paths: tuple[str, ...], options: Options | None = None, *, jobs: int | None = None
) -> tuple[Report, dict[str, str]]:
    """:func:`validate`, and every file the rules asked about beyond the configs
    (``ConfigContext.exists``) with the answer: what a cached copy of the report depends on.

    ``jobs``: how many processes check the files (:mod:`smtpops.fanout`; None: one per CPU
    for a large run, 1: this process alone). The report is the same whatever it is."""
    looked_up: dict[str, str] = {}
    with _no_cyclic_gc():
        report, run = _validate(paths, options, jobs)
        for ctx in run.contexts:
            looked_up.update(ctx.looked_up)
        if run.repo is not None:
            looked_up.update(run.repo.looked_up)
        # freed by reference counting while the collector still sleeps: re-enabled with the
        # run's documents alive, it would at once walk all of them (~15 ms in 1,000 files)
        del run
    return report, looked_up


def _base_changes(
    base: str, contexts: Iterable[ConfigContext], only: set[str]
) -> dict[str, BaseChange]:
    # lazy(start-up): the git history (provenance, audit, ~6 ms) only for --base
    from smtpops.gitops import provenance

    files = [
        provenance.File(
            path=ctx.path,
            environment=ctx.environment.name,
            name=os.path.splitext(os.path.basename(ctx.path))[0],
            active=ctx.config.active is True,
        )
        for ctx in contexts
        if ctx.environment and ctx.path in only
    ]
    return provenance.unreviewed(base, files)


def _base_files(
    base: str, contexts: Iterable[ConfigContext], only: set[str]
) -> dict[str, dict[str, Any]]:
    """The configs of the run as they were at ``base`` (parsed; unreadable ones left out)."""
    # lazy(start-up): the git history (provenance, audit, ~6 ms) only for --base
    from smtpops.gitops import provenance

    found = {}
    paths = [ctx.path for ctx in contexts if ctx.path in only]
    for path, data in provenance.contents_at(base, paths).items():
        try:
            parsed = yamlio.loads(data.decode("utf-8")).data
        except (UnicodeDecodeError, yamlio.LoadError):
            continue
        if isinstance(parsed, dict):
            found[path] = parsed
    return found


def _validate(
    paths: tuple[str, ...], options: Options | None, jobs: int | None
) -> tuple[Report, Run]:
    options = options or Options()
    items, configs_dir = discovery.discover(paths)
    project = settings.load(configs_dir) if configs_dir else settings.DEFAULT
    run = Run(options)
    fanout.check_files(
        run,
        items,
        lambda item: project.environment(item.environment) if item.environment else None,
        jobs,
    )
    asked = {i.path for i in items}
    partial = bool(paths) and not any(os.path.isdir(p) for p in paths)
    if partial and options.neighbours:
        for item in discovery.neighbours(items):
            run.neighbour(item, project.environment(item.environment or ""))
    stray = tuple(i.path for i in items if i.configs_dir is None and _in_configs_root(i.path))
    base_changes = _base_changes(options.base, run.contexts, asked) if options.base else {}
    base_files = _base_files(options.base, run.contexts, asked) if options.base else {}
    run.check_repository(
        RepoContext(
            files=tuple(run.contexts),
            settings=project,
            configs_dir=configs_dir,
            stray=stray,
            base_changes=base_changes,
            base_files=base_files,
            whole_tree=not partial,
        ),
        only=asked if partial and options.neighbours else None,
    )
    root = discovery.repository_root(configs_dir) if configs_dir else None
    return run.report(project.rules, [i.path for i in items], root), run
