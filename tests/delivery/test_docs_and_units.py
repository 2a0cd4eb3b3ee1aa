"""The examples and README cannot drift from the CLI (every `smtpops …` line they show
parses), and the dense parts of the Postfix mapping as units."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from smtpops.cli import cli
from smtpops.delivery.postfix import maincf, params

ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "examples").rglob("*")),
]


COMMANDS = ("render", "exec", "apply", "deploy", "deactivate", "rollback", "promote")
_LINE = re.compile(r"^(?:\$ |ExecStart=)?(?:/usr/local/bin/)?smtpops (\S+)(.*)$")


def _code_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    if path.suffix != ".md":
        return text.splitlines()
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


def smtpops_lines() -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        if not path.is_file() or path.suffix not in (".md", ".yml", ".yaml", ".service"):
            continue
        for line in _code_lines(path):
            match = _LINE.match(line.strip())
            if match and match.group(1) in COMMANDS:
                rest = re.split(r"\s#|&&|\|", match.group(2))[0]
                found.append((f"{path.relative_to(ROOT)}: {line.strip()}", match.group(1) + rest))
    return found


@pytest.mark.parametrize("where,command", smtpops_lines())
def test_every_documented_command_parses(where: str, command: str) -> None:
    args = [a for a in shlex.split(command.replace("…", "x")) if a]
    ctx = cli.make_context("smtpops", [args[0], "--help"], resilient_parsing=True)
    sub = cli.get_command(ctx, args[0])
    assert sub is not None, where
    sub.make_context(args[0], args[1:], resilient_parsing=False)


def test_the_documented_commands_were_found() -> None:
    names = {command.split()[0] for _, command in smtpops_lines()}
    assert {"render", "exec", "apply", "deploy", "deactivate"} <= names


@pytest.mark.parametrize("path", sorted((ROOT / "examples").rglob("*.y*ml")), ids=str)
def test_example_yaml_parses(path: Path) -> None:
    docs = list(yaml.safe_load_all(path.read_text()))
    assert docs and all(d is not None for d in docs)


@pytest.mark.parametrize(
    "retries,lifetime,longest",
    [(0, 0, 1), (1, 1, 1), (2, 2, 2), (3, 3, 4), (6, 24, 32)],
)
def test_backoff_ends_between_the_last_wanted_attempt_and_the_next(retries, lifetime, longest):
    got = params.backoff(retries, 1)
    assert got["maximal_queue_lifetime"] == f"{lifetime}s"
    assert got["maximal_backoff_time"] == f"{longest}s"
    attempts = [0] + [2 ** (k - 1) for k in range(1, retries + 1)]  # 0, b, 2b, 4b, …
    if retries:
        assert attempts[-2] < lifetime <= attempts[-1]  # the last retry happens; no more


def test_maincf_block_replaces_and_keeps_the_operators_lines() -> None:
    text = (
        "myhostname = crm\n"
        "relayhost = [old]:25\n"
        "header_checks = regexp:/etc/postfix/own_checks\n"
        "smtpd_data_restrictions =\n    reject_unauth_pipelining\n"
    )
    params_ = {"relayhost": "[new]:587", "smtpd_data_restrictions": "check_sender_access x"}
    theirs = maincf.originals(text, params.MERGED)
    assert theirs == {
        "header_checks": "regexp:/etc/postfix/own_checks",
        "smtpd_data_restrictions": "reject_unauth_pipelining",
    }
    out = maincf.update(text, params_, "sha256:abc")
    assert "myhostname = crm\n" in out
    assert "#smtpops-replaced: relayhost = [old]:25\n" in out
    assert "#smtpops-replaced:     reject_unauth_pipelining\n" in out
    assert maincf.block_digest(out) == "sha256:abc"
    again = maincf.update(out, {"relayhost": "[newer]:587"}, "sha256:def")
    assert again.count("BEGIN smtpops") == 1 and "[new]:587" not in again
    # replaced values stay known after the block is rewritten
    assert maincf.originals(again, params.MERGED)["smtpd_data_restrictions"] == (
        "reject_unauth_pipelining"
    )


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x00"),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(_TEXT)
def test_env_quoting_survives_sh_for_any_password(value: str) -> None:
    import subprocess

    from smtpops.delivery.formats.dotenv import quote

    script = f'X={quote(value)}; printf %s "$X"'
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout == value


_NAMES = st.sampled_from(["relayhost", "header_checks", "myhostname", "smtp_helo_name", "biff"])
_LINES = st.lists(
    st.one_of(
        st.tuples(_NAMES, st.text("abc []:=/$,", max_size=12)).map(lambda p: f"{p[0]} = {p[1]}"),
        st.just("# a comment"),
        st.just(""),
        st.just("    continued value"),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(_LINES, st.dictionaries(_NAMES, st.text("xyz", min_size=1, max_size=5), max_size=3))
def test_maincf_update_is_stable_and_keeps_the_rest(lines: list[str], wanted: dict[str, str]):
    text = "\n".join(lines) + ("\n" if lines else "")
    once = maincf.update(text, wanted, "sha256:1")
    twice = maincf.update(once, wanted, "sha256:1")
    assert once == twice  # applying the same block again changes nothing
    outside, inside = maincf.split(once)
    assert [line for line in inside if " = " in line] == [f"{k} = {v}\n" for k, v in wanted.items()]
    live = [line for line in outside if not line.startswith(("#", " ", "\t")) and "=" in line]
    assert not [line for line in live if line.split(" = ")[0] in wanted]
