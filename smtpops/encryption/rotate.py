"""Re-encrypting many files after a key was added or removed (sops does one file at a time).

The documented order, per file: ``updatekeys`` (the file's recipients become those of its
``.sops.yaml`` rule) and then, when a key was removed, ``rotate`` (a new data key, so a
removed person's copy of the old data key opens nothing new). sops works on a copy of the
ciphertext in a private temporary folder that mirrors the repository layout; smtpops then
splices the new ``sops:`` block (and, for ``rotate``, the new password or oauth block and
the seal) into the original text, so nothing else in the file changes and the write is atomic.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from typing import Literal

import yaml

from smtpops import atomic, yamlio
from smtpops.encryption import failures, runner, sops_config, splice
from smtpops.encryption.fields import has_encrypted_secret
from smtpops.encryption.sops_format import read_metadata
from smtpops.errors import EncryptionError, InputError, SmtpopsError
from smtpops.records import record

Status = Literal["updated", "rotated", "unchanged", "skipped", "failed"]


@record(frozen=True, kw_only=True)
class FileResult:
    path: str
    status: Status
    message: str = ""
    hint: str = ""


def _recipients(text: str) -> tuple[str, ...] | None:
    try:
        data = yamlio.loads(text).data  # the limits of validate: depth, tags, size
    except yamlio.LoadError as exc:
        raise InputError(
            f"the file cannot be read: {exc.message}",
            hint="Run `smtpops validate` on it and fix what it shows.",
        ) from None
    if not isinstance(data, dict) or "sops" not in data or not has_encrypted_secret(data):
        return None
    return read_metadata(data["sops"]).recipients


def _in_mirror(path: str, config: sops_config.SopsConfig, commands: list[list[str]]) -> str:
    """Run sops ``commands`` (file path appended) on a mirrored copy; return the copy's text."""
    relative = os.path.relpath(os.path.abspath(path), config.root)
    with tempfile.TemporaryDirectory(prefix="smtpops-sops-") as tmp:
        os.chmod(tmp, 0o700)
        mirror_config = os.path.join(tmp, sops_config.FILE_NAME)
        shutil.copyfile(config.path, mirror_config)
        copy = os.path.join(tmp, relative)
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        shutil.copyfile(path, copy)
        for args in commands:
            result = runner.run(["--config", mirror_config, *args, copy], cwd=tmp)
            if result.returncode != 0:
                raise failures.explain(result, path)
        with open(copy, encoding="utf-8") as handle:
            return handle.read()


def reencrypt_file(path: str, *, rotate: bool) -> FileResult:
    """``updatekeys`` (and ``rotate`` when asked) one file, keeping its other bytes."""
    with open(path, encoding="utf-8") as handle:
        original = handle.read()
    current = _recipients(original)
    if current is None:
        return FileResult(path=path, status="skipped", message="not a sops-encrypted config")
    config = sops_config.for_file(path)
    rule = config.rule_for(path) if config else None
    if config is None or rule is None or not rule.recipients:
        raise EncryptionError(
            f"{path}: no .sops.yaml rule with age keys covers this file",
            hint="Make the environment's key: `smtpops keys init --env ENV`.",
        )
    in_sync = set(current) == set(rule.recipients)
    if in_sync and not rotate:
        return FileResult(path=path, status="unchanged")
    commands = [] if in_sync else [["updatekeys", "-y", "--input-type", "yaml"]]
    if rotate:
        commands.append(["rotate", "-i", "--input-type", "yaml", "--output-type", "yaml"])
    output = _in_mirror(path, config, commands)
    lay = splice.layout(original, path)
    if rotate and lay.password is None and lay.oauth is not None:  # an OAuth2 config
        out = splice.layout(output, path)
        assert out.oauth is not None and out.sops is not None
        blocks = {"oauth": out.oauth, "sops": out.sops}
        if out.binding is not None:  # the seal, re-encrypted with the new data key
            sealed = output[out.binding.start : out.binding.end].strip()
            lay = splice.layout(splice.with_binding(lay, sealed), path)
        text = splice.replace_blocks(
            lay, {k: splice.block_text(output, v) for k, v in blocks.items()}
        )
    elif rotate:
        text = splice.splice(lay, splice.take_from_sops_output(output, path))
    else:
        new_lay = splice.layout(output, path)
        assert new_lay.sops is not None
        block = output[new_lay.sops.start : new_lay.sops.end]
        text = splice.splice_block(lay, block if block.endswith("\n") else block + "\n")
    atomic.write_text(path, text)
    return FileResult(path=path, status="rotated" if rotate else "updated")


def reencrypt_all(paths: Iterable[str], *, rotate: bool) -> list[FileResult]:
    """Every file in turn; a failure is recorded and the next file is still done."""
    results = []
    for path in paths:
        try:
            results.append(reencrypt_file(path, rotate=rotate))
        except SmtpopsError as exc:
            results.append(
                FileResult(path=path, status="failed", message=exc.message, hint=exc.hint or "")
            )
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            results.append(
                FileResult(
                    path=path,
                    status="failed",
                    message=f"{path}: cannot read the file ({type(exc).__name__})",
                )
            )
    return results
