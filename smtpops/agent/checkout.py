"""The agent's own clone of the config repository, moved to the tip of the watched branch.

The agent never edits it: every sync is ``git fetch`` then a forced detached checkout of what
was fetched, so a hand edit in the clone cannot survive and a force-push is followed.
"""

from __future__ import annotations

import os
import subprocess

from smtpops.errors import GitOpsError
from smtpops.records import record


@record(frozen=True, kw_only=True)
class Checkout:
    remote: str  # a URL or a path git can clone
    branch: str
    path: str  # where the clone lives

    def _git(self, *args: str, cwd: str | None = None) -> str:
        env = os.environ | {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        proc = subprocess.run(
            ["git", *args], cwd=cwd or self.path, env=env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            detail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise GitOpsError(
                f"git {args[0]} of {self.remote} ({self.branch}) failed: {detail}",
                hint="Check that the repository address and branch are right and reachable "
                "from this host (and its credentials, e.g. a deploy key).",
            )
        return proc.stdout.strip()

    def sync(self) -> str:
        """Fetch the branch and check it out; the commit now checked out."""
        if not os.path.isdir(os.path.join(self.path, ".git")):
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self._git("clone", "--quiet", "--no-checkout", self.remote, self.path, cwd=".")
        self._git("fetch", "--quiet", "--prune", "origin", self.branch)
        self._git("checkout", "--quiet", "--force", "--detach", "FETCH_HEAD")
        self._git("clean", "--quiet", "-fdx", "--exclude=.smtpops/")
        return self.head()

    def head(self) -> str:
        return self._git("rev-parse", "HEAD")
