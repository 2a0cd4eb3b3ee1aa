"""``apply --target postfix``: write the relay configuration into a Postfix configuration
directory and reload Postfix, idempotently and atomically.

Layout under CONFIG_DIR (default /etc/postfix)::

    main.cf                          the managed block at its end (see maincf)
    master.cf                        the relay transport ``smtpops`` (process limit =
                                     max_connections); ``tlsproxy`` added if missing
    smtpops/state.json               what is applied: digests, parameters (no secret)
    smtpops/<version>/               header tables, header_checks, ca.pem
    smtpops/<version>/private/       0700: sasl_passwd and sasl_passwd.db, 0600

A new version directory is written next to the running one, the new main.cf is checked
with ``postfix check`` in a scratch copy of the directory, and only then is main.cf
replaced (one rename) and Postfix reloaded; a failed check or reload leaves (or puts
back) the running configuration. Older version directories are removed afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from typing import Any

from smtpops import atomic
from smtpops.delivery import oauth_support
from smtpops.delivery.formats.base import OutputFile, seconds_value
from smtpops.delivery.plan import ApplyResult, Plan, Target
from smtpops.delivery.postfix import maincf, params, tables
from smtpops.delivery.postfix.commands import Postfix, PostfixError, run
from smtpops.errors import InputError

STATE_DIR = "smtpops"
STATE_FILE = "state.json"
PRIVATE = "private"
OPTIONS = ("config_dir", "retry_interval", "hold_lifetime")
DEFAULT_CONFIG_DIR = "/etc/postfix"
_SAFE_PATH = set("/._-+@") | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def config_dir(options: Mapping[str, str]) -> str:
    path = os.path.abspath(options.get("config_dir") or DEFAULT_CONFIG_DIR)
    if not set(path) <= _SAFE_PATH:
        raise InputError(
            f"{path}: Postfix parameter values cannot safely name this folder (spaces, '$' or ',')",
            hint="Use a configuration directory whose path has only letters, digits, '/._-'.",
        )
    return path


def _state_path(root: str) -> str:
    return os.path.join(root, STATE_DIR, STATE_FILE)


def read_state(root: str) -> dict[str, Any] | None:
    try:
        with open(_state_path(root), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _digest(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _write_version(base: str, version: str, files: list[OutputFile], pf: Postfix) -> str:
    """Write the files into ``base/version`` (built under a temporary name, then renamed)."""
    final = os.path.join(base, version)
    if os.path.isdir(final):
        shutil.rmtree(final)  # a leftover of an apply that failed before its rename
    scratch = tempfile.mkdtemp(prefix=".new-", dir=base)
    try:
        os.chmod(scratch, 0o755)
        private = os.path.join(scratch, PRIVATE)
        os.mkdir(private, 0o700)
        for item in files:
            folder = private if item.plaintext else scratch
            path = os.path.join(folder, item.name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, item.mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(item.data)
        if any(item.name == tables.SASL_MAP for item in files):
            pf.postmap(os.path.join(private, tables.SASL_MAP))
        os.rename(scratch, final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return final


def _check(pf: Postfix, text: str, entry: str | None) -> str:
    """``postfix check`` on a scratch copy of the directory holding the new main.cf and the
    relay's master.cf entry; the new master.cf text."""
    base = os.path.join(pf.config_dir, STATE_DIR)
    scratch = tempfile.mkdtemp(prefix=".check-", dir=base)
    try:
        os.chmod(scratch, 0o755)
        for name in os.listdir(pf.config_dir):
            src = os.path.join(pf.config_dir, name)
            if name != "main.cf" and os.path.isfile(src) and not os.path.islink(src):
                shutil.copy2(src, os.path.join(scratch, name))
        with open(os.path.join(scratch, "main.cf"), "w", encoding="utf-8") as handle:
            handle.write(text)
        result = run("postconf", "-c", scratch, "-M", entry) if entry else None
        listed = run("postconf", "-c", scratch, "-M", "tlsproxy/unix").output.splitlines()
        if (
            result is not None
            and result.code == 0
            and not any(line.startswith("tlsproxy") for line in listed)
        ):  # TLS connection reuse needs the (standard) tlsproxy service
            chroot = entry.split()[4] if entry else "-"
            result = run("postconf", "-c", scratch, "-M", params.tlsproxy(chroot))
        if result is None or result.code == 0:
            result = pf.check(scratch)
        if result.code != 0:
            raise PostfixError(
                f"postfix check refused the new configuration, so nothing was changed: "
                f"{result.output.replace(scratch, pf.config_dir)}",
                hint=f"Fix what postfix check reports in {pf.config_dir}/main.cf or master.cf "
                "(outside the smtpops block), then apply again.",
            )
        with open(os.path.join(scratch, "master.cf"), encoding="utf-8") as handle:
            return handle.read()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _relay(
    plan: Plan, pf: Postfix, options: Mapping[str, str]
) -> tuple[dict[str, str], str, list[OutputFile]]:
    """(parameters, version, files) for an active config."""
    d = plan.delivery
    assert d is not None
    interval = seconds_value(options, "retry_interval", params.DEFAULT_RETRY_INTERVAL)
    version = _digest(d.digest, interval, sorted(options.items())).removeprefix("sha256:")[:16]
    where = os.path.join(pf.config_dir, STATE_DIR, version)
    found = tables.layout(d, plan.password, where, interval=interval, private=PRIVATE)
    return found.parameters, version, list(found.files)


