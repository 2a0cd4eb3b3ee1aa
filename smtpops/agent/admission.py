"""The merge-gate rule, applied by the agent to what it is asked to deliver: an environment's
active config is delivered only if the last commit that touched its file is an smtpops
deploy, promote or rollback of exactly that config, in that environment, with a passing
connection test recorded in its trailers. A hand edit (``active: true`` typed in a pull
request, or any change to the active file after its deploy) is refused and reported."""

from __future__ import annotations

import os
import re
import subprocess

from smtpops.gitops import audit, trailers
from smtpops.records import record


@record(frozen=True, kw_only=True)
class Admission:
    environment: str
    config: str  # ENV/NAME
    commit: str | None  # the commit that last changed the file
    admitted: bool
    reason: str  # why it was refused, or what admitted it


def _git(root: str, *args: str) -> str | None:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def _show(root: str, sha: str, rel: str) -> bytes | None:
    proc = subprocess.run(["git", "show", f"{sha}:{rel}"], cwd=root, capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def check(root: str, env: str, name: str, rel: str) -> Admission:
    """Whether the active config ``env/name`` (file ``rel``, as checked out) may be delivered:
    its content must be exactly what a tested smtpops deploy, promote or rollback of it left
    (the merge gate's rule, as in :mod:`smtpops.gitops.provenance`)."""
    label = f"{env}/{name}"
    try:
        with open(os.path.join(root, rel), "rb") as handle:
            now = handle.read()
    except OSError:
        now = None
    pattern = "^" + trailers.PREFIX + "Config: " + re.escape(label) + "$"
    listing = _git(root, "log", "-E", f"--grep={pattern}", "--format=%H") or ""
    for sha in listing.split():
        values = trailers.parse(_git(root, "log", "-1", "--format=%B", sha) or "")
        test = values.get("Test", "")
        if (
            values.get("Action") in audit.ACTIVATING
            and values.get("Environment") == env
            and values.get("Config") == label
            and test.startswith("passed")
            and now is not None
            and _show(root, sha, rel) == now
        ):
            return Admission(
                environment=env,
                config=label,
                commit=sha,
                admitted=True,
                reason=f"{values['Action']} {sha[:12]}: test {test}",
            )
    last = (_git(root, "log", "-1", "--format=%H", "--", rel) or "").strip() or None
    where = f" (last changed in {last[:12]})" if last else ""
    return Admission(
        environment=env,
        config=label,
        commit=last,
        admitted=False,
        reason=(
            f"{label} is active as no smtpops deploy with a passing connection test left "
            f"it{where}: a hand edit; deploy it with `smtpops deploy {label}`"
        ),
    )
