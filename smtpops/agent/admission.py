"""The merge-gate rule, applied by the agent to what it is asked to deliver: an environment's
active config is delivered only if the last commit that touched its file is an smtpops
deploy, promote or rollback of exactly that config, in that environment, with a passing
connection test recorded in its trailers. A hand edit (``active: true`` typed in a pull
request, or any change to the active file after its deploy) is refused and reported."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from smtpops.gitops import audit, trailers


@dataclass(frozen=True, slots=True, kw_only=True)
class Admission:
    environment: str
    config: str  # ENV/NAME
    commit: str | None  # the commit that last changed the file
    admitted: bool
    reason: str  # why it was refused, or what admitted it


def last_change(root: str, rel: str) -> tuple[str, str] | None:
    """(sha, message) of the last commit that touched ``rel`` in the checkout at ``root``."""
    proc = subprocess.run(
        ["git", "log", "-1", "--format=%H%x00%B", "--", rel],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or "\x00" not in proc.stdout:
        return None
    sha, _, message = proc.stdout.partition("\x00")
    return sha.strip(), message


def check(root: str, env: str, name: str, rel: str) -> Admission:
    """Whether the active config ``env/name`` (file ``rel``) may be delivered."""
    label = f"{env}/{name}"
    found = last_change(root, rel)
    if found is None:
        return Admission(
            environment=env,
            config=label,
            commit=None,
            admitted=False,
            reason=f"{rel} is not committed, so no smtpops deploy made it active",
        )
    sha, message = found
    values = trailers.parse(message)
    action = values.get("Action", "")
    test = values.get("Test", "")
    ok = (
        action in audit.ACTIVATING
        and values.get("Environment") == env
        and values.get("Config") == label
        and test.startswith("passed")
    )
    if ok:
        return Admission(
            environment=env,
            config=label,
            commit=sha,
            admitted=True,
            reason=f"{action} {sha[:12]}: test {test}",
        )
    what = f"an smtpops {action} of {values.get('Config')}" if action else "a hand edit"
    return Admission(
        environment=env,
        config=label,
        commit=sha,
        admitted=False,
        reason=(
            f"{label} was last changed by {what} ({sha[:12]}), not by an smtpops deploy with "
            f"a passing connection test; deploy it with `smtpops deploy {label}`"
        ),
    )
