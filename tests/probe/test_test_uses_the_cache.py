"""``smtpops test`` validates first; a logged test may answer that from the validation cache,
and a config with errors leaves nothing behind (it was not tested)."""

from __future__ import annotations


def test_a_repeated_test_of_an_unchanged_config_validates_once(sandbox, write_config, probe, runs):
    path = write_config(sandbox.config())
    assert probe("development/sandbox", expect=0)[1]["passed"]
    assert probe("development/sandbox", expect=0)[1]["passed"]
    assert len(runs) == 1
    path.write_text(path.read_text().replace("wait_timeout: 5", "wait_timeout: 6"))
    assert probe("development/sandbox", expect=0)[1]["passed"]
    assert len(runs) == 2


def test_a_config_with_errors_leaves_no_cache(sandbox, write_config, run_cli, repo_dir, runs):
    write_config(sandbox.config(), port=0)
    for _ in range(2):
        result = run_cli("test", "development/sandbox", "--password-stdin", input="x\n")
        assert result.exit_code == 1 and "PORT" in result.output
    assert len(runs) == 2
    assert not (repo_dir / ".smtpops").exists()


def test_a_clean_config_is_known_clean_without_its_report(
    sandbox, write_config, probe, runs, repo_dir
):
    """Beside a clean report the cache keeps an empty view (``clean``): a repeated test
    reads only that, so even a report that became unreadable is not needed."""
    write_config(sandbox.config())
    assert probe("development/sandbox", expect=0)[1]["passed"]
    cache = repo_dir / ".smtpops" / "cache" / "validate"
    (view,) = cache.glob("*.clean.view")
    (entry,) = [p for p in cache.glob("*.json") if not p.name.startswith("rules-")]
    entry.write_text("{}")
    assert probe("development/sandbox", expect=0)[1]["passed"]
    assert len(runs) == 1, "the clean view answered"
    view.unlink()  # without the view, the (now unreadable) report: validated again
    assert probe("development/sandbox", expect=0)[1]["passed"]
    assert len(runs) == 2
