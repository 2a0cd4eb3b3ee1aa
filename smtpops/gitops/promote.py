"""``promote``: carry a config's settings one step along the environment order.

The target file is the source file with the target's own credentials spliced in: every
top-level field comes from the source, except ``username``, ``password``, ``oauth`` (an
OAuth2 config's secret parts), ``sops`` and ``active``, which stay the target's (the password with its sealed ``password_binding``;
if the carried server fields differ from what the target's password was sealed for, the
target's gate refuses until a key holder re-seals it). Because SOPS protects only the password
(``mac_only_encrypted``), the spliced file decrypts with the target's key as before.
With ``--copy-credentials`` the source's username is carried too and its password is
re-encrypted for the target's recipients (through sops' pipes, never on disk).
"""

from __future__ import annotations

import os

from smtpops import yamlio
from smtpops.encryption import reencrypt_for
from smtpops.errors import ConfigNotFound, GitOpsError, InputError, UsageError
from smtpops.gitops import workspace
from smtpops.gitops.change import Change, Handover, Outcome, apply
from smtpops.gitops.gate import Gate
from smtpops.gitops.transaction import Transaction

# the oauth block holds an OAuth2 config's secret parts, encrypted with the target's data key
KEPT = ("username", "password", "oauth", "password_binding", "sops", "active")
SECRET_KEPT = ("password", "password_binding", "sops", "active")


def chunks(text: str, where: str) -> tuple[str, dict[str, str]]:
    """The text before the first top-level key, and each top-level key's lines, in order."""
    try:
        doc = yamlio.loads(text)
    except yamlio.LoadError as exc:
        raise InputError(f"{where}: {exc.message}", hint="Run `smtpops validate` on it.") from None
    starts = sorted((mark.line, str(path[0])) for path, mark in doc.keys.items() if len(path) == 1)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if not starts:
        return text, {}
    parts = {}
    for i, (line, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines) + 1
        parts[key] = "".join(lines[line - 1 : end - 1])
    return "".join(lines[: starts[0][0] - 1]), parts


def splice(source: str, target: str | None, kept: tuple[str, ...], where: str) -> str:
    """The source's fields with the ``kept`` fields of ``target`` (dropped if it has none)."""
    head, src = chunks(source, where)
    _, dst = chunks(target, where) if target is not None else ("", {})
    out = [head]
    for key, chunk in src.items():
        if key in kept:
            out.append(dst.get(key, ""))
        else:
            out.append(chunk)
    out.extend(chunk for key, chunk in dst.items() if key in kept and key not in src)
    return "".join(out)


def check_step(order: tuple[str, ...], src: str, dst: str, force: bool) -> None:
    for env in (src, dst):
        if env not in order:
            raise UsageError(
                f"'{env}' is not an environment of this repository",
                hint=f"Use one of: {', '.join(order)}.",
            )
    if src == dst:
        raise UsageError(
            "--from and --to name the same environment",
            hint="Promote carries a config to another environment.",
        )
    step = order.index(dst) - order.index(src)
    if step != 1 and not force:
        nxt = order[order.index(src) + 1] if order.index(src) + 1 < len(order) else None
        raise UsageError(
            f"{src} → {dst} is not the next step of the order {' → '.join(order)}",
            hint=(f"Promote to {nxt} first, " if nxt else "") + "or add --force to skip steps.",
        )


def promote(
    name: str,
    *,
    source: str,
    target: str,
    force: bool = False,
    copy_credentials: bool = False,
    gate: Gate | None = None,
    dry_run: bool = False,
    wait: float = 0.0,
    handover: Handover | None = None,
) -> Outcome:
    ws = workspace.open_at()
    check_step(ws.settings.order, source, target, force)
    name = name.split("/")[-1].removesuffix(".yaml").removesuffix(".yml")
    src = ws.config(source, name)
    if src is None:
        raise ConfigNotFound(
            f"{source}/{name}: no such config",
            hint=f"`smtpops status --env {source}` lists its configs.",
        )
    ws.refuse_dirty([src.rel])
    dst = ws.config(target, name)
    dst_rel = dst.rel if dst else f"{ws.configs_rel}/{target}/{os.path.basename(src.rel)}"
    if dst is None and not copy_credentials:
        raise GitOpsError(
            f"{target}/{name} does not exist yet, so there are no {target} credentials to keep",
            hint=f"Add --copy-credentials to re-encrypt the {source} password for {target}, or "
            f"create {target}/{name} with its own password first (smtpops secrets set-password).",
        )
    with open(src.path, encoding="utf-8") as handle:
        src_text = handle.read()
    dst_text = None
    if dst is not None:
        with open(dst.path, encoding="utf-8") as handle:
            dst_text = handle.read()
    kept = SECRET_KEPT if copy_credentials else KEPT
    new = splice(src_text, dst_text, kept, src.rel)

    def carry_password(tx: Transaction) -> None:

        reencrypt_for(src.path, ws.repo.abs(dst_rel))
        tx.refresh(dst_rel)

    sha = ws.repo.head() or ""
    change = Change(
        action="promote",
        env=target,
        name=name,
        target=dst_rel,
        subject=f"Promote {source}/{name} to {target}",
        body=[
            f"The settings of {source}/{name} (commit {sha[:12]}) now apply in {target}, "
            + (
                "with the password re-encrypted for " + target
                if copy_credentials
                else f"keeping the credentials of {target}"
            )
            + f"; {target}/{name} is active."
        ],
        trailers={"Source": f"{source}/{name} {sha[:12]}"},
        writes={dst_rel: new.encode("utf-8")},
        after_write=carry_password if copy_credentials else None,
        handover=handover,
    )
    return apply(ws, change, gate=gate, dry_run=dry_run, wait=wait)
