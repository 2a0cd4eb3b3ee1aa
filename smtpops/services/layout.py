"""``smtpops init``: lay out a new config repository — environments, ``.sops.yaml``, the
schema the configs' modeline points at, the pull-request and deploy workflows, the
pre-commit hooks, CODEOWNERS and ``.gitignore``.

Idempotent and never overwriting: a file that exists is left exactly as it is and reported
as kept (only ``update_schema`` replaces the schema copy with the installed one). The files
come from this project's own (the workflows, hooks, CODEOWNERS and environments smtpops
itself uses, bundled in the wheel), so there is one source for each.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import yaml

from smtpops import __version__, atomic, resources
from smtpops.encryption import sops_config
from smtpops.records import record

SCHEMA_REL = "schemas/smtp-config.schema.json"

# the smtpops repository installs itself from its checkout; a config repository installs
# the released package
_SELF_INSTALL = (
    "      # In a config repository of your own, use the action instead of these two steps:\n"
    "      #   uses: <your-org>/smtpops@<full commit SHA>\n"
    "      - name: Install smtpops\n"
    "        run: python -m pip install --disable-pip-version-check --quiet .\n"
)
_PACKAGE_INSTALL = (
    "      - name: Install smtpops\n"
    '        run: python -m pip install --disable-pip-version-check --quiet "smtpops=={version}"\n'
)

GITIGNORE = """\
# smtpops' local state (test log, sandbox, locks, journal): never commit it
.smtpops/
# decrypted copies and plaintext passwords must never reach git (smtpops secrets check
# looks for them too)
*.dec.yaml
*.decrypted.yaml
password.txt
.env
"""


@record(frozen=True, kw_only=True)
class Laid:
    """What ``init`` did: the files it created, and those it found and left alone."""

    root: str
    created: tuple[str, ...]
    kept: tuple[str, ...]
    schema_differs: bool  # a kept schema copy is not the installed smtpops' schema


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def workflow(name: str) -> str:
    """A workflow of this project, made to install the released smtpops."""
    text = _read(str(resources.repo_file(f".github/workflows/{name}")))
    return text.replace(_SELF_INSTALL, _PACKAGE_INSTALL.format(version=__version__))


def sops_yaml() -> str:
    return sops_config.HEADER + "stores:\n  yaml:\n    indent: 2\ncreation_rules: []\n"


def pre_commit_config() -> str:
    """``.pre-commit-config.yaml`` running this project's hooks with the installed smtpops."""
    hooks = yaml.safe_load(_read(str(resources.repo_file(".pre-commit-hooks.yaml"))))
    local = []
    for hook in hooks:
        entry = {k: hook[k] for k in ("id", "name", "entry") if k in hook}
        entry["language"] = "system"  # the smtpops on PATH, the version CI installs
        for key in ("files", "always_run", "pass_filenames", "require_serial"):
            if key in hook:
                entry[key] = hook[key]
        local.append(entry)
    body = yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}, sort_keys=False)
    return (
        "# pre-commit hooks (https://pre-commit.com): `pre-commit install` once, then every\n"
        "# commit is validated and checked for plaintext secrets.\n" + body
    )


def installed_schema() -> str:
    return _read(str(resources.schema_path()))


def files() -> dict[str, Callable[[], str]]:
    """Path (relative to the repository root) → its content, made when needed."""
    return {
        "configs/environments.yaml": lambda: _read(
            str(resources.repo_file("configs/environments.yaml"))
        ),
        ".sops.yaml": sops_yaml,
        SCHEMA_REL: installed_schema,
        ".github/workflows/validate.yml": lambda: workflow("validate.yml"),
        ".github/workflows/smtpops-deploy.yml": lambda: workflow("smtpops-deploy.yml"),
        ".pre-commit-config.yaml": pre_commit_config,
        ".github/CODEOWNERS": lambda: _read(str(resources.repo_file(".github/CODEOWNERS"))),
        ".gitignore": lambda: GITIGNORE,
    }


def lay_out(root: str, *, update_schema: bool = False) -> Laid:
    """Create what is missing under ``root``; leave what exists."""
    created, kept = [], []
    schema_differs = False
    for rel, make in files().items():
        path = os.path.join(root, rel)
        if os.path.lexists(path):
            if rel == SCHEMA_REL and _differs(path):
                if update_schema:
                    atomic.write_text(path, installed_schema())
                    created.append(rel)
                    continue
                schema_differs = True
            kept.append(rel)
            continue
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        atomic.write_text(path, make())
        created.append(rel)
    return Laid(root=root, created=tuple(created), kept=tuple(kept), schema_differs=schema_differs)


def _differs(path: str) -> bool:
    try:
        return _read(path) != installed_schema()
    except (OSError, UnicodeDecodeError):
        return True