def _merge(found: dict[str, str], text: str) -> dict[str, str]:
    theirs = maincf.originals(text, params.MERGED)
    merged = dict(found)
    for name, value in theirs.items():
        if value.strip():
            merged[name] = f"{found[name]}, {value}" if name in found else value
    return merged


def apply(plan: Plan, options: Mapping[str, str]) -> ApplyResult:
    pf = Postfix(config_dir(options))
    base = os.path.join(pf.config_dir, STATE_DIR)
    os.makedirs(base, mode=0o755, exist_ok=True)
    main_path = os.path.join(pf.config_dir, "main.cf")
    with open(main_path, encoding="utf-8") as handle:
        old_text = handle.read()
    state = read_state(pf.config_dir) or {}
    lifetime = seconds_value(options, "hold_lifetime", params.DEFAULT_HOLD_LIFETIME)
    files: list[OutputFile] = []
    entry = state.get("service")
    if plan.hold:
        version = state.get("version")
        wanted = params.hold(dict(state.get("relay") or {}), lifetime)
        digest, config = state.get("digest"), state.get("config")
        relay = dict(state.get("relay") or {})
    else:
        relay, version, files = _relay(plan, pf, options)
        wanted = relay
        assert plan.delivery is not None
        digest, config = plan.delivery.digest, plan.delivery.config
        entry = params.service(pf.chroot(), plan.delivery.max_connections)
    wanted = _merge(wanted, old_text)
    state_digest = _digest(digest, version, wanted, plan.hold, entry)
    running = pf.running()
    if state.get("state") == state_digest and maincf.block_digest(old_text) == state_digest:
        return _result(
            plan, pf, state_digest, digest, config, changed=False, reloaded=False, running=running
        )
    new_text = maincf.update(old_text, wanted, state_digest)
    master_path = os.path.join(pf.config_dir, "master.cf")
    with open(master_path, encoding="utf-8") as handle:
        old_master = handle.read()
    new_master = _check(pf, new_text, entry)  # before anything is written
    in_use = version == state.get("version") and os.path.isdir(os.path.join(base, str(version)))
    if files and version and not in_use:  # the running version's files are the same: keep them
        _write_version(base, str(version), files, pf)
    try:
        if new_master != old_master:
            atomic.write_text(master_path, new_master)
        atomic.write_text(main_path, new_text)
        try:
            if running:
                pf.reload()
        except BaseException:
            atomic.write_text(main_path, old_text)
            atomic.write_text(master_path, old_master)
            if running:
                with contextlib.suppress(PostfixError):
                    pf.reload()
            raise
    except BaseException:
        if version and version != state.get("version"):
            shutil.rmtree(os.path.join(base, str(version)), ignore_errors=True)
        raise
    if running and not plan.hold:
        pf.flush()  # deferred mail goes out now, with the new settings
    record = {
        "target": "postfix",
        "environment": plan.environment,
        "config": config,
        "digest": digest,
        "state": state_digest,
        "version": version,
        "hold": plan.hold,
        "relay": relay,
        "service": entry,
    }
    atomic.write_text(_state_path(pf.config_dir), json.dumps(record, indent=2) + "\n", mode=0o644)
    _prune(base, str(version) if version else None)
    return _result(
        plan, pf, state_digest, digest, config, changed=True, reloaded=running, running=running
    )


def _prune(base: str, keep: str | None) -> None:
    for name in os.listdir(base):
        path = os.path.join(base, name)
        if name != keep and os.path.isdir(path) and not name.startswith(".check-"):
            shutil.rmtree(path, ignore_errors=True)


def _result(
    plan: Plan,
    pf: Postfix,
    state: str,
    digest: str | None,
    config: str | None,
    *,
    changed: bool,
    reloaded: bool,
    running: bool,
) -> ApplyResult:
    notes = (
        ()
        if running
        else (
            f"Postfix ({pf.config_dir}) is not running: start it (systemctl start postfix) to send.",
        )
    )
    return ApplyResult(
        target="postfix",
        environment=plan.environment,
        location=pf.config_dir,
        config=config,
        digest=digest,
        state=state,
        changed=changed,
        reloaded=reloaded,
        held=plan.hold,
        running=running,
        notes=notes,
    )


def queued(options: Mapping[str, str]) -> int:
    return len(Postfix(config_dir(options)).queue())


TARGET = Target(
    name="postfix",
    summary="a Postfix 3.x relay on the CRM host (main.cf block, 0600 sasl_passwd map)",
    options=OPTIONS,
    apply=apply,
    queued=queued,
    location=config_dir,
    oauth=oauth_support.POSTFIX,
)
