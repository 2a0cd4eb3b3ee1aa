"""Every ``smtpops …`` command that a message, hint, docstring, rule doc, provider note,
template, workflow or the README names exists, with the options it is given.

Mentions are parsed and resolved against the click command tree (subcommands and their
options). A mention counts as a command when it is in a code span, a code block, a
workflow's ``run:``/``entry:`` line or a Python string and its first word is a command, or
when it is in a code span at all (so a misspelt command in backticks is caught too).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from smtpops.cli import cli

ROOT = Path(__file__).resolve().parents[1]
MENTION = re.compile(r"(?<![\w./@$-])smtpops((?:[ \t]+[^\s`'\"()|;&<>,]+)+)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
TEXT_FILES = (
    "README.md",
    "ARCHITECTURE.md",
    ".github/**/*.md",
    ".github/**/*.yml",
    "action.yml",
    ".pre-commit-hooks.yaml",
    "providers/**/*",
    "schemas/*.json",
    "smtpops/**/*.yaml",
    "smtpops/**/*.yml",
    "smtpops/**/*.md",
    "smtpops/**/*.j2",
)


def _python_strings(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, text


def texts() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "smtpops").rglob("*.py")):
        for line, text in _python_strings(path):
            yield f"{path.relative_to(ROOT)}:{line}", text
    seen: set[Path] = set()
    for pattern in TEXT_FILES:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and path not in seen and ".venv" not in path.parts:
                seen.add(path)
                text = path.read_text(encoding="utf-8", errors="replace")
                yield str(path.relative_to(ROOT)), text


def _tokens(raw: str) -> list[str]:
    out = []
    for token in raw.split():
        if token.startswith("#") or token == "smtpops":
            break  # a shell comment, or the next mention
        token = token.strip("[]").rstrip(".:")
        if token:
            out.append(token)
    return out


def mentions() -> Iterator[tuple[str, list[str], bool]]:
    """(where, the words after `smtpops`, whether it sits in a code span)."""
    for where, text in texts():
        for span in (m.group(1) for m in CODE_SPAN.finditer(text)):
            for m in MENTION.finditer(span):
                if m.start() == 0:
                    yield where, _tokens(m.group(1)), True
        for m in MENTION.finditer(text):
            yield where, _tokens(m.group(1)), False


def _options(command: click.Command) -> set[str]:
    found = {"-h", "--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            found.update(param.opts, param.secondary_opts)
    return found


def problem(words: list[str]) -> str | None:
    """Why ``smtpops WORDS`` would not run as written; None when it resolves."""
    ctx = click.Context(cli)
    command: click.Command = cli
    path = ["smtpops"]
    rest = list(words)
    while isinstance(command, click.Group) and rest:
        word = rest[0]
        if word.startswith("-"):
            if word.split("=")[0] not in _options(command) | {"--version"}:
                return f"`{' '.join(path)}` has no option {word}"
            rest.pop(0)
            continue
        sub = command.get_command(ctx, word)
        if sub is None:
            if command is not cli and getattr(command, "invoke_without_command", False):
                break  # e.g. `smtpops providers` followed by words of a sentence
            return f"`{' '.join(path)}` has no command '{word}'"
        command, path = sub, [*path, word]
        rest.pop(0)
    for word in rest:
        if word == "--":
            break  # what follows is another program's command line (smtpops exec ENV -- …)
        is_option = word.startswith("-") and len(word) > 1
        if is_option and word.split("=")[0] not in _options(command):
            return f"`{' '.join(path)}` has no option {word}"
    return None


def test_the_parser_catches_what_it_must() -> None:
    assert problem(["secrets", "set", "production/main"]) is not None  # the old advice
    assert problem(["keys", "init", "--env", "production", "--nope"]) is not None
    assert problem(["validate", "--format", "json", "configs/"]) is None
    assert problem(["secrets", "set-password", "ENV/NAME", "--password-stdin"]) is None
    assert problem(["--debug", "deploy", "production/main"]) is None
    assert problem(["exec", "production", "--", "python", "--version"]) is None


def _is_command(words: list[str], in_span: bool) -> bool:
    from smtpops.cli import COMMANDS

    return bool(words) and (in_span or words[0] in COMMANDS or words[0].startswith("-"))


def test_every_named_command_exists_with_its_options() -> None:
    checked, wrong = 0, []
    for where, words, in_span in mentions():
        if not _is_command(words, in_span):
            continue  # prose: "smtpops knows 26 providers"
        checked += 1
        why = problem(words)
        if why:
            wrong.append(f"{where}: smtpops {' '.join(words)} — {why}")
    assert checked > 100  # the scan reads what it should
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "module", ["smtpops.probe.advice", "smtpops.cli.sandbox"], ids=lambda m: m.split(".")[-1]
)
def test_auth_advice_names_set_password(module: str) -> None:
    path = ROOT / (module.replace(".", "/") + ".py")
    named = [" ".join(_tokens(m.group(1))[:2]) for m in MENTION.finditer(path.read_text())]
    assert "secrets set-password" in named
    assert all(not n.startswith("secrets ") or n == "secrets set-password" for n in named), named
