"""REPO: rules across the files of the repository."""

import os
import re
from collections import defaultdict
from collections.abc import Iterator

from smtpops import diskfacts, resources
from smtpops.diagnostics import Severity
from smtpops.rules.context import RepoContext
from smtpops.rules.examples import BASE
from smtpops.rules.registry import Example, Hit, rule

MODELINE_EXAMPLE = "# yaml-language-server: $schema=../../schemas/smtp-config.schema.json\n"


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


@rule(
    id="REPO001",
    name="duplicate-name",
    severity=Severity.ERROR,
    kind="repo",
    message="two configurations in one environment have the same name",
    hint="Give each configuration of an environment its own name (and file name).",
    why="Deploys, reviews and the audit trail refer to configurations by name; two with one name make them ambiguous.",
    bad=Example(yaml="name: example\n", others={"example.yml": BASE}),
    good=Example(
        yaml="name: example\n",
        others={"second.yaml": BASE.replace("name: example", "name: second")},
    ),
)
def duplicate_name(repo: RepoContext) -> Iterator[Hit]:
    """Names are unique within an environment."""
    groups: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    for ctx in repo.files:
        if ctx.config.name:
            groups[(ctx.environment.name if ctx.environment else None, ctx.config.name)].append(
                ctx.path
            )
    for (_, name), found in groups.items():
        # in path order, as a tree run meets them: a run that names one file (checked first,
        # its neighbours after it) then reports the same file as the tree run does
        paths = sorted(found)
        for path in paths[1:]:
            yield Hit(
                path=path,
                field=("name",),
                message=f"the name '{name}' is already used by {paths[0]}",
            )


@rule(
    id="REPO002",
    name="file-name-mismatch",
    severity=Severity.ERROR,
    kind="repo",
    message="the file name does not match the configuration's name",
    hint="Rename the file to <name>.yaml, or change 'name' to match the file.",
    why="`smtpops deploy ENV/NAME` and reviewers find a configuration by its file name.",
    bad=Example(yaml="name: example\n", file_name="other.yaml"),
    good=Example(yaml="name: example\n", file_name="example.yaml"),
)
def file_name_mismatch(repo: RepoContext) -> Iterator[Hit]:
    """The file is called <name>.yaml."""
    for ctx in repo.files:
        name = ctx.config.name
        if name and _stem(ctx.path) != name:
            yield Hit(
                path=ctx.path,
                field=("name",),
                message=f"the file is called '{os.path.basename(ctx.path)}' but the name is '{name}'",
                hint=f"Rename the file to {name}.yaml, or set 'name: {_stem(ctx.path)}'.",
            )


@rule(
    id="REPO003",
    name="several-active",
    severity=Severity.ERROR,
    kind="repo",
    message="more than one configuration is active in this environment",
    hint="Set 'active: false' on all but one, or let `smtpops deploy ENV/NAME` switch the active configuration.",
    why="The CRM uses exactly one SMTP configuration per environment; two active ones make it unpredictable which is used.",
    bad=Example(
        yaml="active: true\n",
        others={"second.yaml": BASE.replace("name: example", "name: second\nactive: true")},
    ),
    good=Example(
        yaml="active: true\n",
        others={"second.yaml": BASE.replace("name: example", "name: second\nactive: false")},
    ),
)
def several_active(repo: RepoContext) -> Iterator[Hit]:
    """At most one active configuration per environment."""
    active: dict[str, list[str]] = defaultdict(list)
    for ctx in repo.files:
        if ctx.config.active is True and ctx.environment:
            active[ctx.environment.name].append(ctx.path)
    for env, found in active.items():
        if len(found) > 1:
            paths = sorted(found)  # path order, whichever file a run named first
            others = ", ".join(paths)
            for path in paths:
                yield Hit(
                    path=path,
                    field=("active",),
                    message=f"{len(paths)} configurations are active in {env}: {others}",
                )


@rule(
    id="REPO004",
    name="unknown-environment",
    severity=Severity.ERROR,
    kind="repo",
    message="the configuration is in a folder that is not a known environment",
    hint="Move it into configs/<environment>/ for an environment listed in configs/environments.yaml, or add the environment there.",
    why="Each environment has its own policy and keys; a config outside them would be checked against none.",
    bad=Example(yaml="name: example\n", environment="qa"),
    good=Example(yaml="name: example\n", environment="staging"),
)
def unknown_environment(repo: RepoContext) -> Iterator[Hit]:
    """Config folders are environments listed in the settings."""
    known = ", ".join(repo.settings.order)
    for ctx in repo.files:
        if (
            ctx.environment is None
            and repo.configs_dir
            and os.path.abspath(ctx.path).startswith(repo.configs_dir)
        ):
            env = os.path.basename(os.path.dirname(os.path.abspath(ctx.path)))
            yield Hit(path=ctx.path, message=f"'{env}' is not a known environment (known: {known})")


@rule(
    id="REPO005",
    name="misplaced-file",
    severity=Severity.ERROR,
    kind="repo",
    message="a configuration file is directly in configs/ instead of an environment folder",
    hint="Move it to configs/<environment>/ (e.g. configs/development/).",
    why="A configuration's environment (and so its policy and keys) is the folder it is in.",
    bad=Example(yaml="name: example\n", environment=""),
    good=Example(yaml="name: example\n", environment="development"),
)
def misplaced_file(repo: RepoContext) -> Iterator[Hit]:
    """Config files live in configs/<environment>/."""
    for path in repo.stray:
        yield Hit(path=path, line=1)


