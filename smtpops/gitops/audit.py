"""Reading smtpops' audit trail back from ``git log``: commits and their trailers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import field
from datetime import UTC, datetime
from typing import Any

from smtpops.gitops import trailers
from smtpops.gitops.repo import Repo
from smtpops.records import record

ACTIVATING = ("deploy", "promote", "rollback")


@record(frozen=True, kw_only=True)
class Entry:
    """One commit that touched configs/."""

    sha: str
    when: str  # ISO 8601 of the commit
    author: str  # git author
    subject: str
    trailers: dict[str, str] = field(default_factory=dict)
    parents: tuple[str, ...] = ()

    @property
    def action(self) -> str:
        return self.trailers.get("Action", "edit")

    @property
    def actor(self) -> str:
        return self.trailers.get("Actor") or self.author

    @property
    def environment(self) -> str | None:
        return self.trailers.get("Environment")

    @property
    def config(self) -> str | None:
        return self.trailers.get("Config")

    @property
    def test_passed(self) -> bool:
        return self.trailers.get("Test", "").startswith("passed")


def entry(commit: Any) -> Entry:
    when = datetime.fromtimestamp(commit.committed_date, UTC).replace(microsecond=0)
    return Entry(
        sha=commit.hexsha,
        when=when.isoformat(),
        author=f"{commit.author.name} <{commit.author.email}>",
        subject=commit.summary if isinstance(commit.summary, str) else commit.summary.decode(),
        trailers=trailers.parse(commit.message if isinstance(commit.message, str) else ""),
        parents=tuple(p.hexsha for p in commit.parents),
    )


def entries(repo: Repo, rels: Sequence[str], *, since: str | None = None) -> Iterator[Entry]:
    for commit in repo.iter_commits(rels, since=since):
        yield entry(commit)


def activations(repo: Repo, configs_rel: str, env: str) -> Iterator[Entry]:
    """Commits that made a config of ``env`` active after a passing test, newest first."""
    for item in entries(repo, [f"{configs_rel}/{env}"]):
        if item.environment == env and item.action in ACTIVATING and item.test_passed:
            yield item
