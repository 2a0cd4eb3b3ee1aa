"""The SMTP Settings page: routes over the use cases in :mod:`smtpops.services`.

The HTTP layer only: it reads requests, calls a service, and answers JSON (or the page).
Every route sits behind :class:`smtpops.web.security.Guard`. Passwords arrive only in the
body of a POST, become a :class:`~smtpops.secret.Secret` at once, and never leave the
server again: the page only learns whether one is set.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import threading
from collections.abc import AsyncIterator
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from smtpops.diagnostics import Report
from smtpops.errors import SmtpopsError, UsageError
from smtpops.probe import StepResult
from smtpops.secret import Secret
from smtpops.services import approval, configs, drafts, events, trial
from smtpops.services.workbranch import WorkBranch
from smtpops.web import form
from smtpops.web.security import Gate, Guard, Session

HERE = os.path.dirname(os.path.abspath(__file__))


def _session(request: Request) -> Session:
    session: Session = request.scope["state"]["session"]
    return session


def _work(request: Request) -> WorkBranch:
    work: WorkBranch = request.app.state.work
    return work


def _failure(exc: SmtpopsError) -> JSONResponse:
    status = 409 if exc.exit_code == 1 else 400
    return JSONResponse({"error": exc.message, "hint": exc.hint}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise UsageError("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise UsageError("the request body is not a JSON object")
    return data


def _ref(data: dict[str, Any]) -> tuple[str, str]:
    env, name = str(data.get("env") or ""), str(data.get("name") or "")
    if not env or not name or "/" in env + name or name.startswith("."):
        raise UsageError("name the environment and the config", hint="Pick a config first.")
    return env, name


def _password(data: dict[str, Any]) -> Secret | None:
    value = data.get("password")
    return Secret(value) if isinstance(value, str) and value else None


def _findings(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "field": drafts.field_of(d.location.field),
            "severity": d.severity.value,
            "rule": d.rule_id,
            "message": d.message,
            "hint": d.hint,
        }
        for d in report.diagnostics
    ]


def _in_thread(request: Request, job: Any) -> Any:
    """Run a blocking service call off the event loop."""
    return run_in_threadpool(job)


# -- the page -------------------------------------------------------------------------------
async def page(request: Request) -> Response:
    work = _work(request)
    session = _session(request)
    events.record(work.root, "smtp_settings_accessed", branch=work.started_from)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "index.html",
        {
            "csrf": session.csrf,
            "sections": form.sections(),
            "options": {n: form.options(n) for n in ("tls", "auth_protocol")},
            "levels": form.LEVELS,
            "boot": json.dumps(
                {
                    "providers": form.providers(),
                    "defaults": form.defaults(),
                    "tls": {
                        k: [v[0], form.LEVELS[v[1]], v[2]] for k, v in form.TLS_OPTIONS.items()
                    },
                    "auth": {
                        k: [v[0], form.LEVELS[v[1]], v[2]] for k, v in form.AUTH_OPTIONS.items()
                    },
                    "labels": {k: v[0] for k, v in form.LABELS.items()},
                    "fields": [f for f in drafts.EDITABLE if f != "name"],
                }
            ).replace("<", "\\u003c"),
            "started_from": work.started_from,
        },
    )


# -- reading --------------------------------------------------------------------------------
async def list_configs(request: Request) -> Response:
    work = _work(request)
    envs, commits = await _in_thread(request, lambda: (configs.overview(work), work.commits()))
    return JSONResponse(
        {
            "branch": work.branch if work.path else None,
            "commits": commits,
            "started_from": work.started_from,
            "environments": [
                {
                    "name": e.name,
                    "description": e.description,
                    "protected": e.protected,
                    "pinned_to": e.pinned_to,
                    "approvers": e.approvers,
                    "configs": [
                        {
                            "name": c.name,
                            "active": c.active,
                            "pinned": c.pinned,
                            "provider": c.provider,
                            "host": c.host,
                        }
                        for c in e.configs
                    ],
                }
                for e in envs
            ],
        }
    )


async def read_config(request: Request) -> Response:
    work = _work(request)
    env, name = _ref(dict(request.path_params))
    saved = await _in_thread(request, lambda: configs.load(work, env, name))
    if saved is None:
        return JSONResponse({"error": f"there is no config {env}/{name}"}, status_code=404)
    return JSONResponse(
        {
            "env": env,
            "name": name,
            "values": saved.values,
            "password_set": saved.password_set,
            "active": saved.active,
            "version": saved.version,
        }
    )


async def history(request: Request) -> Response:
    work = _work(request)
    env, name = _ref(dict(request.path_params))
    found = await _in_thread(request, lambda: configs.history(work, env, name))
    return JSONResponse(found)


# -- validation and testing -----------------------------------------------------------------
def _draft(
    work: WorkBranch, data: dict[str, Any], password: Secret | None
) -> tuple[drafts.Draft, configs.Saved | None, Report]:
    env, name = _ref(data)
    values = data.get("values")
    if not isinstance(values, dict):
        raise UsageError("the form's values are missing")
    d, saved = configs.draft(work, env, name, values, new=bool(data.get("new")))
    report = configs.check(work, d, saved, password)
    return d, saved, report


def _typed_placeholder(data: dict[str, Any]) -> Secret | None:
    """Validation needs to know only that a password was typed, not the password."""
    return Secret("typed") if data.get("password_typed") else _password(data)


async def validate(request: Request) -> Response:
    work = _work(request)
    session = _session(request)
    data = await _body(request)
    d, _, report = await _in_thread(request, lambda: _draft(work, data, _typed_placeholder(data)))
    shown = tuple(sorted({x.rule_id for x in report.errors}))
    key = f"{d.env}/{d.name}"
    if shown and session.shown_errors.get(key) != shown:
        events.record(
            work.root, "error_message_displayed", config=key, environment=d.env, rules=list(shown)
        )
    session.shown_errors[key] = shown
    return JSONResponse({"findings": _findings(report), "errors": len(report.errors)})


def _fingerprint(session: Session, d: drafts.Draft, password: Secret | None) -> str:
    return session.fingerprint(d.env, d.name, d.text, password.reveal() if password else "")


async def test(request: Request) -> Response:
    """The connection test, streamed as it runs: one JSON object per line."""
    work = _work(request)
    session = _session(request)
    data = await _body(request)
    typed = _password(data)
    send_to = str(data.get("send_to") or "").strip() or None
    d, saved, report = await _in_thread(request, lambda: _draft(work, data, typed))
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def put(item: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def step(result: StepResult) -> None:
        put({"type": "step", **result.to_dict()})

    def job() -> None:
        try:
            password = typed or (configs.saved_password(saved) if saved else None)
            if password is None:
                raise UsageError(
                    "enter the password first", hint="The test signs in with it, as the CRM will."
                )
            result = trial.run(
                root=work.root,
                configs_dir=work.configs_dir,
                env=d.env,
                name=d.name,
                text=d.text,
                password=password,
                send_to=send_to,
                on_step=step,
            )
            if result.passed:
                session.tested[_fingerprint(session, d, typed)] = dict(result.facts)
            failure = result.failure
            put(
                {
                    "type": "result",
                    "passed": result.passed,
                    "summary": result.summary,
                    "message": failure.message if failure else None,
                    "hint": failure.hint if failure else None,
                    "step": failure.title if failure else None,
                    "warnings": list(result.warnings),
                    "sent_to": send_to if result.passed else None,
                }
            )
        except SmtpopsError as exc:
            put({"type": "error", "error": exc.message, "hint": exc.hint})
        except Exception:
            put({"type": "error", "error": "internal error while testing", "hint": None})
        finally:
            put({"type": "end"})

    async def lines() -> AsyncIterator[bytes]:
        if report.errors:
            body = {"type": "refused", "findings": _findings(report)}
            yield (json.dumps(body) + "\n").encode()
            return
        config_tls = str(drafts.typed(data["values"]).get("tls") or "STARTTLS")
        yield (
            json.dumps({"type": "plan", "steps": trial.planned_steps(config_tls)}) + "\n"
        ).encode()
        threading.Thread(target=job, name="smtpops-ui-test", daemon=True).start()
        while True:
            item = await queue.get()
            if item["type"] == "end":
                return
            yield (json.dumps(item) + "\n").encode()

    return StreamingResponse(lines(), media_type="application/x-ndjson")


# -- changes --------------------------------------------------------------------------------
async def save(request: Request) -> Response:
    work = _work(request)
    session = _session(request)
    data = await _body(request)
    typed = _password(data)

    def run() -> dict[str, Any]:
        d, _saved, report = _draft(work, data, typed)
        facts = session.tested.get(_fingerprint(session, d, typed))
        if report.errors:
            raise UsageError(
                "fix the errors marked in red first", hint=report.errors[0].hint or None
            )
        if facts is None:
            raise UsageError(
                "test the connection first",
                hint="Save is allowed once Test Connection passed for exactly these settings.",
            )
        result = configs.save(
            work,
            d.env,
            d.name,
            data["values"],
            typed,
            new=d.new,
            test_facts=facts,
            version=str(data.get("version") or "") or None,
        )
        markdown, sensitive, reasons = work.review()
        key = f"{d.env}/{d.name}"
        provider = str(drafts.typed(data["values"]).get("provider") or "custom")
        if not result.nothing_to_do:
            events.record(
                work.root,
                "smtp_config_created" if d.new else "smtp_config_modified",
                config=key,
                environment=d.env,
                provider=provider,
                commit=result.commit,
            )
        if d.new and not result.nothing_to_do:
            events.record(
                work.root,
                "guided_setup_completed",
                config=key,
                environment=d.env,
                provider=provider,
            )
        if sensitive:
            events.record(
                work.root,
                "it_approval_requested",
                config=key,
                environment=d.env,
                approval_type="security-sensitive change",
                reasons=list(reasons),
            )
        return {
            "commit": result.commit,
            "branch": result.branch,
            "path": result.path,
            "nothing_to_do": result.nothing_to_do,
            "review": markdown,
            "security_sensitive": sensitive,
            "reasons": list(reasons),
            "approvers": _approvers(work, d.env),
            "env": d.env,
        }

    return JSONResponse(await _in_thread(request, run))


def _approvers(work: WorkBranch, env: str) -> str:
    return approval.approvers(work.tree, work.configs_rel, env)


async def propose(request: Request) -> Response:
    work = _work(request)
    proposal = await _in_thread(request, work.propose)
    return JSONResponse(dataclasses.asdict(proposal))


async def activate(request: Request) -> Response:
    work = _work(request)
    data = await _body(request)
    env, name = _ref(data)

    def run() -> dict[str, Any]:
        try:
            outcome = configs.activate(work, env, name)
        except SmtpopsError as exc:
            if " is protected: " in exc.message:
                events.record(
                    work.root,
                    "it_approval_requested",
                    config=f"{env}/{name}",
                    environment=env,
                    approval_type="activation in a protected environment",
                )
            raise
        events.record(
            work.root,
            "smtp_config_activated",
            config=f"{env}/{name}",
            environment=env,
            commit=outcome.commit,
        )
        return {
            "commit": outcome.commit,
            "branch": work.branch,
            "previous": outcome.previous,
            "message": "SMTP configuration activated successfully"
            if not outcome.nothing_to_do
            else f"{env}/{name} is already the active config of {env}",
        }

    return JSONResponse(await _in_thread(request, run))


async def deactivate(request: Request) -> Response:
    work = _work(request)
    data = await _body(request)
    env, name = _ref(data)
    outcome = await _in_thread(request, lambda: configs.deactivate(work, env, name))
    return JSONResponse(
        {
            "commit": outcome.commit,
            "branch": work.branch,
            "message": f"{env}/{name} is switched off: the CRM sends no email from {env} "
            "until a config is activated.",
        }
    )


async def delete(request: Request) -> Response:
    work = _work(request)
    data = await _body(request)
    env, name = _ref(data)
    outcome = await _in_thread(request, lambda: configs.delete(work, env, name))
    return JSONResponse(
        {"commit": outcome.commit, "branch": work.branch, "deleted": f"{env}/{name}"}
    )


CLIENT_EVENTS = ("provider_template_selected",)


async def event(request: Request) -> Response:
    work = _work(request)
    data = await _body(request)
    name = str(data.get("event") or "")
    if name not in CLIENT_EVENTS:
        raise UsageError(f"the page cannot record event {name!r}")
    given = data.get("properties")
    props: dict[str, Any] = given if isinstance(given, dict) else {}
    clean = {str(k)[:40]: str(v)[:200] for k, v in list(props.items())[:8]}
    events.record(work.root, name, **clean)
    return JSONResponse({"recorded": name})


async def _smtpops_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SmtpopsError)
    return _failure(exc)


def create_app(work: WorkBranch, gate: Gate) -> Any:
    """The ASGI application for ``work``, guarded by ``gate``."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.join(HERE, "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    templates = Jinja2Templates(env=environment)
    routes = [
        Route("/", page),
        Route("/api/configs", list_configs),
        Route("/api/configs/{env}/{name}", read_config),
        Route("/api/history/{env}/{name}", history),
        Route("/api/validate", validate, methods=["POST"]),
        Route("/api/test", test, methods=["POST"]),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/propose", propose, methods=["POST"]),
        Route("/api/activate", activate, methods=["POST"]),
        Route("/api/deactivate", deactivate, methods=["POST"]),
        Route("/api/delete", delete, methods=["POST"]),
        Route("/api/events", event, methods=["POST"]),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={SmtpopsError: _smtpops_error})
    app.state.work = work
    app.state.templates = templates
    return Guard(app, gate)
