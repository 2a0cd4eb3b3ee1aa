"""Shell completion (click's ``_SMTPOPS_COMPLETE``): environment names and ``ENV/NAME``
configs from the repository the shell is in, rule IDs and provider IDs.

Completion runs on every Tab: it reads only folder names and ``configs/environments.yaml``,
and never fails (a broken repository completes to nothing).
"""

from __future__ import annotations

import os

import click
from click.shell_completion import CompletionItem

from smtpops import discovery, settings
from smtpops.errors import SmtpopsError


def _environments() -> list[str]:
    configs_dir = discovery.find_configs_dir()
    if configs_dir is None:
        return list(settings.DEFAULT.order)
    try:
        names = list(settings.load(configs_dir).order)
    except (SmtpopsError, OSError):
        names = []
    for name in sorted(os.listdir(configs_dir)):
        folder = os.path.join(configs_dir, name)
        if os.path.isdir(folder) and not name.startswith(".") and name not in names:
            names.append(name)
    return names


def environments(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The environments of the repository (configs/environments.yaml and its folders)."""
    try:
        return [CompletionItem(n) for n in _environments() if n.startswith(incomplete)]
    except OSError:
        return []


def configs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """``ENV/NAME`` of every config; a path (``configs/…``, ``./…``) completes as a file."""
    if incomplete.startswith((".", os.sep, "configs")) or incomplete.endswith(
        discovery.CONFIG_SUFFIXES
    ):
        return [CompletionItem(incomplete, type="file")]
    found = []
    try:
        configs_dir = discovery.find_configs_dir()
        if configs_dir is None:
            return []
        for env in _environments():
            folder = os.path.join(configs_dir, env)
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                stem, suffix = os.path.splitext(name)
                ref = f"{env}/{stem}"
                config = suffix in discovery.CONFIG_SUFFIXES and not name.startswith(".")
                if config and ref.startswith(incomplete):
                    found.append(CompletionItem(ref))
    except OSError:
        return []
    return found


def rule_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    # test, deploy ... import this module for their completions; loading every rule for them
    # lazy(start-up): cost ~40 ms, so only completing a rule ID loads the rules
    from smtpops.rules import AREAS
    from smtpops.rules.registry import RULES

    wanted = incomplete.upper()
    names = sorted({*RULES, *AREAS})
    return [CompletionItem(n) for n in names if n.startswith(wanted)]


def provider_ids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    # lazy(start-up): the provider catalogue's module, only when completing a provider ID
    from smtpops.providers import catalog

    return [CompletionItem(p) for p in sorted(catalog()) if p.startswith(incomplete)]
