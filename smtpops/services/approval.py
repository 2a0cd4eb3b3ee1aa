"""Who must approve a change: the code owners of a path (GitHub's CODEOWNERS), and whether
an environment may be changed from the page without that approval.

"Security-sensitive settings need IT approval": a protected environment (production) is
activated only through a reviewed pull request, never directly from the page.
"""

from __future__ import annotations

import fnmatch
import os

from smtpops.settings import Environment

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
FALLBACK = "IT (the System Admin)"


def _matches(pattern: str, rel: str) -> bool:
    anchored = pattern.startswith("/")
    pattern = pattern.strip("/") if pattern != "/" else ""
    if pattern in ("", "*", "**"):
        return True
    candidates = [rel] if anchored else [rel, *(rel.split("/", i)[-1] for i in range(1, 8))]
    for path in candidates:
        if path == pattern or path.startswith(pattern + "/") or fnmatch.fnmatchcase(path, pattern):
            return True
    return False


def owners(root: str, rel: str) -> tuple[str, ...]:
    """The owners CODEOWNERS gives ``rel`` (the last matching line wins); () when none."""
    for location in LOCATIONS:
        try:
            with open(os.path.join(root, location), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        found: tuple[str, ...] = ()
        for line in lines:
            words = line.split("#", 1)[0].split()
            if len(words) >= 2 and _matches(words[0], rel):
                found = tuple(words[1:])
        return found
    return ()


def approvers(root: str, configs_rel: str, env: str) -> str:
    """Who must approve changes to ``env``'s configs, in words."""
    found = owners(root, f"{configs_rel}/{env}/")
    return ", ".join(found) if found else FALLBACK


def blocked_change(
    root: str, configs_rel: str, environment: Environment, what: str
) -> tuple[str, str] | None:
    """Why the page may not change which config of ``environment`` is active itself (``what``:
    "activated", "switched off") and what to do instead, or None when it may."""
    if not environment.policy.protected:
        return None
    who = approvers(root, configs_rel, environment.name)
    return (
        f"{environment.name} is protected: a config is {what} there only after {who} "
        "approve the pull request; nothing was changed",
        f"Save the change, Propose the work branch and ask {who} to review it; the deploy "
        "runs when the pull request is merged.",
    )
