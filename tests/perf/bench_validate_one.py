"""Benchmark: ``smtpops validate`` of one file, as a whole process, against the import floor.

    .venv/bin/python tests/perf/bench_validate_one.py [--rounds 15] [--repo DIR]

What a pre-commit hook or an editor's save runs: ``smtpops validate configs/production/x.yaml``
in the bundled repository (or in ``--repo DIR``). The baseline, measured in the same run and
interleaved with it, is ``python -c "import yaml, click"`` — a program that does nothing but
load the two libraries every smtpops command needs. Prints the medians and the ratio (aim: at
most 1.5x). ``--big N`` first adds N generated configs to a copy of the repository, so the cost
of the other files (repository rules, the leak scan) shows.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import command  # noqa: E402


def wall(cmd: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start, proc.returncode


def compile_smtpops() -> None:
    """Write smtpops' .pyc files first, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE
    set (as on some machines) every run would compile the whole package from source again,
    while the baseline's yaml and click come with theirs."""
    import compileall

    import smtpops

    compileall.compile_dir(str(Path(smtpops.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repo", type=Path, default=ROOT)
    parser.add_argument("--big", type=int, default=0, metavar="N")
    parser.add_argument("--file", default="configs/production/gmail-alerts.yaml")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="validate with --no-cache (cold, what a pre-commit hook pays for a changed file)",
    )
    command.add_option(parser)
    args = parser.parse_args()

    repo = args.repo
    scratch = None
    if args.big:
        from bench_validate import generate  # same generator as the tree benchmark

        scratch = Path(tempfile.mkdtemp(prefix="smtpops-bench-one-"))
        shutil.copytree(repo / "configs", scratch / "configs")
        shutil.copytree(repo / "schemas", scratch / "schemas")
        extra = Path(tempfile.mkdtemp(prefix="smtpops-bench-gen-"))
        for path in generate(extra, args.big):
            target = scratch / "configs" / path.parent.name / ("gen-" + path.name)
            target.parent.mkdir(exist_ok=True)
            target.write_text(
                path.read_text().replace(f"name: {path.stem}", f"name: gen-{path.stem}")
            )
        shutil.rmtree(extra)
        repo = scratch

    compile_smtpops()
    validate = [*command.smtpops(args.module), "validate", args.file]
    if args.no_cache:
        validate.insert(4, "--no-cache")
    floor = [sys.executable, "-c", "import yaml, click"]
    wall(validate, repo)  # warm the page cache and .pyc files
    wall(floor, repo)
    runs: dict[str, list[float]] = {"validate": [], "floor": []}
    codes = set()
    for _ in range(args.rounds):  # interleaved: load on the machine hits both alike
        seconds, code = wall(validate, repo)
        runs["validate"].append(seconds)
        codes.add(code)
        runs["floor"].append(wall(floor, repo)[0])
    med = {k: statistics.median(v) * 1000 for k, v in runs.items()}
    print(
        f"repository: {repo} (+{args.big} generated configs)" if args.big else f"repository: {repo}"
    )
    cache = "--no-cache" if args.no_cache else "cache warm"
    print(
        f"smtpops validate {args.file} ({cache}): {med['validate']:7.1f} ms"
        f"  exit code(s) {sorted(codes)}"
    )
    print(f"timed: {command.describe(args.module)}")
    print(f"python -c 'import yaml, click':        {med['floor']:7.1f} ms")
    print(
        f"ratio: {med['validate'] / med['floor']:.2f}x   (aim: <= 1.5x; medians of {args.rounds})"
    )
    if scratch:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
