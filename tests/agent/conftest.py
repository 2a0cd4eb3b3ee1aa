"""The agent's tests reuse the gitops fixtures: a real git repository with age keys and sops,
and the sandbox SMTP server on loopback."""

from tests.gitops.conftest import Project, git, project, smtp_server

__all__ = ["Project", "git", "project", "smtp_server"]
