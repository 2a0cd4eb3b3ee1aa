"""FILE: the file itself cannot be read as one YAML mapping. Raised by the loader."""

from smtpops.diagnostics import Severity
from smtpops.rules.registry import Example, declare

_E = Severity.ERROR
_GOOD = Example(yaml="name: example\n")


declare(
    id="FILE001",
    name="yaml-syntax",
    message="the file is not valid YAML",
    hint="Look at the line shown: a missing space after ':', a tab for indentation, or an unclosed quote or bracket are the usual causes.",
    why="A file that cannot be read cannot be checked or deployed.",
    bad=Example(yaml="name: example\nhost: [smtp.example.com\n", whole_file=True),
    severity=_E,
    good=_GOOD,
    kind="load",
)
declare(
    id="FILE002",
    name="duplicate-key",
    message="a field appears twice",
    hint="Keep one of the two lines and delete the other.",
    why="YAML readers silently keep the last value, so a reviewer may approve the first while the second is used.",
    bad=Example(yaml="name: example\nport: 587\nport: 25\n", whole_file=True),
    severity=_E,
    good=_GOOD,
    kind="load",
)
declare(
    id="FILE003",
    name="alias-expansion",
    message="anchors and aliases expand to too many values",
    hint="Write the values out instead of using '&anchor' and '*alias'.",
    why="Nested aliases ('billion laughs') can make a small file expand to gigabytes and stop the CRM or CI.",
    bad=Example(
        yaml='a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d]\n',
        whole_file=True,
    ),
    severity=_E,
    good=_GOOD,
    kind="load",
)
declare(
    id="FILE004",
    name="file-too-large",
    message="the file is larger than 256 KiB",
    hint="A config file is a few dozen lines: remove whatever was pasted into it.",
    why="Oversized input is refused so that a mistake cannot exhaust memory in CI.",
    bad=Example(yaml="name: example\ndescription: " + "x" * 270_000 + "\n", whole_file=True),
    severity=_E,
    good=_GOOD,
    kind="load",
)
declare(
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
declare(
    id="FILE006",
    name="unsupported-tag",
    message="the file uses a YAML tag or merge key smtpops does not accept",
    hint="Remove the '!tag' or '<<:' and write the plain value.",
    why="Tags can make YAML readers build objects or run code; configs use plain values only.",
    bad=Example(yaml="name: !!python/object:os.system example\n", whole_file=True),
    severity=_E,
    good=_GOOD,
    kind="load",
)
declare(
    id="FILE007",
    name="not-utf8",
    message="the file is not UTF-8 text",
    hint="Save the file as UTF-8 in your editor.",
    why="Other encodings are read differently by different tools.",
    bad=Example(yaml="name: caf\udce9\n", whole_file=True),
    severity=_E,
    good=_GOOD,
    kind="load",
)
declare(
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
declare(
    id="FILE009",
    name="nesting-too-deep",
    message="the values are nested too deeply",
    hint="A config is a list of 'field: value' lines; remove the nested brackets or indented lists.",
    why="Hundreds of nested lists or mappings make YAML readers run out of stack; no config needs more than a few levels.",
    bad=Example(yaml="name: example\nhost: " + "[" * 80 + "]" * 80 + "\n", whole_file=True),
    severity=_E,
    good=_GOOD,
    kind="load",
)
declare(
    id="FILE010",
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
