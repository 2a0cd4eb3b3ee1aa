"""All or nothing: every file a change touches, and git's index, restored on any failure.

Before the first write a :class:`Transaction` records the bytes of each file it may touch,
in memory and in a journal (``.smtpops/journal/<env>.json``). If the change fails before
its commit — a failed test, a refused commit, an exception, SIGINT, SIGTERM or SIGHUP —
the files are put back exactly and their index entries reset to HEAD (they were clean when
the change began, so that is exactly what the index held; entries of other files, which a
deploy to another environment may have committed meanwhile, are left alone). If the
process is killed outright (SIGKILL, power loss), the next smtpops run for that environment
finds the journal and finishes the job: the old state if the commit never happened, the
new one if it did. Files hold only SOPS-encrypted passwords, so the journal holds no
plaintext. Commits of all environments are serialised by a short repository-wide lock,
because git has one index.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from types import FrameType, TracebackType

from smtpops import atomic, localstate
from smtpops.errors import GitOpsError
from smtpops.gitops import lock
from smtpops.gitops.repo import Repo

JOURNAL_DIR = os.path.join(localstate.TOP, "journal")
NEW_FILE_MODE = 0o644
_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class Interrupted(GitOpsError):
    """A signal stopped the change; the repository was restored."""

    exit_code = 130


def _digest(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _put(path: str, data: bytes | None, mode: int | None) -> None:
    if data is None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic.write_bytes(path, data, mode=mode)


def journal_path(root: str, env: str) -> str:
    return os.path.join(root, JOURNAL_DIR, f"{env}.json")


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Transaction:
    """``with Transaction(repo, env, paths) as tx: tx.write(...); tx.commit(...)``."""

    def __init__(self, repo: Repo, env: str, rels: Sequence[str]) -> None:
        self.repo = repo
        self.env = env
        self.journal = journal_path(repo.root, env)
        self.head = repo.head()
        self.files: dict[str, tuple[bytes | None, int | None]] = {}
        self.written: dict[str, str | None] = {}
        self.committed: str | None = None
        self.base: str | None = None  # HEAD when our git commit started
        self.message: str | None = None
        self.staged = False
        self.restored = False
        self._critical = False
        self._signal: int | None = None
        self._old_handlers: dict[int, object] = {}
        for rel in rels:
            self._remember(rel)

    # -- bookkeeping ---------------------------------------------------------------------
    def _remember(self, rel: str) -> None:
        if rel in self.files:
            return
        path = self.repo.abs(rel)
        mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else None
        self.files[rel] = (_read(path), mode)

    def _save_journal(self) -> None:
        record = {
            "pid": os.getpid(),
            "started": time.time(),
            "head": self.head,
            "base": self.base,
            "message": self.message,
            "files": {
                rel: {
                    "data": base64.b64encode(data).decode() if data is not None else None,
                    "mode": mode,
                    "after": self.written.get(rel, _digest(data)),
                }
                for rel, (data, mode) in self.files.items()
            },
        }
        lock.state_dir(self.repo.root, "journal")
        atomic.write_text(self.journal, json.dumps(record))

    def _raise_interrupted(self, signum: int, frame: FrameType | None) -> None:
        self._signal = signum
        if not self._critical:  # never break off a restore; raise once it is done
            raise Interrupted(f"stopped by {signal.Signals(signum).name}; nothing was changed")

    # -- the change ----------------------------------------------------------------------
    def __enter__(self) -> Transaction:
        self._save_journal()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGHUP):
                self._old_handlers[signum] = signal.signal(signum, self._raise_interrupted)
        return self

    def write(self, rel: str, data: bytes) -> None:
        self._remember(rel)
        self.written[rel] = _digest(data)
        self._save_journal()
        _put(self.repo.abs(rel), data, self.files[rel][1] or NEW_FILE_MODE)

    def refresh(self, rel: str) -> None:
        """Record a file that another module wrote (atomically) as part of this change."""
        self._remember(rel)
        self.written[rel] = _digest(_read(self.repo.abs(rel)))
        self._save_journal()

    def delete(self, rel: str) -> None:
        self._remember(rel)
        self.written[rel] = None
        self._save_journal()
        _put(self.repo.abs(rel), None, None)

    def commit(self, message: str, *, wait: float = 120.0, allow_empty: bool = False) -> str:
        rels = sorted(self.written)
        added = [r for r in rels if self.written[r] is not None]
        removed = [r for r in rels if self.written[r] is None]
        with lock.acquire(
            self.repo.root,
            lock.COMMIT,
            holder_name="smtpops",
            reason=f"commit for {self.env}",
            wait=wait,
        ):
            self.base, self.message = self.repo.head(), message
            self._save_journal()
            try:
                self.staged = True
                self.repo.stage(added=added, removed=removed)
                self.committed = self.repo.commit(rels, message, allow_empty=allow_empty)
            except BaseException:
                if _ours(self.repo, self.base, self.message):
                    self.committed = self.repo.head()  # git finished just before a signal
                else:
                    self.restore()  # while this run still holds the commit lock
                raise
        return self.committed

    def restore(self) -> None:
        self._critical = True
        try:
            with _signals_blocked():
                for rel, (data, mode) in self.files.items():
                    _put(self.repo.abs(rel), data, mode)
                if self.staged:
                    self.repo.reset_paths(list(self.files))
            self.restored = True
        finally:
            self._critical = False

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.committed is None and not self.restored:
                self.restore()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.journal)
        finally:
            for signum, handler in self._old_handlers.items():
                signal.signal(signum, handler)  # type: ignore[arg-type]
        if self.committed is None and (
            isinstance(exc, KeyboardInterrupt) or (exc is None and self._signal is not None)
        ):
            name = signal.Signals(self._signal or signal.SIGINT).name
            raise Interrupted(f"stopped by {name}; nothing was changed") from None


def _ours(repo: Repo, base: str | None, message: str | None) -> bool:
    """Whether HEAD is the commit this change was making (on top of ``base``)."""
    if base is None or message is None or repo.head() in (None, base):
        return False
    found = repo.head_commit()
    return found is not None and found[0] == (base,) and found[1].strip() == message.strip()


def recover(repo: Repo, env: str) -> str | None:
    """Finish a change to ``env`` that a killed process left half done; a note, or None.

    Call it while holding the environment's lock. A file someone edited since is left alone.
    """
    path = journal_path(repo.root, env)
    raw = _read(path)
    if raw is None:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        os.unlink(path)
        return None
    files = record["files"]
    with lock.acquire(
        repo.root, lock.COMMIT, holder_name="smtpops", reason=f"recover {env}", wait=120.0
    ):
        index_lock = repo.index_path + ".lock"
        if os.path.exists(index_lock) and os.stat(index_lock).st_mtime >= record["started"] - 1:
            os.unlink(index_lock)  # left by the git child of the killed process
        if _ours(repo, record.get("base"), record.get("message")):
            repo.reset_paths(list(files))
            os.unlink(path)
            return f"an interrupted change to {env} had been committed; it is complete now"
        kept = []
        for rel, item in files.items():
            original = base64.b64decode(item["data"]) if item["data"] is not None else None
            current = _read(repo.abs(rel))
            if _digest(current) in (_digest(original), item["after"]):
                _put(repo.abs(rel), original, item["mode"])
            else:
                kept.append(rel)
        repo.reset_paths([rel for rel in files if rel not in kept])
    os.unlink(path)
    note = f"an interrupted change to {env} (process {record['pid']}) was undone"
    return note + (f"; edited since, left as they are: {', '.join(kept)}" if kept else "")
