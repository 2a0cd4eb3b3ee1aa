"""A work branch: where changes made on the web page are committed, never on the branch the
page was started from.

The branch (``smtpops-ui/<date>-<time>``) is made on the first change, from the commit the
page started on, in its own git worktree under ``.smtpops/worktrees/`` — the user's own
checkout, its branch and its uncommitted files are never touched. :meth:`WorkBranch.propose`
pushes it for review (a pull request); :meth:`WorkBranch.review` is the ``smtpops diff``
of everything on it.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from dataclasses import field
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from smtpops import localstate
from smtpops.errors import GitOpsError
from smtpops.gitops import workspace
from smtpops.records import record
from smtpops.review import display
from smtpops.services.review import review

PREFIX = "smtpops-ui"
PUSH_TIMEOUT = 60.0
_SCP_URL = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


def _hide_credentials(text: str) -> str:
    """``https://user:token@host/...`` → ``https://host/...`` wherever it appears in ``text``."""
    return re.sub(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", r"\g<scheme>", text)


def git(cwd: str, *args: str, timeout: float = 30.0) -> str:
    """Run git; a failure becomes a GitOpsError in plain words (remote credentials hidden)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}
    try:
        out = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitOpsError(
            f"git {args[0]} did not finish within {timeout:.0f} seconds",
            hint="Check the network connection to the remote and try again.",
        ) from None
    if out.returncode != 0:
        detail = _hide_credentials(out.stderr.strip() or out.stdout.strip())
        raise GitOpsError(
            f"git {args[0]} failed: {detail or 'exit code ' + str(out.returncode)}",
            hint="Nothing else was changed. Fix what git reports and try again.",
        )
    return out.stdout.strip()


def pull_request_link(remote_url: str, base: str | None, branch: str) -> str | None:
    """The page that opens a pull (merge) request for ``branch`` on GitHub or GitLab."""
    match = _SCP_URL.match(remote_url) if "://" not in remote_url else None
    if match:
        host, path = match.group("host"), match.group("path")
    else:
        parts = urlsplit(remote_url)
        if parts.scheme not in ("https", "http", "ssh", "git"):
            return None
        host, path = parts.hostname or "", parts.path.lstrip("/")
    path = path.removesuffix("/").removesuffix(".git")
    if not host or path.count("/") < 1:
        return None
    if host == "github.com" or host.startswith("github."):
        span = f"{quote(base)}...{quote(branch)}" if base else quote(branch)
        return f"https://{host}/{path}/compare/{span}?expand=1"
    if "gitlab" in host:
        query = f"merge_request%5Bsource_branch%5D={quote(branch, safe='')}"
        if base:
            query += f"&merge_request%5Btarget_branch%5D={quote(base, safe='')}"
        return f"https://{host}/{path}/-/merge_requests/new?{query}"
    return None


@record(frozen=True, kw_only=True)
class Proposal:
    pushed: bool
    branch: str
    remote: str | None
    link: str | None
    message: str


@record(kw_only=True)
class WorkBranch:
    root: str  # the repository the page was started in
    configs_rel: str
    start_branch: str | None  # None: started on a detached HEAD
    start_sha: str
    branch: str
    path: str | None = None  # the worktree, once the first change made it
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def tree(self) -> str:
        """Where the page reads and writes configs: the worktree once it exists."""
        return self.path or self.root

    @property
    def configs_dir(self) -> str:
        return os.path.join(self.tree, self.configs_rel)

    @property
    def started_from(self) -> str:
        return self.start_branch or self.start_sha[:12]

    def ensure(self) -> str:
        """Make the branch and its worktree if they do not exist yet; the worktree's path."""
        with self.lock:
            if self.path is None:
                slug = self.branch.replace("/", "-")
                path = os.path.join(localstate.state_dir(self.root, "worktrees"), slug)
                git(self.root, "worktree", "add", "-q", "-b", self.branch, path, self.start_sha)
                self.path = os.path.realpath(path)
            return self.path

    def commits(self) -> int:
        if self.path is None:
            return 0
        return int(git(self.root, "rev-list", "--count", f"{self.start_sha}..{self.branch}"))

    def review(self) -> tuple[str, bool, tuple[str, ...]]:
        """(the ``smtpops diff`` Markdown, security-sensitive?, the reasons) of the branch."""
        result = review(self.start_sha, self.branch, start=self.tree)
        reasons = [f"{c.environment}/{c.name}: {r}" for c in result.configs for r in c.reasons]
        reasons += [f"{f.path}: {f.about}" for f in result.files]
        return display.markdown(result), result.security_sensitive, tuple(reasons)

    def propose(self) -> Proposal:
        """Push the branch to the repository's remote (``origin`` first) for a pull request."""
        with self.lock:
            if self.path is None or self.commits() == 0:
                raise GitOpsError(
                    "there is nothing to propose yet",
                    hint="Save a change first; it is committed on a work branch.",
                )
            remotes = git(self.root, "remote").split()
            if not remotes:
                return Proposal(
                    pushed=False,
                    branch=self.branch,
                    remote=None,
                    link=None,
                    message=f"This repository has no remote, so nothing was pushed. Your "
                    f"changes are on branch {self.branch}: push it (git push -u <remote> "
                    f"{self.branch}) and open a pull request into {self.started_from}.",
                )
            remote = "origin" if "origin" in remotes else remotes[0]
            url = git(self.root, "remote", "get-url", remote)
            git(self.path, "push", "-q", "-u", remote, self.branch, timeout=PUSH_TIMEOUT)
            link = pull_request_link(url, self.start_branch, self.branch)
            where = f"{remote} ({_hide_credentials(url)})"
            return Proposal(
                pushed=True,
                branch=self.branch,
                remote=remote,
                link=link,
                message=f"Pushed {self.branch} to {where}. "
                + (
                    "Open the pull request with the link below."
                    if link
                    else f"Open a pull request of {self.branch} into {self.started_from} "
                    "on your git server."
                ),
            )

    def close(self) -> None:
        """Remove the worktree when nothing in it is uncommitted; the branch stays when it
        holds commits (they await review), and goes when it holds none."""
        with self.lock:
            if self.path is None:
                return
            try:
                if not git(self.path, "status", "--porcelain"):
                    empty = self.commits() == 0
                    git(self.root, "worktree", "remove", self.path)
                    self.path = None
                    if empty:
                        git(self.root, "branch", "-q", "-D", self.branch)
            except GitOpsError:
                pass

    def unsaved_in_checkout(self) -> list[str]:
        """Config files with uncommitted changes in the checkout the page started in: the
        page starts from the last commit, so it does not show them."""
        out = git(
            self.root, "status", "--porcelain", "--untracked-files=all", "--", self.configs_rel
        )
        return [line[3:] for line in out.splitlines() if line.strip()]


def begin(start: str = ".") -> WorkBranch:
    """The work branch of a page started in ``start``, made from its last commit (in its own
    worktree), so that everything the page shows and changes is that branch."""
    ws = workspace.open_at(start)
    head = ws.repo.head()
    if head is None:
        raise GitOpsError(
            "this repository has no commits yet",
            hint="Commit your configs first (git add configs && git commit), then start again.",
        )
    try:
        branch = git(ws.repo.root, "symbolic-ref", "--short", "-q", "HEAD") or None
    except GitOpsError:
        branch = None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name, n = f"{PREFIX}/{stamp}", 1
    while git(ws.repo.root, "branch", "--list", name):
        n += 1
        name = f"{PREFIX}/{stamp}-{n}"
    work = WorkBranch(
        root=ws.repo.root,
        configs_rel=ws.configs_rel,
        start_branch=branch,
        start_sha=head,
        branch=name,
    )
    work.ensure()
    return work
