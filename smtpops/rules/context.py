"""What a rule sees: one config file, its environment, its provider, and (for repository
rules) all files of the run."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from smtpops import clock, diskfacts
from smtpops.model import Config
from smtpops.providers import Provider
from smtpops.records import record
from smtpops.settings import RELAXED, Environment, Policy, Settings
from smtpops.yamlio import Document


@record(frozen=True, kw_only=True)
class ConfigContext:
    path: str
    doc: Document
    raw: dict[str, Any]
    config: Config
    environment: Environment | None
    provider: Provider | None
    providers: dict[str, Provider]
    repo_root: str | None
    # every file a rule asked about through exists(), and what it learnt (fingerprint()):
    # a cached report stays valid only while the answers are the same (validation_cache)
    looked_up: dict[str, str] = field(default_factory=dict)

    def exists(self, path: str) -> bool:
        """Whether ``path`` is a file. A rule that looks at the disk beyond the config asks
        here, so the validation cache knows the answer mattered and checks it again."""
        self.looked_up[path] = diskfacts.fingerprint(path)
        return self.looked_up[path] == diskfacts.IS_FILE

    @property
    def policy(self) -> Policy:

        return self.environment.policy if self.environment else RELAXED

    @property
    def today(self) -> datetime.date:
        return clock.today()

    def has(self, name: str) -> bool:
        return name in self.raw


@record(frozen=True, kw_only=True)
class BaseChange:
    """How a config differs from a base revision (``validate --base``) in a way no smtpops
    deploy/rollback commit accounts for."""

    kind: str  # activated | changed | deactivated
    base: str  # the base as the user named it, with its commit


@record(frozen=True, kw_only=True)
class RepoContext:
    files: tuple[ConfigContext, ...]
    settings: Settings
    configs_dir: str | None
    stray: tuple[str, ...] = ()  # YAML files outside configs/<env>/
    base_changes: Mapping[str, BaseChange] = field(default_factory=dict)  # path -> change
    # with --base: path -> the config as parsed at the base revision (absent: not there)
    base_files: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    # False when files were named one by one (a pre-commit hook, an editor): repository
    # rules then look only at what concerns those files
    whole_tree: bool = True
    looked_up: dict[str, str] = field(default_factory=dict)  # as ConfigContext's

    def compare(self, path: str, reference: str) -> str:
        """Whether the file ``path`` holds the bytes of ``reference``: ``diskfacts.SAME``,
        ``DIFFERENT``, ``MISSING`` (no such file) or ``UNREADABLE``. Recorded like
        :meth:`ConfigContext.exists`; the answer, not a hash, is what the cache checks."""
        self.looked_up[path] = diskfacts.compare(path, reference)
        return diskfacts.answer(self.looked_up[path])
