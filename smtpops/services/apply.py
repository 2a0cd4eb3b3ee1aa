"""Use case: hand the active config of an environment to a runtime (``smtpops apply``), and
the same step inside deploy/rollback/promote/deactivate (:class:`Handover`).

The target and its options come from the command line or from the environment's
``apply:`` setting in ``configs/environments.yaml``. An environment without an active
config holds mail (Postfix keeps it queued); that needs no key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from smtpops.delivery import oauth_support, targets, values
from smtpops.delivery import source as sources
from smtpops.delivery.targets import ApplyResult, Plan
from smtpops.errors import GitOpsError, UsageError
from smtpops.gitops import workspace
from smtpops.gitops.workspace import Workspace
from smtpops.records import record
from smtpops.services import access_token


@record(frozen=True, kw_only=True)
class Choice:
    """Which target an environment applies to, with its options."""

    target: str
    options: dict[str, str] = field(default_factory=dict)


def choose(
    ws: Workspace, env: str, target: str | None, options: Mapping[str, str] | None = None
) -> Choice | None:
    """The command line's target (with the environment's options for the same target
    merged under the given ones), else the environment's setting; None when neither.
    ``target='none'`` switches a configured apply off."""
    setting = ws.environment(env)
    if target == "none":
        return None
    if target is None and setting.apply_target is None:
        return None
    name = target or setting.apply_target or ""
    merged = dict(setting.apply_options) if setting.apply_target == name else {}
    merged.update(options or {})
    targets.check_options(targets.get(name), merged)
    return Choice(target=name, options=merged)


def plan(
    env: str,
    *,
    ws: Workspace,
    rev: str | None = None,
    decrypt: bool = True,
    target: str | None = None,
) -> Plan:
    """What the environment should run: its active config, or a hold when it has none.
    ``decrypt`` gets what it signs in with, in memory: its password, or for an OAuth2 config a
    fresh access token, once ``target`` (when named) said it can use one (Postfix cannot)."""
    try:
        src = sources.load_active(env, rev=rev, ws=ws)
    except GitOpsError as exc:
        if "has no active config" not in exc.message:
            raise
        return Plan(environment=env, delivery=None)
    sources.check_valid(src)
    delivery = values.from_source(src)
    if target is not None:
        support = targets.get(target).oauth
        oauth_support.require(support, delivery, f"the {target} target")
    if not decrypt:
        return Plan(environment=env, delivery=delivery)
    handed = access_token.for_delivery(src, delivery, oauth_support.ANY_TOKEN, "apply")
    return Plan(
        environment=env,
        delivery=delivery,
        password=sources.decrypt(src),
        token=handed.token,
    )


def apply(
    env: str,
    *,
    target: str | None = None,
    options: Mapping[str, str] | None = None,
    rev: str | None = None,
    ws: Workspace | None = None,
) -> ApplyResult:
    ws = ws or workspace.open_at()
    choice = choose(ws, env, target, options)
    if choice is None:
        raise UsageError(
            f"no apply target for {env}",
            hint="Give --target postfix, or set `apply: postfix` for the environment in "
            "configs/environments.yaml.",
        )
    full = plan(env, ws=ws, rev=rev, target=choice.target)
    return targets.apply(choice.target, full, choice.options)


def queued(env: str, choice: Choice) -> int:
    return targets.get(choice.target).queued(choice.options)


def location(choice: Choice) -> str:
    return targets.get(choice.target).location(choice.options)


class Handover:
    """The apply step of a gitops change (deploy, rollback, promote, deactivate).

    ``prepare`` computes the digest from the files as they will be committed (for the
    ``Smtpops-Digest`` trailer); ``deliver`` applies them before the commit (a failure stops
    the change, nothing committed, the runtime unchanged); ``undo`` puts the runtime back to
    what HEAD records if the commit then fails.
    """

    def __init__(self, target: str | None = None, options: Mapping[str, str] | None = None) -> None:
        self.target, self.options = target, dict(options or {})
        self.choice: Choice | None = None
        self.result: ApplyResult | None = None
        self._plan: Plan | None = None
        self._ws: Workspace | None = None
        self._env = ""

    def prepare(self, ws: Workspace, env: str) -> dict[str, str]:
        self._ws, self._env = ws, env
        self.choice = choose(ws, env, self.target, self.options)
        if self.choice is None:
            return {}
        self._plan = plan(env, ws=ws, decrypt=False, target=self.choice.target)
        digest = self._plan.delivery.digest if self._plan.delivery else "none (mail held)"
        return {"Digest": digest, "Apply": f"{self.choice.target} {self._where()}"}

    def _where(self) -> str:
        assert self.choice is not None
        return location(self.choice)

    def deliver(self) -> str:
        if self.choice is None:
            return ""
        assert self._ws is not None
        full = plan(self._env, ws=self._ws, target=self.choice.target)  # in memory only
        self.result = targets.apply(self.choice.target, full, self.choice.options)
        return self.result.summary()

    def undo(self) -> None:
        if self.choice is None or self.result is None:
            return
        assert self._ws is not None
        previous = (
            plan(self._env, ws=self._ws, rev="HEAD", target=self.choice.target)
            if self._ws.repo.head()
            else None
        )
        if previous is not None:
            targets.apply(self.choice.target, previous, self.choice.options)
