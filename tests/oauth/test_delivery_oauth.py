"""Delivering an OAuth2 config (XOAUTH2) to its consumers, end to end through the CLI:
render in every format, exec, apply (file, command, postfix) and the agent, against the
sandbox (aiosmtpd with AUTH XOAUTH2 on loopback) and its local HTTPS token endpoint, reached
through msal. What must carry a token carries a valid, fresh one; what must not (django,
postfix) is refused before the endpoint is asked; the client secret never leaves its encrypted
files, and no token is written anywhere but where a format must carry it.

Tokens are compared by their SHA-256 and checked with the issuer, never printed: an assertion
that fails names what went wrong, not the value.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from smtpops.probe.sandbox import OAUTH_CLIENT_ID, Sandbox
from tests.gitops.conftest import git
from tests.oauth.conftest import CLIENT_SECRET
from tests.oauth.test_end_to_end import _test_and_deploy, o365_ready, workspace  # noqa: F401

TOKEN_FORMATS = ("json", "env", "spring", "nodemailer")


@dataclass
class Deployed:
    root: Path
    box: Sandbox
    argv: list[str]  # every sops command line
    run: Callable[..., Any]
    outputs: list[str] = field(default_factory=list)  # what a user saw: never a token

    def cli(self, *args: str, input: str | None = None) -> Any:
        result = self.run(*args, input=input)
        self.outputs.append(result.stderr)
        return result

    def tokens(self) -> set[str]:
        return set(self.box.issuer.issued)

    def valid(self, token: str) -> bool:
        return self.box.issuer.check(self.box.username, token) is None

    def token_posts(self) -> int:
        return sum(1 for r in self.box.issuer.requests if r.startswith("POST"))


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def deployed(workspace, make_sandbox, run_cli) -> Deployed:  # noqa: F811
    """development/o365 (Microsoft app-only through msal) deployed: tested, active, committed."""
    root, argv = workspace
    box = o365_ready(root, make_sandbox, run_cli)
    _test_and_deploy(run_cli, root, "o365")
    return Deployed(root=root, box=box, argv=argv, run=run_cli)


def no_secret_anywhere(d: Deployed, *carried: str) -> None:
    """The client secret and every token issued are in no output the user saw, no sops
    command line, no commit and no file of the repository (``carried``: files that must
    carry a token)."""
    forbidden = [CLIENT_SECRET, *d.tokens()]
    texts = list(d.outputs) + d.argv
    texts.append(
        subprocess.run(
            ["git", "log", "-p", "--all"], cwd=d.root, capture_output=True, text=True, check=True
        ).stdout
    )
    for path in d.root.rglob("*"):
        if path.is_file() and ".git" not in path.parts and str(path) not in carried:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    leaked = [i for i, text in enumerate(texts) if any(v in text for v in forbidden)]
    assert leaked == [], "the client secret or an access token leaked"


# -- render ----------------------------------------------------------------------------------


def _token_of(fmt: str, text: str) -> tuple[str, int]:
    """(the token, its expiry in seconds since the epoch) as the format carries them."""
    if fmt == "json":
        doc = json.loads(text)
        assert doc["password"] is None and doc["auth_protocol"] == "XOAUTH2"
        assert "expires at" in doc["smtpops"]["note"]
        return doc["access_token"], doc["access_token_expires_at"]
    if fmt == "env":
        pairs = dict(
            line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
        )
        assert pairs["SMTP_PASSWORD"] == "" and pairs["SMTP_AUTH_PROTOCOL"] == "XOAUTH2"
        assert list(pairs).index("SMTP_ACCESS_TOKEN") == list(pairs).index("SMTP_PASSWORD") + 1
        return pairs["SMTP_ACCESS_TOKEN"], int(pairs["SMTP_ACCESS_TOKEN_EXPIRES_AT"])
    if fmt == "spring":
        props = dict(
            line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
        )
        assert props["spring.mail.properties.mail.smtp.auth.mechanisms"] == "XOAUTH2"
        assert props["spring.mail.properties.mail.smtp.auth"] == "true"
        return props["spring.mail.password"], int(props["smtpops.mail.access-token-expires-at"])
    doc = json.loads(text)
    auth = doc["transport"]["auth"]
    assert auth["type"] == "OAuth2" and set(auth) == {"type", "user", "accessToken", "expires"}
    assert doc["transport"]["authMethod"] == "XOAUTH2"
    assert auth["expires"] % 1000 == 0  # milliseconds, as nodemailer wants
    return auth["accessToken"], auth["expires"] // 1000


def test_each_token_format_carries_a_fresh_valid_token(deployed: Deployed) -> None:
    d = deployed
    digests = set()
    for fmt in TOKEN_FORMATS:
        before = d.tokens()
        result = d.cli("render", "development", "--format", fmt)
        assert result.exit_code == 0, f"{fmt}: exit {result.exit_code}: {result.stderr}"
        new = d.tokens() - before
        assert len(new) == 1, f"{fmt}: render asked for exactly one fresh token"
        token, expires = _token_of(fmt, result.stdout)
        carried = sha(token) == sha(next(iter(new)))
        assert carried and d.valid(token), f"{fmt}: the token rendered is not the one issued"
        assert 0 < expires - time.time() <= 3600, f"{fmt}: the expiry is not within the hour"
        assert token not in result.stderr and CLIENT_SECRET not in result.stdout
        assert "expires at" in result.stdout  # said plainly, in the file itself
        digests.add(result.stderr.split(" digest ")[1].strip())
        assert next(iter(digests)) in result.stdout
    assert len(digests) == 1  # the config's digest, whatever the format and the token
    no_secret_anywhere(d)


def test_a_token_format_goes_to_a_private_file_never_into_the_repository(
    deployed: Deployed, tmp_path: Path
) -> None:
    d = deployed
    inside = d.cli("render", "development", "--format", "env", "--output", "crm.env")
    assert inside.exit_code == 2 and "access token" in inside.stderr
    assert not (d.root / "crm.env").exists()
    out = tmp_path / "crm" / "smtp.json"
    out.parent.mkdir()
    written = d.cli("render", "development", "--format", "json", "--output", str(out))
    assert written.exit_code == 0, written.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert d.valid(json.loads(out.read_text())["access_token"])
    no_secret_anywhere(d)


def test_k8s_secret_carries_the_oauth_settings_encrypted_and_no_token(deployed: Deployed) -> None:
    d = deployed
    from smtpops.encryption import runner

    before = d.token_posts()
    out = d.root / "deploy" / "smtp-secret.yaml"
    out.parent.mkdir()
    result = d.cli("render", "development", "--format", "k8s-secret", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert d.token_posts() == before  # no token: the cluster gets its own
    stored = yaml.safe_load(out.read_text())
    data = stored["stringData"]
    assert data["SMTP_OAUTH_CLIENT_SECRET"].startswith("ENC[AES256_GCM,")
    assert data["SMTP_PASSWORD"] == ""  # none: sops leaves an empty value as it is
    assert data["SMTP_OAUTH_FLOW"] == "microsoft-app-only"
    assert data["SMTP_OAUTH_CLIENT_ID"] == OAUTH_CLIENT_ID  # readable for review
    assert data["SMTP_OAUTH_AUTHORITY"] == d.box.issuer.authority("sandbox")
    assert data["SMTP_AUTH_PROTOCOL"] == "XOAUTH2"
    assert not any(k.startswith("SMTP_ACCESS_TOKEN") for k in data)
    assert "SMTP_OAUTH_CLIENT_SECRET" in stored["sops"]["encrypted_regex"]
    plain = runner.run(["decrypt", "--input-type", "yaml", "--output-type", "json", str(out)])
    assert plain.returncode == 0
    decrypted = json.loads(plain.stdout)["stringData"]
    assert decrypted["SMTP_OAUTH_CLIENT_SECRET"] == CLIENT_SECRET
    assert decrypted["SMTP_OAUTH_SCOPE"] == "https://outlook.office365.com/.default"
    again = d.cli("render", "development", "--format", "k8s-secret", "--output", str(out))
    assert "unchanged (same digest)" in again.stderr  # no churn for Flux
    no_secret_anywhere(d)


@pytest.mark.parametrize(
    ("fmt", "reason"),
    [
        ("django", "smtplib's login(), which sends a password (LOGIN, PLAIN, CRAM-MD5) and has no"),
        ("postfix", "needs a XOAUTH2 plugin (sasl-xoauth2) that Debian does not package"),
    ],
)
def test_django_and_postfix_refuse_before_asking_for_a_token(
    deployed: Deployed, tmp_path: Path, fmt: str, reason: str
) -> None:
    d = deployed
    before = d.token_posts()
    result = d.cli("render", "development", "--format", fmt, "--output", str(tmp_path / "out"))
    assert result.exit_code == 2 and result.stdout == ""
    assert "signs in with XOAUTH2 (an OAuth2 access token)" in result.stderr
    assert reason in result.stderr and "smtpops exec ENV -- COMMAND" in result.stderr
    assert "Traceback" not in result.stderr
    assert d.token_posts() == before and not (tmp_path / "out").exists()


# -- exec ------------------------------------------------------------------------------------

CHILD = """\
import base64, hashlib, json, os, smtplib, ssl, sys
token = os.environ["SMTP_ACCESS_TOKEN"]
context = ssl.create_default_context(cafile=os.environ["SMTP_CA_FILE"])
with smtplib.SMTP(os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"]), timeout=10) as s:
    s.ehlo(os.environ["SMTP_HELO_HOSTNAME"])
    s.starttls(context=context)
    s.ehlo(os.environ["SMTP_HELO_HOSTNAME"])
    sasl = f"user={os.environ['SMTP_USERNAME']}\\x01auth=Bearer {token}\\x01\\x01"
    code, reply = s.docmd("AUTH", "XOAUTH2 " + base64.b64encode(sasl.encode()).decode())
    print(code, reply.decode(errors="replace")[:200], file=sys.stderr)
print(json.dumps({
    "sha": hashlib.sha256(token.encode()).hexdigest(),
    "password_empty": os.environ["SMTP_PASSWORD"] == "",
    "protocol": os.environ["SMTP_AUTH_PROTOCOL"],
    "expires_at": int(os.environ["SMTP_ACCESS_TOKEN_EXPIRES_AT"]),
    "auth": code,
}))
"""


def test_exec_hands_a_fresh_token_that_signs_in(deployed: Deployed, capfd) -> None:
    d = deployed
    before = d.tokens()
    result = d.cli("exec", "development", "--", sys.executable, "-c", CHILD)
    child = capfd.readouterr()
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr} {child.err[-300:]}"
    report = json.loads(child.out.strip().splitlines()[-1])
    new = d.tokens() - before
    assert len(new) == 1 and report["sha"] == sha(next(iter(new)))  # fresh, not a cached one
    assert report["auth"] == 235  # the sandbox accepted AUTH XOAUTH2 with it
    assert report["password_empty"] and report["protocol"] == "XOAUTH2"
    assert 0 < report["expires_at"] - time.time() <= 3600
    d.outputs += [child.out, child.err]
    no_secret_anywhere(d)


def test_exec_when_the_endpoint_refuses_says_why_and_runs_nothing(
    deployed: Deployed, tmp_path: Path, capfd
) -> None:
    d = deployed
    d.box.issuer.clients[OAUTH_CLIENT_ID].secret_expired = True
    marker = tmp_path / "ran"
    result = d.cli("exec", "development", "--", "touch", str(marker))
    assert result.exit_code == 1
    assert "client secret has expired" in result.stderr and "New client secret" in result.stderr
    assert "Traceback" not in result.stderr + capfd.readouterr().err
    assert not marker.exists()
    d.box.issuer.clients[OAUTH_CLIENT_ID].secret_expired = False
    d.box.issuer.clients[OAUTH_CLIENT_ID].secret = "another-secret"  # a wrong secret
    wrong = d.cli("render", "development", "--format", "json")
    assert wrong.exit_code == 1 and wrong.stdout == "" and "Traceback" not in wrong.stderr
    assert "no token for development/o365" in wrong.stderr
    no_secret_anywhere(d)


# -- apply -----------------------------------------------------------------------------------


def _apply_setting(d: Deployed, setting: dict[str, str]) -> None:
    """``apply:`` of development in configs/environments.yaml (the file and command targets
    are chosen there, or by the agent)."""
    doc = {"environments": [{"name": "development", "policy": "relaxed", "apply": setting}]}
    (d.root / "configs" / "environments.yaml").write_text(yaml.safe_dump(doc))


def test_apply_file_and_command_targets_get_a_token_and_postfix_refuses(
    deployed: Deployed, tmp_path: Path
) -> None:
    d = deployed
    out = tmp_path / "crm" / "smtp.env"
    out.parent.mkdir()
    _apply_setting(d, {"target": "file", "path": str(out)})
    applied = d.cli("apply", "development")
    assert applied.exit_code == 0, applied.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    pairs = dict(word.split("=", 1) for word in shlex.split(out.read_text()))  # as sh reads it
    valid = d.valid(pairs["SMTP_ACCESS_TOKEN"])
    assert valid and pairs["SMTP_PASSWORD"] == ""

    seen = tmp_path / "hook.json"
    hook = tmp_path / "hook.py"
    hook.write_text(
        "import hashlib, json, os, sys\n"
        "t = os.environ['SMTP_ACCESS_TOKEN']\n"
        f"open({str(seen)!r}, 'w').write(json.dumps({{'sha': hashlib.sha256(t.encode())"
        ".hexdigest(), 'argv': sys.argv}))\n"
    )
    _apply_setting(d, {"target": "command", "run": f"{sys.executable} {hook}"})
    ran = d.cli("apply", "development")
    assert ran.exit_code == 0, ran.stderr
    report = json.loads(seen.read_text())
    assert report["sha"] in {sha(t) for t in d.tokens()}
    assert not any(t in " ".join(report["argv"]) for t in d.tokens())  # never in argv

    before = d.token_posts()
    conf = tmp_path / "postfix"
    conf.mkdir()
    refused = d.cli("apply", "development", "--target", "postfix", "--config-dir", str(conf))
    assert refused.exit_code == 2, refused.stderr
    assert "the postfix target cannot" in refused.stderr and "sasl-xoauth2" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert d.token_posts() == before and list(conf.iterdir()) == []
    no_secret_anywhere(d)


def test_deploy_with_apply_postfix_is_refused_before_the_test(deployed: Deployed) -> None:
    d = deployed
    git(d.root, "commit", "-q", "--allow-empty", "-m", "nothing")
    before = d.token_posts()
    refused = d.cli("deactivate", "development", "--apply", "none", "--yes")
    assert refused.exit_code == 0, refused.stderr  # deactivate without apply still works
    again = d.cli("deploy", "development/o365", "--apply", "postfix")
    assert again.exit_code == 2 and "sasl-xoauth2" in again.stderr
    assert d.token_posts() == before  # refused before the connection test asked for a token
    assert "Traceback" not in again.stderr


# -- the agent -------------------------------------------------------------------------------


def test_the_agent_hands_a_token_per_apply_and_renews_it_before_it_expires(
    deployed: Deployed, tmp_path: Path
) -> None:
    from smtpops.agent.runner import TOKEN_MARGIN, Agent
    from smtpops.agent.settings import AgentSettings, TargetChoice, Watch

    d = deployed
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(d.root), str(remote))
    out = tmp_path / "crm" / "smtp.json"
    out.parent.mkdir()
    conf = tmp_path / "postfix"
    conf.mkdir()
    logs: list[str] = []
    agent = Agent(
        AgentSettings(
            repository=str(remote),
            workdir=str(tmp_path / "agent"),
            interval=1,
            probe_interval=3600,
            listen_port=0,
            watches=(
                Watch(
                    environment="development",
                    targets=(
                        TargetChoice(name="file", options={"path": str(out), "format": "json"}),
                        TargetChoice(name="postfix", options={"config_dir": str(conf)}),
                    ),
                ),
            ),
        ),
        log=lambda message, **fields: logs.append(json.dumps([message, fields], default=str)),
    )
    agent.round()
    first = json.loads(out.read_text())["SMTP_ACCESS_TOKEN"]
    assert d.valid(first)
    failed = [json.loads(line) for line in logs if "apply failed" in line]
    assert [f[1]["target"] for f in failed] == ["postfix"]  # a failed round, not a crash
    assert "sasl-xoauth2" in failed[0][1]["error"]
    assert list(conf.iterdir()) == []
    state = agent.state.env("development")
    assert state.token_expires["file"] - time.time() > TOKEN_MARGIN
    agent.round()  # same digest, token still good: not applied again
    assert sha(json.loads(out.read_text())["SMTP_ACCESS_TOKEN"]) == sha(first)
    state.token_expires["file"] = time.time() + TOKEN_MARGIN / 2  # about to expire
    agent.round()
    renewed = json.loads(out.read_text())["SMTP_ACCESS_TOKEN"]
    assert sha(renewed) != sha(first) and d.valid(renewed)
    d.outputs += logs
    d.outputs.append(Path(agent.state.path).read_text())
    d.outputs.append(agent.metrics.exposition().decode())
    no_secret_anywhere(d)
    assert os.environ.get("SMTP_ACCESS_TOKEN") is None  # nothing left in our own environment


# -- one source of truth ---------------------------------------------------------------------


def test_the_readme_table_says_what_each_registry_entry_declares() -> None:
    from smtpops.delivery import targets
    from smtpops.delivery.formats import FORMATS
    from smtpops.services import execute

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("### OAuth2 configs (XOAUTH2, OAUTHBEARER)")[1].split("\n\n")[2]
    rows = {}
    for line in table.splitlines()[2:]:
        consumer, carries, mechanisms = (c.strip() for c in line.strip("|").split("|"))
        for name in consumer.replace("`", "").replace(" targets", "").split(","):
            rows[name.split(" (")[0].strip()] = (carries, mechanisms)
    declared = {name: f.oauth for name, f in FORMATS.items()}
    declared |= {name: t.oauth for name, t in targets.REGISTRY.items() if name != "postfix"}
    declared["exec"] = execute.SUPPORT
    assert set(rows) == set(declared)
    for name, support in declared.items():
        carries, mechanisms = rows[name]
        assert mechanisms == (", ".join(support.mechanisms) or "none"), name
        if not support.mechanisms:
            assert carries.startswith("refused") and support.why_not and support.instead, name
        elif support.carries == "credentials":
            assert carries.startswith("no token"), name
        else:
            assert "fresh token" in carries, name
    assert targets.REGISTRY["postfix"].oauth == FORMATS["postfix"].oauth  # one record
