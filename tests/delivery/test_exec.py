"""``smtpops exec ENV -- COMMAND``: the env format's variables in COMMAND's environment,
the password decrypted in memory and never in an argv; COMMAND's exit status."""

from __future__ import annotations

import json
import sys

from tests.conftest import CANARY, assert_no_canary
from tests.delivery.conftest import Project
from tests.gitops.conftest import USER

PROBE = """
import json, os
own = open('/proc/self/cmdline', 'rb').read()
parent = open(f'/proc/{os.getppid()}/cmdline', 'rb').read()
print(json.dumps({
    "env": {k: v for k, v in os.environ.items() if k.startswith("SMTP_")},
    "argv_has_password": os.environ["SMTP_PASSWORD"].encode() in own + parent,
}))
"""


def run(project: Project, *args: str) -> tuple[int, str, str]:
    proc = project.smtpops("exec", "development", *args)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_the_command_sees_the_env_names_and_not_in_argv(deployed: Project, run_cli) -> None:
    code, out, err = run(deployed, "--", sys.executable, "-c", PROBE)
    assert code == 0, err
    seen = json.loads(out)
    env = seen["env"]
    assert env["SMTP_PASSWORD"] == CANARY
    assert env["SMTP_USERNAME"] == USER
    assert env["SMTP_HOST"] == "127.0.0.1" and env["SMTP_TLS"] == "STARTTLS"
    assert env["SMTP_CONFIG"] == "development/main"
    assert seen["argv_has_password"] is False
    assert_no_canary(err)
    # exactly the env format's variables
    rendered = run_cli("render", "development", "--format", "env", expect=0).stdout
    names = [line.split("=", 1)[0] for line in rendered.splitlines() if "=" in line]
    assert sorted(names) == sorted(env)


def test_exit_status_is_the_commands(deployed: Project) -> None:
    assert run(deployed, "--", "sh", "-c", "exit 7")[0] == 7
    assert run(deployed, "sh", "-c", "exit 0")[0] == 0  # "--" may be left out
    assert run(deployed, "--", "sh", "-c", "kill -TERM $$")[0] == 128 + 15
    code, _, err = run(deployed, "--", "no-such-command-xyz")
    assert code == 127 and "command not found" in err


def test_no_active_config_runs_nothing(project: Project) -> None:
    project.add_config("development", "main")
    code, out, err = run(project, "--", "sh", "-c", "echo ran")
    assert code == 1 and "ran" not in out and "no active config" in err


def test_sigterm_reaches_the_command(deployed: Project) -> None:
    import signal
    import time

    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = deployed.smtpops("exec", "development", "--", sys.executable, "-c", script)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 42
    proc.communicate()
