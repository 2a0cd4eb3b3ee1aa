"""Cost of the provider rules (PROV*) and the provider catalog, next to the parse-only floor.

    python tests/perf/bench_providers.py [N]

Generates N configs spread over every provider (some with wrong hosts, ports, auth and
limits), then prints medians of: parsing the files with PyYAML's C loader (the floor), a full
`engine.validate` run, the PROV rules alone over the same files, and a cold catalog load.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from smtpops import engine, providers, rules
from smtpops.rules.examples import BASE

PASSWORD = BASE[BASE.index("password:") :]


def generate(root: Path, n: int) -> None:
    catalog = list(providers.catalog().values())
    env_dir = root / "configs" / "development"
    env_dir.mkdir(parents=True)
    for i in range(n):
        p = catalog[i % len(catalog)]
        host = sorted(p.hosts)[0] if p.hosts else "email-smtp.eu-west-1.amazonaws.com"
        if p.any_host:
            host = "mail.example.net"
        best = p.recommended
        port, tls = (best.port, best.tls) if best else (587, "STARTTLS")
        if i % 7 == 0:
            port = 2526  # not offered
        auth = "CRAM-MD5" if i % 11 == 0 else "LOGIN"
        declared = f"provider: {p.id}\n" if i % 2 else ""
        (env_dir / f"c{i}.yaml").write_text(
            f"name: c{i}\n{declared}host: {host}\nport: {port}\ntls: {tls}\n"
            f"auth_protocol: {auth}\nusername: user{i}@example.com\nmax_connections: {i % 20 + 1}\n"
            + PASSWORD
        )


def median(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, n)
        files = sorted((root / "configs").rglob("*.yaml"))

        def parse() -> None:
            for f in files:
                yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)

        configs = str(root / "configs")
        floor = median(parse)
        full = median(lambda: engine.validate((configs,)))
        run = engine.Run()
        for item in engine.discovery.discover((configs,))[0]:
            run.check_file(item, None)
        prov = [r for r in rules.FILE_RULES if r.area == "PROV"]

        def prov_only() -> None:
            for ctx in run.contexts:
                for r in prov:
                    list(r.check(ctx))  # type: ignore[misc]

        prov_time = median(prov_only)

        def cold_catalog() -> None:
            providers.catalog.cache_clear()
            providers.catalog()

        cat = median(cold_catalog, repeat=5)
    print(f"files: {n}, PROV rules: {len(prov)}, providers: {len(providers.catalog())}")
    print(f"parse-only floor (PyYAML C loader): {floor:.3f} s")
    print(f"full validate:                      {full:.3f} s  ratio to floor {full / floor:.2f}x")
    print(
        f"PROV rules alone:                   {prov_time:.3f} s  ({prov_time / full:.1%} of validate)"
    )
    print(f"catalog load (cold, once per run):  {cat * 1000:.1f} ms")


if __name__ == "__main__":
    main()
