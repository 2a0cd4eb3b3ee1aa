"""A time budget for each rule family (and for the loader, the suppression comments, the
credential scan of ``secrets check``, the duration parser, the mailbox parser and the output
escaper): inputs built to be worst-case for each, under the 256 KiB limit, must grow linearly —
doubling the input at most triples the time. Not an absolute time: the machine may be slow.

These inputs took seconds to hours before the parsers were made linear: '<' and 12,000 spaces
in a header (16 s, header markup), 'pass:' 12,000 times (9 s, credential scan), '1', 16,000
spaces and '!' (2.5 s, duration), '# smtpops: ignore[' 4,000 times on one line (3.3 s)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from smtpops import engine, yamlio
from smtpops.encryption import scan
from smtpops.model import parse_duration
from smtpops.reporters.safe import visible
from smtpops.rules.examples import BASE
from tests.hostile.budget import LIMIT, growth

N = 25_000  # characters of hostile input at the smaller size (the file stays under 256 KiB)


def field(name: str, value: str) -> str:
    return BASE + f"{name}: {value}\n"


def replace(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new)


# family -> {case: text of a config file of about n characters}
FILES: dict[str, dict[str, Callable[[int], str]]] = {
    "FILE": {
        "many keys": lambda n: BASE + "".join(f"k{i}: {i}\n" for i in range(n // 12)),
        "long flow list": lambda n: BASE + "x: [" + ",".join("1" * (n // 2)) + "]\n",
        "nesting at the limit": lambda n: (
            BASE + "".join(f"k{i}: " + "[" * 60 + "]" * 60 + "\n" for i in range(n // 130))
        ),
        "aliases": lambda n: (
            BASE + "a: &a [1, 2]\n" + "".join(f"b{i}: *a\n" for i in range(n // 12))
        ),
        "sexagesimal numbers": lambda n: (
            BASE + "".join(f"n{i}: " + "1:" * 100 + "1\n" for i in range(n // 210))
        ),
        "tagged values": lambda n: BASE + "".join(f"t{i}: !!int 5\n" for i in range(n // 14)),
    },
    "SCHEMA": {
        "long unknown field": lambda n: BASE + "h" * n + "ost: x\n",
        "many unknown fields": lambda n: BASE + "".join(f"hostt{i}: x\n" for i in range(n // 12)),
    },
    "NAME": {
        "long name": lambda n: replace("name: example", "name: " + "a-" * (n // 2) + "!"),
        "unicode name": lambda n: replace("name: example", "name: " + "é-" * (n // 2)),
    },
    "HOST": {
        "dots": lambda n: replace("host: smtp.example.com", "host: " + "a." * (n // 2) + "-"),
        "colons": lambda n: replace("host: smtp.example.com", "host: '[" + ":" * n + "'"),
        "digits": lambda n: replace("host: smtp.example.com", "host: " + "1." * (n // 2) + "x"),
        "unicode": lambda n: replace("host: smtp.example.com", "host: " + "é" * (n // 2)),
    },
    "PORT": {"long port": lambda n: replace("port: 587", "port: '" + "5" * n + "'")},
    "TLS": {
        "ca_file": lambda n: field("ca_file", "a/" * (n // 2) + "x.pem"),
        "ca_file up": lambda n: field("ca_file", "../" * (n // 3)),
        "long tls": lambda n: replace("tls: STARTTLS", "tls: " + "S" * n),
    },
    "AUTH": {
        "long protocol": lambda n: replace("auth_protocol: LOGIN", "auth_protocol: " + "L" * n)
    },
    "USER": {
        "at signs": lambda n: replace(
            "username: alerts@example.com", "username: '" + "@" * n + "'"
        ),
        "dots": lambda n: replace(
            "username: alerts@example.com", "username: " + "a." * (n // 2) + "@x.com"
        ),
        "from_address": lambda n: field(
            "from_address", "'" + "a" * (n // 2) + "@" + "b." * (n // 4) + "'"
        ),
    },
    "HELO": {
        "dots": lambda n: replace(
            "helo_hostname: crm.example.com", "helo_hostname: " + "a." * (n // 2) + "-"
        )
    },
    "HDR": {
        "'<' then spaces": lambda n: field("custom_headers", '"X-A: <' + " " * n + 'x"'),
        "'< ' repeated": lambda n: field("custom_headers", '"X-A: ' + "< " * (n // 2) + 'x"'),
        "'on' repeated": lambda n: field("custom_headers", '"X-A: ' + "on" * (n // 2) + 'x"'),
        "handler then spaces": lambda n: field("custom_headers", '"X-A: onx' + " " * n + 'x"'),
        "data: spaces": lambda n: field(
            "custom_headers", '"X-A: data' + " " * (n // 2) + ":" + " " * (n // 2) + 'x"'
        ),
        "many lines": lambda n: (
            BASE + "custom_headers: |\n" + "".join(f"  X-H{i}: v\n" for i in range(n // 12))
        ),
        "many duplicates": lambda n: BASE + "custom_headers: |\n" + "  X-H: v\n" * (n // 9),
    },
    "CRED": {
        "'pass:' repeated": lambda n: field("description", '"' + "pass:" * (n // 5) + '"'),
        "'pass:' then spaces": lambda n: field("description", '"pass:' + " " * n + 'x"'),
        "url with colons": lambda n: field("description", '"://a:' + "a:" * (n // 2) + '"'),
        "bearer then spaces": lambda n: field("description", '"bearer' + " " * n + '!"'),
        "many credential lines": lambda n: (
            BASE + "".join(f"# password: abc123!{i}\n" for i in range(n // 24))
        ),
        "key prefixes": lambda n: field("description", '"' + "AGE-SECRET-KEY-" * (n // 15) + '"'),
        "token prefixes": lambda n: field(
            "description", '"' + "xoxa-ghp_SG.AIza" * (n // 16) + '"'
        ),
    },
    "LIMIT": {
        "'1', spaces, '!'": lambda n: field("idle_timeout", '"1' + " " * n + '!"'),
        "'s ' repeated": lambda n: field("wait_timeout", '" ' + "s " * (n // 2) + '"'),
    },
    "OAUTH": {
        "long block values": lambda n: (
            replace("auth_protocol: LOGIN", "auth_protocol: XOAUTH2")
            + "oauth:\n  tenant: "
            + "a-" * (n // 4)
            + "\n  client_id: '"
            + " " * (n // 2)
            + "x'\n"
        ),
    },
    "PROV": {
        "long provider": lambda n: BASE + "provider: " + "g" * n + "\n",
        "host pattern": lambda n: replace(
            "host: smtp.example.com", "host: email-smtp." + "a-" * (n // 2) + ".amazonaws.com"
        ),
    },
    "SUPP": {
        "unclosed comments on one line": lambda n: replace(
            "port: 587", "port: 587 " + "# smtpops: ignore[ " * (n // 19)
        ),
        "a suppression per line": lambda n: (
            BASE + "".join(f"x{i}: 1  # smtpops: ignore[SCHEMA001] why\n" for i in range(n // 40))
        ),
        "many ids": lambda n: replace(
            "port: 587", "port: 587  # smtpops: ignore[" + "PORT," * (n // 5) + "] why"
        ),
    },
}
CASES = [(family, case) for family, cases in FILES.items() for case in cases]


def validating(text: str) -> Callable[[], object]:
    folder = Path(tempfile.mkdtemp(prefix="smtpops-budget-")) / "configs" / "development"
    folder.mkdir(parents=True)
    path = folder / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size <= yamlio.MAX_BYTES, "the budget inputs stay under the limit"

    def run() -> object:
        report = engine.validate((str(path),))
        assert report.exit_code in (0, 1, 2)
        return report

    return run


def assert_linear(make: Callable[[int], Callable[[], object]], n: int = N) -> None:
    small, large, ratio = growth(make, n)
    assert ratio <= LIMIT, (
        f"doubling the input took {ratio:.1f}x the time ({small * 1000:.1f} ms → "
        f"{large * 1000:.1f} ms): not linear"
    )


@pytest.mark.parametrize("family, case", CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_rule_family_grows_linearly(family: str, case: str) -> None:
    assert_linear(lambda n: validating(FILES[family][case](n)))


def test_every_rule_family_has_a_budget() -> None:
    from smtpops.rules.registry import RULES

    areas = {r.area for r in RULES.values()}
    # REPO: the rules across files, timed by the number of files below
    assert areas - set(FILES) <= {"REPO"}, "add worst-case inputs for the new family"


def test_repository_rules_grow_linearly_with_the_number_of_files() -> None:
    def make(n: int) -> Callable[[], object]:
        root = Path(tempfile.mkdtemp(prefix="smtpops-budget-")) / "configs"
        (root / "production").mkdir(parents=True)
        for i in range(n):
            text = BASE.replace("name: example", "name: same") + "active: true\n"
            (root / "production" / f"c{i}.yaml").write_text(text, encoding="utf-8")
        return lambda: engine.validate((str(root),))

    assert_linear(make, 60)


def test_the_repository_scan_of_secrets_check_grows_linearly(tmp_path: Path) -> None:
    def make(n: int) -> Callable[[], object]:
        path = tmp_path / f"notes-{n}.yaml"
        path.write_text(
            "host: x\n" + "password: \n" * (n // 22) + "AGE-SECRET-KEY-" * (n // 30), "utf-8"
        )
        return lambda: scan.scan_file(str(path))

    assert_linear(make, 200_000)


@pytest.mark.parametrize(
    "line",
    ["\n", " ", "SMTP_PASSWORD=$X\n", "AGE-SECRET-KEY-", "A"],
    ids=["newlines", "blanks", "references", "age-prefix", "one-long-line"],
)
def test_a_file_over_1_mib_is_scanned_whole_in_linear_time(tmp_path: Path, line: str) -> None:
    """Files over scan.MAX_BYTES are mapped and scanned whole (they were looked at by name
    only, so a password in a big log passed unseen): 2 MiB → 4 MiB of the input worst for the
    line-anchored patterns, with a real leak on the last line that must be found."""
    assert scan.MAX_BYTES < 2 * 1024 * 1024

    def make(n: int) -> Callable[[], object]:
        path = tmp_path / f"dump-{n}.log"
        path.write_text(line * (n // len(line)) + "\nexport SMTP_PASSWORD=Zq7-leaked\n", "utf-8")

        def work() -> None:
            found = scan.scan_file(str(path))
            assert [f.message for f in found] == ["this line sets a mail password in plain text"]
            assert scan.containing([str(path)], [b"Zq7-leaked"])

        return work

    assert_linear(make, 2 * 1024 * 1024)


def test_the_duration_parser_grows_linearly() -> None:
    assert_linear(lambda n: lambda: parse_duration("1" + " " * n + "!"), 200_000)


def test_the_output_escaper_grows_linearly() -> None:
    hostile = "\x1b]0;title\x07\u202e\r"
    assert_linear(lambda n: lambda: visible(hostile * (n // len(hostile))), 200_000)


SOPS_YAML = "creation_rules:\n  - path_regex: {regex}\n    age: {recipient}\n"
RECIPIENT = "age1ydl6kty27tvw5a90frqw66n9tt7us87cf09vzvs57gvrmrah5p3slatu6n"


def test_a_hostile_path_regex_in_sops_yaml_grows_linearly() -> None:
    """.sops.yaml comes with the pull request: '(a|a)*$x' against a config named 'aaa….yaml'
    was exponential in Python's re (2.9 s at 22 letters, twice as long with two more)."""

    def make(n: int) -> Callable[[], object]:
        root = Path(tempfile.mkdtemp(prefix="smtpops-budget-"))
        (root / "configs" / "development").mkdir(parents=True)
        sops = SOPS_YAML.format(regex="'(a|a)*$x'", recipient=RECIPIENT)
        (root / ".sops.yaml").write_text(sops, encoding="utf-8")
        path = root / "configs" / "development" / ("a" * n + ".yaml")
        path.write_text(BASE, encoding="utf-8")
        return lambda: engine.validate((str(path),))

    assert_linear(make, 100)


@pytest.mark.parametrize("regex", ["'('", "'(?=x)'", "'[z-a]'", "'\\\\'"])
def test_a_path_regex_sops_cannot_read_matches_nothing(run_cli, repo_dir, regex: str) -> None:
    (repo_dir / ".sops.yaml").write_text(
        SOPS_YAML.format(regex=regex, recipient=RECIPIENT), encoding="utf-8"
    )
    (repo_dir / "configs" / "development").mkdir()
    (repo_dir / "configs" / "development" / "x.yaml").write_text(BASE, encoding="utf-8")
    result = run_cli("validate")
    assert result.exit_code == 1 and "internal error" not in result.stderr, repr(result)
    assert "CRED" in result.stdout and not result.stderr.strip()
