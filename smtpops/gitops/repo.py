"""The git repository holding ``configs/``: the few reads and writes smtpops needs.

gitpython is imported here, inside :func:`open_repo`, so the CLI starts without it.
Every git failure becomes a :class:`~smtpops.errors.GitOpsError` in plain words.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from typing import Any

from smtpops import repopath
from smtpops.errors import GitOpsError
from smtpops.records import record


@record(frozen=True, kw_only=True)
class Identity:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Repo:
    """A thin wrapper over a gitpython ``Repo``; paths are relative to the repository root."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.root: str = os.path.realpath(raw.working_tree_dir)
        self.git_dir: str = os.path.realpath(raw.git_dir)

    # -- reading -------------------------------------------------------------------------
    @property
    def index_path(self) -> str:
        return os.path.join(self.git_dir, "index")

    def rel(self, path: str) -> str:
        """``path`` relative to the root, resolved first; InputError when it is outside."""
        full = repopath.inside(self.root, path, what="the file")
        return os.path.relpath(full, self.root).replace(os.sep, "/")

    def abs(self, rel: str) -> str:
        return os.path.join(self.root, rel)

    def head(self) -> str | None:
        """The commit HEAD points at; None in a repository without commits.

        Asked of a fresh git process (not gitpython's long-lived ``cat-file``), so it still
        works after a signal to the process group stopped those.
        """
        # lazy: gitpython is heavy: only the git commands load it (CLI start-up stays light)
        import git

        try:
            out: str = self.raw.git.execute(["git", "rev-parse", "--verify", "-q", "HEAD"])
        except git.GitCommandError:
            return None
        return out.strip() or None

    def head_commit(self) -> tuple[tuple[str, ...], str] | None:
        """(parents, message) of HEAD, from a fresh git process; None without commits."""
        if self.head() is None:
            return None
        out = self.raw.git.execute(
            ["git", "log", "-1", "--format=%P%x00%B"], strip_newline_in_stdout=False
        )
        parents, _, message = out.partition("\0")
        return tuple(parents.split()), message

    def resolve(self, rev: str) -> str:
        try:
            return str(self.raw.commit(rev).hexsha)
        except Exception:  # gitpython raises several kinds for a bad name
            raise GitOpsError(
                f"'{rev}' is not a commit, branch or tag in this repository",
                hint="Check the name with `git log --oneline`.",
            ) from None

    def is_shallow(self) -> bool:
        return os.path.exists(os.path.join(self.raw.common_dir, "shallow"))

    def show(self, rev: str, rel: str) -> bytes | None:
        """The bytes of ``rel`` at ``rev``; None when the file does not exist there."""
        try:
            blob = self.raw.commit(rev).tree / rel
        except KeyError:
            return None
        data: bytes = blob.data_stream.read()
        return data

    def list_files(self, rev: str, rel_dir: str) -> list[str]:
        """Paths of the files under ``rel_dir`` at ``rev``."""
        try:
            tree = self.raw.commit(rev).tree / rel_dir
        except KeyError:
            return []
        if tree.type != "tree":
            return []
        return sorted(item.path for item in tree.traverse() if item.type == "blob")

    def dirty(self, rels: Sequence[str]) -> list[str]:
        """``git status --porcelain`` lines for these paths (staged, unstaged or untracked)."""
        if not rels:
            return []
        out = self.raw.git.status("--porcelain", "--untracked-files=all", "--", *rels)
        return [line for line in out.splitlines() if line.strip()]

    def tracked(self, rel: str) -> bool:
        return bool(self.raw.git.ls_files("--", rel).strip())

    def identity(self) -> Identity:
        """Who git will record as the author; a clear error when git does not know."""
        try:
            ident = self.raw.git.var("GIT_AUTHOR_IDENT")
        except Exception:
            raise GitOpsError(
                "git does not know who you are, so it cannot record the change",
                hint='Run: git config user.name "Your Name" && '
                "git config user.email you@example.com",
            ) from None
        name, _, rest = ident.partition(" <")
        return Identity(name=name.strip(), email=rest.partition(">")[0])

    def iter_commits(
        self, rels: Sequence[str], *, since: str | None = None, rev: str = "HEAD"
    ) -> Iterator[Any]:
        if self.head() is None:
            return iter(())
        kwargs: dict[str, Any] = {"paths": list(rels)} if rels else {}
        if since:
            kwargs["since"] = since
        return iter(self.raw.iter_commits(rev, **kwargs))

    # -- writing -------------------------------------------------------------------------
    def _git(self, *args: str) -> str:
        # lazy: gitpython is heavy: only the git commands load it (CLI start-up stays light)
        import git

        try:
            out: str = self.raw.git.execute(["git", *args])
        except git.GitCommandError as exc:
            detail = (exc.stderr or "").strip().removeprefix("stderr:").strip(" '\n")
            raise GitOpsError(
                f"git {args[0]} failed: {detail or exc.status}",
                hint="If another git command is running, wait for it and try again.",
            ) from None
        return out

    def stage(self, added: Sequence[str] = (), removed: Sequence[str] = ()) -> None:
        if added:
            self._git("add", "--", *added)
        if removed:
            self._git("rm", "-q", "--cached", "--ignore-unmatch", "--", *removed)

    def reset_paths(self, rels: Sequence[str]) -> None:
        """Index entries of ``rels`` set back to what HEAD holds (removed if HEAD has none)."""
        if rels and self.head() is not None:
            self._git("reset", "-q", "HEAD", "--", *rels)

    def commit(self, rels: Sequence[str], message: str, *, allow_empty: bool = False) -> str:
        """Commit exactly ``rels`` (other staged changes stay staged) and return the new HEAD.

        git runs as a child process that is stopped if smtpops is interrupted; git cleans
        up its own lock files when it is stopped that way.
        """
        msg_path = os.path.join(self.git_dir, "SMTPOPS_COMMIT_MSG")
        with open(msg_path, "w", encoding="utf-8") as handle:
            handle.write(message)
        proc = None
        try:
            proc = subprocess.Popen(
                [
                    self.raw.git.GIT_PYTHON_GIT_EXECUTABLE or "git",
                    "commit",
                    "-q",
                    *(["--allow-empty"] if allow_empty else []),
                    "-F",
                    msg_path,
                    "--",
                    *rels,
                ],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={**os.environ, **self.raw.git.environment()},
            )
            _, err = proc.communicate()
            if proc.returncode != 0:
                text = err.decode("utf-8", "replace").strip() if err else ""
                raise GitOpsError(
                    f"git refused the commit: {text or 'exit code ' + str(proc.returncode)}",
                    hint="Nothing was changed. Fix what git reports (for example a pre-commit "
                    "hook) and run the command again.",
                )
        except BaseException:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait()
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(msg_path)
        return self.head() or ""


def open_repo(path: str) -> Repo:
    """The repository that contains ``path``."""
    # lazy: gitpython is heavy: only the git commands load it (CLI start-up stays light)
    import git

    try:
        raw = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitOpsError(
            f"{path} is not inside a git repository",
            hint="smtpops records every deploy as a git commit: run `git init` in your project "
            "folder, then commit your configs.",
        ) from None
    if raw.bare:
        raise GitOpsError(f"{path}: the repository is bare", hint="Run smtpops in a checkout.")
    return Repo(raw)
