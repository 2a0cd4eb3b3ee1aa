"""Which files a run checks, and which environment each belongs to."""

from __future__ import annotations

import os
from functools import lru_cache

from smtpops import repopath
from smtpops.errors import ConfigNotFound, InputError
from smtpops.filenames import SETTINGS_FILE
from smtpops.records import record

CONFIG_SUFFIXES = (".yaml", ".yml")


@record(frozen=True, kw_only=True)
class ConfigFile:
    path: str  # as the user will see it (relative to the working directory when possible)
    environment: str | None  # folder name under configs/, None when outside it
    configs_dir: str | None


def find_configs_dir(start: str = ".") -> str | None:
    """``configs/`` in ``start`` or one of its parents."""
    here = os.path.abspath(start)
    while True:
        candidate = os.path.join(here, "configs")
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


@lru_cache(maxsize=256)
def _folder(cwd: str, directory: str) -> tuple[str, str | None, str | None]:
    """For a folder holding config files (as written, relative to ``cwd``): how to show it,
    its environment, its configs/."""
    env_dir = os.path.abspath(directory)
    top = os.path.dirname(env_dir)
    configs_dir = None
    if os.path.basename(top) == "configs" or os.path.exists(os.path.join(top, SETTINGS_FILE)):
        configs_dir = top
    rel = os.path.relpath(env_dir)
    shown = directory if rel.startswith("..") else rel  # outside the cwd: as the user wrote it
    return shown, (os.path.basename(env_dir) if configs_dir else None), configs_dir


def classify(path: str) -> ConfigFile:
    directory, name = os.path.split(path)
    shown, env, configs_dir = _folder(os.getcwd(), directory or ".")
    display = name if shown == "." else os.path.join(shown, name)
    return ConfigFile(path=display, environment=env, configs_dir=configs_dir)


def _is_config_name(name: str) -> bool:
    return name.endswith(CONFIG_SUFFIXES) and name != SETTINGS_FILE and not name.startswith(".")


def repository_root(configs_dir: str) -> str:
    """The folder holding ``.git`` above ``configs_dir``; else the folder holding it."""
    here = os.path.dirname(os.path.abspath(configs_dir))
    return repopath.work_tree(here) or here


def neighbours(items: list[ConfigFile]) -> list[ConfigFile]:
    """The other config files of the environments the named files are in, so that
    validating one file still applies the repository rules that concern it."""
    named = {os.path.abspath(i.path) for i in items}
    folders = sorted({os.path.dirname(os.path.abspath(i.path)) for i in items if i.environment})
    found = []
    for folder in folders:
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if (
                name.endswith(CONFIG_SUFFIXES)
                and not name.startswith(".")
                and name != SETTINGS_FILE
                and os.path.isfile(path)
                and path not in named
            ):
                found.append(classify(path))
    return found


def _walk(directory: str) -> list[str]:
    """The config files below ``directory``. A linked folder is not walked into, but its
    config files are listed, so that validation reports them as links (FILE010) instead of
    skipping a whole environment in silence."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if _is_config_name(name):
                found.append(os.path.join(root, name))
        for name in dirs:
            linked = os.path.join(root, name)
            if os.path.islink(linked):
                try:
                    inside = sorted(os.listdir(linked))
                except OSError:
                    continue
                found.extend(os.path.join(linked, n) for n in inside if _is_config_name(n))
    return found


def _real_file(path: str) -> str:
    """``path`` when it is a real file inside its repository (InputError otherwise)."""
    item = classify(path)
    root = os.path.dirname(item.configs_dir) if item.configs_dir else os.path.dirname(path)
    repopath.refuse_link(root or ".", path, item.path)
    return path


def resolve_name(ref: str, configs_dir: str | None = None) -> str:
    """A config given as a path or as ``ENV/NAME``: its path. Raises ConfigNotFound, or
    InputError for a config that is a symbolic link or lies outside the repository."""
    if os.path.isfile(ref):
        return _real_file(ref)
    base = configs_dir or find_configs_dir()
    if base and "/" in ref and not ref.endswith(CONFIG_SUFFIXES):
        env, _, name = ref.partition("/")
        repopath.check_segment(env, "environment")
        repopath.check_segment(name, "config name")
        for suffix in CONFIG_SUFFIXES:
            candidate = os.path.join(base, ref + suffix)
            if os.path.isfile(candidate):
                return _real_file(classify(candidate).path)
    raise ConfigNotFound(
        f"{ref}: no such config file",
        hint="Give a path (configs/production/main.yaml) or ENV/NAME (production/main).",
    )


def discover(paths: tuple[str, ...]) -> tuple[list[ConfigFile], str | None]:
    """The config files named by ``paths`` (files or folders; none = the whole configs/)."""
    if not paths:
        configs_dir = find_configs_dir()
        if configs_dir is None:
            raise InputError(
                "there is no configs/ folder here or in a parent folder",
                hint="Run smtpops from your repository, or name the files to check.",
            )
        paths = (configs_dir,)
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(_walk(path))
        elif os.path.isfile(path):
            files.append(path)
        else:
            files.append(resolve_name(path))
    seen: set[str] = set()
    unique = []
    cwd = os.getcwd()  # once: abspath would ask for it again for each file
    for f in files:
        key = os.path.normpath(os.path.join(cwd, f))
        if key not in seen:
            seen.add(key)
            unique.append(classify(f))
    configs_dirs = {c.configs_dir for c in unique if c.configs_dir}
    return unique, (configs_dirs.pop() if len(configs_dirs) == 1 else None)
