"""What a request to the page carries, read once for every route: the session and the work
branch it acts on, the JSON body, the config it names, a typed password (at once a
:class:`~smtpops.secret.Secret`), and the draft its form values make."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from smtpops.diagnostics import Report
from smtpops.errors import SmtpopsError, UsageError
from smtpops.secret import Secret
from smtpops.services import configs, drafts
from smtpops.services.workbranch import WorkBranch
from smtpops.web.security import Session


def session_of(request: Request) -> Session:
    session: Session = request.scope["state"]["session"]
    return session


def work_of(request: Request) -> WorkBranch:
    work: WorkBranch = request.app.state.work
    return work


def failure(exc: SmtpopsError) -> JSONResponse:
    """A service's refusal as JSON: 409 when a check said no, 400 for bad input."""
    status = 409 if exc.exit_code == 1 else 400
    return JSONResponse({"error": exc.message, "hint": exc.hint}, status_code=status)


async def body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise UsageError("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise UsageError("the request body is not a JSON object")
    return data


def ref(data: dict[str, Any]) -> tuple[str, str]:
    env, name = str(data.get("env") or ""), str(data.get("name") or "")
    if not env or not name or "/" in env + name or name.startswith("."):
        raise UsageError("name the environment and the config", hint="Pick a config first.")
    return env, name


def typed_password(data: dict[str, Any]) -> Secret | None:
    value = data.get("password")
    return Secret(value) if isinstance(value, str) and value else None


def findings(report: Report) -> list[dict[str, Any]]:
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


def in_thread(request: Request, job: Any) -> Any:
    """Run a blocking service call off the event loop."""
    return run_in_threadpool(job)


def draft_of(
    work: WorkBranch, data: dict[str, Any], password: Secret | None
) -> tuple[drafts.Draft, configs.Saved | None, Report]:
    env, name = ref(data)
    values = data.get("values")
    if not isinstance(values, dict):
        raise UsageError("the form's values are missing")
    d, saved = configs.draft(work, env, name, values, new=bool(data.get("new")))
    report = configs.check(work, d, saved, password)
    return d, saved, report


def fingerprint(session: Session, d: drafts.Draft, password: Secret | None) -> str:
    return session.fingerprint(d.env, d.name, d.text, password.reveal() if password else "")
