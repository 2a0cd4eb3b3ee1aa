"""Units of the page's services where the logic is dense: pull-request links, CODEOWNERS,
and how a form becomes a file (comments, password and sops block kept)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtpops.services import approval, drafts
from smtpops.services.workbranch import _hide_credentials, pull_request_link

BRANCH = "smtpops-ui/20261201-230000"


@pytest.mark.parametrize(
    ("url", "link"),
    [
        (
            "https://github.com/acme/smtp-configs.git",
            f"https://github.com/acme/smtp-configs/compare/main...{BRANCH}?expand=1",
        ),
        (
            "git@github.com:acme/smtp-configs.git",
            f"https://github.com/acme/smtp-configs/compare/main...{BRANCH}?expand=1",
        ),
        (
            "https://x-token:secret@github.com/acme/smtp-configs",
            f"https://github.com/acme/smtp-configs/compare/main...{BRANCH}?expand=1",
        ),
        (
            "ssh://git@gitlab.example.com/it/smtp.git",
            "https://gitlab.example.com/it/smtp/-/merge_requests/new?merge_request%5Bsource_"
            "branch%5D=smtpops-ui%2F20261201-230000&merge_request%5Btarget_branch%5D=main",
        ),
        ("/srv/git/smtp.git", None),
        ("file:///srv/git/smtp.git", None),
    ],
)
def test_pull_request_links(url: str, link: str | None) -> None:
    assert pull_request_link(url, "main", BRANCH) == link
    if link:
        assert "secret" not in link


def test_credentials_in_remote_urls_are_hidden() -> None:
    text = "fatal: unable to access 'https://bob:hunter2@git.example.com/x.git/': 403"
    assert (
        _hide_credentials(text) == "fatal: unable to access 'https://git.example.com/x.git/': 403"
    )


def test_codeowners_last_match_wins(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text(
        "# owners\n*  @crm-admins\n/configs/production/  @it-security @ciso\n"
        "configs/staging/  @qa  # staging\n"
    )
    assert approval.owners(str(tmp_path), "configs/production/") == ("@it-security", "@ciso")
    assert approval.owners(str(tmp_path), "configs/development/") == ("@crm-admins",)
    assert approval.approvers(str(tmp_path), "configs", "staging") == "@qa"
    assert approval.approvers(str(tmp_path / "none"), "configs", "x") == approval.FALLBACK


SAVED = """\
# Billing relay, reviewed by IT.
name: billing
host: smtp.example.com
port: 25  # smtpops: ignore[PORT005] the on-site relay only listens on 25
tls: STARTTLS
username: billing@example.com
ca_file: certs/ca.pem
retries: 3
password: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]
sops:
  mac_only_encrypted: true
"""


def test_a_saved_file_keeps_comments_password_and_sops_block(tmp_path: Path) -> None:
    form = drafts.form_values(__import__("yaml").safe_load(SAVED))
    assert form["idle_timeout"] == "30" and form["verify_certificate"] is True
    form |= {"retries": "5", "ca_file": ""}
    draft = drafts.compose(str(tmp_path), "production", "billing", drafts.typed(form), SAVED)
    text = draft.text
    assert "# Billing relay, reviewed by IT." in text
    assert "port: 25  # smtpops: ignore[PORT005]" in text
    assert "retries: 5" in text and "ca_file" not in text
    assert "password: ENC[AES256_GCM,data:abc=" in text and "mac_only_encrypted: true" in text
    assert "idle_timeout" not in text  # a default the file did not spell out stays unsaid


def test_form_values_are_typed_like_the_schema() -> None:
    typed = drafts.typed(
        {
            "host": "  smtp.example.com ",
            "port": "587",
            "retries": "2.5",
            "verify_certificate": False,
            "custom_headers": "X-A: 1\r\n\r\nX-B: 2  \n",
            "description": "",
        }
    )
    assert typed == {
        "host": "smtp.example.com",
        "port": 587,
        "retries": "2.5",  # not a whole number: left as text for the schema to report
        "verify_certificate": False,
        "custom_headers": "X-A: 1\nX-B: 2",
    }
    assert drafts.bounds("wait_timeout") == (5, 120) and drafts.bounds("host") is None
