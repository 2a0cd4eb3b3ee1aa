"""The validation cache (.smtpops/cache/validate/): an unchanged run is answered from it, a
change to any input is not, a corrupt or foreign entry is ignored, --no-cache bypasses it,
and it never holds a secret."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from smtpops import resources, validation_cache
from smtpops.rules.examples import BASE
from smtpops.services import validation
from smtpops.validation_options import Options
from tests.conftest import CANARY, assert_no_canary

CACHE = Path(".smtpops") / "cache" / "validate"
ENVIRONMENTS = "environments:\n  - name: development\n    policy: relaxed\n"


@pytest.fixture
def config(repo_dir: Path) -> Path:
    (repo_dir / "configs" / "environments.yaml").write_text(ENVIRONMENTS)
    path = repo_dir / "configs" / "development" / "example.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(BASE.replace("port: 587", "port: 2526"))  # one warning (PORT002)
    return path


def _entries(repo: Path) -> list[Path]:
    return sorted(p for p in (repo / CACHE).glob("*.json") if not p.name.startswith("rules-"))


def _views(repo: Path) -> list[Path]:
    """The rendered outputs kept beside the entries (one per format and severity shown)."""
    return sorted((repo / CACHE).glob(f"*{validation_cache.VIEW_SUFFIX}"))


def test_an_unchanged_run_is_answered_from_the_cache(run_cli, config, runs, repo_dir):
    first = run_cli("validate", "--format", "json")
    second = run_cli("validate", "--format", "json")
    assert len(runs) == 1, "the second run did the work again"
    assert second.stdout == first.stdout and second.exit_code == first.exit_code == 0
    assert "PORT002" in second.stdout
    assert len(_entries(repo_dir)) == 1
    assert (repo_dir / ".smtpops" / ".gitignore").read_text().strip().endswith("*")
    for fmt in ("text", "sarif", "junit", "github"):  # every format, from the cached report
        cold = run_cli("validate", "--no-cache", "--format", fmt)
        assert run_cli("validate", "--format", fmt).stdout == cold.stdout


def test_one_named_file_is_cached_apart_from_the_tree(run_cli, config, runs):
    run_cli("validate", str(config))
    run_cli("validate")
    run_cli("validate", str(config))
    assert len(runs) == 2


def test_no_cache_neither_reads_nor_writes(run_cli, config, runs, repo_dir):
    run_cli("validate", "--no-cache", expect=0)
    assert not (repo_dir / ".smtpops").exists()
    run_cli("validate")
    run_cli("validate", "--no-cache")
    assert len(runs) == 3


def _changes(repo: Path, config: Path) -> dict[str, object]:
    providers = repo / "my-providers"
    return {
        "the file": lambda: config.write_text(config.read_text() + "# a comment\n"),
        "the environments": lambda: (repo / "configs" / "environments.yaml").write_text(
            ENVIRONMENTS.replace("relaxed", "strict")
        ),
        "the sops settings": lambda: (repo / ".sops.yaml").write_text("creation_rules: []\n"),
        "another config": lambda: (config.parent / "other.yaml").write_text(
            BASE.replace("name: example", "name: other")
        ),
        "a file the leak scan reads": lambda: (repo / "notes.txt").write_text("nothing\n"),
        "a provider": lambda: (providers / "gmail" / "provider.yaml").write_text(
            (providers / "gmail" / "provider.yaml").read_text() + "\n# changed\n"
        ),
    }


@pytest.mark.parametrize(
    "part",
    [
        "the file",
        "the environments",
        "the sops settings",
        "another config",
        "a file the leak scan reads",
        "a provider",
    ],
)
def test_a_change_to_any_input_misses(part, config, runs, repo_dir):
    providers = repo_dir / "my-providers"
    shutil.copytree(resources.data_dir("providers"), providers)
    options = Options(providers_dir=str(providers))
    validation.validate((), options, cache=True)
    validation.validate((), options, cache=True)
    assert len(runs) == 1
    _changes(repo_dir, config)[part]()  # type: ignore[operator]
    validation.validate((), options, cache=True)
    assert len(runs) == 2, f"a change to {part} was answered from the cache"


def test_the_schema_version_code_and_options_are_in_the_key(
    config, runs, repo_dir, monkeypatch, tmp_path_factory
):
    validation.validate((), cache=True)
    schema = tmp_path_factory.mktemp("elsewhere") / "schema.json"  # not in the repository
    schema.write_bytes(resources.schema_path().read_bytes() + b"\n")
    with monkeypatch.context() as patch:
        patch.setattr(resources, "schema_file", lambda: str(schema))
        validation.validate((), cache=True)
    assert len(runs) == 2
    with monkeypatch.context() as patch:
        patch.setattr(validation_cache, "__version__", "99.0")
        validation.validate((), cache=True)
    assert len(runs) == 3
    with monkeypatch.context() as patch:
        patch.setattr(validation_cache, "_code", lambda: b"other code")
        validation.validate((), cache=True)
    assert len(runs) == 4
    validation.validate((), Options(ignore=("PORT002",)), cache=True)
    assert len(runs) == 5
    validation.validate((), cache=True)  # the first one is still there
    assert len(runs) == 5


def test_a_file_a_rule_looked_for_is_looked_for_again(run_cli, config, runs, repo_dir):
    config.write_text(BASE + "ca_file: certs/ca.pem\n")
    assert "TLS006" in run_cli("validate").stdout
    (repo_dir / "certs").mkdir()
    (repo_dir / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    assert "TLS006" not in run_cli("validate").stdout
    assert len(runs) == 2


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b"\x00\xff\xfe garbage",
        b"[]",
        b'{"format": 1}',
        b"",
    ],
)
def test_a_corrupt_entry_is_ignored_and_replaced(damage, run_cli, config, runs, repo_dir):
    cold = run_cli("validate", "--format", "json")
    (entry,) = _entries(repo_dir)
    (view,) = _views(repo_dir)
    for path in (entry, view):
        path.write_bytes(damage)
    again = run_cli("validate", "--format", "json")
    assert again.stdout == cold.stdout and len(runs) == 2
    assert json.loads(entry.read_text())["format"] == validation_cache.FORMAT
    assert validation_cache.VIEW_SUFFIX in view.name and view.read_bytes().endswith(
        cold.stdout.encode()
    )


def test_a_foreign_entry_is_not_trusted(run_cli, config, runs, repo_dir):
    """An entry under the right name that carries another key, format or version (copied
    from another repository, or written by another smtpops) is not used."""
    cold = run_cli("validate", "--format", "json")
    (entry,) = _entries(repo_dir)
    data = json.loads(entry.read_text())
    data["report"]["diagnostics"] = []  # what a foreign entry might claim: all clean
    for forged in ({"key": "0" * 64}, {"format": 0}, {"smtpops": "0.0.1"}):
        entry.write_text(json.dumps(data | forged))
        for view in _views(repo_dir):  # the rendered output would answer before the entry
            view.unlink()
        assert run_cli("validate", "--format", "json").stdout == cold.stdout
    assert len(runs) == 4
    catalogue = next((repo_dir / CACHE).glob("rules-*.json"))
    catalogue.write_text('{"key": "another smtpops", "rules": []}')
    for view in _views(repo_dir):
        view.unlink()
    assert run_cli("validate", "--format", "json").stdout == cold.stdout
    assert len(runs) == 5


def test_an_unchanged_run_is_answered_with_the_text_it_wrote(run_cli, config, runs, repo_dir):
    """The output of one format is kept beside the report (a view), per format and per
    severity shown, and answers again without the report being decoded or written out."""
    cold = run_cli("validate", "--format", "json")
    quiet = run_cli("validate", "--format", "json", "-q")
    assert len(runs) == 1 and quiet.stdout != cold.stdout  # -q hides the PORT002 warning
    names = sorted(v.name.split(".", 1)[1] for v in _views(repo_dir))
    assert names == ["json-error.view", "json-info.view"]
    (entry,) = _entries(repo_dir)
    entry.write_text("{}")  # the report itself is gone: only the views can answer
    assert run_cli("validate", "--format", "json").stdout == cold.stdout
    assert run_cli("validate", "--format", "json", "-q").stdout == quiet.stdout
    assert len(runs) == 1
    for args in ((), ("--format", "sarif"), ("--min-severity", "warning")):
        again = run_cli("validate", *args)  # a format not kept yet: the report again
        assert again.stdout == run_cli("validate", "--no-cache", *args).stdout
        assert again.exit_code == 0


def _view_parts(path: Path) -> tuple[list[bytes], bytes]:
    """A view's head fields (NUL-separated) and its text, as smtpops.validation_cache
    writes them: 8 fields, then a (path, fact) pair for each fact, then the text."""
    raw = path.read_bytes()
    count = int(raw.split(b"\0", 8)[7])
    fields = raw.split(b"\0", 8 + 2 * count)
    return fields[:-1], fields[-1]


def _swap(fields: list[bytes], index: int, value: bytes) -> list[bytes]:
    return [value if i == index else f for i, f in enumerate(fields)]


def _with_fact(fields: list[bytes]) -> list[bytes]:
    """The head claiming one more disk fact: a CA file that is not there."""
    count = int(fields[7]) + 1
    return [*_swap(fields, 7, str(count).encode()), b"/nowhere/ca.pem", b"file"]


FORGERIES = {
    "control": lambda head, body: (head, body),  # nothing forged: a current view answers
    "key": lambda head, body: (_swap(head, 3, b"0" * 64), body),
    "format": lambda head, body: (_swap(head, 1, b"1"), body),
    "version": lambda head, body: (_swap(head, 2, b"0.0.1"), body),
    "view": lambda head, body: (_swap(head, 4, b"json-error"), body),
    "magic": lambda head, body: (_swap(head, 0, b"another tool"), body),
    "exit": lambda head, body: (_swap(head, 5, b"zero"), body),
    "torn": lambda head, body: (head, body[:-10]),  # shorter than its head says
    "fact": lambda head, body: (_with_fact(head), body),
    "cut": lambda head, body: (head[:3], body),  # a head cut short
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_foreign_or_stale_view_is_not_trusted(forgery, run_cli, config, runs, repo_dir):
    cold = run_cli("validate", "--format", "json")
    (view,) = _views(repo_dir)
    original, body = _view_parts(view)
    changed = body.replace(b"PORT002", b"PORT003")  # same length: only the forgery differs
    head = original
    head, changed = FORGERIES[forgery](head, changed)
    view.write_bytes(b"\0".join([*head, changed]))
    again = run_cli("validate", "--format", "json")
    assert len(runs) == 1  # the report itself (the entry) is still there and current
    if forgery == "control":
        assert "PORT003" in again.stdout, "a current view answers"
    else:
        assert again.stdout == cold.stdout and "PORT003" not in again.stdout
        assert _view_parts(view) == (original, body), "the view is written again"


def test_the_cache_never_holds_a_secret(run_cli, config, repo_dir):
    config.write_text(
        BASE.replace("name: example", f"name: example\ndescription: 'password: {CANARY}'")
    )
    plain = repo_dir / "configs" / "development" / "plain.yaml"
    text = BASE.replace("name: example", "name: plain")
    plain.write_text(text[: text.index("password:")] + f"password: {CANARY}\n")
    (repo_dir / "keys.txt").write_text(f"password={CANARY}\n")
    for args in ((), (str(plain),), ("--format", "sarif")):
        result = run_cli("validate", *args)
        assert result.exit_code == 1 and "CRED" in result.stdout
        assert_no_canary(result.stdout, result.stderr)
    files = list((repo_dir / ".smtpops").rglob("*"))
    assert len(_entries(repo_dir)) == 2  # the sarif run was the first one's, answered
    for path in files:
        if path.is_file():
            assert_no_canary(path.read_text(encoding="utf-8"))


def test_a_repository_that_cannot_be_written_goes_without(run_cli, config, runs, repo_dir):
    (repo_dir / ".smtpops").write_text("not a folder")  # makes the cache folder impossible
    assert run_cli("validate").exit_code == 0
    assert run_cli("validate").exit_code == 0
    assert len(runs) == 2


def test_the_schema_copy_a_modeline_names_is_read_again(run_cli, config, runs, repo_dir):
    config.write_text(
        "# yaml-language-server: $schema=../../schemas/smtp-config.schema.json\n" + BASE
    )
    assert "REPO007" in run_cli("validate").stdout
    (repo_dir / "schemas").mkdir()
    copy = repo_dir / "schemas" / "smtp-config.schema.json"
    copy.write_bytes(resources.schema_path().read_bytes())
    assert "REPO007" not in run_cli("validate").stdout
    copy.write_bytes(resources.schema_path().read_bytes() + b" ")
    assert "REPO007" in run_cli("validate").stdout
    assert len(runs) == 3


def test_the_link_of_each_file_is_what_repopath_says(tmp_path, monkeypatch):
    """The key's link of a file (FILE010: the same bytes through a link) is looked up once
    per folder; for real files, linked files and files in linked folders it is exactly
    ``repopath.link_in_path``."""
    import os

    from smtpops import repopath, validation_cache

    root = tmp_path / "repo"
    (root / "configs" / "production").mkdir(parents=True)
    (root / "elsewhere").mkdir()
    real = root / "configs" / "production" / "a.yaml"
    real.write_text("name: a\n")
    (root / "elsewhere" / "b.yaml").write_text("name: b\n")
    os.symlink(root / "elsewhere" / "b.yaml", root / "configs" / "production" / "b.yaml")
    os.symlink(root / "elsewhere", root / "configs" / "staging")
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: c\n")
    paths = [
        real,
        root / "configs" / "production" / "b.yaml",
        root / "configs" / "staging" / "b.yaml",
        outside,
    ]
    folders: validation_cache.Folders = {}
    found = [validation_cache._link(str(root), str(p), folders, os.getcwd()) for p in paths]
    assert found == [repopath.link_in_path(str(root), str(p)) for p in paths]
    monkeypatch.chdir(tmp_path)  # the same paths as a run in the folder above names them
    relative = [os.path.relpath(p) for p in paths]
    again = [validation_cache._link(str(root), p, {}, str(tmp_path)) for p in relative]
    assert again == found
    assert found[0] is None and found[1] and found[2] == str(root / "configs" / "staging")


def test_a_changed_schema_copy_misses_unless_the_answer_is_the_same(
    run_cli, config, runs, repo_dir
):
    """What a cached report depends on is REPO007's answer (the copy is the installed schema
    or not), kept with the file it was compared with: a copy that becomes the installed
    schema or stops being it misses; an old copy changed into another old copy is answered,
    with the same note."""
    config.write_text(
        "# yaml-language-server: $schema=../../schemas/smtp-config.schema.json\n" + BASE
    )
    (repo_dir / "schemas").mkdir()
    copy = repo_dir / "schemas" / "smtp-config.schema.json"
    installed = resources.schema_path().read_bytes()
    copy.write_bytes(installed + b" ")
    assert "REPO007" in run_cli("validate").stdout
    copy.write_bytes(installed + b"  ")  # another old copy: the same finding
    assert "REPO007" in run_cli("validate").stdout
    assert len(runs) == 1
    copy.write_bytes(installed)
    assert "REPO007" not in run_cli("validate").stdout
    copy.unlink()
    assert "does not exist" in run_cli("validate").stdout
    assert len(runs) == 3
    (entry,) = _entries(repo_dir)
    assert json.loads(entry.read_text())["looked_up"] == {
        "schemas/smtp-config.schema.json": f"missing:{resources.schema_file()}"
    }


def test_a_fingerprint_this_version_does_not_make_never_holds(tmp_path):
    """An entry an older smtpops wrote (a content hash) is not trusted, whatever the file."""
    from smtpops import diskfacts

    path = tmp_path / "schema.json"
    path.write_bytes(b"{}")
    assert not diskfacts.still(str(path), "sha256:" + "0" * 64)
    assert not diskfacts.still(str(path), "missing")
    assert diskfacts.still(str(path), diskfacts.compare(str(path), str(path)))
    assert diskfacts.still(str(tmp_path / "nothing"), f"missing:{path}")
