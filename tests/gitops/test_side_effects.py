"""Library code leaves the process as it found it: no change of directory, and the garbage
collector restored after every validation run, even when runs overlap or fail."""

from __future__ import annotations

import gc
import json
import os

import pytest

from smtpops import engine
from smtpops.errors import InputError
from tests.gitops.conftest import Project


@pytest.mark.parametrize("where", [".", "configs/development"])
def test_diff_never_changes_the_working_directory(
    where: str, project: Project, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.add_config("development", "main", port=70000)  # a finding on the HEAD side
    path = project.add_config("development", "other")
    base = project.head()
    path.write_text(path.read_text().replace("wait_timeout: 5", "wait_timeout: 500000"))
    project.commit("A finding the change introduces")

    def refuse(where: object) -> None:
        raise AssertionError(f"os.chdir({where!r}) called by library code")

    monkeypatch.chdir(project.root / where)
    monkeypatch.setattr(os, "chdir", refuse)
    result = run_cli("diff", base, "HEAD", "--format", "json", expect=0)
    paths = {d["path"] for d in json.loads(result.stdout)["new_findings"]}
    assert paths == {"configs/development/other.yaml"}  # relative to the repository root


@pytest.mark.parametrize("enabled", [True, False])
def test_validation_restores_the_collector(enabled: bool, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(InputError):
            engine.validate(())  # no configs/ here: the run fails
        assert gc.isenabled() is enabled
        with engine._no_cyclic_gc():
            with engine._no_cyclic_gc():  # a second run in another thread
                assert not gc.isenabled()
            assert not gc.isenabled()  # the first run is still going
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
