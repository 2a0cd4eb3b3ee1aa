"""Benchmark: the page's validation as you type (``POST /api/validate``) against the engine.

    .venv/bin/python tests/perf/bench_ui_validate.py [--rounds 40]

In a copy of the bundled repository (committed to a throw-away git repository), the page
validates the form of ``production/office365-billing`` with one field changed, through the
whole HTTP stack (guard, JSON, draft composition, the engine beside the other files of its
environment). The baseline, measured in the same run and interleaved with it, is
``engine.validate`` of that file as it is on disk: what ``smtpops validate FILE`` does inside
the process. Prints both medians and the ratio; a keystroke's check should stay well under
100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ("production", "office365-billing")


def _repo(into: Path) -> Path:
    root = into / "repo"
    root.mkdir()
    shutil.copytree(ROOT / "configs", root / "configs")
    shutil.copy(ROOT / ".sops.yaml", root / ".sops.yaml")
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=Bench", "-c", "user.email=bench@example.test", "commit", "-qm", "x"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from smtpops import engine
    from smtpops.services.workbranch import begin
    from smtpops.web.app import create_app
    from smtpops.web.security import Gate

    with tempfile.TemporaryDirectory() as tmp:
        root = _repo(Path(tmp))
        os.chdir(root)
        work = begin(str(root))
        gate = Gate(port=48123)
        client = TestClient(create_app(work, gate), base_url="http://127.0.0.1:48123")
        client.get(f"/?token={gate.token}", follow_redirects=False)
        csrf = next(iter(gate.sessions.values())).csrf
        env, name = CONFIG
        values = client.get(f"/api/configs/{env}/{name}").json()["values"]
        path = os.path.join(work.configs_dir, env, f"{name}.yaml")
        page, base = [], []
        for i in range(args.rounds):
            body = {"env": env, "name": name, "values": {**values, "retries": str(i % 10)}}
            start = time.perf_counter()
            res = client.post("/api/validate", json=body, headers={"X-CSRF-Token": csrf})
            page.append(time.perf_counter() - start)
            assert res.status_code == 200, res.text
            start = time.perf_counter()
            engine.validate((path,))
            base.append(time.perf_counter() - start)
        work.close()
    p, b = statistics.median(page) * 1000, statistics.median(base) * 1000
    print(f"POST /api/validate (page, {args.rounds} rounds): median {p:.1f} ms")
    print(f"engine.validate(FILE) baseline:            median {b:.1f} ms")
    print(f"ratio: {p / b:.2f}x")


if __name__ == "__main__":
    main()
