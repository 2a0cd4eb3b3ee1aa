"""A per-environment lock, so two deploys to one environment never interleave.

The lock is an ``flock`` on ``.smtpops/locks/<env>.lock`` (machine-local, gitignored): the
kernel releases it when its holder exits, however it exits, so a crashed deploy cannot
leave a lock nobody releases. The file also records who holds it, why, since when and
until when (``status`` shows this); a holder still running past its expiry is reported as
stale with its process id, so someone can stop it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from smtpops import localstate
from smtpops.errors import GitOpsError
from smtpops.records import record

LOCK_DIR = os.path.join(localstate.TOP, "locks")
COMMIT = ".commit"  # the repository-wide lock around staging and committing
DEFAULT_TTL = 600  # seconds: a deploy is capped far below this (the test takes at most 60 s)
_POLL = 0.1


@record(frozen=True, kw_only=True)
class LockInfo:
    environment: str
    holder: str
    reason: str
    pid: int
    host: str
    started: str  # ISO 8601, UTC
    expires: str

    @property
    def stale(self) -> bool:
        return datetime.fromisoformat(self.expires) < datetime.now(UTC)

    def describe(self) -> str:
        text = (
            f"{self.holder} ({self.reason}, process {self.pid} on {self.host}, "
            f"since {self.started})"
        )
        return text + (" — past its expiry, the process may be stuck" if self.stale else "")


class LockHeld(GitOpsError):
    """Another smtpops run holds the environment's lock."""


state_dir = localstate.state_dir


def _path(root: str, env: str) -> str:
    return os.path.join(root, LOCK_DIR, f"{env}.lock")


def _read(handle: int) -> LockInfo | None:
    os.lseek(handle, 0, os.SEEK_SET)
    raw = os.read(handle, 65536)
    try:
        data = json.loads(raw.decode("utf-8"))
        return LockInfo(**data)
    except (ValueError, TypeError):
        return None


def holder(root: str, env: str) -> LockInfo | None:
    """Who holds the environment's lock right now, or None."""
    path = _path(root, env)
    if not os.path.exists(path):
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd) or LockInfo(
                environment=env,
                holder="unknown",
                reason="unknown",
                pid=0,
                host="",
                started="",
                expires="9999-01-01T00:00:00+00:00",
            )
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None  # a leftover file of a finished run: not held
    finally:
        os.close(fd)


@contextlib.contextmanager
def acquire(
    root: str, env: str, *, holder_name: str, reason: str, wait: float = 0.0, ttl: int = DEFAULT_TTL
) -> Iterator[LockInfo]:
    """Hold the lock of ``env`` for the ``with`` block; wait up to ``wait`` seconds for it."""
    path = _path(root, env)
    state_dir(root, "locks")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        # a short grace even without --wait: `status` peeks at the lock for an instant
        deadline = time.monotonic() + max(wait, 0.5)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    other = _read(fd)
                    who = other.describe() if other else "another smtpops run"
                    raise LockHeld(
                        f"{env} is locked: a change is in progress by {who}",
                        hint="Wait for it to finish and run the command again, or add "
                        "--wait SECONDS to queue behind it. `smtpops status` shows the lock.",
                    ) from None
                time.sleep(_POLL)
        now = datetime.now(UTC).replace(microsecond=0)
        info = LockInfo(
            environment=env,
            holder=holder_name,
            reason=reason,
            pid=os.getpid(),
            host=socket.gethostname(),
            started=now.isoformat(),
            expires=(now + timedelta(seconds=ttl)).isoformat(),
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(info)).encode("utf-8"), 0)
        try:
            yield info
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
