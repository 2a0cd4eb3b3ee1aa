"""The bundled providers' parsed copy (smtpops.catalog_cache): written by one run, used by the
next, dropped the moment a provider.yaml changes, and never an error.

The tests point the bundled folder at a copy of it (``providers.data_path``), so they can
edit a provider.yaml, and the cache folder at a temporary one (``XDG_CACHE_HOME``)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtpops import __version__, engine, providers, yamlio
from smtpops.resources import data_path

GMAIL_NAME = "Gmail (personal Google account)"


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the bundled providers folder that smtpops takes for the bundled one."""
    copy = tmp_path / "install" / "providers"
    shutil.copytree(data_path("providers"), copy)
    monkeypatch.setattr(providers, "data_path", lambda name: str(copy))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    providers.catalog.cache_clear()
    yield copy
    providers.catalog.cache_clear()  # later tests get the real bundled catalog again


@pytest.fixture
def yaml_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The provider.yaml files read as YAML during the test."""
    reads: list[str] = []
    real = yamlio.load_path

    def counted(path: str, *args: object, **kwargs: object) -> yamlio.Document:
        if os.path.basename(str(path)) == "provider.yaml":
            reads.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlio, "load_path", counted)
    return reads


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "smtpops").glob("providers-*.json"))


def listed(run_cli) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """``smtpops providers --format json`` in a fresh process (as far as the catalog goes)."""
    providers.catalog.cache_clear()
    result = run_cli("providers", "--format", "json", expect=0)
    return {row["id"]: row["name"] for row in json.loads(result.stdout)}


def test_the_first_run_writes_the_copy_and_the_second_reads_no_yaml(
    bundled: Path, tmp_path: Path, yaml_reads: list[str], run_cli
) -> None:
    first = listed(run_cli)
    assert len(yaml_reads) == 26
    [copy] = cache_files(tmp_path)
    saved = json.loads(copy.read_text(encoding="utf-8"))
    assert saved["key"]["version"] == __version__
    assert saved["key"]["folder"] == str(bundled)
    assert [f[0] for f in saved["key"]["files"]] == sorted(first)

    yaml_reads.clear()
    assert listed(run_cli) == first
    assert yaml_reads == []  # answered from the copy


def test_a_changed_size_is_picked_up_at_once(bundled: Path, run_cli, yaml_reads) -> None:  # type: ignore[no-untyped-def]
    assert listed(run_cli)["gmail"] == GMAIL_NAME
    facts = bundled / "gmail" / "provider.yaml"
    stat = facts.stat()
    facts.write_text(facts.read_text().replace(GMAIL_NAME, "Gmail, edited"))
    os.utime(facts, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time: only the size tells
    yaml_reads.clear()
    assert listed(run_cli)["gmail"] == "Gmail, edited"
    assert len(yaml_reads) == 26
    yaml_reads.clear()
    assert listed(run_cli)["gmail"] == "Gmail, edited"  # and the new copy is used
    assert yaml_reads == []


def test_a_changed_mtime_is_picked_up_at_once(bundled: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    assert listed(run_cli)["gmail"] == GMAIL_NAME
    facts = bundled / "gmail" / "provider.yaml"
    stat = facts.stat()
    same_size = GMAIL_NAME.replace("personal", "PERSONAL")
    facts.write_text(facts.read_text().replace(GMAIL_NAME, same_size))
    assert facts.stat().st_size == stat.st_size
    os.utime(facts, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # one nanosecond later
    assert listed(run_cli)["gmail"] == same_size


def test_a_new_provider_folder_is_picked_up_at_once(bundled: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    assert "gmail-copy" not in listed(run_cli)
    shutil.copytree(bundled / "gmail", bundled / "gmail-copy")
    facts = bundled / "gmail-copy" / "provider.yaml"
    facts.write_text(facts.read_text().replace("id: gmail\n", "id: gmail-copy\n", 1))
    assert listed(run_cli)["gmail-copy"] == GMAIL_NAME


def _key_of(tmp_path: Path) -> dict[str, object]:
    [copy] = cache_files(tmp_path)
    key: dict[str, object] = json.loads(copy.read_text(encoding="utf-8"))["key"]
    return key


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda key: b"\x00\xff not json", id="bytes"),
        pytest.param(lambda key: b'{"key": ', id="torn"),
        pytest.param(lambda key: b"[1, 2]", id="not-a-mapping"),
        pytest.param(
            lambda key: json.dumps({"key": {**key, "version": "0.0.1"}, "docs": []}).encode(),
            id="other-version",
        ),
        pytest.param(
            lambda key: json.dumps({"key": {**key, "format": 0}, "docs": []}).encode(),
            id="other-format",
        ),
        pytest.param(lambda key: json.dumps({"key": key, "docs": [{}] * 26}).encode(), id="no-id"),
        pytest.param(lambda key: json.dumps({"key": key, "docs": [{}]}).encode(), id="too-few"),
        pytest.param(
            lambda key: json.dumps(
                {"key": key, "docs": [{"id": "x", "name": "y", "endpoints": 3}] * 26}
            ).encode(),
            id="wrong-types",
        ),
    ],
)
def test_a_corrupt_or_foreign_copy_is_ignored_and_replaced(
    bundled: Path, tmp_path: Path, run_cli, yaml_reads, corrupt
) -> None:  # type: ignore[no-untyped-def]
    first = listed(run_cli)
    [copy] = cache_files(tmp_path)
    good = copy.read_bytes()
    copy.write_bytes(corrupt(_key_of(tmp_path)))
    yaml_reads.clear()
    assert listed(run_cli) == first
    assert len(yaml_reads) == 26  # the copy was not trusted
    assert copy.read_bytes() == good  # and it was written again
    assert [p.name for p in copy.parent.iterdir()] == [copy.name]  # no temp file left


def test_a_cache_folder_that_cannot_be_made_is_no_error(
    bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))  # works as root too
    assert listed(run_cli)["gmail"] == GMAIL_NAME
    assert listed(run_cli)["gmail"] == GMAIL_NAME


def test_an_unusable_home_is_no_error(
    bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(blocker))
    assert listed(run_cli)["gmail"] == GMAIL_NAME
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as XDG says: HOME again
    assert listed(run_cli)["gmail"] == GMAIL_NAME
    assert not (tmp_path / "relative").exists()


def test_a_read_only_cache_folder_is_no_error(
    bundled: Path, tmp_path: Path, run_cli, yaml_reads
) -> None:  # type: ignore[no-untyped-def]
    first = listed(run_cli)
    [copy] = cache_files(tmp_path)
    copy.write_bytes(b"corrupt")
    folder = copy.parent
    folder.chmod(0o500)
    copy.chmod(0o400)
    try:
        yaml_reads.clear()
        assert listed(run_cli) == first
        assert len(yaml_reads) == 26
    finally:
        folder.chmod(0o700)


def test_a_folder_in_place_of_the_copy_is_no_error(
    bundled: Path, tmp_path: Path, run_cli, yaml_reads
) -> None:  # type: ignore[no-untyped-def]
    """Neither readable nor replaceable, even for root (whom a read-only folder does not stop)."""
    first = listed(run_cli)
    [copy] = cache_files(tmp_path)
    copy.unlink()
    copy.mkdir()
    yaml_reads.clear()
    assert listed(run_cli) == first
    assert len(yaml_reads) == 26
    assert copy.is_dir()
    assert [p.name for p in copy.parent.iterdir()] == [copy.name]  # no temp file left


def test_a_providers_folder_of_the_users_is_not_copied(
    bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "my-providers"
    shutil.copytree(bundled, mine)
    assert len(providers.catalog(str(mine))) == 26
    (tmp_path / "configs" / "development").mkdir(parents=True)
    (tmp_path / "configs" / "development" / "a.yaml").write_text(
        "name: a\nhost: smtp.gmail.com\nport: 587\ntls: STARTTLS\n"
    )
    monkeypatch.chdir(tmp_path)
    report = engine.validate((), engine.Options(providers_dir=str(mine)))
    assert any(d.rule_id.startswith("PROV") for d in report.diagnostics)  # its facts were used
    assert not (tmp_path / "cache").exists()


def test_the_copy_makes_the_same_catalog_as_the_yaml(
    bundled: Path, tmp_path: Path, yaml_reads: list[str]
) -> None:
    parsed = providers.catalog(check=True)  # from YAML, checked against the schema
    assert cache_files(tmp_path) == []  # a checked read goes around the copy
    providers.catalog()  # writes the copy
    providers.catalog.cache_clear()
    yaml_reads.clear()
    from_copy = providers.catalog()
    assert yaml_reads == []
    assert len(from_copy) == 26
    assert list(from_copy) == list(parsed)
    for pid, provider in parsed.items():
        assert from_copy[pid] == provider, pid


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(docs=_JSON, noise=st.binary(max_size=64))
def test_whatever_the_copy_holds_the_catalog_loads(
    bundled: Path, tmp_path: Path, docs: object, noise: bytes
) -> None:
    """Under its own key the copy is trusted (as a .pyc is), but no content of it, however
    wrong, makes catalog() fail; under another key or as noise it is never used."""
    providers.catalog.cache_clear()
    expected = providers.catalog()
    key = _key_of(tmp_path)
    [copy] = cache_files(tmp_path)
    for text in (
        json.dumps({"key": key, "docs": docs}).encode(),
        json.dumps({"key": key, "docs": [docs] * 26}).encode(),
        json.dumps({"key": {**key, "folder": "/elsewhere"}, "docs": docs}).encode(),
        noise,
    ):
        copy.write_bytes(text)
        providers.catalog.cache_clear()
        assert isinstance(providers.catalog(), dict)
    copy.write_bytes(noise)
    providers.catalog.cache_clear()
    assert providers.catalog() == expected
