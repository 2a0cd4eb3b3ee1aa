"""The guided part of ``smtpops new``: questions, with the spec's defaults and explanations,
for whatever the command line left open.

Each answer is checked as it is typed, by the same schema and rules as ``smtpops validate``
(:func:`smtpops.scaffold.answer_problems` renders the config with it and validates it): what
is wrong is said in the rule's words, and only that question is asked again. Enter accepts the
[default]; ``-`` clears a field that may be empty. Answers equal to the template's value are
not recorded as the user's own, so the template's comments stay. Stopped before the file is
written (Ctrl-C, end of input), the answers are kept in ``.smtpops/new-draft.json`` (never the
password) and the next run offers to resume them.
"""

from __future__ import annotations

import os
import re
from dataclasses import field
from typing import Any, NoReturn

import click

from smtpops import model, scaffold, schema, settings, templating, unfinished
from smtpops.cli.prompts import canonical, prompt, required, say, show
from smtpops.diagnostics import Diagnostic, Severity
from smtpops.errors import SmtpopsError
from smtpops.providers import Parameter, Provider, catalog, resolve, suggest
from smtpops.records import record

CLEAR = "-"
LIMITS = ("max_connections", "retries", "idle_timeout", "wait_timeout")
_REMOVE_LINE = re.compile(r"-([0-9]+)")


class _Cleared:
    """The answer '-': leave the field out (the template's default applies)."""


CLEARED = _Cleared()


