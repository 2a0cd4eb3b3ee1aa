"""The SMTP Settings page: routes over the use cases in :mod:`smtpops.services`.

The HTTP layer only: it reads requests, calls a service, and answers JSON (or the page).
Every route sits behind :class:`smtpops.web.security.Guard`. Passwords arrive only in the
body of a POST, become a :class:`~smtpops.secret.Secret` at once, and never leave the
server again: the page only learns whether one is set.
"""

from __future__ import annotations

import json
import os
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from smtpops.errors import SmtpopsError
from smtpops.model import TOKEN_MECHANISMS
from smtpops.services import configs, drafts, tracking
from smtpops.services.workbranch import WorkBranch
from smtpops.web import changes, checks, form
from smtpops.web.inputs import failure, in_thread, ref, session_of, work_of
from smtpops.web.security import Gate, Guard

HERE = os.path.dirname(os.path.abspath(__file__))


# -- the page -------------------------------------------------------------------------------
async def page(request: Request) -> Response:
    work = work_of(request)
    session = session_of(request)
    request.app.state.visits += 1
    tracking.record(work.root, "smtp_settings_accessed", access_frequency=request.app.state.visits)
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
                    "tokenMechanisms": list(TOKEN_MECHANISMS),
                }
            ).replace("<", "\\u003c"),
            "started_from": work.started_from,
        },
    )


# -- reading --------------------------------------------------------------------------------
async def list_configs(request: Request) -> Response:
    work = work_of(request)
    envs, commits = await in_thread(request, lambda: (configs.overview(work), work.commits()))
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
    work = work_of(request)
    env, name = ref(dict(request.path_params))
    saved = await in_thread(request, lambda: configs.load(work, env, name))
    if saved is None:
        return JSONResponse({"error": f"there is no config {env}/{name}"}, status_code=404)
    return JSONResponse(
        {
            "env": env,
            "name": name,
            "values": saved.values,
            "password_set": saved.password_set,
            "oauth_set": saved.oauth_set,
            "active": saved.active,
            "version": saved.version,
        }
    )


async def history(request: Request) -> Response:
    work = work_of(request)
    env, name = ref(dict(request.path_params))
    found = await in_thread(request, lambda: configs.history(work, env, name))
    return JSONResponse(found)


async def _smtpops_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SmtpopsError)
    return failure(exc)


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
        Route("/api/validate", checks.validate, methods=["POST"]),
        Route("/api/test", checks.test, methods=["POST"]),
        Route("/api/save", changes.save, methods=["POST"]),
        Route("/api/propose", changes.propose, methods=["POST"]),
        Route("/api/activate", changes.activate, methods=["POST"]),
        Route("/api/deactivate", changes.deactivate, methods=["POST"]),
        Route("/api/delete", changes.delete, methods=["POST"]),
        Route("/api/events", changes.event, methods=["POST"]),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={SmtpopsError: _smtpops_error})
    app.state.work = work
    app.state.visits = 0  # how often the page was opened since it started
    app.state.templates = templates
    return Guard(app, gate)
