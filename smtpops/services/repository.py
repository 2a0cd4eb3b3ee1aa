"""Load a repository and name the configs a use case acts on.

A :class:`Repository` is the folder that holds ``configs/`` with its environments and policy;
a :class:`Target` is one config file with everything a use case needs to know about where it
lives (its label ``ENV/NAME``, its environment, the repository root for relative paths and the
local state folder).
"""

from __future__ import annotations

import os

from smtpops import discovery, localstate, repopath, settings
from smtpops.errors import InputError, UsageError
from smtpops.records import record
from smtpops.settings import Environment, Settings

__all__ = ["Repository", "Target", "environment_targets", "open_repository", "target"]


@record(frozen=True, kw_only=True)
class Repository:
    """A config repository: ``root`` holds ``configs/`` (both absolute)."""

    root: str
    configs_dir: str
    settings: Settings

    @property
    def state_dir(self) -> str:
        """``.smtpops/``: machine-local state (test log, locks, journals); not created here."""
        return localstate.top(self.root)

    def environment_names(self) -> tuple[str, ...]:
        """The environment folders under ``configs/``, sorted (hidden folders left out)."""
        return tuple(
            sorted(
                d
                for d in os.listdir(self.configs_dir)
                if os.path.isdir(os.path.join(self.configs_dir, d)) and not d.startswith(".")
            )
        )


@record(frozen=True, kw_only=True)
class Target:
    """One config file to act on.

    ``path`` is as the user sees it (relative to the working directory when possible),
    ``label`` is ``ENV/NAME`` for a config of an environment (else the path), ``root`` is where
    a relative ``ca_file`` is found and where ``.smtpops/`` lives.
    """

    path: str
    label: str
    environment: Environment | None
    root: str

    @property
    def state_dir(self) -> str:
        return localstate.top(self.root)


def open_repository(start: str = ".") -> Repository:
    """The repository whose ``configs/`` is in ``start`` or one of its parents."""
    configs_dir = discovery.find_configs_dir(start)
    if configs_dir is None:
        raise InputError(
            "there is no configs/ folder here or in a parent folder",
            hint="Run smtpops from your repository.",
        )
    return Repository(
        root=os.path.dirname(configs_dir),
        configs_dir=configs_dir,
        settings=settings.load(configs_dir),
    )


def target(ref: str) -> Target:
    """The config named by ``ref``: a path, or ``ENV/NAME``. Raises ConfigNotFound."""
    return _target(discovery.resolve_name(ref))


def root_of(ref: str) -> str:
    """The :attr:`Target.root` of the config named by ``ref``, found without reading any
    file (:func:`target` reads the repository settings). Raises ConfigNotFound."""
    return _root(discovery.classify(discovery.resolve_name(ref)))


def _root(item: discovery.ConfigFile) -> str:
    return os.path.dirname(item.configs_dir) if item.configs_dir else os.getcwd()


def _target(path: str, project: Settings | None = None) -> Target:
    item = discovery.classify(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    label = f"{item.environment}/{stem}" if item.environment else item.path
    if project is None:
        project = settings.load(item.configs_dir) if item.configs_dir else settings.DEFAULT
    env = project.environment(item.environment) if item.environment else None
    return Target(path=item.path, label=label, environment=env, root=_root(item))


def environment_targets(env_name: str, start: str = ".") -> tuple[Target, ...]:
    """Every config of environment ``env_name``, in file order."""
    repopath.check_segment(env_name, "environment")
    repo = open_repository(start)
    folder = os.path.join(repo.configs_dir, env_name)
    if not os.path.isdir(folder):
        raise UsageError(
            f"there is no environment '{env_name}' in {repo.configs_dir}",
            hint=f"Environments here: {', '.join(repo.environment_names()) or 'none'}.",
        )
    items, _ = discovery.discover((folder,))
    if not items:
        raise InputError(f"{folder} holds no config files")
    return tuple(_target(item.path, repo.settings) for item in items)