_BASE_WORDS = {
    "activated": "was switched on by hand",
    "changed": "is the active configuration and was changed by hand",
    "deactivated": "was the active configuration and was switched off by hand",
    "removed": "was the active configuration and was deleted by hand",
}


@rule(
    id="REPO006",
    name="activation-without-deploy",
    severity=Severity.ERROR,
    kind="repo",
    security=True,
    message="an activation, or a change to the active configuration, did not come from `smtpops deploy`",
    hint="Commit the change, then deploy it with `smtpops deploy ENV/NAME`: it tests the connection first and records the test in its commit.",
    why="Only `smtpops deploy` (and rollback) switch a configuration on after a live connection test; a hand edit of 'active' or of the active configuration's fields would reach the CRM untested. `smtpops validate --base REV` compares with REV and finds these edits in every environment.",
    bad=Example(yaml="active: true\n", base="active: false\n"),
    good=Example(yaml="active: false\nretries: 5\n", base="active: false\n"),
    references=("smtpops deploy --help", "smtpops rollback --help"),
)
def activation_without_deploy(repo: RepoContext) -> Iterator[Hit]:
    """With ``--base``: every activation or change of an active config that is not the work
    of an smtpops deploy/rollback commit (its ``Smtpops-*`` trailers)."""
    here = {ctx.path: ctx for ctx in repo.files}
    for path in sorted({*here, *repo.base_changes}):
        change = repo.base_changes.get(path)
        if change is None:
            continue
        ctx = here.get(path)
        if ctx is not None and ctx.environment:
            env = ctx.environment.name
        else:
            env = os.path.basename(os.path.dirname(path)) or "ENV"
        ref = f"{env}/{_stem(path)}"
        if change.kind == "removed":
            yield Hit(
                path=path,
                message=f"{ref} {_BASE_WORDS[change.kind]} since {change.base}: {env} "
                "has lost the configuration the CRM uses",
                hint=f"Restore it (git restore --source {change.base.split()[0]} {path}); to "
                f"stop email, run `smtpops deactivate {env}`, then `smtpops remove {ref}`.",
            )
            continue
        if change.kind == "deactivated":
            fix = (
                f"Undo the edit (git restore {path}); to switch {env} off, run "
                f"`smtpops deactivate {env}`; to use another configuration, deploy it with "
                f"`smtpops deploy {env}/NAME`."
            )
        else:
            fix = (
                f"Commit the change, then deploy it with `smtpops deploy {ref}`: it tests the "
                "connection first and records the test in its commit (or undo the edit with "
                "git restore)."
            )
        yield Hit(
            path=path,
            field=("active",),
            message=f"{ref} {_BASE_WORDS[change.kind]} since {change.base}, not by `smtpops deploy`",
            hint=fix,
        )


_MODELINE = re.compile(r"^#[ \t]*yaml-language-server:[ \t]*\$schema=(\S+)", re.M)


def _schema_problem(repo: RepoContext, path: str) -> str | None:
    """``missing`` or ``different`` (from the installed schema), or None: no finding (the
    same schema, or a file that cannot be read)."""
    answer = repo.compare(path, resources.schema_file())  # a string path: no pathlib at start-up
    return answer if answer in (diskfacts.MISSING, diskfacts.DIFFERENT) else None


@rule(
    id="REPO007",
    name="schema-copy",
    severity=Severity.INFO,
    kind="repo",
    message="the schema the editor modeline points at is missing or not the installed smtpops' schema",
    hint="Run `smtpops init`: it adds the missing schema and leaves every other file as it is; `smtpops init --update-schema` replaces an old copy.",
    why="Editors complete fields and underline wrong values from the schema the first line names; without it they check nothing, and with an old copy they check against fields that changed.",
    bad=Example(yaml=f"{MODELINE_EXAMPLE}{BASE}", whole_file=True),
    good=Example(
        yaml=f"# yaml-language-server: $schema=https://smtpops.dev/schemas/smtp-config.schema.json\n{BASE}",
        whole_file=True,
    ),
)
def schema_copy(repo: RepoContext) -> Iterator[Hit]:
    """The local schema named in the ``$schema=`` modelines exists and is the installed one
    (one note per schema file, on the first config that names it)."""
    seen: set[tuple[str, str]] = set()  # (folder, modeline value) already looked at
    targets: set[str] = set()
    for ctx in repo.files:
        head = ctx.doc.text[:300]  # the modeline is among the first lines
        match = _MODELINE.search(head) if "$schema=" in head else None
        if match is None or "://" in match.group(1):
            continue
        key = (os.path.dirname(ctx.path), match.group(1))
        if key in seen:
            continue
        seen.add(key)
        target = os.path.normpath(os.path.join(*key))
        if target in targets:
            continue
        targets.add(target)
        problem = _schema_problem(repo, target)
        if problem is None:
            continue
        line = ctx.doc.text[: match.start()].count("\n") + 1
        if problem == "missing":
            yield Hit(
                path=ctx.path,
                line=line,
                message=f"the schema {target} that the first line names does not exist, so "
                "editors cannot check this file",
            )
        else:
            yield Hit(
                path=ctx.path,
                line=line,
                message=f"{target} is not the schema of the installed smtpops (an older "
                "copy?): editors check against it",
                hint="Run `smtpops init --update-schema` to copy the installed schema there.",
            )
