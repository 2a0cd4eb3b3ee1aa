"""``diff BASE [HEAD]``: the review of what a branch (or the working tree) changes."""

from __future__ import annotations

from smtpops.gitops import workspace
from smtpops.review import Review, compare
from smtpops.review.trees import side, tree_at


def review(base: str, head: str | None = None) -> Review:
    ws = workspace.open_at()
    repo, configs_rel = ws.repo, ws.configs_rel
    base_sha = repo.resolve(base)
    head_sha = repo.resolve(head) if head else None
    base_found, _ = side(repo, base_sha, configs_rel)
    head_found, head_settings = side(repo, head_sha, configs_rel)
    new = tuple(
        d
        for key, d in sorted(head_found.items(), key=lambda kv: kv[1].sort_key())
        if key not in base_found
    )
    fixed = sum(1 for key in base_found if key not in head_found)
    base_files, base_links = tree_at(repo, base_sha, configs_rel)
    head_files, head_links = tree_at(repo, head_sha, configs_rel)
    return compare(
        base_files,
        head_files,
        links=(base_links, head_links),
        configs_rel=configs_rel,
        base_name=f"{base} ({base_sha[:12]})",
        head_name=f"{head} ({head_sha[:12]})" if head and head_sha else "working tree",
        head_settings=head_settings,
        new_findings=new,
        fixed_findings=fixed,
    )