@record(kw_only=True)
class Guide:
    """The questions of one ``smtpops new`` and the answers so far (``values`` and ``params``
    are the command's own dicts, filled in place)."""

    configs_dir: str
    values: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    env: str | None = None
    provider: Provider | None = None
    name: str | None = None
    previous: unfinished.Answers = field(default_factory=unfinished.Answers)
    cleared: set[str] = field(default_factory=set)  # answered '-' in this run

    @property
    def root(self) -> str:
        return os.path.dirname(os.path.abspath(self.configs_dir))

    # -- keeping the answers ---------------------------------------------------------------
    def offer_resume(self) -> None:
        """If a run was stopped before, offer to pick its answers up (as defaults)."""
        saved = unfinished.load(self.root)
        if saved is None:
            return
        say(f"An unfinished `smtpops new` was kept: {saved.describe()}.")
        if click.confirm("Resume it (its answers become the defaults)?", default=True):
            self.previous = saved
        else:
            unfinished.discard(self.root)
            say("  Discarded; starting afresh.")

    def stopped(self) -> NoReturn:
        """Ctrl-C or the end of input before the file was written: keep the answers."""
        answers = unfinished.Answers(
            env=self.env or self.previous.env,
            provider=self.provider.id if self.provider else self.previous.provider,
            name=self.name or self.previous.name,
            values={**self._kept(self.previous.values), **self.values},
            params={**self._kept(self.previous.params), **self.params},
        )
        where = unfinished.save(self.root, answers)
        shown = os.path.relpath(where, os.getcwd())
        click.echo(
            f"\nStopped; nothing was written. Your answers are kept in {shown} (no password): "
            "run `smtpops new` again to resume them.",
            err=True,
        )
        raise click.exceptions.Exit(130)

    def _kept(self, earlier: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in earlier.items() if k not in self.cleared}

    def finished(self) -> None:
        unfinished.discard(self.root)

    def _before(self, name: str) -> Any:
        return self.previous.values.get(name, self.previous.params.get(name))

    # -- checking one answer -------------------------------------------------------------------
    def problems(self, name: str, value: Any, *, as_param: bool = False) -> tuple[Diagnostic, ...]:
        """What validate says about ``name`` = ``value`` in the config of these answers."""
        assert self.env and self.provider and self.name
        values, params = dict(self.values), dict(self.params)
        (params if as_param else values)[name] = value
        return scaffold.answer_problems(
            configs_dir=self.configs_dir,
            env=self.env,
            name=self.name,
            provider=self.provider,
            values=values,
            params=params,
            field=name,
        )

    def ask(
        self,
        name: str,
        label: str,
        *,
        default: Any = None,
        explain: str | None = None,
        param: Parameter | None = None,
    ) -> Any:
        """Ask until the answer passes the rules for ``name``; CLEARED for '-' (or Enter with
        no default) where the field may be left out."""
        if explain:
            say(f"  {explain}")
        choices = param.choices if param else ()
        if choices:
            label = f"{label} ({', '.join(choices)})"
        optional = not required(name) and (param is None or param.default is not None)
        while True:
            text = prompt(label, default)
            if text in ("", CLEAR):
                if optional:
                    return CLEARED
                say(f"  {label.split(' (')[0]} is needed: it cannot be left empty.")
                continue
            if choices:
                match = canonical(text, choices)
                if match is None:
                    say(f"  ✗ '{text}' is not one of {', '.join(choices)}.")
                    continue
                text = match
            problem = param.problem(text) if param else None
            if problem:
                say(f"  ✗ {problem}.")
                continue
            value = scaffold.coerce(name, text) if name in model.FIELDS else text
            if name in model.FIELDS:
                found = self.problems(name, value, as_param=param is not None)
                errors = [d for d in found if d.severity is Severity.ERROR]
                show(errors or found)
                if errors:
                    continue
            return value

    def ask_field(self, name: str, *, default: Any = None, explain: str | None = None) -> Any:
        prop = schema.properties()[name]
        return self.ask(
            name,
            prop.get("title", name),
            default=default,
            explain=explain or prop.get("description", ""),
        )

    def _set(self, name: str, answer: Any, template_default: Any = None) -> None:
        if answer is CLEARED:
            self.cleared.add(name)
        if answer is CLEARED or answer == template_default:
            self.values.pop(name, None)
        else:
            self.values[name] = answer

    # -- the questions -----------------------------------------------------------------------
    def basics(
        self, env: str | None, provider_id: str | None, name: str | None
    ) -> tuple[str, Provider, str]:
        """Environment, provider and name."""
        project = settings.load(self.configs_dir)
        say(
            "New SMTP configuration. Press Enter to accept the [default]; type - to clear a "
            "field that may be empty.\n"
        )
        if env is None:
            say("  Environment: where the CRM uses this configuration.")
            before = self.previous.env if self.previous.env in project.order else None
            env = click.prompt(
                "Environment",
                type=click.Choice(project.order, case_sensitive=False),
                default=before or project.order[0],
            )
        self.env = env
        providers = catalog()
        if provider_id is None:
            say("  Provider: who runs the mail server. Known providers:")
            for p in providers.values():
                say(f"    {p.id:<24}{p.name}")

            def pick(text: str) -> str:
                found = resolve(str(text), providers)
                if found is None:
                    guess = suggest(str(text), providers)
                    raise click.BadParameter(
                        f"unknown provider{f'; did you mean {guess}?' if guess else ''}"
                    )
                return found.id

            kwargs: dict[str, Any] = {"value_proc": pick}
            if self.previous.provider:
                kwargs["default"] = self.previous.provider
            provider_id = click.prompt("Provider", **kwargs)
        provider = resolve(provider_id, providers)
        if provider is None:
            raise click.BadParameter(f"unknown provider '{provider_id}'")
        self.provider = provider
        if name is None:
            say("  Name: letters, digits, '-', '_' or '.'; the file will be configs/ENV/NAME.yaml.")

            def named(text: str) -> str:
                try:
                    scaffold.target(self.configs_dir, str(env), str(text).strip())
                except SmtpopsError as exc:
                    raise click.BadParameter(f"{exc.message}. {exc.hint or ''}") from None
                return str(text).strip()

            name = click.prompt(
                "Name", default=self.previous.name or f"{provider.id}-{env}", value_proc=named
            )
        self.name = name
        return env, provider, name

    def fields(self) -> None:
        """Everything the template still needs, then the optional settings."""
        provider = self.provider
        assert provider is not None and self.name is not None
        say(f"\n{provider.name}: server {provider.host_label or 'of your choice'}.")
        for notice in provider.notices:
            say(f"  Note: {notice.text}.")
        if "description" not in self.values:
            answer = self.ask(
                "description", "Description", default=self._before("description") or provider.name
            )
            self._set("description", answer, provider.name)
        for param in provider.parameters:
            if param.name not in self.params and param.name not in self.values:
                self._ask_param(param)
        for var in templating.missing(provider, self.name, self.values, self.params):
            if var in scaffold.SETTABLE:
                hint = provider.username if var == "username" and provider.username else None
                self.values[var] = self.ask_field(
                    var,
                    default=self._before(var),
                    explain=f"Username: {hint}." if hint else None,
                )
        self._endpoint()
        if "helo_hostname" not in self.values:
            answer = self.ask_field(
                "helo_hostname",
                default=self._before("helo_hostname") or "localhost",
                explain="HELO hostname: the name of the sending system, e.g. "
                "crm.example-utility.com (localhost is warned about in production).",
            )
            self._set("helo_hostname", answer, "localhost")
        if "custom_headers" not in self.values:
            self.headers()
        self.limits()

    def _ask_param(self, param: Parameter) -> None:
        before = self.previous.params.get(param.name)
        answer = self.ask(
            param.name,
            param.prompt or param.name.replace("_", " ").capitalize(),
            default=before if before is not None else param.default,
            explain=param.description,
            param=param,
        )
        if answer is CLEARED:
            self.cleared.add(param.name)
            self.params.pop(param.name, None)  # its default applies
        elif param.name in scaffold.SETTABLE and isinstance(answer, str):
            self.params[param.name] = scaffold.coerce(param.name, answer)
        else:
            self.params[param.name] = answer

    def _endpoint(self) -> None:
        provider = self.provider
        assert provider is not None
        choices = [e for e in provider.endpoints if e.tls != "None"]
        if len(choices) < 2 or "port" in self.values or "tls" in self.values:
            return
        best = provider.recommended or choices[0]
        before = next(
            (e for e in choices if e.port == self._before("port") and e.tls == self._before("tls")),
            best,
        )
        say(f"  Port and encryption {provider.name} accepts:")
        for i, e in enumerate(choices, 1):
            say(f"    {i}) {e}{' (recommended)' if e is best else ''}")
        picked = click.prompt(
            "Choose", type=click.IntRange(1, len(choices)), default=choices.index(before) + 1
        )
        chosen = choices[picked - 1]
        if chosen is not best:
            self.values.update(port=chosen.port, tls=chosen.tls)

    def headers(self, *, again: bool = False) -> None:
        """Custom headers, one 'Name: value' per answer, each checked as it is typed; the
        headers already given are shown and kept unless removed."""
        current = self.values.get("custom_headers") or self._before("custom_headers") or ""
        lines = [line for line in str(current).split("\n") if line.strip()]
        if not lines and not again and not click.confirm("Add custom headers?", default=False):
            return
        say(
            "  One header per line as 'Name: value' (e.g. X-Company: Example Utility); Enter "
            "ends; -N removes header N; - removes them all."
        )
        if lines:
            self._list_headers(lines)
        while True:
            text = prompt("Header")
            if not text:
                break
            if text == CLEAR:
                lines = []
                say("  All headers removed.")
                continue
            removal = _REMOVE_LINE.fullmatch(text)
            if removal:
                number = int(removal.group(1))
                if 1 <= number <= len(lines):
                    say(f"  Removed: {lines.pop(number - 1)}")
                    self._list_headers(lines)
                else:
                    say(f"  ✗ There is no header {number}.")
                continue
            found = self.problems("custom_headers", "\n".join([*lines, text]))
            errors = [d for d in found if d.severity is Severity.ERROR]
            if errors:
                show(errors)
                say("  That header was not added; the others are kept.")
                continue
            lines.append(text)
        self._set("custom_headers", "\n".join(lines) if lines else CLEARED)

    @staticmethod
    def _list_headers(lines: list[str]) -> None:
        say("  Headers now:" if lines else "  No headers now.")
        for number, line in enumerate(lines, 1):
            say(f"    {number}) {line}")

    def _limit_default(self, name: str) -> Any:
        assert self.provider is not None
        if name == "max_connections" and self.provider.max_connections:
            return self.provider.max_connections
        return schema.properties()[name].get("default")

    def limits(self) -> None:
        changed = any(f in self.values or self._before(f) is not None for f in LIMITS)
        if not click.confirm(
            "Change limits and timeouts (connections, retries, timeouts)?", default=changed
        ):
            return
        for name in LIMITS:
            default = self._limit_default(name)
            before = self.values.get(name, self._before(name))
            answer = self.ask_field(name, default=before if before is not None else default)
            self._set(name, answer, default)

    def again(self, name: str) -> None:
        """Ask ``name`` once more (after a finding about the whole config)."""
        if name == "custom_headers":
            self.headers(again=True)
        elif name in LIMITS:
            self._set(name, self.ask_field(name, default=self.values.get(name)))
        else:
            answer = self.ask_field(name, default=self.values.get(name))
            self._set(name, answer)
