"""The per-file checks of a large run, spread over forked worker processes.

A run over a whole tree spends most of its time loading and checking each file, and the files
are independent of each other until the repository rules compare them. So, as flake8's and
ruff's ``--jobs`` do, a large run is cut into contiguous slices, one per usable CPU: the
process itself checks the first, and a forked copy of it checks each other one and sends back
what it found. The repository rules, suppressions and the report then run once, in the
process itself, on everything in the order of a serial run, so the report is byte for byte
the one a serial run makes (a test compares the two).

What a worker sends back, pickled through a pipe, is small: each file's values and text (its
marks are read again from the text only where a later step needs them), its parsed config,
the findings and what the rules looked up on disk. Nothing is written anywhere: the values go
through the pipe between the two processes only, as the files hold them (an encrypted
password as its ciphertext).

A worker that fails in any way (killed, an exception, a payload that does not unpickle) costs
nothing but time: its slice is checked again in the process itself. Forking is only done where
it is safe and worth it: on Linux, in a process with no other thread (the command line; the
web page and the agent check a file or two at a time, from threads), for enough files.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from smtpops import discovery, settings, yamlio
from smtpops.diagnostics import Location
from smtpops.providers import Provider
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import RULES, Hit, Rule

FILES_PER_WORKER = 200  # below this, forking and sending back cost more than they save
WORKER_SHARE = 0.85  # of an even share: the rest of the fork's cost, measured on 1,000 files
EnvFor = Callable[[discovery.ConfigFile], "settings.Environment | None"]


class Run(Protocol):
    """What of :class:`smtpops.engine.Run` the workers use (the engine calls this module)."""

    providers: dict[str, Provider]
    docs: dict[str, yamlio.Document]
    contexts: list[ConfigContext]
    pending: list[Any]  # the engine's findings: .rule, .hit, .path, .location
    input_error: bool

    def check_file(self, item: discovery.ConfigFile, env: settings.Environment | None) -> None: ...

    def add_located(
        self,
        rule: Rule,
        hit: Hit,
        path: str,
        location: Location,
        env: settings.Environment | None,
    ) -> None: ...


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def other_threads() -> bool:
    """Whether another thread runs in this process (then a fork could copy a held lock)."""
    return threading.active_count() > 1


def processes_for(count: int, jobs: int | None) -> int:
    """How many processes check ``count`` files: one per FILES_PER_WORKER files, up to
    ``jobs`` (None: the usable CPUs; 1: no workers); 1 wherever forking is unsafe. A small
    run never forks, whatever ``jobs`` says: the fork would cost more than it saves."""
    if not sys.platform.startswith("linux") or other_threads():
        return 1
    wanted = jobs if jobs is not None else usable_cpus()
    return max(1, min(wanted, count // FILES_PER_WORKER))


def check_files(
    run: Run, items: Sequence[discovery.ConfigFile], env_for: EnvFor, jobs: int | None = None
) -> None:
    """``run.check_file`` for every item, in as many processes as :func:`processes_for` says."""
    count = processes_for(len(items), jobs)
    if count <= 1:
        for item in items:
            run.check_file(item, env_for(item))
        return
    # a worker also pays for the fork and for sending its findings: it gets a little less
    size = int(len(items) * WORKER_SHARE / count)
    first = len(items) - size * (count - 1)
    slices = [items[:first]] + [
        items[first + i * size : first + (i + 1) * size] for i in range(count - 1)
    ]
    # lazy(start-up): pickle only for a run with workers; loaded before the fork, once
    import pickle  # noqa: F401

    workers = [(_start(run, part, env_for), part) for part in slices[1:]]
    try:
        for item in slices[0]:
            run.check_file(item, env_for(item))
        while workers:
            (pid, pipe), part = workers[0]
            payload = _receive(pid, pipe)
            del workers[0]  # reaped: no longer to be stopped
            if payload is None:  # the worker failed: its files are checked here instead
                for item in part:
                    run.check_file(item, env_for(item))
            else:
                _merge(run, payload, part, env_for)
    finally:  # interrupted (Ctrl-C) or failed here: no worker is left behind
        for (pid, pipe), _ in workers:
            _stop(pid, pipe)


def _start(run: Run, part: Sequence[discovery.ConfigFile], env_for: EnvFor) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    # the worker: never returns into the caller's code, never flushes the caller's buffers
    code = 1
    try:
        os.close(read_end)
        start = (len(run.docs), len(run.contexts), len(run.pending))
        for item in part:
            run.check_file(item, env_for(item))
        data = _payload(run, start)
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        code = 0
    except BaseException:  # any failure: the parent checks the slice itself
        pass
    finally:
        os._exit(code)


def _payload(run: Run, start: tuple[int, int, int]) -> bytes:
    """What the worker's slice added to ``run`` (``start``: the sizes before it)."""
    # lazy(start-up): pickle only for a run with workers
    import pickle

    providers = {id(p): name for name, p in run.providers.items()}
    contexts = [
        (ctx.path, ctx.config, providers.get(id(ctx.provider)), ctx.looked_up, ctx.repo_root)
        for ctx in run.contexts[start[1] :]
    ]
    docs = [(path, doc.data, doc.text) for path, doc in list(run.docs.items())[start[0] :]]
    pending = [(p.rule.id, p.hit, p.path, p.location) for p in run.pending[start[2] :]]
    return pickle.dumps((docs, contexts, pending, run.input_error), pickle.HIGHEST_PROTOCOL)


def _receive(pid: int, pipe: int) -> Any:
    # lazy(start-up): pickle only for a run with workers
    import pickle

    chunks = []
    with os.fdopen(pipe, "rb") as source:
        while chunk := source.read(1 << 20):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # a damaged payload: the slice is checked again
        return None


def _stop(pid: int, pipe: int) -> None:
    # lazy(start-up): signal only for a run with workers
    import signal

    os.close(pipe)
    with contextlib.suppress(ProcessLookupError):  # it had already ended
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _merge(run: Run, payload: Any, part: Sequence[discovery.ConfigFile], env_for: EnvFor) -> None:
    docs, contexts, pending, input_error = payload
    envs = {item.path: env_for(item) for item in part}
    for path, data, text in docs:
        run.docs[path] = yamlio.Document.deferred(data, text)
    for path, config, provider, looked_up, repo_root in contexts:
        doc = run.docs[path]
        run.contexts.append(
            ConfigContext(
                path=path,
                doc=doc,
                raw=doc.data,
                config=config,
                environment=envs.get(path),
                provider=run.providers.get(provider) if provider else None,
                providers=run.providers,
                repo_root=repo_root,
                looked_up=looked_up,
            )
        )
    for rule_id, hit, path, location in pending:
        run.add_located(RULES[rule_id], hit, path, location, envs.get(path))
    run.input_error = run.input_error or input_error
