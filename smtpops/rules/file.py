"""FILE: the file itself cannot be read as one YAML mapping. Raised by the loader."""

from smtpops.diagnostics import Severity
from smtpops.rules.registry import Example, Rule, register

_E = Severity.ERROR
_GOOD = Example(yaml="name: example\n")


def _load(rid: str, name: str, message: str, hint: str, why: str, bad: str, **kw: object) -> None:
    register(
        Rule(
            id=rid,
            name=name,
            severity=_E,
            message=message,
            hint=hint,
            why=why,
            bad=Example(yaml=bad, whole_file=True),
            good=_GOOD,
            kind="load",
            **kw,  # type: ignore[arg-type]
        )
    )


_load(
    "FILE001",
    "yaml-syntax",
    "the file is not valid YAML",
    "Look at the line shown: a missing space after ':', a tab for indentation, or an unclosed quote or bracket are the usual causes.",
    "A file that cannot be read cannot be checked or deployed.",
    "name: example\nhost: [smtp.example.com\n",
)
_load(
    "FILE002",
    "duplicate-key",
    "a field appears twice",
    "Keep one of the two lines and delete the other.",
    "YAML readers silently keep the last value, so a reviewer may approve the first while the second is used.",
    "name: example\nport: 587\nport: 25\n",
)
_load(
    "FILE003",
    "alias-expansion",
    "anchors and aliases expand to too many values",
    "Write the values out instead of using '&anchor' and '*alias'.",
    "Nested aliases ('billion laughs') can make a small file expand to gigabytes and stop the CRM or CI.",
    'a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d]\n',
)
_load(
    "FILE004",
    "file-too-large",
    "the file is larger than 256 KiB",
    "A config file is a few dozen lines: remove whatever was pasted into it.",
    "Oversized input is refused so that a mistake cannot exhaust memory in CI.",
    "name: example\ndescription: " + "x" * 270_000 + "\n",
)
register(
    Rule(
        id="FILE005",
        name="not-a-mapping",
        severity=_E,
        message="the file does not hold 'field: value' lines",
        hint="A config is a list of 'field: value' lines, e.g. 'host: smtp.gmail.com'. Use `smtpops new` to start from a template.",
        why="Only a mapping of fields can be an SMTP configuration.",
        bad=Example(yaml="- smtp.gmail.com\n- 587\n", whole_file=True),
        good=_GOOD,
        kind="load",
    )
)
_load(
    "FILE006",
    "unsupported-tag",
    "the file uses a YAML tag or merge key smtpops does not accept",
    "Remove the '!tag' or '<<:' and write the plain value.",
    "Tags can make YAML readers build objects or run code; configs use plain values only.",
    "name: !!python/object:os.system example\n",
)
_load(
    "FILE007",
    "not-utf8",
    "the file is not UTF-8 text",
    "Save the file as UTF-8 in your editor.",
    "Other encodings are read differently by different tools.",
    "name: caf\udce9\n",
)
register(
    Rule(
        id="FILE008",
        name="unreadable",
        severity=_E,
        message="the file cannot be read",
        hint="Check that the file exists and that you may read it.",
        why="A file that cannot be read cannot be checked.",
        bad=Example(yaml="", whole_file=True, file_name="missing.yaml"),
        good=_GOOD,
        kind="load",
    )
)
register(
    Rule(
        id="FILE009",
        name="config-is-a-link",
        severity=_E,
        security=True,
        message="the config file is a symbolic link",
        hint="Replace the link with a copy of the file (or delete it): each environment's folder holds its own real files.",
        why="A link makes one file appear in two places: reviewed under one environment, it would be deployed with another's rules, or it points out of the repository to a file nobody reviews.",
        bad=Example(yaml="name: example\n", link=True),
        good=_GOOD,
        kind="load",
    )
)
