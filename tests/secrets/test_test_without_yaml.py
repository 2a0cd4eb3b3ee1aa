"""``smtpops test`` of an unchanged config, run again, reads the settings and the config from
their parsed copies (``smtpops.parse_cache``): the process loads no YAML parser at all, with
the password decrypted by the real sops and checked against its seal, against a real server.
An edit of the config brings the parser back for that run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from smtpops.encryption import set_password
from smtpops.probe.sandbox import Sandbox
from smtpops.secret import Secret

CANARY = "parsed-copy-canary-Pw-5521"

# the command as a user runs it, reporting at exit whether PyYAML was ever imported
RUN = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('\\nyaml loaded: %s\\n' % ('yaml' in sys.modules)))\n"
    "sys.argv = ['smtpops', 'test', 'staging/main']\n"
    "from smtpops.cli import main\n"
    "main()\n"
)


def _test(repo: Path, key_file: str) -> tuple[bool, str]:
    env = os.environ | {"SOPS_AGE_KEY_FILE": key_file, "NO_COLOR": "1"}
    env.pop("SOPS_AGE_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-c", RUN], cwd=repo, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert CANARY not in proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
    return proc.stderr.rstrip().endswith("yaml loaded: True"), proc.stdout


def test_a_repeated_test_loads_no_yaml_parser(repo, monkeypatch) -> None:
    with Sandbox(password=CANARY, mechanisms=("LOGIN",)) as box:
        shutil.copy(box.ca_file, repo.root / "ca.pem")
        (repo.root / "configs" / "environments.yaml").write_text(
            "environments:\n  - name: staging\n    description: where changes are tried\n"
        )
        path = repo.write(
            "staging",
            "main",
            "name: main\ndescription: Outage notices\nhost: localhost\n"
            f"port: {box.starttls_port}\ntls: STARTTLS\nca_file: ca.pem\n"
            f"auth_protocol: LOGIN\nusername: {box.username}\n"
            "helo_hostname: crm.example.com\nwait_timeout: 5\n",
        )
        repo.use_key(monkeypatch, "staging")
        set_password(str(path), Secret(CANARY))
        key = repo.keys["staging"].key_file

        assert _test(repo.root, key)[0], "control: the first test parses its YAML"
        assert not _test(repo.root, key)[0], "the second test loaded a YAML parser"

        path.write_text(path.read_text().replace("wait_timeout: 5", "wait_timeout: 6"))
        assert _test(repo.root, key)[0], "an edited config is parsed again"
        assert not _test(repo.root, key)[0]

    copies = list((repo.root / ".smtpops" / "cache" / "parsed").glob("*.json"))
    assert len(copies) == 3  # the settings, and the config before and after the edit
    for copy in copies:
        assert CANARY not in copy.read_text()
