"""What a rule sees: one config file, its environment, its provider, and (for repository
rules) all files of the run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from smtpops.model import Config
from smtpops.providers import Provider
from smtpops.settings import RELAXED, Environment, Policy, Settings
from smtpops.yamlio import Document


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigContext:
    path: str
    doc: Document
    raw: dict[str, Any]
    config: Config
    environment: Environment | None
    provider: Provider | None
    providers: dict[str, Provider]
    repo_root: str | None
    # every file a rule asked about through exists(), and the answer: a cached report
    # stays valid only while the answers are the same (smtpops.validation_cache)
    looked_up: dict[str, bool] = field(default_factory=dict)

    def exists(self, path: str) -> bool:
        """Whether ``path`` is a file. A rule that looks at the disk beyond the config asks
        here, so the validation cache knows the answer mattered and checks it again."""
        found = os.path.isfile(path)
        self.looked_up[path] = found
        return found

    @property
    def policy(self) -> Policy:

        return self.environment.policy if self.environment else RELAXED

    def has(self, name: str) -> bool:
        return name in self.raw


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoContext:
    files: tuple[ConfigContext, ...]
    settings: Settings
    configs_dir: str | None
    stray: tuple[str, ...] = ()  # YAML files outside configs/<env>/
    # False when files were named one by one (a pre-commit hook, an editor): repository
    # rules then look only at what concerns those files
    whole_tree: bool = True
