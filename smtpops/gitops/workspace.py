"""Where a gitops command works: the repository, its ``configs/`` folder, the environments
and their policy, the pins, and the lock-and-recover step every change begins with."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from smtpops import discovery, settings
from smtpops.errors import GitOpsError, InputError, UsageError
from smtpops.gitops import activation, lock, pins, transaction
from smtpops.gitops.repo import Repo, open_repo
from smtpops.records import record
from smtpops.settings import Environment


@record(frozen=True, kw_only=True)
class Workspace:
    repo: Repo
    configs_dir: str  # absolute
    settings: settings.Settings

    @property
    def configs_rel(self) -> str:
        return self.repo.rel(self.configs_dir)

    @property
    def pins_rel(self) -> str:
        return self.repo.rel(pins.path(self.configs_dir))

    def environment(self, name: str | None) -> Environment:
        env = self.settings.environment(name) if name else None
        if env is None:
            known = ", ".join(self.settings.order)
            raise UsageError(
                f"'{name}' is not an environment of this repository",
                hint=f"Use one of: {known} (listed in configs/environments.yaml).",
            )
        return env

    def configs(self, env: str) -> list[activation.EnvConfig]:
        return activation.env_configs(self.repo.root, self.configs_dir, env)

    def config(self, env: str, name: str) -> activation.EnvConfig | None:
        return next((c for c in self.configs(env) if c.name == name), None)

    def pins(self) -> dict[str, pins.Pin]:
        return pins.load(self.configs_dir)

    def refuse_dirty(self, rels: list[str]) -> None:
        lines = self.repo.dirty(rels)
        if lines:
            files = ", ".join(line[3:] for line in lines)
            raise GitOpsError(
                f"these files have changes that are not committed: {files}",
                hint="smtpops deploys what git has recorded. Commit the changes (git add, git "
                "commit) or undo them (git restore FILE), then run the command again.",
            )

    @contextlib.contextmanager
    def locked(self, env: str, *, holder: str, reason: str, wait: float) -> Iterator[list[str]]:
        """Hold ``env``'s lock; first finish any change a killed run left half done."""
        with lock.acquire(self.repo.root, env, holder_name=holder, reason=reason, wait=wait):
            notes = []
            note = transaction.recover(self.repo, env)
            if note:
                notes.append(note)
            yield notes


def _configs_dir(start: str) -> str:
    found = discovery.find_configs_dir(start)
    if found is None:
        raise InputError(
            "there is no configs/ folder here or in a parent folder",
            hint="Run smtpops from your repository (the folder that holds configs/).",
        )
    return os.path.realpath(found)


def open_at(start: str = ".") -> Workspace:
    configs_dir = _configs_dir(start)
    return Workspace(
        repo=open_repo(configs_dir), configs_dir=configs_dir, settings=settings.load(configs_dir)
    )


def for_config(ref: str) -> tuple[Workspace, str, str]:
    """The workspace of a config given as a path or ``ENV/NAME``: (workspace, env, name)."""
    path = discovery.resolve_name(ref)
    item = discovery.classify(path)
    if item.configs_dir is None or item.environment is None:
        raise InputError(
            f"{path}: is not inside configs/<environment>/",
            hint="Deployable configs live in configs/<environment>/<name>.yaml.",
        )
    ws = open_at(os.path.dirname(item.configs_dir))
    ws.environment(item.environment)
    name = os.path.splitext(os.path.basename(path))[0]
    return ws, item.environment, name
