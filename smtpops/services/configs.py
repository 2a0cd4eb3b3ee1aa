"""The configs of a repository as the web page works on them: list, read, save, delete,
activate and the history of one — every change a commit on the page's work branch.

Saving writes the file (the password encrypted in memory by the real sops into it; no
plaintext ever reaches the disk) and commits it through the same gated change machinery as
``smtpops deploy`` (:mod:`smtpops.gitops.change`), so a failure leaves the branch as it was.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from smtpops import yamlio
from smtpops.diagnostics import Report
from smtpops.encryption import set_password
from smtpops.encryption.fields import encrypted_paths
from smtpops.encryption.oauth_secrets import decrypt_oauth
from smtpops.errors import CheckFailed, GitOpsError, UsageError
from smtpops.gitops import history as gitops_history
from smtpops.gitops import lifecycle, trailers, workspace
from smtpops.gitops.change import Change, Outcome, apply
from smtpops.model import TOKEN_MECHANISMS
from smtpops.records import record
from smtpops.secret import Secret
from smtpops.services import approval, drafts
from smtpops.services.decryption import Credential, decrypt_for_fields
from smtpops.services.deploy import deploy
from smtpops.services.workbranch import WorkBranch


@record(frozen=True, kw_only=True)
class ConfigState:
    env: str
    name: str
    active: bool
    pinned: bool  # the environment is pinned to this config after a rollback
    provider: str | None
    host: str | None


@record(frozen=True, kw_only=True)
class EnvState:
    name: str
    description: str
    protected: bool
    pinned_to: str | None
    approvers: str
    configs: tuple[ConfigState, ...]


@record(frozen=True, kw_only=True)
class Saved:
    """A config as stored: the page's values, and only whether a password is set."""

    env: str
    name: str
    values: dict[str, Any]
    password_set: bool
    active: bool
    oauth_set: bool  # its oauth block holds an encrypted secret part
    text: str
    path: str

    @property
    def version(self) -> str:
        """A digest of the file as read: a save names it to refuse overwriting a newer one."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


@record(frozen=True, kw_only=True)
class SaveResult:
    commit: str | None
    branch: str
    path: str
    new: bool
    nothing_to_do: bool


def overview(work: WorkBranch) -> list[EnvState]:
    """Every environment (in promotion order) with its configs and their state."""
    ws = workspace.open_at(work.tree)
    pins = ws.pins()
    out = []
    for env in ws.settings.environments:
        pin = pins.get(env.name)
        configs = tuple(
            ConfigState(
                env=env.name,
                name=c.name,
                active=c.active,
                pinned=pin is not None and pin.config == f"{env.name}/{c.name}",
                provider=str(c.data.get("provider") or "") or None,
                host=str(c.data.get("host") or "") or None,
            )
            for c in ws.configs(env.name)
        )
        out.append(
            EnvState(
                name=env.name,
                description=env.description,
                protected=env.policy.protected,
                pinned_to=pin.config if pin else None,
                approvers=approval.approvers(ws.repo.root, ws.configs_rel, env.name),
                configs=configs,
            )
        )
    return out


def _environment(ws: workspace.Workspace, env: str) -> None:
    ws.environment(env)  # a UsageError naming the known environments


def load(work: WorkBranch, env: str, name: str) -> Saved | None:
    """The stored config ``env/name`` on the work branch, or None when there is none."""
    ws = workspace.open_at(work.tree)
    _environment(ws, env)
    item = ws.config(env, name)
    if item is None:
        return None
    with open(item.path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        data = yamlio.loads(text).data
    except yamlio.LoadError:
        data = {}
    data = data if isinstance(data, dict) else {}
    password = data.get("password")
    return Saved(
        env=env,
        name=name,
        values=drafts.form_values(data),
        password_set=isinstance(password, str) and bool(password),
        oauth_set=any(p[0] == "oauth" for p in encrypted_paths(data)),
        active=data.get("active") is True,
        text=text,
        path=item.path,
    )


def password_state(saved: Saved | None, typed: Secret | None) -> str:
    if typed:
        return "typed"
    return "saved" if saved is not None and saved.password_set else "none"


def draft(
    work: WorkBranch, env: str, name: str, form: dict[str, Any], *, new: bool
) -> tuple[drafts.Draft, Saved | None]:
    """The file the form makes (not written). ``new`` refuses a name that exists."""
    saved = load(work, env, name)
    if new and saved is not None:
        raise UsageError(
            f"{env}/{name} already exists",
            hint="Choose another name for the new config, or open the existing one.",
        )
    if not new and saved is None:
        raise UsageError(f"there is no config {env}/{name}", hint="Reload the page.")
    values = drafts.typed(form)
    return drafts.compose(work.configs_dir, env, name, values, saved.text if saved else None), saved


def check(work: WorkBranch, d: drafts.Draft, saved: Saved | None, typed: Secret | None) -> Report:
    return drafts.check(work.configs_dir, d, password_state(saved, typed))


def save(
    work: WorkBranch,
    env: str,
    name: str,
    form: dict[str, Any],
    password: Secret | None,
    *,
    new: bool,
    test_facts: dict[str, str],
    version: str | None = None,
) -> SaveResult:
    """Validate, write and commit ``env/name`` on the work branch (password encrypted).
    ``version`` (of the file the form was loaded from) refuses to overwrite a newer file."""
    with work.lock:
        work.ensure()
        d, saved = draft(work, env, name, form, new=new)
        if saved is not None and version and version != saved.version:
            raise GitOpsError(
                f"{env}/{name} was changed since you opened it (in another window or by "
                "git); nothing was saved",
                hint="Copy what you typed, reload the page, and make your change again.",
            )
        if new and not password:
            raise UsageError("enter the password", hint="A new config needs its password.")
        report = check(work, d, saved, password)
        if report.errors:
            first = report.errors[0]
            raise CheckFailed(
                f"{env}/{name} has {len(report.errors)} validation error(s): {first.message}",
                hint=first.hint,
            )
        ws = workspace.open_at(work.tree)
        rel = ws.repo.rel(d.path)

        def encrypt(tx: Any) -> None:
            assert password is not None
            set_password(d.path, password)
            tx.refresh(rel)

        what = "Add" if new else "Change"
        change = Change(
            action="create" if new else "edit",
            env=env,
            name=name,
            subject=f"{what} {env}/{name} on the SMTP Settings page",
            body=[
                f"{env}/{name} {'created' if new else 'changed'} with `smtpops ui`; "
                f"{'the password was set (encrypted). ' if password else ''}"
                "Activation is unchanged."
            ],
            trailers={"Previous": "", "Test": trailers.test_line(True, test_facts)},
            writes={rel: d.text.encode("utf-8")},
            after_write=encrypt if password else None,
            gated=False,
            activate=False,
            respect_pin=False,
        )
        outcome = apply(ws, change)
        return SaveResult(
            commit=outcome.commit,
            branch=work.branch,
            path=rel,
            new=new,
            nothing_to_do=outcome.nothing_to_do,
        )


def _path(work: WorkBranch, env: str, name: str) -> str:
    saved = load(work, env, name)
    if saved is None:
        raise UsageError(f"there is no config {env}/{name}", hint="Reload the page.")
    return saved.path


def delete(work: WorkBranch, env: str, name: str) -> Outcome:
    """Remove ``env/name`` (refused for the active and for the only config of ``env``)."""
    with work.lock:
        work.ensure()
        return lifecycle.remove(_path(work, env, name))


def activate(work: WorkBranch, env: str, name: str) -> Outcome:
    """Deploy ``env/name`` on the work branch (test, activate, commit) where policy allows."""
    with work.lock:
        ws = workspace.open_at(work.tree)
        blocked = approval.blocked_change(
            ws.repo.root, ws.configs_rel, ws.environment(env), "activated"
        )
        if blocked:
            raise GitOpsError(blocked[0], hint=blocked[1])
        work.ensure()
        return deploy(_path(work, env, name))


def deactivate(work: WorkBranch, env: str, name: str) -> Outcome:
    """Switch off ``env/name``, the active config of ``env`` (the CRM then sends no email
    from ``env``), where policy allows it."""
    with work.lock:
        ws = workspace.open_at(work.tree)
        environment = ws.environment(env)
        saved = load(work, env, name)
        if saved is None or not saved.active:
            raise UsageError(f"{env}/{name} is not active", hint="Reload the page.")
        blocked = approval.blocked_change(ws.repo.root, ws.configs_rel, environment, "switched off")
        if blocked:
            raise GitOpsError(blocked[0], hint=blocked[1])
        work.ensure()
        return lifecycle.deactivate(env, start=work.tree)


def history(work: WorkBranch, env: str, name: str) -> dict[str, Any]:
    """The audit trail of ``env/name`` (also of a removed one), as ``smtpops history`` shows."""
    path = os.path.join(work.configs_dir, env, f"{name}.yaml")
    ref = path if os.path.isfile(path) else f"{env}/{name}"
    return gitops_history.to_dict(gitops_history.history(ref, start=work.tree, limit=50))


def sign_in(saved: Saved | None, text: str, typed: Secret | None) -> Credential:
    """What the connection test of the edited config ``text`` signs in with: for an OAuth2
    config (XOAUTH2/OAUTHBEARER) the saved oauth block's secret parts, decrypted in memory
    (the page never edits them; a typed password is not what it signs in with); else the
    typed password, else the saved one (:func:`saved_password`)."""
    if _uses_token(saved, text):
        if saved is None or not saved.oauth_set:
            where = f"{saved.env}/{saved.name}" if saved else "ENV/NAME"
            raise UsageError(
                "this config signs in with an OAuth2 token, and its OAuth2 secret (client "
                "secret, key or refresh token) is not stored yet",
                hint=f"Save it, then enter the secret with `smtpops secrets set-oauth {where}`.",
            )
        return decrypt_oauth(saved.path)
    secret = typed or (saved_password(saved, text) if saved else None)
    if secret is None:
        raise UsageError(
            "enter the password first", hint="The test signs in with it, as the CRM will."
        )
    return secret


def _uses_token(saved: Saved | None, text: str) -> bool:
    try:
        data = yamlio.loads(text).data
    except yamlio.LoadError as exc:
        where = saved.path if saved else "the edited config"
        raise UsageError(f"{where}: the edited config cannot be read ({exc})") from None
    return isinstance(data, dict) and data.get("auth_protocol") in TOKEN_MECHANISMS


def saved_password(saved: Saved, text: str) -> Secret | None:
    """The stored password of ``saved``, decrypted in memory (None when it has none), for
    sending to the server of the edited config ``text``: only while the password's seal
    matches that server (a changed host, port, tls, CA or username needs the password typed
    again, or a re-seal by a key holder)."""
    if not saved.password_set:
        return None
    try:
        data = yamlio.loads(text).data
    except yamlio.LoadError as exc:
        raise UsageError(f"{saved.path}: the edited config cannot be read ({exc})") from None
    return decrypt_for_fields(saved.path, data if isinstance(data, dict) else {})
