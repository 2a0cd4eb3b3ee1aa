"""The page's changes: save (a commit on the work branch), propose, activate, switch off,
delete, and the events the page itself reports."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from smtpops.errors import SmtpopsError, UsageError
from smtpops.events import catalog
from smtpops.services import approval, configs, drafts, tracking
from smtpops.services.workbranch import WorkBranch
from smtpops.web.inputs import (
    body,
    draft_of,
    fingerprint,
    in_thread,
    ref,
    session_of,
    typed_password,
    work_of,
)


async def save(request: Request) -> Response:
    work = work_of(request)
    session = session_of(request)
    data = await body(request)
    typed = typed_password(data)

    def run() -> dict[str, Any]:
        d, _saved, report = draft_of(work, data, typed)
        facts = session.tested.get(fingerprint(session, d, typed))
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
        if d.new and not result.nothing_to_do:
            tracking.record(
                work.root,
                "guided_setup_completed",
                configuration_id=key,
                template_type=provider,
                completion_time=_seconds(data.get("setup_seconds")),
            )
        if sensitive:
            tracking.record(
                work.root,
                "it_approval_requested",
                configuration_id=key,
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

    return JSONResponse(await in_thread(request, run))


def _seconds(value: Any) -> int | None:
    """How long the guided setup took, as the page measured it (whole seconds)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 10**7:
        return round(value)
    return None


def _approvers(work: WorkBranch, env: str) -> str:
    return approval.approvers(work.tree, work.configs_rel, env)


async def propose(request: Request) -> Response:
    work = work_of(request)
    proposal = await in_thread(request, work.propose)
    return JSONResponse(dataclasses.asdict(proposal))


async def activate(request: Request) -> Response:
    work = work_of(request)
    data = await body(request)
    env, name = ref(data)

    def run() -> dict[str, Any]:
        try:
            outcome = configs.activate(work, env, name)
        except SmtpopsError as exc:
            if " is protected: " in exc.message:
                tracking.record(
                    work.root,
                    "it_approval_requested",
                    configuration_id=f"{env}/{name}",
                    approval_type="activation in a protected environment",
                )
            raise
        return {
            "commit": outcome.commit,
            "branch": work.branch,
            "previous": outcome.previous,
            "message": "SMTP configuration activated successfully"
            if not outcome.nothing_to_do
            else f"{env}/{name} is already the active config of {env}",
        }

    return JSONResponse(await in_thread(request, run))


async def deactivate(request: Request) -> Response:
    work = work_of(request)
    data = await body(request)
    env, name = ref(data)
    outcome = await in_thread(request, lambda: configs.deactivate(work, env, name))
    return JSONResponse(
        {
            "commit": outcome.commit,
            "branch": work.branch,
            "message": f"{env}/{name} is switched off: the CRM sends no email from {env} "
            "until a config is activated.",
        }
    )


async def delete(request: Request) -> Response:
    work = work_of(request)
    data = await body(request)
    env, name = ref(data)
    outcome = await in_thread(request, lambda: configs.delete(work, env, name))
    return JSONResponse(
        {"commit": outcome.commit, "branch": work.branch, "deleted": f"{env}/{name}"}
    )


CLIENT_EVENTS = ("provider_template_selected",)


async def event(request: Request) -> Response:
    work = work_of(request)
    data = await body(request)
    name = str(data.get("event") or "")
    if name not in CLIENT_EVENTS:
        raise UsageError(f"the page cannot record event {name!r}")
    given = data.get("properties")
    props: dict[str, Any] = given if isinstance(given, dict) else {}
    allowed = catalog.EVENTS[name].properties  # the spec's property names, nothing else
    clean = {k: str(v)[:200] for k, v in props.items() if k in allowed}
    tracking.record(work.root, name, **clean)
    return JSONResponse({"recorded": name})
