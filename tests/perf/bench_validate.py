"""Benchmark: ``smtpops validate`` on N generated configs against the parse-only floor.

    python tests/perf/bench_validate.py [--count 5000] [--repeats 5] [--keep DIR]

Generates N varied configs (about 1 in 8 invalid) in a temporary ``configs/<env>/`` tree
with ``environments.yaml``, then prints, each as the median of several runs:

- validate: ``smtpops validate --format json configs`` as a subprocess (the installed script;
  ``--module``: ``python -m smtpops``);
- floor: a subprocess that only parses the same files with PyYAML's C loader
  (``yaml.load(f, Loader=yaml.CSafeLoader)``), interpreter start-up included like above;
- parse in-process: the same parse without start-up, for reference;

and the ratio validate / floor (the aim: within 2x cold, ``--no-cache``; within 0.5x with
the validation cache warm, the default: the tree does not change between repeats).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import command
import yaml

ENVIRONMENTS = """\
environments:
  - name: development
    policy: relaxed
  - name: staging
    policy: relaxed
  - name: production
    policy: strict
"""
PROVIDERS = [
    ("gmail", "smtp.gmail.com", 587, "STARTTLS"),
    ("gmail", "smtp.gmail.com", 465, "SSL/TLS"),
    ("office365", "smtp.office365.com", 587, "STARTTLS"),
    ("custom", "mail.utility-{i}.example.com", 587, "STARTTLS"),
    ("custom", "relay{i}.example.net", 465, "SSL/TLS"),
    (None, "smtp{i}.example.org", 2525, "STARTTLS"),
]
BREAKAGES = [
    lambda c: c.update(port=0),
    lambda c: c.update(host="127.0.0.1"),
    lambda c: c.update(hots="typo.example.com"),
    lambda c: c.update(tls="None", port=25),
    lambda c: c.update(custom_headers="X-Department: Billing\nFrom: evil@example.com\n"),
    lambda c: c.update(username="bad\nname@example.com"),
    lambda c: c.update(max_connections=500, retries=-1),
    lambda c: c.update(idle_timeout="5s", auth_protocol="NTLM"),
]


def _base() -> dict[str, object]:
    """The rule docs' valid base config: its ENC[...] password and sops block are real sops
    output for a discarded key, so every file looks like an encrypted config."""
    from smtpops.rules.examples import BASE

    return yaml.safe_load(BASE)  # type: ignore[no-any-return]


def config(i: int, rng: random.Random, base: dict[str, object]) -> dict[str, object]:
    provider, host, port, tls = rng.choice(PROVIDERS)
    data: dict[str, object] = {"name": f"cfg-{i:05d}"}
    if rng.random() < 0.5:
        data["description"] = f"Notifications for district {i % 97}"
    if provider:
        data["provider"] = provider
    data.update(host=host.format(i=i), port=port, tls=tls, auth_protocol="LOGIN")
    data.update(
        username=f"alerts{i}@utility-{i % 50}.example.com",
        password=base["password"],
        helo_hostname=f"crm{i % 7}.utility.example.com",
    )
    if provider in ("custom", None, "office365") or rng.random() < 0.4:  # custom: all fields
        data.update(verify_certificate=True, max_connections=rng.randint(1, 3))
        data.update(retries=rng.randint(0, 5), idle_timeout=rng.choice([60, "60s", 120]))
        data.update(wait_timeout=rng.choice([30, "45s"]))
    if rng.random() < 0.3:
        data["custom_headers"] = f"X-Department: District {i % 13}\nX-Priority-Class: bulk\n"
    if rng.random() < 1 / 8:
        rng.choice(BREAKAGES)(data)
    data["sops"] = base["sops"]
    return data


def generate(root: Path, count: int, seed: int = 2026) -> list[Path]:
    rng = random.Random(seed)
    base = _base()
    configs = root / "configs"
    configs.mkdir(parents=True)
    (configs / "environments.yaml").write_text(ENVIRONMENTS)
    header = "# yaml-language-server: $schema=../../schemas/smtp-config.schema.json\n"
    paths = []
    for i in range(count):
        env = ("development", "staging", "production")[i % 3]
        data = config(i, rng, base)
        text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        if i % 211 == 0:  # now and then a duplicate key the YAML loader must refuse
            text += f"port: {data['port']}\n"
        path = configs / env / f"{data['name']}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        paths.append(path)
    return paths


PARSE_ONLY = """\
import sys, yaml
for path in sys.stdin.read().split("\\n"):
    with open(path, "rb") as f:
        yaml.load(f, Loader=yaml.CSafeLoader)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, stdin: str | None = None) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system) and exit code of one subprocess run."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, input=stdin, text=True, stdout=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start, _children_cpu() - cpu, proc.returncode


def parse_in_process(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        with open(path, "rb") as f:
            yaml.load(f, Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def compile_smtpops() -> None:
    """Write smtpops' .pyc files first, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE
    set (as on some machines) every run would compile the whole package from source again,
    while the baseline's yaml and click come with theirs."""
    import compileall

    import smtpops

    compileall.compile_dir(str(Path(smtpops.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="validate with --no-cache (cold: every file checked); default: after the first "
        "run the tree is unchanged, so the validation cache answers (warm)",
    )
    command.add_option(parser)
    args = parser.parse_args()

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="smtpops-bench-"))
    if args.keep and (root / "configs").exists():
        import shutil

        shutil.rmtree(root / "configs")
    compile_smtpops()
    paths = generate(root, args.count)
    # CSafeLoader keeps the last of two equal keys, so every generated file parses
    parseable = paths
    broken = sum(1 for i in range(args.count) if i % 211 == 0)
    listing = "\n".join(str(p) for p in paths)
    validate_cmd = [*command.smtpops(args.module), "validate", "--format", "json", "configs"]
    if args.no_cache:
        validate_cmd.insert(-3, "--no-cache")
    floor_cmd = [sys.executable, "-c", PARSE_ONLY]

    runs: dict[str, list[float]] = {k: [] for k in ("v", "v_cpu", "f", "f_cpu", "p")}
    codes = set()
    for _ in range(args.repeats):  # interleaved, so load on the machine hits both alike
        wall, cpu, code = timed(validate_cmd, root)
        runs["v"].append(wall)
        runs["v_cpu"].append(cpu)
        codes.add(code)
        wall, cpu, _ = timed(floor_cmd, root, listing)
        runs["f"].append(wall)
        runs["f_cpu"].append(cpu)
        runs["p"].append(parse_in_process(parseable))

    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"configs:                {len(paths):6d} ({broken} with a duplicate key)")
    print(f"repeats:                {args.repeats:6d} (medians below; CPU = user + system)")
    print(
        f"cache:                  {'--no-cache (cold)' if args.no_cache else 'warm (unchanged tree)'}"
    )
    print(
        f"smtpops validate:       {med['v']:8.3f} s wall {med['v_cpu']:8.3f} s CPU"
        f"   exit code(s) {sorted(codes)}"
    )
    print(
        f"parse-only floor:       {med['f']:8.3f} s wall {med['f_cpu']:8.3f} s CPU"
        "   (subprocess, PyYAML CSafeLoader)"
    )
    print(f"timed:                  {command.describe(args.module)}")
    print(f"parse-only in-process:  {med['p']:8.3f} s wall")
    print(
        f"ratio validate/floor:   {med['v'] / med['f']:8.2f}x wall "
        f"{med['v_cpu'] / med['f_cpu']:7.2f}x CPU   (aim: <= {'2x' if args.no_cache else '0.5x'})"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(root)


if __name__ == "__main__":
    main()
