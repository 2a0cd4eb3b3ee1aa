"""Checking a draft: validation as you type, and the connection test streamed as it runs."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from smtpops.errors import SmtpopsError
from smtpops.probe import StepResult
from smtpops.rules.registry import RULES
from smtpops.secret import Secret
from smtpops.services import configs, drafts, tracking, trial
from smtpops.web.inputs import (
    body,
    draft_of,
    findings,
    fingerprint,
    in_thread,
    session_of,
    typed_password,
    work_of,
)


def _typed_placeholder(data: dict[str, Any]) -> Secret | None:
    """Validation needs to know only that a password was typed, not the password."""
    return Secret("typed") if data.get("password_typed") else typed_password(data)


async def validate(request: Request) -> Response:
    work = work_of(request)
    session = session_of(request)
    data = await body(request)
    d, _, report = await in_thread(request, lambda: draft_of(work, data, _typed_placeholder(data)))
    shown = tuple(sorted({x.rule_id for x in report.errors}))
    key = f"{d.env}/{d.name}"
    if shown and session.shown_errors.get(key) != shown:
        areas = sorted({RULES[r].area for r in shown if r in RULES})
        tracking.record(
            work.root,
            "error_message_displayed",
            configuration_id=key,
            error_category=",".join(areas),
            rules=list(shown),
        )
    session.shown_errors[key] = shown
    return JSONResponse({"findings": findings(report), "errors": len(report.errors)})


async def test(request: Request) -> Response:
    """The connection test, streamed as it runs: one JSON object per line."""
    work = work_of(request)
    session = session_of(request)
    data = await body(request)
    typed = typed_password(data)
    send_to = str(data.get("send_to") or "").strip() or None
    d, saved, report = await in_thread(request, lambda: draft_of(work, data, typed))
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def put(item: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def step(result: StepResult) -> None:
        put({"type": "step", **result.to_dict()})

    def job() -> None:
        try:
            secret = configs.sign_in(saved, d.text, typed)
            result = trial.run(
                root=work.root,
                configs_dir=work.configs_dir,
                env=d.env,
                name=d.name,
                text=d.text,
                password=secret,
                send_to=send_to,
                on_step=step,
            )
            if result.passed:
                session.tested[fingerprint(session, d, typed)] = dict(result.facts)
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
            body = {"type": "refused", "findings": findings(report)}
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
